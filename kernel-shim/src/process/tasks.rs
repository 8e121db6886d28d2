//! The task manager the kernel hands wasmer-wasix, and who runs on this
//! host thread.
//!
//! [`ProcessTasks`] wraps the platform's task manager: every WebAssembly
//! task starts through its `task_wasm`, where it enters its process's
//! record, hands the record the way to interrupt it, and marks the host
//! thread with the record ([`current`]) for as long as it runs.
//!
//! A kernel entry point that runs on no process's thread (starting a
//! process, a file written for the page) says explicitly whom it acts for
//! with [`acting_as`]; a filesystem call from neither is refused.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use wasmer::{Memory, StoreMut};
use wasmer_wasix::runtime::task_manager::{SpawnType, TaskWasm, VirtualTaskManager};
use wasmer_wasix::WasiThreadError;
use wasmux_vfs::Cred;

use super::table::{ProcessRecord, ProcessTable};
use crate::platform::{MakeInterrupt, Stopped};

thread_local! {
    static CURRENT: RefCell<Option<Arc<ProcessRecord>>> = const { RefCell::new(None) };
    static ACTING: RefCell<Option<Cred>> = const { RefCell::new(None) };
}

/// The process whose WebAssembly code runs on this host thread, if any.
pub fn current() -> Option<Arc<ProcessRecord>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` acting as `cred`: the credentials of this thread's calls into
/// the kernel's filesystems while no process runs on it.
pub fn acting_as<R>(cred: &Cred, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Cred>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            ACTING.with(|a| *a.borrow_mut() = previous);
        }
    }
    let _restore = Restore(ACTING.with(|a| a.borrow_mut().replace(cred.clone())));
    f()
}

/// The credentials [`acting_as`] set on this thread, if it is inside one.
pub(super) fn acting_cred() -> Option<Cred> {
    ACTING.with(|a| a.borrow().clone())
}

/// Marks this host thread as running `record` until dropped.
struct CurrentGuard {
    previous: Option<Arc<ProcessRecord>>,
}

impl CurrentGuard {
    fn set(record: Arc<ProcessRecord>) -> CurrentGuard {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(record));
        CurrentGuard { previous }
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Keeps a task counted in its record until the task is done (or dropped
/// without running).
struct TaskGuard {
    table: Arc<ProcessTable>,
    record: Arc<ProcessRecord>,
    task: u64,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.record.state().threads.remove(&self.task);
        self.table.leave(&self.record);
    }
}

/// The task manager the kernel hands wasmer-wasix: the platform's own, with
/// every WebAssembly task registered in the process table.
#[derive(Debug)]
pub struct ProcessTasks<T> {
    inner: T,
    table: Arc<ProcessTable>,
    make_interrupt: MakeInterruptFn,
}

/// [`MakeInterrupt`] with a `Debug` the derive can use.
#[derive(Clone, Copy)]
struct MakeInterruptFn(MakeInterrupt);

impl std::fmt::Debug for MakeInterruptFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MakeInterrupt")
    }
}

impl<T: VirtualTaskManager> ProcessTasks<T> {
    pub fn new(inner: T, table: Arc<ProcessTable>, make_interrupt: MakeInterrupt) -> Self {
        ProcessTasks {
            inner,
            table,
            make_interrupt: MakeInterruptFn(make_interrupt),
        }
    }
}

impl<T: VirtualTaskManager> VirtualTaskManager for ProcessTasks<T> {
    fn build_memory(
        &self,
        store: &mut StoreMut,
        spawn_type: SpawnType,
    ) -> Result<Option<Memory>, WasiThreadError> {
        self.inner.build_memory(store, spawn_type)
    }

    fn sleep_now(
        &self,
        time: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + Sync + 'static>> {
        self.inner.sleep_now(time)
    }

    fn task_shared(
        &self,
        task: Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        self.inner.task_shared(task)
    }

    fn task_wasm(&self, mut task: TaskWasm) -> Result<(), WasiThreadError> {
        // A fork resumes its parent's program (restoring its globals); a new
        // program starts from its own `_start`.
        let is_fork = task.globals.is_some();
        // A thread shares a running program's memory (and has no globals to
        // restore); anything else starts a program or a copy of one (a
        // fork), which may catch signals or not.
        let is_thread = !is_fork && matches!(task.spawn_type, SpawnType::AttachMemory(_));
        let catches = (!is_thread).then(|| {
            task.module
                .imports()
                .any(|i| i.module() == "wasix_32v1" && i.name() == "callback_signal")
        });
        let (record, number) = self.table.enter(&task.env.process, is_fork, catches);
        let guard = TaskGuard {
            table: self.table.clone(),
            record,
            task: number,
        };
        let make_interrupt = self.make_interrupt.0;
        let run = task.callbacks.run;
        task.callbacks.run = Box::new(move |props| {
            let record = guard.record.clone();
            // The task ends once: when its code returns, or when the
            // platform stopped it for good (its stack is gone then).
            let guard = Arc::new(Mutex::new(Some(guard)));
            let end = move |guard: &Mutex<Option<TaskGuard>>| {
                drop(guard.lock().unwrap_or_else(|p| p.into_inner()).take());
            };
            let stopped: Stopped = {
                let guard = guard.clone();
                Box::new(move || end(&guard))
            };
            let interrupt = make_interrupt(&props.store, stopped);
            record.state().threads.insert(number, interrupt);
            let _current = CurrentGuard::set(record);
            run(props);
            end(&guard);
        });
        self.inner.task_wasm(task)
    }

    fn task_dedicated(
        &self,
        task: Box<dyn FnOnce() + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        self.inner.task_dedicated(task)
    }

    fn thread_parallelism(&self) -> Result<usize, WasiThreadError> {
        self.inner.thread_parallelism()
    }

    fn spawn_with_module(
        &self,
        module: wasmer::Module,
        task: Box<dyn FnOnce(wasmer::Module) + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        self.inner.spawn_with_module(module, task)
    }
}
