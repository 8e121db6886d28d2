// Each worker's Rust stack, carved from the shared memory.
export const THREAD_STACK_SIZE = 2 << 20;
