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

const wrapFunctions = (object, wrap) => Object.fromEntries(Object.entries(object)
  .map(([name, value]) => [name, typeof value === 'function' ? wrap(value) : value]));

// Every instance made in this worker after the runtime's own is a guest's.
function watchGuestInstances() {
  const Instance = WebAssembly.Instance;
  function GuestInstance(module, imports = {}) {
    const wrapped = Object.fromEntries(Object.entries(imports)
      .map(([namespace, fields]) => [namespace, wrapFunctions(fields, intoRuntime)]));
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
    place = new Int32Array(msg.memory.buffer, place_cell(), 1);
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
