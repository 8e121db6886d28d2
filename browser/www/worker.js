// A process worker: the runtime module on the kernel's shared memory, then
// one job at a time (a process thread, or a blocking task) from the kernel's
// scheduler. Blocking here (Atomics.wait) is allowed and expected.
import { initSync, run_job, worker_started, forget_modules } from './pkg/wasmux_browser.js';
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

onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === 'init') {
    runtime = initSync({ module: msg.module, memory: msg.memory, thread_stack_size: THREAD_STACK_SIZE });
    worker_started(msg.id);
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
