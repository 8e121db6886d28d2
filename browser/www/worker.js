// A process worker: the runtime module on the kernel's shared memory, then
// one job at a time (a process thread, or a blocking task) from the kernel's
// scheduler. Blocking here (Atomics.wait) is allowed and expected.
import { initSync, run_job, worker_started } from './pkg/wasmux_browser.js';
import { THREAD_STACK_SIZE } from './threads.js';

onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === 'init') {
    initSync({ module: msg.module, memory: msg.memory, thread_stack_size: THREAD_STACK_SIZE });
    worker_started(msg.id);
  } else if (msg.kind === 'job') {
    try {
      run_job(msg.ptr, msg.epoch, msg.module, msg.memory);
    } catch (e) {
      // A trap or panic ends this job only; the worker stays usable.
      console.error(`wasmux worker ${self.name}: job failed:`, e, e && e.stack);
    }
    postMessage({ kind: 'idle' });
  }
};
