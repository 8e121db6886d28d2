// The browser benchmark: wasmux in headless Chromium against the same
// workloads run natively by `wasmux` (same busybox.wasm, same kernel) and
// by npm @wasmer/sdk in the same Chromium (the same busybox made plain
// WASIX, see bench-sdk.mjs), in one run, medians of several rounds. Prints
// a Markdown table.
//
// Usage: node bench.mjs SITE WASMUX_BIN BUSYBOX_DIR [ROUNDS]
// (scripts/bench-browser.sh builds everything and calls this.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, Shell } from './e2e/harness.mjs';
import { measureSdk } from './bench-sdk.mjs';

const [site, bin, userland, roundsArg] = process.argv.slice(2);
if (!site || !bin || !userland) {
  console.error('usage: node bench.mjs SITE WASMUX_BIN BUSYBOX_DIR [ROUNDS]');
  process.exit(2);
}
process.env.WASMUX_SITE = site;
process.env.WASMUX_BIN = bin;
const ROUNDS = Number(roundsArg || 5);
const MIB64 = 64 << 20;

// Each workload is one shell line that prints "<name> <microseconds>"; the
// clock is read inside the guest, so the harness's polling does not count.
const stamp = '$(date +%s%N)';
const WORKLOADS = {
  'spawn (/bin/true), per process': `t=${stamp}; for i in $(seq 200); do /bin/true; done; echo R $(( (${stamp} - t) / 200000 ))`,
  '200-command shell loop (echo \\| wc)': `t=${stamp}; for i in $(seq 200); do echo $i | wc -c; done >/dev/null; echo R $(( (${stamp} - t) / 1000 ))`,
  'sha256sum of 64 MiB': `dd if=/dev/zero of=/tmp/big bs=1048576 count=64 2>/dev/null; t=${stamp}; sha256sum /tmp/big >/dev/null; echo R $(( (${stamp} - t) / 1000 ))`,
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const parse = (out) => Number(/^R (\d+)$/m.exec(out)?.[1]);

function nativeRun(root, line) {
  return execFileSync(bin, ['--root', root, '--userland', userland, '--no-network', 'run', 'sh', '-c', line], { encoding: 'utf8' });
}

async function main() {
  const server = await serve();
  const browser = await launch();
  const rows = [];
  try {
    // Page load → prompt, cold (fresh profile: empty HTTP cache, Cache
    // Storage and IndexedDB) and warm (a reload), and a cold load's bytes.
    const cold = [], warm = [], bytes = [];
    for (let r = 0; r < ROUNDS; r++) {
      const context = await browser.newContext();
      let transferred = 0;
      context.on('requestfinished', async (request) => {
        const sizes = await request.sizes().catch(() => null);
        if (sizes) transferred += sizes.responseBodySize + sizes.responseHeadersSize;
      });
      const page = await context.newPage();
      await Shell.open(page, server.url);
      cold.push(await page.evaluate(() => window.wasmux.firstOutputMs));
      bytes.push(transferred);
      await page.reload();
      await Shell.open(page, server.url);
      warm.push(await page.evaluate(() => window.wasmux.firstOutputMs));
      await context.close();
    }
    // Natively: a fresh root, then a warm one (module cache filled).
    const nativeBoot = (fresh) => {
      const root = mkdtempSync(join(tmpdir(), 'wasmux-bench-'));
      try {
        if (!fresh) nativeRun(root, 'true');
        const t = process.hrtime.bigint();
        nativeRun(root, 'true');
        return Number(process.hrtime.bigint() - t) / 1e6;
      } finally { rmSync(root, { recursive: true, force: true }); }
    };
    const nCold = median(Array.from({ length: ROUNDS }, () => nativeBoot(true)));
    const nWarm = median(Array.from({ length: ROUNDS }, () => nativeBoot(false)));
    const sdk = await measureSdk(browser, join(userland, 'busybox.wasm'), WORKLOADS, ROUNDS, parse);
    rows.push(['page load → prompt, cold', median(cold), nCold, median(sdk.cold), 'ms',
      '(native: `wasmux run true`, fresh root; sdk: page load → its first `true` done)']);
    rows.push(['page load → prompt, warm', median(warm), nWarm, median(sdk.warm), 'ms', '(native: same, warm root; sdk: a reload)']);

    // The workloads, natively and in a tab. Each round gets a fresh tab
    // (and the native side a fresh process): rounds share nothing.
    const root = mkdtempSync(join(tmpdir(), 'wasmux-bench-'));
    try {
      nativeRun(root, 'true');
      for (const [name, line] of Object.entries(WORKLOADS)) {
        const inTab = [], native = [];
        for (let r = 0; r < ROUNDS; r++) {
          const context = await browser.newContext();
          const shell = await Shell.open(await context.newPage(), server.url);
          inTab.push(parse(await shell.run(line)));
          await context.close();
          native.push(parse(nativeRun(root, line)));
        }
        if (inTab.some(Number.isNaN) || native.some(Number.isNaN)) throw new Error(`${name}: no result`);
        const ms = name.startsWith('spawn') ? 1 : 1000;
        rows.push([name, median(inTab) / ms, median(native) / ms, median(sdk.workloads[name]) / ms, ms === 1 ? 'µs' : 'ms', '']);
      }
    } finally { rmSync(root, { recursive: true, force: true }); }

    const context = await browser.newContext();
    const page = await context.newPage();
    const shell = await Shell.open(page, server.url);
    // Memory, as Chromium measures it: the JS heaps and wasm memories it
    // attributes to the tab (a shared memory can count once per worker that
    // maps it), and what the kernel's worker alone holds (its heap and the
    // runtime's shared memory).
    const memory = async () => page.evaluate(async () => {
      const m = await performance.measureUserAgentSpecificMemory();
      const of = (file) => m.breakdown.filter((b) => b.attribution.some((a) => a.url.endsWith(file)));
      return {
        total: m.bytes,
        kernel: of('/kernel.js').reduce((sum, b) => sum + b.bytes, 0),
      };
    });
    const afterBoot = await memory();
    await shell.run('for i in $(seq 10); do sleep 1000 & done');
    const tenProcesses = await memory();
    await shell.run('kill $(jobs -p) 2>/dev/null; wait');
    await context.close();

    const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
    console.log(`\nwasmux in headless Chromium vs the same busybox.wasm run natively by wasmux and by @wasmer/sdk in the same Chromium (medians of ${ROUNDS})\n`);
    console.log('| workload | browser tab | native wasmux | @wasmer/sdk tab | tab / native | tab / sdk |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, b, n, k, unit, note] of rows) {
      console.log(`| ${name} ${note} | ${fmt(b)} ${unit} | ${fmt(n)} ${unit} | ${fmt(k)} ${unit} | ${(b / n).toFixed(2)}× | ${(b / k).toFixed(2)}× |`);
    }
    const mib = (n) => `${(n / (1 << 20)).toFixed(1)} MiB`;
    console.log(`\n| cold load | value |\n|---|---:|`);
    console.log(`| bytes transferred (median) | ${mib(median(bytes))} |`);
    for (const [when, m] of [['after boot', afterBoot], ['with 10 more processes (sleep)', tenProcesses]]) {
      console.log(`| tab memory ${when}: JS heaps + wasm memories Chromium attributes to the tab | ${mib(m.total)} |`);
      console.log(`| kernel's worker ${when}: its JS heap + the runtime's shared memory | ${mib(m.kernel)} |`);
    }
  } finally {
    await browser.close();
    server.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
