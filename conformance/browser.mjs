// The fast-browser backend's driver: runs the suite's WASIX programs in a
// wasmux tab (headless Chromium), one at a time, for `wasmux conformance
// --backend fast-browser` (conformance/src/backend.rs), which starts it and
// talks to it in JSON lines:
//
//   stdout: {"ready": true}                                   (once, when the tab has booted)
//   stdin:  {"program": "open01", "deadline": 60}
//   stdout: {"status": 0, "stdout": "...", "stderr": "..."}   (status as a shell reports it)
//        or {"timeout": true}                                 (the tab is replaced)
//        or {"error": "..."}                                  (it could not be run)
//
// Usage: node conformance/browser.mjs SITE WASMUX_BIN FAST_BUILD_DIR
// Each program is written to ~/conformance/NAME (the root filesystem: the
// kernel starts programs from there only) through the page's API
// and run from /tmp, as the session's user, with an empty standard input.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { serve, launch, PATIENCE } from '../browser/e2e/harness.mjs';

const [site, bin, programs] = process.argv.slice(2);
if (!programs) {
  console.error('usage: node conformance/browser.mjs SITE WASMUX_BIN FAST_BUILD_DIR');
  process.exit(2);
}
process.env.WASMUX_BIN = bin;

const server = await serve(site);
const browser = await launch();
let context = null;
let page = null;

/** A fresh profile with one booted tab (a hung program takes the old one). */
async function freshTab() {
  await context?.close().catch(() => {});
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.evaluate(() => window.wasmux.ready);
}

const timeout = (seconds) => new Promise((resolve) => setTimeout(() => resolve('timeout'), seconds * 1000));

async function runProgram(name, deadline) {
  if (!page) await freshTab();
  const bytes = await readFile(join(programs, `${name}.wasm`));
  const path = `/home/user/conformance/${name}`;
  await page.evaluate(async ({ path, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    await window.wasmux.fs.writeFile(path, bytes);
    const chmod = await window.wasmux.run(['chmod', '755', path]);
    if (chmod.status !== 0) throw new Error(`chmod ${path}: ${chmod.stderr}`);
  }, { path, base64: bytes.toString('base64') });
  const run = page.evaluate((path) => window.wasmux.run([path], { cwd: '/tmp' }), path);
  const outcome = await Promise.race([run, timeout(deadline)]);
  if (outcome === 'timeout') {
    run.catch(() => {});
    await context.close().catch(() => {});
    context = page = null;
    return { timeout: true };
  }
  return outcome;
}

const requests = createInterface({ input: process.stdin });
try {
  await freshTab();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  for await (const line of requests) {
    const { program, deadline } = JSON.parse(line);
    let reply;
    try {
      reply = await runProgram(program, deadline || PATIENCE / 1000);
    } catch (e) {
      reply = { error: String(e && e.message || e) };
      // Whatever failed, the next program gets a tab that works.
      await context?.close().catch(() => {});
      context = page = null;
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
} finally {
  await browser.close();
  server.stop();
}
