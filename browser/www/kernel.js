// The kernel's worker: loads the runtime and the root image, boots the
// kernel (which schedules every process into workers of its own, see
// runtime/src/tasks.rs), and relays between the page and the terminal, and
// the page's requests (write a file, run a command; runtime/src/api.rs).
import init, { boot, terminal_input, terminal_resize, flush_soon, write_file, run_command } from './pkg/wasmux_browser.js';
import { THREAD_STACK_SIZE } from './threads.js';

// Where the root image's files are kept once downloaded. File names carry
// their content hash, so an entry never goes stale: it is only ever unused.
const IMAGE_CACHE = 'wasmux-image';

const toPage = (msg, transfer) => postMessage(msg, transfer || []);
const progress = (stage, detail = {}) => toPage({ kind: 'progress', stage, ...detail });

// `url`'s body from Cache Storage, else downloaded (reporting progress
// against `size`) and stored there.
async function cachedBytes(url, size, label) {
  const cache = await caches.open(IMAGE_CACHE);
  const hit = await cache.match(url);
  if (hit) {
    progress(label, { loaded: size, total: size, cached: true });
    return new Uint8Array(await hit.arrayBuffer());
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const parts = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    progress(label, { loaded, total: size });
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  await cache.put(url, new Response(bytes, { headers: { 'Content-Type': response.headers.get('Content-Type') || 'application/octet-stream' } }));
  return bytes;
}

// Drops cached files the current image no longer names.
async function pruneCache(keep) {
  const cache = await caches.open(IMAGE_CACHE);
  for (const request of await cache.keys()) {
    if (!keep.has(new URL(request.url).pathname)) await cache.delete(request);
  }
}

async function start() {
  progress('runtime');
  // Streaming compilation from the (HTTP-cached) response; the compiled
  // module is then posted to every process worker, never compiled again.
  await init({ module_or_path: new URL('./pkg/wasmux_browser_bg.wasm', import.meta.url), thread_stack_size: THREAD_STACK_SIZE });
  const manifest = await (await fetch('./image/manifest.json', { cache: 'no-cache' })).json();
  const busyboxUrl = new URL(`./image/${manifest.busybox.file}`, import.meta.url);
  const linksUrl = new URL(`./image/${manifest.links.file}`, import.meta.url);
  const busybox = await cachedBytes(busyboxUrl, manifest.busybox.size, 'image');
  const links = new TextDecoder().decode(await cachedBytes(linksUrl, manifest.links.size, 'image'));
  pruneCache(new Set([busyboxUrl.pathname, linksUrl.pathname])).catch(() => {});
  progress('filesystem');
  await boot(busybox, links, (msg) => {
    // Terminal output is a fresh unshared buffer: hand it over.
    toPage(msg, msg.bytes ? [msg.bytes.buffer] : []);
  });
  toPage({ kind: 'ready' });
}

onmessage = (event) => {
  const msg = event.data;
  switch (msg.kind) {
    case 'boot':
      start().catch((e) => toPage({ kind: 'error', detail: String(e && e.stack || e) }));
      break;
    case 'input': terminal_input(msg.bytes); break;
    case 'resize': terminal_resize(msg.cols, msg.rows); break;
    case 'flush': flush_soon(); break;
    case 'request': answer(msg); break;
  }
};

// A request of the page's API: `{id, op, ...}` answered by `{kind: 'reply',
// id, value}` or `{kind: 'reply', id, error}`.
const operations = {
  writeFile: ({ path, bytes }) => write_file(path, bytes),
  run: ({ argv, cwd }) => run_command(argv, cwd || ''),
};
function answer({ id, op, ...args }) {
  const operation = operations[op];
  const result = operation ? Promise.resolve().then(() => operation(args))
    : Promise.reject(new Error(`no such request: ${op}`));
  result.then(
    (value) => toPage({ kind: 'reply', id, value }),
    (e) => toPage({ kind: 'reply', id, error: String(e && e.message || e) }),
  );
}
