//! The process table: what the kernel knows of each running process beyond
//! wasmer-wasix's own bookkeeping.
//!
//! wasmer-wasix owns process ids, parents, threads, signals and exit codes;
//! what it lacks is a way for the *filesystem* to know who is calling (for
//! `/proc/self`, `/dev/fd`, per-process credentials) and a way to stop a
//! process that never makes a syscall. Both come from one place:
//! [`ProcessTasks`] wraps the task manager, and every WebAssembly thread —
//! a new process, a fork, an exec, a thread — starts through its
//! `task_wasm`. There it registers its thread with the process's
//! [`ProcessRecord`], takes the store's [`Interrupt`] handle, and marks the
//! pool thread it runs on with the record ([`current`]) for as long as it runs.
//! A wasm thread never migrates between host threads, so the mark is exact.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use wasmer::{Memory, StoreMut};
use wasmer_wasix::os::task::process::WasiProcess;
use wasmer_wasix::runtime::task_manager::{SpawnType, TaskWasm, VirtualTaskManager};
use wasmer_wasix::wasmer_wasix_types::wasi::Signal;
use wasmer_wasix::WasiThreadError;
use wasmux_vfs::Cred;

/// A process id, as the guest sees it.
pub type Pid = u32;

/// Linux's signal numbers the kernel itself sends.
pub const SIGKILL: u8 = 9;

/// The signals wasmer-wasix's default action ends a process for, with the
/// exit code it then reports (`None`: whatever the process had; SIGKILL
/// cannot be caught, so the kill alone decides).
const DEADLY: [(u8, Option<i32>); 4] = [
    (2, Some(27)),  // SIGINT: EINTR
    (3, Some(0)),   // SIGQUIT: success
    (9, None),      // SIGKILL
    (13, Some(64)), // SIGPIPE: EPIPE
];

/// Stops the WebAssembly code of one thread wherever it is, even in a loop
/// without syscalls. Natively this is wasmer's store interrupter (a signal to
/// the thread); in the browser it will be terminating the thread's worker.
pub type Interrupt = Box<dyn Fn() + Send + Sync>;

/// One live process.
pub struct ProcessRecord {
    pub pid: Pid,
    pub ppid: Pid,
    started: Instant,
    process: WasiProcess,
    state: Mutex<RecordState>,
}

struct RecordState {
    argv: Vec<String>,
    cred: Cred,
    /// Running threads by thread id, with the way to interrupt each.
    threads: HashMap<u32, Interrupt>,
    /// Tasks started but not yet finished (threads, plus an exec's new image
    /// before it runs): the record leaves the table when this drops to zero.
    tasks: usize,
    /// How many signals were sent to the process, and who to wake when the
    /// next one comes (a blocked terminal read, see [`ProcessRecord::signals_received`]).
    signals_received: u64,
    signal_wakers: Vec<Waker>,
}

impl ProcessRecord {
    fn state(&self) -> MutexGuard<'_, RecordState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The command line, as `/proc/<pid>/cmdline` shows it.
    pub fn argv(&self) -> Vec<String> {
        self.state().argv.clone()
    }

    pub fn set_argv(&self, argv: Vec<String>) {
        self.state().argv = argv;
    }

    /// Who the process acts as, and its umask.
    pub fn cred(&self) -> Cred {
        self.state().cred.clone()
    }

    pub fn set_umask(&self, umask: u32) -> u32 {
        std::mem::replace(&mut self.state().cred.umask, umask & 0o777)
    }

    /// How many threads are running now.
    pub fn thread_count(&self) -> usize {
        self.state().threads.len()
    }

    /// When the process started, measured from the kernel's boot.
    pub fn started_after(&self, boot: Instant) -> Duration {
        self.started.saturating_duration_since(boot)
    }

    /// How many signals the process has been sent; `waker` is woken when
    /// the next one comes. A device read that blocks inside wasmer-wasix
    /// (which delivers signals only between syscalls) uses this to end with
    /// EINTR when a signal arrives, so the signal is not held up until input
    /// comes.
    pub fn signals_received(&self, waker: &Waker) -> u64 {
        let mut state = self.state();
        if !state.signal_wakers.iter().any(|w| w.will_wake(waker)) {
            state.signal_wakers.push(waker.clone());
        }
        state.signals_received
    }

    fn signal_arrived(&self) {
        let wakers = {
            let mut state = self.state();
            state.signals_received += 1;
            std::mem::take(&mut state.signal_wakers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    fn interrupt_all(&self) {
        for interrupt in self.state().threads.values() {
            interrupt();
        }
    }
}

/// Every live process, by pid.
pub struct ProcessTable {
    booted: Instant,
    default_cred: Cred,
    records: Mutex<BTreeMap<Pid, Arc<ProcessRecord>>>,
    /// The argv of processes the kernel itself is about to start, by pid.
    pending_argv: Mutex<HashMap<Pid, Vec<String>>>,
    /// The last deadly signal the kernel sent each process, until its status
    /// is read (see [`ProcessTable::death_signal`]).
    signalled: Mutex<HashMap<Pid, u8>>,
}

impl std::fmt::Debug for ProcessTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessTable")
            .field("pids", &self.pids())
            .finish()
    }
}

/// Why a signal could not be sent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KillError {
    #[error("no such process: {0}")]
    NoSuchProcess(Pid),
    #[error("invalid signal number: {0}")]
    InvalidSignal(u8),
}

impl ProcessTable {
    /// A table for processes acting, unless told otherwise, as `default_cred`.
    pub fn new(default_cred: Cred) -> Arc<ProcessTable> {
        Arc::new(ProcessTable {
            booted: Instant::now(),
            default_cred,
            records: Mutex::new(BTreeMap::new()),
            pending_argv: Mutex::new(HashMap::new()),
            signalled: Mutex::new(HashMap::new()),
        })
    }

    fn records(&self) -> MutexGuard<'_, BTreeMap<Pid, Arc<ProcessRecord>>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the kernel booted.
    pub fn booted(&self) -> Instant {
        self.booted
    }

    /// The live processes' ids, in order.
    pub fn pids(&self) -> Vec<Pid> {
        self.records().keys().copied().collect()
    }

    pub fn get(&self, pid: Pid) -> Option<Arc<ProcessRecord>> {
        self.records().get(&pid).cloned()
    }

    /// Names the command line of a process the kernel is about to start.
    pub fn expect_argv(&self, pid: Pid, argv: Vec<String>) {
        self.pending_argv
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pid, argv);
    }

    /// Finds or creates the record of the process a task belongs to, and
    /// counts the task.
    ///
    /// The parent is the process whose syscall started the task (wasmer-wasix
    /// itself never records parents: its `getppid` always answers 0). A new
    /// process inherits its parent's credentials; a fork (`is_fork`) also its
    /// command line, while a new program's is the one the kernel was told
    /// ([`ProcessTable::expect_argv`]) or, for programs started by a guest,
    /// empty until the program names it (`wasmux.proc_set_cmdline`).
    fn enter(&self, process: &WasiProcess, is_fork: bool) -> Arc<ProcessRecord> {
        let pid = process.pid().raw();
        let argv = self
            .pending_argv
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pid);
        let caller = current();
        let mut records = self.records();
        let record = match records.get(&pid) {
            Some(record) => record.clone(),
            None => {
                let ppid = caller
                    .as_ref()
                    .map(|c| c.pid)
                    .filter(|&p| p != pid)
                    .unwrap_or_else(|| process.ppid().raw());
                let parent = records.get(&ppid);
                let cred = parent.map_or_else(|| self.default_cred.clone(), |p| p.cred());
                let inherited = match parent {
                    Some(p) if is_fork => p.argv(),
                    _ => Vec::new(),
                };
                let record = Arc::new(ProcessRecord {
                    pid,
                    ppid,
                    started: Instant::now(),
                    process: process.clone(),
                    state: Mutex::new(RecordState {
                        argv: inherited,
                        cred,
                        threads: HashMap::new(),
                        tasks: 0,
                        signals_received: 0,
                        signal_wakers: Vec::new(),
                    }),
                });
                records.insert(pid, record.clone());
                record
            }
        };
        let mut state = record.state();
        state.tasks += 1;
        if let Some(argv) = argv {
            state.argv = argv;
        }
        drop(state);
        record
    }

    fn leave(&self, record: &ProcessRecord) {
        let mut records = self.records();
        let mut state = record.state();
        state.tasks -= 1;
        if state.tasks == 0 {
            Self::remove(&mut records, record);
        }
    }

    /// Forgets a process whose status its parent has collected, even if its
    /// last task is still unwinding.
    pub fn reap(&self, pid: Pid) {
        let mut records = self.records();
        if let Some(record) = records.get(&pid).cloned() {
            Self::remove(&mut records, &record);
        }
    }

    /// Removes `record`, not a newer process that came to have its pid.
    fn remove(records: &mut BTreeMap<Pid, Arc<ProcessRecord>>, record: &ProcessRecord) {
        if records
            .get(&record.pid)
            .is_some_and(|r| std::ptr::eq(Arc::as_ptr(r), record))
        {
            records.remove(&record.pid);
        }
    }

    /// Sends `signal` to a process. `SIGKILL` also interrupts its running
    /// WebAssembly code, so a process busy in a loop without syscalls dies
    /// too; other signals arrive at its next syscall, as wasmer-wasix
    /// delivers them, or end a terminal read it is blocked in.
    pub fn kill(&self, pid: Pid, signal: u8) -> Result<(), KillError> {
        let wasi_signal = Signal::try_from(signal).map_err(|_| KillError::InvalidSignal(signal))?;
        let record = self.get(pid).ok_or(KillError::NoSuchProcess(pid))?;
        if signal == 0 {
            return Ok(());
        }
        if DEADLY.iter().any(|&(s, _)| s == signal) {
            self.signalled
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(pid, signal);
        }
        record.process.signal_process(wasi_signal);
        record.signal_arrived();
        if signal == SIGKILL {
            // An interrupt can miss a thread that is just entering wasm code;
            // keep knocking until the process is gone.
            std::thread::spawn(move || {
                for _ in 0..500 {
                    if record.thread_count() == 0 {
                        return;
                    }
                    record.interrupt_all();
                    std::thread::sleep(Duration::from_millis(10));
                }
                tracing::warn!(pid, "process survived SIGKILL for 5 s");
            });
        }
        Ok(())
    }

    /// The signal that killed `pid`, given the exit code wasmer-wasix
    /// reported for it; read once. wasmer-wasix ends a process that has no
    /// handler for a deadly signal with an exit code of its own choosing
    /// (27 for SIGINT, 0 for SIGQUIT, 64 for SIGPIPE), so a process the
    /// kernel signalled and that ended with exactly that code died of the
    /// signal. (One that caught the signal and then chose that same exit
    /// code would be misread; nothing else can tell them apart.)
    pub fn death_signal(&self, pid: Pid, exit_code: Option<i32>) -> Option<u8> {
        let signal = self
            .signalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pid)?;
        let (_, code) = DEADLY.iter().find(|&&(s, _)| s == signal)?;
        (code.is_none() || *code == exit_code).then_some(signal)
    }

    /// Who a process calling into the kernel acts as: its own credentials if
    /// the caller is a process, else the table's default.
    pub fn caller_cred(&self) -> Cred {
        current().map_or_else(|| self.default_cred.clone(), |r| r.cred())
    }
}

impl crate::vfs_adapter::CredSource for ProcessTable {
    fn cred(&self) -> Cred {
        self.caller_cred()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<ProcessRecord>>> = const { RefCell::new(None) };
}

/// The process whose WebAssembly code runs on this host thread, if any.
pub fn current() -> Option<Arc<ProcessRecord>> {
    CURRENT.with(|c| c.borrow().clone())
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
    tid: u32,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.record.state().threads.remove(&self.tid);
        self.table.leave(&self.record);
    }
}

/// Makes the interrupt handle of a store; natively wasmer's interrupter.
pub type MakeInterrupt = fn(&wasmer::Store) -> Interrupt;

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
pub struct MakeInterruptFn(pub MakeInterrupt);

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
        let tid = task.env.tid().raw();
        // A fork resumes its parent's program (restoring its globals); a new
        // program starts from its own `_start`.
        let is_fork = task.globals.is_some();
        let record = self.table.enter(&task.env.process, is_fork);
        let guard = TaskGuard {
            table: self.table.clone(),
            record: record.clone(),
            tid,
        };
        let make_interrupt = self.make_interrupt.0;
        let run = task.callbacks.run;
        task.callbacks.run = Box::new(move |props| {
            let guard = guard;
            guard
                .record
                .state()
                .threads
                .insert(tid, make_interrupt(&props.store));
            let _current = CurrentGuard::set(guard.record.clone());
            run(props);
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
