//! Where a process worker's thread is: in the runtime's code or in a guest
//! program's.
//!
//! A killed process whose code makes no syscall (a loop of pure
//! computation) can only be stopped by terminating its worker. That is safe
//! only while the worker runs guest code: the runtime's code may hold a
//! lock in the shared memory (the allocator's, a process's), which would
//! then stay taken for every other worker.
//!
//! So each worker keeps a cell saying where its thread is. `worker.js`
//! wraps the functions of every guest instance: its imports (calls into the
//! runtime) and its exports (calls into the guest). Leaving guest code is a
//! compare-and-swap; the interrupt [`claim`]s the cell (guest → dying)
//! before asking for the termination, and a worker that finds its cell
//! claimed as it leaves guest code waits for its end there instead of
//! entering the runtime. A guest function the runtime reaches without an
//! export (through a table) runs with the cell saying "runtime": such a
//! thread is not terminated, only knocked again.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use wasm_bindgen::prelude::*;

/// In the runtime's code (or idle): not to be terminated.
pub const RUNTIME: i32 = 0;
/// In a guest's code: may be claimed.
pub const GUEST: i32 = 1;
/// Claimed: the worker is being terminated and must not enter the runtime.
pub const DYING: i32 = 2;

thread_local! {
    static CELL: Arc<AtomicI32> = Arc::new(AtomicI32::new(RUNTIME));
}

/// This worker's cell.
pub fn current() -> Arc<AtomicI32> {
    CELL.with(Arc::clone)
}

/// The address of this worker's cell in the shared memory, for `worker.js`
/// (which reads and writes it with `Atomics`, as [`claim`] does).
#[wasm_bindgen]
pub fn place_cell() -> u32 {
    CELL.with(|cell| Arc::as_ptr(cell) as u32)
}

/// Claims the worker of `cell` for termination; true if it was running
/// guest code, and will not run the runtime's again.
pub fn claim(cell: &AtomicI32) -> bool {
    cell.compare_exchange(GUEST, DYING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
}
