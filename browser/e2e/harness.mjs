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

/** Polls `probe` until it returns a truthy value, or fails saying `what`. */
export async function until(what, probe, timeout = PATIENCE) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
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
    return this.page.evaluate(() => {
      const buffer = window.wasmux.term.buffer.active;
      const lines = [];
      for (let i = 0; i < buffer.length; i++) {
        const line = buffer.getLine(i);
        const text = line.translateToString(true);
        if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
        else lines.push(text);
      }
      return lines.join('\n').trimEnd();
    });
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
    return until('a shell prompt', async () => {
      const screen = await this.screen();
      return PROMPT.test(screen.split('\n').pop()) && screen;
    });
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
    const after = await until(`the prompt after \`${command}\``, async () => {
      const screen = await this.screen();
      return screen.length > before.length && PROMPT.test(screen.split('\n').pop()) &&
        screen.slice(before.length).includes('\n') && screen;
    }, patience);
    const lines = after.slice(before.length).split('\n');
    return lines.slice(1, -1).join('\n');
  }
}
