// What every worker of the runtime (the kernel's and the processes') sets up.

// Each worker's Rust stack, carved from the shared memory.
export const THREAD_STACK_SIZE = 2 << 20;

// A Rust panic's report carries the JS stack: deep enough to name its origin.
Error.stackTraceLimit = 64;
