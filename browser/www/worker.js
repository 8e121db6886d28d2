// A process worker: the runtime module on the kernel's shared memory, then
// one job at a time (a process thread, or a blocking task) from the kernel's
// scheduler. Blocking here (Atomics.wait) is allowed and expected.
import { initSync, run_job, worker_started, forget_modules, adopt_modules, place_cell } from './pkg/wasmux_browser.js';
import { THREAD_STACK_SIZE } from './threads.js';

function run(msg, { module, memory } = {}) {
  try {
    run_job(msg.ptr, msg.epoch, module, memory);
  } catch (e) {
    // A trap or panic ends this job only; the worker stays usable.
    console.error(`wasmux worker ${self.name}: job failed:`, e, e && e.stack);
  }
  if (++jobs % JOBS_PER_COLLECTION === 0) collectSoon();
  postMessage({ kind: 'idle' });
}

let runtime;

// Where this worker's thread is (runtime/src/place.rs): in the runtime's
// code, in a guest's, or claimed for termination by a SIGKILL.
const RUNTIME = 0;
const GUEST = 1;
const DYING = 2;
let place;

// Out of guest code, unless the kernel claimed this worker: then wait here,
// out of the runtime's locks, for the termination on its way.
function leaveGuest() {
  if (Atomics.compareExchange(place, 0, GUEST, RUNTIME) === DYING) {
    for (;;) Atomics.wait(place, 0, DYING);
  }
}

// A guest's import: a call from guest code into the runtime.
const intoRuntime = (f) => function (...args) {
  const fromGuest = Atomics.load(place, 0) === GUEST;
  if (fromGuest) leaveGuest();
  try {
    return f.apply(this, args);
  } finally {
    if (fromGuest) Atomics.store(place, 0, GUEST);
  }
};

// A guest's export: a call from the runtime into guest code.
const intoGuest = (f) => function (...args) {
  const fromRuntime = Atomics.load(place, 0) === RUNTIME;
  if (fromRuntime) Atomics.store(place, 0, GUEST);
  try {
    return f.apply(this, args);
  } finally {
    if (fromRuntime) leaveGuest();
  }
};

// V8 reserves ~10 GiB of address space for each WebAssembly memory and lets
// a renderer reserve about a TiB in all: a hundred memories or so. A shared
// memory is freed only once every isolate that held it has collected its
// wrapper, and a worker that allocates little JavaScript (a shell forking in
// a loop, an idle worker) collects rarely: ended processes' memories pile up
// until no new one can be made. So after every few forks, and every few
// jobs, the worker tells V8 it is short of memory: a large ArrayBuffer,
// never touched (so never really allocated), raises V8's count of external
// memory past the point where it collects at once. (Each worker then holds
// a few ended processes' memories at most.)
const FORKS_PER_COLLECTION = 16;
const JOBS_PER_COLLECTION = 4;
let forks = 0;
let jobs = 0;
function collectSoon() {
  new ArrayBuffer(256 << 20);
}
const countingForks = (f) => function (...args) {
  const result = f.apply(this, args);
  if (++forks % FORKS_PER_COLLECTION === 0) collectSoon();
  return result;
};

const wrapFunctions = (object, wrap) => Object.fromEntries(Object.entries(object)
  .map(([name, value]) => [name, typeof value === 'function' ? wrap(value) : value]));

// Every instance made in this worker after the runtime's own is a guest's.
function watchGuestInstances() {
  const Instance = WebAssembly.Instance;
  function GuestInstance(module, imports = {}) {
    const wrapped = Object.fromEntries(Object.entries(imports)
      .map(([namespace, fields]) => [namespace, wrapFunctions(fields, intoRuntime)]));
    if (wrapped.wasix_32v1?.proc_fork) wrapped.wasix_32v1.proc_fork = countingForks(wrapped.wasix_32v1.proc_fork);
    const instance = new Instance(module, wrapped);
    Object.defineProperty(instance, 'exports', {
      value: Object.freeze(wrapFunctions(instance.exports, intoGuest)),
    });
    return instance;
  }
  GuestInstance.prototype = Instance.prototype;
  WebAssembly.Instance = GuestInstance;
}

onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === 'init') {
    runtime = initSync({ module: msg.module, memory: msg.memory, thread_stack_size: THREAD_STACK_SIZE });
    worker_started(msg.id);
    // The guest modules the kernel compiled: none is compiled again here.
    if (msg.modules) adopt_modules(msg.modulesPtr, msg.modules);
    // The cell may lie in memory another thread has just grown, which this
    // worker's view of the shared memory has not caught up with yet (the
    // kernel worker then failed with "Invalid typed array length: 1"):
    // growing by nothing brings the view up to date.
    const cell = place_cell();
    if (cell + Int32Array.BYTES_PER_ELEMENT > msg.memory.buffer.byteLength) msg.memory.grow(0);
    place = new Int32Array(msg.memory.buffer, cell, 1);
    watchGuestInstances();
  } else if (msg.kind === 'retire') {
    // Give what this worker keeps in the shared memory back (its thread's
    // destructors never run), then end.
    forget_modules();
    runtime.__wbindgen_thread_destroy();
    close();
  } else if (msg.kind === 'job' && msg.port) {
    // The job's module and memory come straight from the worker that sent
    // it, on a channel of their own (see runtime/src/tasks.rs).
    msg.port.onmessage = (payload) => {
      msg.port.close();
      run(msg, payload.data);
    };
  } else if (msg.kind === 'job') {
    run(msg);
  }
};
