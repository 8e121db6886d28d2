// The page: draws the terminal and the status line, and talks to the
// kernel's worker (kernel.js). Nothing of the kernel runs here: the page's
// thread may not block, and the kernel's must.
import { Terminal } from './vendor/xterm.mjs';
import { FitAddon } from './vendor/addon-fit.mjs';

// One tab at a time owns the root filesystem (IndexedDB) under this lock.
const ROOT_LOCK = 'wasmux-root';
const ROOT_DATABASE = 'wasmux-root';

const $ = (id) => document.getElementById(id);
const status = {
  boot: $('boot'), storage: $('storage'), network: $('network'),
  set(el, text, level) { el.textContent = text; el.className = level || ''; },
};

const term = new Terminal({
  cursorBlink: true,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
  fontSize: 14,
  scrollback: 5000,
  theme: { background: '#101010' },
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open($('terminal'));
fit.fit();
addEventListener('resize', () => fit.fit());

// Copy and paste with Ctrl+Shift+C / Ctrl+Shift+V (Ctrl+C is the shell's).
term.attachCustomKeyEventHandler((e) => {
  if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
  if (e.code === 'KeyC' && term.hasSelection()) {
    navigator.clipboard.writeText(term.getSelection()).catch(() => {});
    return false;
  }
  if (e.code === 'KeyV') {
    navigator.clipboard.readText().then((text) => term.paste(text)).catch(() => {});
    return false;
  }
  return true;
});

const mib = (n) => `${(n / (1 << 20)).toFixed(1)} MiB`;
let booted = false;
let kernel = null;

// For scripts and tests: the terminal, a promise of the prompt, reset, and
// requests to the kernel once it is ready:
//   await wasmux.fs.writeFile('/tmp/a', bytes)   (a Uint8Array or a string)
//   await wasmux.run(['ls', '-l'], { cwd: '/tmp' })  → {status, stdout, stderr}
const api = {
  term, ready: null, reset, state: 'starting',
  fs: {
    writeFile: (path, data) => request('writeFile', {
      path, bytes: typeof data === 'string' ? new TextEncoder().encode(data) : data,
    }),
  },
  run: (argv, { cwd } = {}) => request('run', { argv, cwd }),
};
window.wasmux = api;

// Requests waiting for the kernel's reply, by id.
const pending = new Map();
let nextRequest = 1;
async function request(op, args) {
  await api.ready;
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    kernel.postMessage({ kind: 'request', id, op, ...args });
  });
}
function settle({ id, value, error }) {
  const waiting = pending.get(id);
  if (!waiting) return;
  pending.delete(id);
  if (error === undefined) waiting.resolve(value);
  else waiting.reject(new Error(error));
}

function progressLine(msg) {
  const what = {
    runtime: 'loading the runtime',
    image: 'loading the root image',
    filesystem: 'mounting the filesystem',
  }[msg.stage] || msg.stage;
  const amount = msg.total ? ` ${mib(msg.loaded)} / ${mib(msg.total)}${msg.cached ? ' (cached)' : ''}` : '';
  status.set(status.boot, `${what}${amount}`);
  term.write(`\r\x1b[K\x1b[2m${what}…${amount}\x1b[0m`);
}

async function showStorage() {
  if (!navigator.storage?.estimate) return;
  const { usage, quota } = await navigator.storage.estimate();
  const persisted = await navigator.storage.persisted?.();
  if (storageFailing) return;
  status.set(status.storage, `storage: ${mib(usage)} of ${mib(quota)}${persisted ? ', persistent' : ''}`);
}
let storageTimer = null;
const showStorageSoon = () => {
  clearTimeout(storageTimer);
  storageTimer = setTimeout(() => showStorage().catch(() => {}), 1000);
};
// A failing store's state stays on the status line until a commit succeeds.
let storageFailing = false;
const showStorageFailure = (text) => {
  storageFailing = true;
  clearTimeout(storageTimer);
  status.set(status.storage, text, 'error');
};

function startKernel(resolveReady, rejectReady) {
  const started = performance.now();
  kernel = new Worker('./kernel.js', { type: 'module', name: 'wasmux kernel' });
  const send = (msg, transfer) => kernel.postMessage(msg, transfer || []);
  const encoder = new TextEncoder();
  kernel.onmessage = ({ data: msg }) => {
    switch (msg.kind) {
      case 'progress': progressLine(msg); break;
      case 'ready':
        booted = true;
        api.state = 'running';
        api.bootMs = performance.now() - started;
        term.write('\r\x1b[K');
        status.set(status.boot, `booted in ${Math.round(api.bootMs)} ms`);
        send({ kind: 'resize', cols: term.cols, rows: term.rows });
        term.focus();
        resolveReady();
        showStorageSoon();
        break;
      case 'out':
        // The first output is the shell's prompt: page load → prompt.
        api.firstOutputMs ??= performance.now();
        term.write(msg.bytes);
        break;
      case 'exit':
        api.state = 'exited';
        term.write(`\r\n\x1b[2m[the shell exited with status ${msg.status}; reload the page for a new one]\x1b[0m\r\n`);
        break;
      case 'stored':
        storageFailing = false;
        status.set(status.storage, status.storage.textContent.replace(/ \(.*\)$/, ''));
        showStorageSoon();
        break;
      case 'storage-full':
        showStorageFailure(`storage FULL: changes are not being saved (${msg.detail})`);
        term.write(`\r\n\x1b[31mwasmux: the browser's storage quota is exhausted; recent changes are kept in memory only. Free space (delete files) to save them.\x1b[0m\r\n`);
        break;
      case 'storage-error':
        showStorageFailure(`storage error: ${msg.detail}`);
        break;
      case 'reply': settle(msg); break;
      case 'error':
        api.state = 'failed';
        status.set(status.boot, 'boot failed', 'error');
        term.write(`\r\n\x1b[31mwasmux failed to start: ${msg.detail}\x1b[0m\r\n`);
        rejectReady(new Error(msg.detail));
        break;
    }
  };
  kernel.onerror = (e) => {
    term.write(`\r\n\x1b[31mwasmux: the kernel worker failed: ${e.message}\x1b[0m\r\n`);
    rejectReady(new Error(e.message));
  };
  term.onData((data) => { if (booted) { const bytes = encoder.encode(data); send({ kind: 'input', bytes }, [bytes.buffer]); } });
  term.onBinary((data) => {
    if (!booted) return;
    const bytes = Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff);
    send({ kind: 'input', bytes }, [bytes.buffer]);
  });
  term.onResize(({ cols, rows }) => { if (booted) send({ kind: 'resize', cols, rows }); });
  // Leaving or hiding the tab: commit what is still only in memory.
  addEventListener('pagehide', () => send({ kind: 'flush' }));
  document.addEventListener('visibilitychange', () => { if (document.hidden) send({ kind: 'flush' }); });
  send({ kind: 'boot' });
}

// Erases the writable layer (everything changed since the pristine image)
// and starts again. The downloaded image stays cached.
async function reset() {
  if (kernel) { kernel.terminate(); kernel = null; }
  booted = false;
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(ROOT_DATABASE);
    request.onsuccess = resolve;
    request.onerror = () => reject(request.error);
  });
  location.reload();
}
$('reset').addEventListener('click', () => {
  if (confirm('Reset wasmux? Every file you created or changed is erased, and the pristine image is restored.')) {
    reset().catch((e) => term.write(`\r\n\x1b[31mreset failed: ${e}\x1b[0m\r\n`));
  }
});

api.ready = new Promise((resolveReady, rejectReady) => {
  if (!crossOriginIsolated) {
    const why = 'this page is not cross-origin isolated (it needs COOP/COEP headers: serve it with `wasmux serve`)';
    term.write(`\x1b[31mwasmux cannot start: ${why}\x1b[0m\r\n`);
    status.set(status.boot, 'cannot start', 'error');
    rejectReady(new Error(why));
    return;
  }
  navigator.storage?.persist?.().then(showStorageSoon).catch(() => {});
  // A second tab waits for the first to close rather than share the disk.
  navigator.locks.request(ROOT_LOCK, { ifAvailable: true }, (lock) => {
    if (lock) {
      startKernel(resolveReady, rejectReady);
      return new Promise(() => {}); // held for the life of the page
    }
    api.state = 'waiting';
    status.set(status.boot, 'waiting: wasmux is open in another tab', 'warn');
    term.write('\x1b[33mwasmux is already running in another tab of this browser.\r\n' +
      'Its files are in use there; this tab will start when that one is closed.\x1b[0m\r\n');
    return navigator.locks.request(ROOT_LOCK, () => {
      term.write('\x1b[33mThe other tab closed: starting.\x1b[0m\r\n');
      startKernel(resolveReady, rejectReady);
      return new Promise(() => {});
    });
  });
});
