// What the end-to-end tests share: the site served by `wasmux serve` on a
// free loopback port, headless Debian Chromium driven by playwright-core,
// and a Shell that types into the page's terminal and reads its screen.
//
// The site and the server are given by the environment (browser/e2e.sh sets
// them): WASMUX_SITE (browser/build.sh's output), WASMUX_BIN (the CLI).
import { spawn } from 'node:child_process';
import { before, after } from 'node:test';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Flags that keep Chromium from reaching for the network it does not have.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// Long enough for a cold boot on a loaded CI machine; a hang still fails.
export const PATIENCE = 60_000;

/** `wasmux serve` on 127.0.0.1 and a free port; resolves to {url, stop}. */
export async function serve(site = process.env.WASMUX_SITE) {
  const bin = process.env.WASMUX_BIN;
  if (!bin || !site) throw new Error('WASMUX_BIN and WASMUX_SITE must be set (run browser/e2e.sh)');
  const child = spawn(bin, ['serve', '--dir', site, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [url] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => { throw new Error(`wasmux serve exited with ${code}`); }),
  ]);
  return { url, stop: () => child.kill() };
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/**
 * For a test file: the server and one browser, started before its tests
 * and stopped after them (`shared.server`, `shared.browser`).
 */
export function sharedBrowser() {
  const shared = {};
  before(async () => {
    shared.server = await serve();
    shared.browser = await launch();
  });
  after(async () => {
    await shared.browser?.close();
    shared.server?.stop();
  });
  return shared;
}

/** A browser whose profile lives in `dir`: one context, kept on disk. */
export async function launchWithProfile(dir) {
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: FLAGS });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a truthy value, or fails saying `what`:
 * only for a condition no event announces (the screen's waits below are
 * woken by the terminal's writes instead).
 */
export async function until(what, probe, timeout = PATIENCE) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Waits until the text of `selector` in `page` matches `pattern`, woken by
 * each change of that element (a MutationObserver in the page); fails
 * saying `what` after `timeout`.
 */
export async function textAppears(page, selector, pattern, what, timeout = PATIENCE) {
  const found = await page.evaluate(([selector, source, flags, ms]) => new Promise((resolve) => {
    const element = document.querySelector(selector);
    const pattern = new RegExp(source, flags);
    const matches = () => pattern.test(element?.innerText ?? '');
    if (matches()) return resolve(true);
    const observer = new MutationObserver(() => matches() && finish(true));
    const timer = setTimeout(() => finish(false), ms);
    function finish(value) {
      observer.disconnect();
      clearTimeout(timer);
      resolve(value);
    }
    observer.observe(element, { subtree: true, childList: true, characterData: true });
  }), [selector, pattern.source, pattern.flags, timeout]);
  if (!found) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
}

/**
 * For `context.addInitScript`, before the page's own scripts: the page
 * fires a `wasmux-stored` event for each commit the kernel's worker
 * reports (its `stored` message), so that a test can wait for one.
 */
export function observeCommits() {
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({ data }) => {
        if (data?.kind === 'stored') window.dispatchEvent(new Event('wasmux-stored'));
      });
    }
  };
}

/**
 * Waits until IndexedDB (the committed filesystem) holds a file named
 * `name` whose first chunk is `text`: looked up at once, then at each
 * commit the page reports (`wasmux-stored`, see observeCommits); fails
 * saying `what` after `timeout`.
 */
export async function committed(page, name, text, what, timeout = PATIENCE) {
  const found = await page.evaluate(([name, text, ms]) => new Promise((resolve) => {
    const request = (r) => new Promise((ok, fail) => {
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const decode = (bytes) => new TextDecoder().decode(bytes);
    // The `dirents` store maps [dir ino, name bytes] to the child's ino,
    // `chunks` maps [ino, index] to bytes (browser/idb-store).
    const holds = async () => {
      const db = await request(indexedDB.open('wasmux-root'));
      try {
        const txn = db.transaction(['dirents', 'chunks']);
        const keys = await request(txn.objectStore('dirents').getAllKeys());
        const key = keys.find((k) => decode(k[1]) === name);
        if (!key) return false;
        const ino = await request(txn.objectStore('dirents').get(key));
        const chunk = await request(txn.objectStore('chunks').get([ino, 0]));
        return chunk !== undefined && decode(chunk) === text;
      } finally {
        db.close();
      }
    };
    const check = () => holds().then((yes) => yes && finish(true), () => {});
    const timer = setTimeout(() => finish(false), ms);
    function finish(value) {
      removeEventListener('wasmux-stored', check);
      clearTimeout(timer);
      resolve(value);
    }
    addEventListener('wasmux-stored', check);
    check();
  }), [name, text, timeout]);
  if (!found) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
}

// In the page: the terminal's screen and scrollback as text (wrapped lines
// joined), and how many writes it has parsed. The counter is set up on
// first use in each page load.
function pageScreen() {
  const term = window.wasmux.term;
  let writes = window.e2eWrites;
  if (!writes) {
    writes = window.e2eWrites = { count: 0, wake: [] };
    term.onWriteParsed(() => {
      writes.count++;
      for (const resolve of writes.wake.splice(0)) resolve();
    });
  }
  const buffer = term.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  return { text: lines.join('\n').trimEnd(), writes: writes.count };
}

// In the page: resolves once the terminal has parsed a write after the
// `seen`th, or after `ms` (the caller's deadline).
function pageNextWrite([seen, ms]) {
  const writes = window.e2eWrites;
  if (!writes || writes.count !== seen) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    writes.wake.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const PROMPT = /^\S+@wasmux:[^\n]*[$#]$/;

/** The terminal of one page. */
export class Shell {
  constructor(page) {
    this.page = page;
    this.errors = [];
    page.on('pageerror', (e) => this.errors.push(e.message));
    // What the page and its workers logged, and of that the errors (panics,
    // failed jobs).
    this.consoleLines = [];
    this.consoleErrors = [];
    page.on('console', (m) => {
      this.consoleLines.push(m.text());
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
  }

  /** Opens `url` in `page` and waits for the shell's first prompt. */
  static async open(page, url) {
    const shell = new Shell(page);
    await page.goto(url);
    await page.evaluate(() => window.wasmux.ready);
    await shell.prompt();
    return shell;
  }

  /** The screen and scrollback as text, wrapped lines joined. */
  async screen() {
    return (await this.page.evaluate(pageScreen)).text;
  }

  /**
   * Waits until `test(screen)` returns a truthy value, and returns it. The
   * screen is read again after each write the terminal parses, never on a
   * timer; after `timeout` the wait fails saying `what`.
   */
  async waitForScreen(what, test, timeout = PATIENCE) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const { text, writes } = await this.page.evaluate(pageScreen);
      const value = test(text);
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}`);
      await this.page.evaluate(pageNextWrite, [writes, left]);
    }
  }

  /**
   * What a failed test should show: the end of the screen and what the
   * page logged as errors. Never throws (the page may be gone).
   */
  async postmortem() {
    const screen = await this.screen().catch((e) => `(no screen: ${e.message})`);
    const tail = screen.split('\n').slice(-15).join('\n');
    const errors = [...this.errors, ...this.consoleErrors].slice(-10).join('\n');
    return `--- screen (last lines) ---\n${tail}\n--- page errors ---\n${errors || '(none)'}`;
  }

  /** Waits until the last line is a prompt; returns the screen. */
  async prompt() {
    return this.waitForScreen('a shell prompt', (screen) => PROMPT.test(screen.split('\n').pop()) && screen);
  }

  /** Types `text` as keys (no Enter). */
  async type(text) {
    await this.page.keyboard.type(text);
  }

  /**
   * Runs `command` at the prompt and returns what it printed (the lines
   * between the command line and the next prompt).
   */
  async run(command, patience = PATIENCE) {
    const before = await this.prompt();
    await this.page.keyboard.type(`${command}\n`);
    const after = await this.waitForScreen(`the prompt after \`${command}\``, (screen) =>
      screen.length > before.length && PROMPT.test(screen.split('\n').pop()) &&
        screen.slice(before.length).includes('\n') && screen, patience);
    const lines = after.slice(before.length).split('\n');
    return lines.slice(1, -1).join('\n');
  }
}
