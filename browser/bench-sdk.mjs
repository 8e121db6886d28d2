// The @wasmer/sdk peer of the browser benchmark: the same busybox.wasm,
// made plain WASIX, run by npm @wasmer/sdk in the same headless Chromium
// with the same shell lines.
//
// Plain WASIX: our busybox also imports kernel-shim's own module `wasmux`,
// which the SDK does not have. Each of those imports becomes a function of
// the module answering a constant: `path_stat` says EOPNOTSUPP (the compat
// layer then asks WASI itself), every other one 0 (nothing to report: no
// signals pending, no kernel to tell). The rewrite goes through binaryen's
// text form (wasm-dis, wasm-as), which the userland build already needs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './e2e/harness.mjs';

const FEATURES = ['--enable-threads', '--enable-bulk-memory', '--enable-mutable-globals', '--enable-sign-ext'];
const IMPORT = /^\s*\(import "wasmux" "([^"]+)" \(func (\$\S+)((?: \(param[^)]*\))?)((?: \(result (\w+)\))?)\)\)$/;

/** Writes the plain-WASIX variant of `busyboxWasm` to `out`. */
export function plainWasix(busyboxWasm, out) {
  const wat = execFileSync('wasm-dis', [...FEATURES, busyboxWasm], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const kept = [];
  const answers = [];
  for (const line of wat.split('\n')) {
    const m = IMPORT.exec(line);
    if (!m) {
      kept.push(line);
      continue;
    }
    const [, name, id, params, result, type] = m;
    const value = name === 'path_stat' ? 95 : 0;
    answers.push(` (func ${id}${params}${result}${type ? ` (${type}.const ${value})` : ''})`);
  }
  if (answers.length === 0) throw new Error(`${busyboxWasm}: no wasmux imports to answer`);
  while (kept.at(-1).trim() === '') kept.pop();
  if (kept.at(-1).trim() !== ')') throw new Error('wasm-dis output does not end its module where expected');
  const text = `${out}.wat`;
  writeFileSync(text, [...kept.slice(0, -1), ...answers, ')', ''].join('\n'));
  execFileSync('wasm-as', [...FEATURES, text, '-o', out]);
  rmSync(text);
}

// The applets the shell lines use: each a command of the package (so the
// SDK puts it in /bin), all the same module, which picks the applet by argv[0].
const APPLETS = ['sh', 'true', 'seq', 'echo', 'wc', 'dd', 'sha256sum', 'date'];

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>@wasmer/sdk peer</title>
<script type="module">
import { Wasmer } from './sdk/dist/index.js';
// Page load → the first command done, as wasmux's page load → prompt.
window.sdk = (async () => {
  const wasmer = new Wasmer();
  const bytes = new Uint8Array(await (await fetch('./busybox.wasm')).arrayBuffer());
  const pkg = await wasmer.packages.create({
    modules: { busybox: bytes },
    commands: Object.fromEntries(${JSON.stringify(APPLETS)}.map((a) => [a, { module: 'busybox' }])),
    entrypoint: 'sh',
  });
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
  await sandbox.command('true').run();
  return { readyMs: performance.now(), sandbox };
})();
window.run = async (line) => {
  const { sandbox } = await window.sdk;
  return (await sandbox.command('sh', ['-c', line]).run()).text();
};
</script>
`;

/**
 * Measures the SDK in `browser`: page load → ready, cold (fresh profile)
 * and warm (a reload), and each of `workloads` (name → shell line printing
 * "R <number>"), `rounds` times each, a fresh profile per round.
 * Returns { cold: [ms], warm: [ms], workloads: { name: [number] } }.
 */
export async function measureSdk(browser, busyboxWasm, workloads, rounds, parse) {
  const site = mkdtempSync(join(tmpdir(), 'wasmux-sdk-peer-'));
  const server = await serve(site);
  try {
    const sdk = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '@wasmer', 'sdk');
    for (const part of ['dist', 'pkg']) cpSync(join(sdk, part), join(site, 'sdk', part), { recursive: true });
    plainWasix(busyboxWasm, join(site, 'busybox.wasm'));
    writeFileSync(join(site, 'index.html'), PAGE);

    const inFreshPage = async (f) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(server.url);
        return await f(page);
      } finally {
        await context.close();
      }
    };
    const ready = (page) => page.evaluate(async () => (await window.sdk).readyMs);
    const result = { cold: [], warm: [], workloads: {} };
    for (let r = 0; r < rounds; r++) {
      await inFreshPage(async (page) => {
        result.cold.push(await ready(page));
        await page.reload();
        result.warm.push(await ready(page));
      });
    }
    for (const [name, line] of Object.entries(workloads)) {
      result.workloads[name] = [];
      for (let r = 0; r < rounds; r++) {
        const out = await inFreshPage((page) => page.evaluate((l) => window.run(l), line));
        const value = parse(out);
        if (Number.isNaN(value)) throw new Error(`@wasmer/sdk, ${name}: no result in ${JSON.stringify(out)}`);
        result.workloads[name].push(value);
      }
    }
    return result;
  } finally {
    server.stop();
    rmSync(site, { recursive: true, force: true });
  }
}
