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
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::Waker;
use std::time::Duration;

use futures_util::future::BoxFuture;
use wasmer::{Memory, StoreMut};
use wasmer_wasix::os::task::process::WasiProcess;
use wasmer_wasix::runtime::task_manager::{SpawnType, TaskWasm, VirtualTaskManager};
use wasmer_wasix::wasmer_wasix_types::wasi::Signal;
use wasmer_wasix::WasiThreadError;
use wasmux_vfs::Cred;
use web_time::Instant;

use crate::platform::Platform;
use crate::semaphore::Handles;

/// A process id, as the guest sees it.
pub type Pid = u32;

/// Linux's signal numbers the kernel itself sends or treats specially.
pub const SIGABRT: u8 = 6;
pub const SIGKILL: u8 = 9;
pub const SIGCHLD: u8 = 17;
pub const SIGCONT: u8 = 18;

/// The signal wasmer-wasix carries to a program's callback to say "signals
/// are pending" (see [`ProcessTable::ring`]). SIGURG: wasmer-wasix never
/// sends it itself nor treats it specially.
const DOORBELL: Signal = Signal::Sigurg;

/// Signal `n`'s bit in a set of signals.
const fn bit(signal: u8) -> u64 {
    1 << (signal - 1)
}

/// SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU.
const STOP_SIGNALS: u64 = bit(19) | bit(20) | bit(21) | bit(22);

/// What Linux does with a signal nobody catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    Terminate,
    Ignore,
    /// Stop the process until SIGCONT. A program that catches signals
    /// stops itself (`wasmux.stop`); wasmer-wasix cannot suspend any other,
    /// so for those the kernel ignores it.
    Stop,
}

/// Linux's default action for `signal` (1..=31).
pub fn default_action(signal: u8) -> DefaultAction {
    match signal {
        17 | 18 | 23 | 28 => DefaultAction::Ignore, // CHLD CONT URG WINCH
        19..=22 => DefaultAction::Stop,             // STOP TSTP TTIN TTOU
        _ => DefaultAction::Terminate,
    }
}

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

/// A change of a child's state its parent has not yet collected with
/// `waitpid(WUNTRACED | WCONTINUED)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobChange {
    Stopped(u8),
    Continued,
}

/// A stop signal the program has taken from the kernel and not yet
/// applied (`wasmux.stop`). On Linux taking a stop signal and stopping are
/// one step under the signal lock; here the program takes the signal, then
/// asks to stop, and a SIGCONT sent in between must still win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TakenStop {
    None,
    InFlight,
    /// A SIGCONT came after the take: the stop is void.
    Cancelled,
}

impl JobChange {
    /// The wait status Linux reports for it (`WIFSTOPPED`, `WIFCONTINUED`).
    pub fn wait_status(self) -> i32 {
        match self {
            JobChange::Stopped(signal) => (i32::from(signal) << 8) | 0x7f,
            JobChange::Continued => 0xffff,
        }
    }
}

/// What is left of a process that ended until its parent collects its
/// status: its place in the job-control tree.
#[derive(Debug, Clone, Copy)]
struct Zombie {
    ppid: Pid,
    pgid: Pid,
    sid: Pid,
}

/// One live process.
pub struct ProcessRecord {
    pub pid: Pid,
    pub ppid: Pid,
    started: Instant,
    process: WasiProcess,
    state: Mutex<RecordState>,
    signal_cond: Condvar,
}

struct RecordState {
    argv: Vec<String>,
    cred: Cred,
    /// The permission bits the program asked for the file or directory its
    /// next call creates (`wasmux.create_mode`; WASI's calls carry none).
    create_mode: Option<u32>,
    /// Running tasks with the way to interrupt each, by a number given at
    /// [`ProcessTable::enter`] (not the thread id: an exec's new image runs
    /// under the id of the thread waiting for it).
    threads: HashMap<u64, Interrupt>,
    /// The number the next task gets.
    next_task: u64,
    /// Tasks started but not yet finished (threads, plus an exec's new image
    /// before it runs): the record leaves the table when this drops to zero.
    tasks: usize,
    /// How many signals were sent to the process, and who to wake when the
    /// next one comes (a blocked terminal read, see [`ProcessRecord::signals_received`]).
    signals_received: u64,
    signal_wakers: Vec<Waker>,
    /// Process group and session (job control).
    pgid: Pid,
    sid: Pid,
    /// Whether the running program registered to receive signals itself
    /// (it imports WASIX `callback_signal`, as the userland's C
    /// compatibility layer does). Otherwise the kernel applies Linux's
    /// default action for it.
    catches_signals: bool,
    /// Whether a program that catches signals has registered its handler
    /// (`wasmux.signals_ready`). Until then the kernel holds its signals:
    /// wasmer-wasix would drop them (or apply its own defaults) in the
    /// window between a fork or exec and the registration.
    signals_ready: bool,
    /// Which registration of the signal callback is the current one: an
    /// image waiting in WASIX `proc_exec` for its successor still hears the
    /// doorbell, and must not take the successor's signals.
    signal_epoch: u32,
    /// Threads of images that exec'd a successor and wait for it inside
    /// WASIX `proc_exec` (see [`ProcessTable::park_in_exec`]).
    parked: usize,
    /// Signals sent to a program that catches them and not yet taken by it
    /// (`wasmux.signal_take`; bit `n - 1` for signal `n`).
    pending: u64,
    /// Who sent each signal last (index: the signal; 0 for the kernel or
    /// the host), for the handler's `si_pid`.
    senders: [Pid; 32],
    /// Signals the process ignores (bit `n - 1` for signal `n`), as its
    /// program told the kernel; kept across exec and inherited, as on Linux.
    ignored: u64,
    /// Job control: whether the process is stopped, whether it was sent a
    /// signal that kills it (which ends a stop), and the last change of
    /// state its parent has not collected.
    stopped: bool,
    killed: bool,
    change: Option<JobChange>,
    taken_stop: TakenStop,
    /// The named semaphores the process has open; a fork's child starts
    /// with its parent's.
    semaphores: Handles,
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

    /// Sets (or with `None` forgets) the mode of the next creation.
    pub fn set_create_mode(&self, mode: Option<u32>) {
        self.state().create_mode = mode.map(|m| m & 0o7777);
    }

    /// How many threads are running now.
    pub fn thread_count(&self) -> usize {
        self.state().threads.len()
    }

    /// Whether some task of the process has not ended: a running thread, or
    /// one (an exec's new image, a fork) on its way to a worker.
    fn has_tasks(&self) -> bool {
        self.state().tasks > 0
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
        self.signal_cond.notify_all();
        wakers.into_iter().for_each(Waker::wake);
    }

    /// The signals the process ignores (bit `n - 1` for signal `n`).
    pub fn ignored_signals(&self) -> u64 {
        self.state().ignored
    }

    pub fn set_ignored_signals(&self, mask: u64) {
        self.state().ignored = mask & !bit(SIGKILL);
    }

    /// Whether signals wait for the process's program to take them
    /// (`wasmux.signal_take`), and it can take them now.
    pub fn has_signals_to_take(&self) -> bool {
        let state = self.state();
        state.pending != 0 && state.signals_ready && !state.stopped
    }

    /// Whether the kernel has killed the process (it may still be
    /// unwinding).
    pub fn is_killed(&self) -> bool {
        self.state().killed
    }

    /// Whether the process is stopped (job control).
    pub fn is_stopped(&self) -> bool {
        self.state().stopped
    }

    /// Runs `f` on the named semaphores the process has open.
    pub fn semaphores<R>(&self, f: impl FnOnce(&mut Handles) -> R) -> R {
        f(&mut self.state().semaphores)
    }

    /// The process group.
    pub fn pgid(&self) -> Pid {
        self.state().pgid
    }

    /// The session.
    pub fn sid(&self) -> Pid {
        self.state().sid
    }

    /// Blocks until the count of signals the process has received (modulo
    /// 2³²) is no longer `seen`, or until `timeout`; returns the count.
    /// This is how a program waits for a signal (`sigsuspend`, a `wait`
    /// for a child) without sitting in a wasmer-wasix wait, which ends the
    /// process on SIGINT even when the program handles it.
    pub fn wait_for_signal(&self, seen: u32, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        let mut state = self.state();
        while state.signals_received as u32 == seen {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .signal_cond
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        state.signals_received as u32
    }

    /// Blocks the calling thread while `waiting` holds of the record's
    /// state, re-checking whenever a signal arrives or a task ends.
    fn wait_while(&self, waiting: impl Fn(&RecordState) -> bool) -> MutexGuard<'_, RecordState> {
        let mut state = self.state();
        while waiting(&state) {
            state = self
                .signal_cond
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
        state
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
    /// Runs the knocking after a SIGKILL (see [`ProcessTable::kill`]).
    platform: Arc<dyn Platform>,
    default_cred: Cred,
    records: Mutex<BTreeMap<Pid, Arc<ProcessRecord>>>,
    /// The argv of processes the kernel itself is about to start, by pid.
    pending_argv: Mutex<HashMap<Pid, Vec<String>>>,
    /// The signal each process died of, until its status is read (see
    /// [`ProcessTable::collect`]).
    deaths: Mutex<HashMap<Pid, u8>>,
    /// The exit code each process gave, until its status is read: WASIX
    /// hands a parent the code as an errno, which keeps only 0 to 78.
    exit_codes: Mutex<HashMap<Pid, u8>>,
    /// Processes that ended and whose status their parent has not yet
    /// collected, with their group and session. Like Linux's zombies they
    /// keep their group in existence: a shell's pipeline joins the group of
    /// its first command, which may have ended already.
    zombies: Mutex<HashMap<Pid, Zombie>>,
    /// The terminal's foreground process group, once a shell set one.
    foreground: Mutex<Option<Pid>>,
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
    #[error("no process in group {0}")]
    NoSuchGroup(Pid),
    #[error("operation not permitted")]
    NotPermitted,
}

impl KillError {
    /// The Linux errno a guest sees.
    pub fn errno(&self) -> i32 {
        match self {
            KillError::NoSuchProcess(_) | KillError::NoSuchGroup(_) => 3, // ESRCH
            KillError::InvalidSignal(_) => 22,                            // EINVAL
            KillError::NotPermitted => 1,                                 // EPERM
        }
    }
}

impl ProcessTable {
    /// A table for processes acting, unless told otherwise, as `default_cred`.
    pub fn new(default_cred: Cred, platform: Arc<dyn Platform>) -> Arc<ProcessTable> {
        Arc::new(ProcessTable {
            booted: Instant::now(),
            platform,
            default_cred,
            records: Mutex::new(BTreeMap::new()),
            pending_argv: Mutex::new(HashMap::new()),
            deaths: Mutex::new(HashMap::new()),
            exit_codes: Mutex::new(HashMap::new()),
            zombies: Mutex::new(HashMap::new()),
            foreground: Mutex::new(None),
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
    /// counts the task; returns the record and the task's number in it.
    ///
    /// The parent is the process whose syscall started the task (wasmer-wasix
    /// itself never records parents: its `getppid` always answers 0). A new
    /// process inherits its parent's credentials; a fork (`is_fork`) also its
    /// command line, while a new program's is the one the kernel was told
    /// ([`ProcessTable::expect_argv`]) or, for programs started by a guest,
    /// empty until the program names it (`wasmux.proc_set_cmdline`). A new
    /// process joins its parent's process group and session; one the kernel
    /// starts leads its own. `catches_signals` is set for a task that
    /// starts a program (not a thread of a running one).
    fn enter(
        &self,
        process: &WasiProcess,
        is_fork: bool,
        catches_signals: Option<bool>,
    ) -> (Arc<ProcessRecord>, u64) {
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
                let (pgid, sid) = parent.map_or((pid, pid), |p| (p.pgid(), p.sid()));
                let ignored = parent.map_or(0, |p| p.ignored_signals());
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
                        pending: 0,
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
        if let Some(argv) = argv {
            state.argv = argv;
        }
        drop(state);
        (record, task)
    }

    fn leave(&self, record: &ProcessRecord) {
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
            let mut zombies = self.zombies();
            // Orphans are collected at once, as init would.
            zombies.retain(|_, z| z.ppid != record.pid);
            if self.get(record.ppid).is_some() {
                let (pgid, sid) = (record.pgid(), record.sid());
                zombies.insert(
                    record.pid,
                    Zombie {
                        ppid: record.ppid,
                        pgid,
                        sid,
                    },
                );
            }
            drop(zombies);
            self.tell_parent(record);
        }
    }

    /// The group and session of `pid` if it is a zombie (ended, status not
    /// yet collected): as on Linux, it still has them.
    pub fn zombie_ids(&self, pid: Pid) -> Option<(Pid, Pid)> {
        self.zombies().get(&pid).map(|z| (z.pgid, z.sid))
    }

    fn zombies(&self) -> MutexGuard<'_, HashMap<Pid, Zombie>> {
        self.zombies.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends SIGCHLD to the parent of `record`, which ended, stopped or
    /// continued. Only a parent that catches signals hears of it: SIGCHLD
    /// is ignored by default.
    fn tell_parent(&self, record: &ProcessRecord) {
        if let Some(parent) = self.get(record.ppid) {
            if parent.state().catches_signals {
                let _ = self.send(parent.pid, SIGCHLD, record.pid);
            }
        }
    }

    /// Stops the calling process (`caller`, applying a stop signal's
    /// default action to itself) until SIGCONT or a signal that kills it;
    /// its parent hears of both changes. A stop taken from the kernel that
    /// a SIGCONT has since cancelled does nothing.
    pub fn stop(&self, caller: &ProcessRecord, signal: u8) {
        tracing::debug!(pid = caller.pid, signal, "stop");
        {
            let mut state = caller.state();
            let taken = std::mem::replace(&mut state.taken_stop, TakenStop::None);
            if state.killed || taken == TakenStop::Cancelled {
                return;
            }
            state.stopped = true;
            state.change = Some(JobChange::Stopped(signal));
        }
        self.tell_parent(caller);
        drop(caller.wait_while(|s| s.stopped && !s.killed));
    }

    /// Parks the thread of an image that exec'd a successor, from its
    /// signal callback, until the successor is done (only parked images'
    /// threads are left) or the process is killed.
    ///
    /// wasmer-wasix keeps the old image's thread waiting inside `proc_exec`
    /// for the new one, sharing the new one's signal queue: awake, it would
    /// take the doorbells meant for the new image. Parked inside its
    /// callback, it no longer polls the queue; the doorbell it took is rung
    /// again for the new image.
    pub fn park_in_exec(&self, caller: &ProcessRecord) {
        tracing::debug!(pid = caller.pid, "park in exec");
        caller.state().parked += 1;
        Self::ring(caller);
        caller
            .wait_while(|s| !s.killed && s.tasks > s.parked)
            .parked -= 1;
    }

    /// Takes the change of state of `parent`'s child `pid` that `waitpid`
    /// asks for (`stopped` for WUNTRACED, `continued` for WCONTINUED), if any.
    pub fn take_change(
        &self,
        parent: &ProcessRecord,
        pid: Pid,
        stopped: bool,
        continued: bool,
    ) -> Option<JobChange> {
        let record = self.get(pid).filter(|r| r.ppid == parent.pid)?;
        let mut state = record.state();
        let wanted = match state.change? {
            JobChange::Stopped(_) => stopped,
            JobChange::Continued => continued,
        };
        if wanted {
            state.change.take()
        } else {
            None
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

    /// Sends `signal` to a process.
    ///
    /// A program that catches signals gets it from wasmer-wasix at its next
    /// syscall (or sooner: a terminal read it is blocked in ends). For one
    /// that does not, the kernel applies Linux's default action itself, as
    /// wasmer-wasix's own defaults differ (it ignores SIGTERM and SIGHUP,
    /// ignores every signal in a program exec'd by one that registered a
    /// handler, and reports deaths as exit codes of its choosing): a
    /// terminating signal kills the process like `SIGKILL` — which also
    /// stops WebAssembly code in a loop without syscalls — and is recorded
    /// as its cause of death.
    pub fn kill(&self, pid: Pid, signal: u8) -> Result<(), KillError> {
        self.send(pid, signal, 0)
    }

    /// [`ProcessTable::kill`] from process `sender` (0: the kernel or the
    /// host), whom a handler's `si_pid` names.
    fn send(&self, pid: Pid, signal: u8, sender: Pid) -> Result<(), KillError> {
        if !(1..=31).contains(&signal) && signal != 0 {
            return Err(KillError::InvalidSignal(signal));
        }
        let record = self.get(pid).ok_or(KillError::NoSuchProcess(pid))?;
        if signal == 0 {
            return Ok(());
        }
        {
            // As on Linux, a SIGCONT discards the stop signals not yet applied
            // (pending, or taken and on their way to `stop`) and a stop
            // signal a SIGCONT not yet taken: whatever order the program
            // takes its pending set in, the last one sent wins.
            let mut state = record.state();
            if signal == SIGCONT {
                state.pending &= !STOP_SIGNALS;
                if state.taken_stop == TakenStop::InFlight {
                    state.taken_stop = TakenStop::Cancelled;
                }
            } else if default_action(signal) == DefaultAction::Stop {
                state.pending &= !bit(SIGCONT);
            }
        }
        if signal == SIGCONT {
            self.resume(&record);
        }
        let (catches, ignored) = {
            let state = record.state();
            (state.catches_signals, state.ignored)
        };
        tracing::debug!(
            pid,
            signal,
            catches,
            ignored = ignored & bit(signal) != 0,
            "kill"
        );
        if ignored & bit(signal) != 0 {
            return Ok(());
        }
        if signal == SIGKILL || (!catches && default_action(signal) == DefaultAction::Terminate) {
            self.deaths().entry(pid).or_insert(signal);
            record.state().killed = true;
            record.signal_arrived();
            record.process.signal_process(Signal::Sigkill);
            // An interrupt can miss a thread that is just entering wasm code,
            // and a task may be on its way to a thread (a fork's child, an
            // exec's new image: the process is killed before it runs); keep
            // knocking until every task has ended.
            self.platform.spawn_background(Box::new(move || {
                for _ in 0..500 {
                    if !record.has_tasks() {
                        return;
                    }
                    record.interrupt_all();
                    std::thread::sleep(Duration::from_millis(10));
                }
                tracing::warn!(pid, "process survived SIGKILL for 5 s");
            }));
        } else if catches {
            let mut state = record.state();
            state.pending |= bit(signal);
            state.senders[usize::from(signal)] = sender;
            drop(state);
            Self::ring(&record);
        }
        Ok(())
    }

    /// Tells a program that catches signals that some are pending, unless
    /// it cannot take them now (not ready, or stopped: then SIGCONT or
    /// readiness rings).
    ///
    /// The doorbell is a signal wasmer-wasix passes to the program's
    /// callback and otherwise leaves alone; the program then takes the
    /// pending set (`wasmux.signal_take`). Sending the real signals through
    /// wasmer-wasix would not do: it ends any process that receives SIGINT,
    /// SIGQUIT or SIGABRT while blocked in a syscall, handler or not.
    pub fn ring(record: &ProcessRecord) {
        if record.has_signals_to_take() {
            // First the count a blocked device read watches: a read must end
            // with EINTR, since wasmer-wasix does not look at signals while
            // it waits for a device, and end before the doorbell, so that
            // the handler runs at the next syscall, out of the read's locks.
            record.signal_arrived();
            record.process.signal_process(DOORBELL);
        }
    }

    /// Takes the signals pending for `record` (bit `n - 1` for signal `n`),
    /// if `epoch` is its current registration of the signal callback.
    pub fn take_pending(&self, record: &ProcessRecord, epoch: u32) -> u64 {
        let mut state = record.state();
        tracing::debug!(
            pid = record.pid,
            epoch,
            current = state.signal_epoch,
            pending = state.pending,
            "take"
        );
        if !state.signals_ready || state.signal_epoch != epoch {
            return 0;
        }
        let taken = std::mem::take(&mut state.pending);
        if taken & STOP_SIGNALS != 0 {
            state.taken_stop = TakenStop::InFlight;
        }
        taken
    }

    /// SIGCONT's effect whatever the process does with the signal: a
    /// stopped process runs again, and its parent hears of it.
    fn resume(&self, record: &ProcessRecord) {
        {
            let mut state = record.state();
            if !state.stopped {
                return;
            }
            state.stopped = false;
            state.change = Some(JobChange::Continued);
        }
        record.signal_cond.notify_all();
        Self::ring(record);
        self.tell_parent(record);
    }

    /// Whether the process's program can take signals now. A program that
    /// has registered its signal handler says `true`, and hears of the
    /// signals held for it until then; one about to exec says `false`, so
    /// that a signal sent while its image is replaced waits for the new one
    /// (wasmer-wasix would lose it with the old image's thread).
    ///
    /// Returns the registration's epoch, which [`ProcessTable::take_pending`]
    /// asks for.
    pub fn set_signals_ready(&self, record: &ProcessRecord, ready: bool) -> u32 {
        let epoch = {
            let mut state = record.state();
            state.signals_ready = ready;
            if ready {
                state.signal_epoch = state.signal_epoch.wrapping_add(1).max(1);
            }
            state.signal_epoch
        };
        Self::ring(record);
        epoch
    }

    /// The process that sent `signal` to `record` last (0: the kernel or
    /// the host), for the handler's `si_pid`.
    pub fn sender(record: &ProcessRecord, signal: u8) -> Pid {
        record
            .state()
            .senders
            .get(usize::from(signal))
            .copied()
            .unwrap_or(0)
    }

    /// Sends `signal` to every process of group `pgid`.
    pub fn kill_group(&self, pgid: Pid, signal: u8) -> Result<(), KillError> {
        self.send_group(pgid, signal, 0)
    }

    fn send_group(&self, pgid: Pid, signal: u8, sender: Pid) -> Result<(), KillError> {
        let members: Vec<Pid> = self
            .records()
            .values()
            .filter(|r| r.pgid() == pgid)
            .map(|r| r.pid)
            .collect();
        if members.is_empty() {
            return Err(KillError::NoSuchGroup(pgid));
        }
        for pid in members {
            // A member may end between the listing and the signal.
            let _ = self.send(pid, signal, sender);
        }
        Ok(())
    }

    /// Sends a signal the way Linux's `kill(pid, signal)` does from process
    /// `caller`: `pid > 0` one process, `0` the caller's group, `-1` every
    /// process but the caller, `< -1` the group `-pid`.
    pub fn kill_as(&self, caller: &ProcessRecord, pid: i32, signal: u8) -> Result<(), KillError> {
        let sender = caller.pid;
        match pid {
            0 => self.send_group(caller.pgid(), signal, sender),
            -1 => {
                for other in self.pids().into_iter().filter(|&p| p != caller.pid) {
                    let _ = self.send(other, signal, sender);
                }
                Ok(())
            }
            p if p < 0 => self.send_group(p.unsigned_abs(), signal, sender),
            p => self.send(p.unsigned_abs(), signal, sender),
        }
    }

    /// Signals typed on the terminal go to its foreground process group,
    /// or, before a shell has set one, to every process.
    pub fn kill_foreground(&self, signal: u8) {
        let foreground = *self.foreground.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(pgid) = foreground {
            if self.kill_group(pgid, signal).is_ok() {
                return;
            }
        }
        for pid in self.pids() {
            let _ = self.kill(pid, signal);
        }
    }

    /// The terminal's foreground process group (`tcgetpgrp`): the one a
    /// shell set, else the caller's own.
    pub fn foreground(&self, caller: &ProcessRecord) -> Pid {
        self.foreground
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or_else(|| caller.pgid())
    }

    /// `tcsetpgrp`: the group must exist in the caller's session.
    pub fn set_foreground(&self, caller: &ProcessRecord, pgid: Pid) -> Result<(), KillError> {
        if !self.group_in_session(pgid, caller.sid()) {
            return Err(KillError::NotPermitted);
        }
        *self.foreground.lock().unwrap_or_else(|p| p.into_inner()) = Some(pgid);
        Ok(())
    }

    /// `setpgid(pid, pgid)` from `caller`: `pid` is the caller or one of
    /// its children in the same session, `0` meaning the caller; `pgid` `0`
    /// means `pid`; a group other than `pid`'s own must exist in the session.
    pub fn set_pgid(&self, caller: &ProcessRecord, pid: Pid, pgid: Pid) -> Result<(), KillError> {
        let pid = if pid == 0 { caller.pid } else { pid };
        let pgid = if pgid == 0 { pid } else { pgid };
        let target = self.get(pid).ok_or(KillError::NoSuchProcess(pid))?;
        if target.pid != caller.pid && target.ppid != caller.pid {
            return Err(KillError::NoSuchProcess(pid));
        }
        if target.sid() != caller.sid() || target.sid() == target.pid {
            return Err(KillError::NotPermitted);
        }
        if pgid != pid && !self.group_in_session(pgid, caller.sid()) {
            return Err(KillError::NotPermitted);
        }
        target.state().pgid = pgid;
        Ok(())
    }

    /// Whether process group `pgid` has a member in session `sid`, living
    /// or a zombie.
    fn group_in_session(&self, pgid: Pid, sid: Pid) -> bool {
        self.records()
            .values()
            .any(|r| r.pgid() == pgid && r.sid() == sid)
            || self
                .zombies()
                .values()
                .any(|z| z.pgid == pgid && z.sid == sid)
    }

    /// `setsid()`: the caller leads a new session and group, unless it
    /// already leads a group.
    pub fn set_sid(&self, caller: &ProcessRecord) -> Result<Pid, KillError> {
        let mut state = caller.state();
        if state.pgid == caller.pid {
            return Err(KillError::NotPermitted);
        }
        state.pgid = caller.pid;
        state.sid = caller.pid;
        Ok(caller.pid)
    }

    fn deaths(&self) -> MutexGuard<'_, HashMap<Pid, u8>> {
        self.deaths.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that `pid` is dying of `signal` (a program that catches
    /// signals applying a default action itself, see `wasmux.exit_signal`).
    /// The first cause recorded wins: a process the kernel killed with
    /// SIGTERM then sees wasmer-wasix's SIGKILL in its handler.
    pub fn record_death(&self, pid: Pid, signal: u8) {
        self.deaths().entry(pid).or_insert(signal);
    }

    /// Records the code `pid` is exiting with (`wasmux.exit_code`).
    pub fn record_exit(&self, pid: Pid, code: u8) {
        self.exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pid, code);
    }

    /// Collects the status of `pid`, which ended: the signal that killed
    /// it, if one did. Read once; the zombie is gone after.
    pub fn collect(&self, pid: Pid) -> Option<u8> {
        self.collect_status(pid).0
    }

    /// [`ProcessTable::collect`], with the exit code the process recorded.
    pub fn collect_status(&self, pid: Pid) -> (Option<u8>, Option<u8>) {
        self.zombies().remove(&pid);
        let code = self
            .exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pid);
        (self.deaths().remove(&pid), code)
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

    fn take_create_mode(&self) -> Option<u32> {
        current().and_then(|r| r.state().create_mode.take())
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
    task: u64,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.record.state().threads.remove(&self.task);
        self.table.leave(&self.record);
    }
}

/// Makes the interrupt handle of a store's thread, given what to call if the
/// interrupt stops the thread for good; natively wasmer's interrupter.
pub type MakeInterrupt = fn(&wasmer::Store, Stopped) -> Interrupt;

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
