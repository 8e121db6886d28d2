//! The records of live processes and the table that holds them: how a task
//! enters its process's record (making the record for a new process) and
//! leaves it, and who a caller acts as.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Duration;

use wasmer_wasix::os::task::process::WasiProcess;
use wasmux_vfs::{Cred, Errno};
use web_time::Instant;

use super::exit::Zombie;
use super::job_control::{JobChange, TakenStop};
use super::tasks;
use crate::platform::{Interrupt, Platform};
use crate::semaphore::Handles;
use crate::signal::{Signal, SignalSet};

/// A process id, as the guest sees it.
pub type Pid = u32;

/// What the kernel says of a process it is about to start itself (one with
/// no parent process): its command line and who it acts as.
#[derive(Debug, Clone)]
pub struct Start {
    pub argv: Vec<String>,
    pub cred: Cred,
}

/// One live process.
pub struct ProcessRecord {
    pub pid: Pid,
    pub ppid: Pid,
    started: Instant,
    pub(super) process: WasiProcess,
    pub(super) state: Mutex<RecordState>,
    /// Notified when a signal arrives, a task ends or a stop ends.
    pub(super) signal_cond: Condvar,
}

pub(super) struct RecordState {
    pub(super) argv: Vec<String>,
    pub(super) cred: Cred,
    /// The permission bits the program asked for the file or directory its
    /// next call creates (`wasmux.create_mode`; WASI's calls carry none).
    pub(super) create_mode: Option<u32>,
    /// Running tasks with the way to interrupt each, by a number given at
    /// [`ProcessTable::enter`] (not the thread id: an exec's new image runs
    /// under the id of the thread waiting for it).
    pub(super) threads: HashMap<u64, Interrupt>,
    /// The number the next task gets.
    pub(super) next_task: u64,
    /// Tasks started but not yet finished (threads, plus an exec's new image
    /// before it runs): the record leaves the table when this drops to zero.
    pub(super) tasks: usize,
    /// How many signals were sent to the process, and who to wake when the
    /// next one comes (a blocked terminal read, see
    /// [`ProcessRecord::signals_received`]).
    pub(super) signals_received: u64,
    pub(super) signal_wakers: Vec<Waker>,
    /// Process group and session (job control).
    pub(super) pgid: Pid,
    pub(super) sid: Pid,
    /// Whether the running program registered to receive signals itself
    /// (it imports WASIX `callback_signal`, as the userland's C
    /// compatibility layer does). Otherwise the kernel applies Linux's
    /// default action for it.
    pub(super) catches_signals: bool,
    /// Whether a program that catches signals has registered its handler
    /// (`wasmux.signals_ready`). Until then the kernel holds its signals:
    /// wasmer-wasix would drop them (or apply its own defaults) in the
    /// window between a fork or exec and the registration.
    pub(super) signals_ready: bool,
    /// Which registration of the signal callback is the current one: an
    /// image waiting in WASIX `proc_exec` for its successor still hears the
    /// doorbell, and must not take the successor's signals.
    pub(super) signal_epoch: u32,
    /// Threads of images that exec'd a successor and wait for it inside
    /// WASIX `proc_exec` (see [`ProcessTable::park_in_exec`]).
    pub(super) parked: usize,
    /// Signals sent to a program that catches them and not yet taken by it
    /// (`wasmux.signal_take`).
    pub(super) pending: SignalSet,
    /// Who sent each signal last (index: the signal's number; 0 for the
    /// kernel or the host), for the handler's `si_pid`.
    pub(super) senders: [Pid; 32],
    /// Signals the process ignores, as its program told the kernel; kept
    /// across exec and inherited, as on Linux.
    pub(super) ignored: SignalSet,
    /// Job control: whether the process is stopped, whether it was sent a
    /// signal that kills it (which ends a stop), and the last change of
    /// state its parent has not collected.
    pub(super) stopped: bool,
    pub(super) killed: bool,
    pub(super) change: Option<JobChange>,
    pub(super) taken_stop: TakenStop,
    /// The named semaphores the process has open; a fork's child starts
    /// with its parent's.
    pub(super) semaphores: Handles,
}

impl ProcessRecord {
    pub(super) fn state(&self) -> MutexGuard<'_, RecordState> {
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

    /// Sets (or with `None` forgets) the mode of the next creation.
    pub fn set_create_mode(&self, mode: Option<u32>) {
        self.state().create_mode = mode.map(|m| m & 0o7777);
    }

    /// Takes the mode of the next creation, if the program set one.
    pub fn take_create_mode(&self) -> Option<u32> {
        self.state().create_mode.take()
    }

    /// How many threads are running now.
    pub fn thread_count(&self) -> usize {
        self.state().threads.len()
    }

    /// Whether some task of the process has not ended: a running thread, or
    /// one (an exec's new image, a fork) on its way to a worker.
    pub(super) fn has_tasks(&self) -> bool {
        self.state().tasks > 0
    }

    /// When the process started, measured from the kernel's boot.
    pub fn started_after(&self, boot: Instant) -> Duration {
        self.started.saturating_duration_since(boot)
    }

    /// Runs `f` on the named semaphores the process has open.
    pub fn semaphores<R>(&self, f: impl FnOnce(&mut Handles) -> R) -> R {
        f(&mut self.state().semaphores)
    }

    /// Blocks the calling thread while `waiting` holds of the record's
    /// state, re-checking whenever a signal arrives or a task ends.
    pub(super) fn wait_while(
        &self,
        waiting: impl Fn(&RecordState) -> bool,
    ) -> MutexGuard<'_, RecordState> {
        let mut state = self.state();
        while waiting(&state) {
            state = self
                .signal_cond
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
        state
    }

    /// Knocks every running thread of the process out of its code.
    pub(super) fn interrupt_all(&self) {
        for interrupt in self.state().threads.values() {
            interrupt();
        }
    }
}

/// Every live process, by pid.
pub struct ProcessTable {
    booted: Instant,
    /// Runs the knocking after a SIGKILL (see [`ProcessTable::kill`]).
    pub(super) platform: Arc<dyn Platform>,
    records: Mutex<BTreeMap<Pid, Arc<ProcessRecord>>>,
    /// What the kernel said of processes it is about to start, by pid.
    starts: Mutex<HashMap<Pid, Start>>,
    /// The signal each process died of, until its status is read (see
    /// [`ProcessTable::collect`]).
    pub(super) deaths: Mutex<HashMap<Pid, Signal>>,
    /// The exit code each process gave, until its status is read: WASIX
    /// hands a parent the code as an errno, which keeps only 0 to 78.
    pub(super) exit_codes: Mutex<HashMap<Pid, u8>>,
    /// Processes that ended and whose status their parent has not yet
    /// collected, with their group and session. Like Linux's zombies they
    /// keep their group in existence: a shell's pipeline joins the group of
    /// its first command, which may have ended already.
    pub(super) zombies: Mutex<HashMap<Pid, Zombie>>,
    /// The terminal's foreground process group, once a shell set one.
    pub(super) foreground: Mutex<Option<Pid>>,
}

impl std::fmt::Debug for ProcessTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessTable")
            .field("pids", &self.pids())
            .finish()
    }
}

/// Why a signal could not be sent, or a job-control call failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KillError {
    #[error("no such process: {0}")]
    NoSuchProcess(Pid),
    #[error("no process in group {0}")]
    NoSuchGroup(Pid),
    #[error("operation not permitted")]
    NotPermitted,
}

impl KillError {
    /// The Linux errno a guest sees.
    pub fn errno(&self) -> Errno {
        match self {
            KillError::NoSuchProcess(_) | KillError::NoSuchGroup(_) => Errno::Srch,
            KillError::NotPermitted => Errno::Perm,
        }
    }
}

impl From<KillError> for Errno {
    fn from(e: KillError) -> Errno {
        e.errno()
    }
}

impl ProcessTable {
    pub fn new(platform: Arc<dyn Platform>) -> Arc<ProcessTable> {
        Arc::new(ProcessTable {
            booted: Instant::now(),
            platform,
            records: Mutex::new(BTreeMap::new()),
            starts: Mutex::new(HashMap::new()),
            deaths: Mutex::new(HashMap::new()),
            exit_codes: Mutex::new(HashMap::new()),
            zombies: Mutex::new(HashMap::new()),
            foreground: Mutex::new(None),
        })
    }

    pub(super) fn records(&self) -> MutexGuard<'_, BTreeMap<Pid, Arc<ProcessRecord>>> {
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

    /// Names the command line and credentials of a process the kernel is
    /// about to start.
    pub fn expect_start(&self, pid: Pid, start: Start) {
        self.starts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pid, start);
    }

    /// Finds or creates the record of the process a task belongs to, and
    /// counts the task; returns the record and the task's number in it.
    ///
    /// The parent is the process whose syscall started the task (wasmer-wasix
    /// itself never records parents: its `getppid` always answers 0). A new
    /// process inherits its parent's credentials; a fork (`is_fork`) also its
    /// command line, while a new program's is the one the kernel was told
    /// ([`ProcessTable::expect_start`]) or, for programs started by a guest,
    /// empty until the program names it (`wasmux.proc_set_cmdline`). A new
    /// process joins its parent's process group and session; one the kernel
    /// starts leads its own. `catches_signals` is set for a task that
    /// starts a program (not a thread of a running one).
    pub(super) fn enter(
        &self,
        process: &WasiProcess,
        is_fork: bool,
        catches_signals: Option<bool>,
    ) -> (Arc<ProcessRecord>, u64) {
        let pid = process.pid().raw();
        let start = self
            .starts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pid);
        let caller = tasks::current();
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
                let cred = match (parent, &start) {
                    (Some(p), _) => p.cred(),
                    (None, Some(start)) => start.cred.clone(),
                    (None, None) => {
                        // Every process without a parent is one the kernel
                        // started, and it names who that process acts as.
                        tracing::error!(pid, "a process nobody started: it acts as nobody");
                        Cred::nobody()
                    }
                };
                let inherited = match parent {
                    Some(p) if is_fork => p.argv(),
                    _ => Vec::new(),
                };
                let (pgid, sid) = parent.map_or((pid, pid), |p| (p.pgid(), p.sid()));
                let ignored = parent.map_or(SignalSet::EMPTY, |p| p.ignored_signals());
                let semaphores = match parent {
                    Some(p) if is_fork => p.state().semaphores.clone(),
                    _ => Handles::default(),
                };
                let record = Arc::new(ProcessRecord {
                    pid,
                    ppid,
                    started: Instant::now(),
                    process: process.clone(),
                    state: Mutex::new(RecordState {
                        argv: inherited,
                        cred,
                        create_mode: None,
                        threads: HashMap::new(),
                        next_task: 0,
                        tasks: 0,
                        signals_received: 0,
                        signal_wakers: Vec::new(),
                        pgid,
                        sid,
                        catches_signals: false,
                        signals_ready: false,
                        signal_epoch: 0,
                        parked: 0,
                        pending: SignalSet::EMPTY,
                        senders: [0; 32],
                        ignored,
                        stopped: false,
                        killed: false,
                        change: None,
                        taken_stop: TakenStop::None,
                        semaphores,
                    }),
                    signal_cond: Condvar::new(),
                });
                records.insert(pid, record.clone());
                record
            }
        };
        let mut state = record.state();
        state.tasks += 1;
        let task = state.next_task;
        state.next_task += 1;
        if let Some(catches) = catches_signals {
            state.catches_signals = catches;
            state.signals_ready = false;
            if !is_fork {
                // A new program (an exec): as on Linux, it has no named
                // semaphores open.
                state.semaphores = Handles::default();
            }
        }
        if let Some(start) = start {
            state.argv = start.argv;
        }
        drop(state);
        (record, task)
    }

    /// A task of `record` ended; the process ends with its last task.
    pub(super) fn leave(&self, record: &ProcessRecord) {
        let ended = {
            let mut records = self.records();
            let mut state = record.state();
            state.tasks -= 1;
            record.signal_cond.notify_all(); // parked images count tasks
            state.tasks == 0 && {
                drop(state);
                Self::remove(&mut records, record);
                true
            }
        };
        if ended {
            self.ended(record);
        }
    }

    /// Removes `record`, not a newer process that came to have its pid.
    pub(super) fn remove(records: &mut BTreeMap<Pid, Arc<ProcessRecord>>, record: &ProcessRecord) {
        if records
            .get(&record.pid)
            .is_some_and(|r| std::ptr::eq(Arc::as_ptr(r), record))
        {
            records.remove(&record.pid);
        }
    }

    /// Who the caller acts as: the process running on this thread, or
    /// whoever a kernel entry point said it acts for ([`super::acting_as`]);
    /// `None` for a call from neither, which must be refused.
    pub fn caller_cred(&self) -> Option<Cred> {
        tasks::current()
            .map(|r| r.cred())
            .or_else(tasks::acting_cred)
    }
}

impl crate::vfs_adapter::CredSource for ProcessTable {
    fn cred(&self) -> Option<Cred> {
        self.caller_cred()
    }

    fn take_create_mode(&self) -> Option<u32> {
        tasks::current().and_then(|r| r.take_create_mode())
    }
}
