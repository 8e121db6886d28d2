//! What differs between a host and a browser tab, behind one small trait.
//!
//! The kernel (mounts, processes, signals, terminal, syscalls) is the same
//! everywhere. What it runs on is not: natively, processes' threads are OS
//! threads driven by tokio, modules compile with cranelift and are cached on
//! disk, a busy thread is stopped by wasmer's interrupter, and programs reach
//! the host's network. In a browser, threads are Web Workers, the browser
//! compiles, a busy thread is stopped by terminating its worker, and the
//! network is a WebSocket. [`Platform`] is that list and nothing more; the
//! native implementation is [`crate::native::NativePlatform`], the browser's
//! lives in the browser crate.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use wasmer::Engine;
use wasmer_wasix::runtime::module_cache::ModuleCache;
use wasmer_wasix::runtime::task_manager::VirtualTaskManager;
use wasmer_wasix::virtual_net::DynVirtualNetworking;

/// Stops the WebAssembly code of one thread wherever it is, even in a loop
/// without syscalls. Natively this is wasmer's store interrupter (a signal to
/// the thread: its code traps and returns); in the browser, terminating the
/// thread's worker (its code never returns).
pub type Interrupt = Box<dyn Fn() + Send + Sync>;

/// What a platform calls when its [`Interrupt`] stopped a thread for good,
/// so that the thread's code will never return: the kernel then forgets the
/// thread as if it had ended. A platform whose interrupted code returns
/// (natively) just drops it.
pub type Stopped = Box<dyn FnOnce() + Send>;

/// Makes the interrupt handle of a store's thread, given what to call if the
/// interrupt stops the thread for good; natively wasmer's interrupter.
pub type MakeInterrupt = fn(&wasmer::Store, Stopped) -> Interrupt;

/// Work for [`Platform::block_on`]: a future with its result stored by the caller.
pub type LocalWork<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// The platform the kernel runs on.
pub trait Platform: Send + Sync + 'static {
    /// The task manager wasmer-wasix runs every process's threads with (the
    /// kernel wraps it to register each thread with its process).
    fn task_manager(&self) -> Arc<dyn VirtualTaskManager>;

    /// The engine modules are compiled by.
    fn engine(&self) -> Engine;

    /// The module cache: compiled modules by the hash of their bytes.
    fn module_cache(&self) -> Arc<dyn ModuleCache + Send + Sync>;

    /// How a running thread's WebAssembly code is stopped (SIGKILL of a
    /// process in a loop without syscalls).
    fn make_interrupt(&self) -> MakeInterrupt;

    /// Where programs' sockets and name lookups go.
    fn networking(&self) -> DynVirtualNetworking;

    /// Runs `work` away from the caller, where it may block and sleep.
    fn spawn_background(&self, work: Box<dyn FnOnce() + Send>);

    /// Runs `work` to completion on the calling thread (the kernel's
    /// synchronous entry points: start a process, wait for one).
    fn block_on(&self, work: LocalWork<'_>);

    /// Stops running what the platform runs (called once, at kernel
    /// shutdown, before the root's last commit).
    fn shutdown(&self);

    /// Whether a process's code may run as a suspendable call (wasmer-wasix's
    /// "asynchronous threading"). Natively wasmer switches stacks; in a
    /// browser it would use JSPI, which returns to the worker's event loop,
    /// but a process's worker blocks in its syscalls instead and would
    /// never resume.
    fn suspendable_processes(&self) -> bool {
        true
    }

    /// Runs `f` with the platform's context entered (natively, tokio's
    /// runtime: wasmer-wasix spawns onto the current one).
    fn enter(&self, f: &mut dyn FnMut());
}

/// Blocks on `future` with the platform and returns its output.
pub fn block_on<T>(platform: &dyn Platform, future: impl Future<Output = T>) -> T {
    let mut out = None;
    platform.block_on(Box::pin(async {
        out = Some(future.await);
    }));
    out.expect("block_on runs the work to completion")
}

/// Runs `f` inside the platform's context ([`Platform::enter`]) and returns
/// its result.
pub fn entered<T>(platform: &dyn Platform, f: impl FnOnce() -> T) -> T {
    let mut f = Some(f);
    let mut out = None;
    platform.enter(&mut || {
        if let Some(f) = f.take() {
            out = Some(f());
        }
    });
    out.expect("enter runs its closure")
}
