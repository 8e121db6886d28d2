//! Sending signals, and delivering them to programs that catch them.
//!
//! Every signal goes through [`ProcessTable::send`]. A program that
//! catches signals (the compatibility layer's) gets them in two steps: the
//! kernel keeps them pending and rings a doorbell — SIGURG through
//! wasmer-wasix's queue, which calls the program's callback — and the
//! program takes the pending set (`wasmux.signal_take`). For any other
//! program the kernel applies Linux's default action itself.

use std::task::Waker;
use std::time::Duration;

use wasmer_wasix::wasmer_wasix_types::wasi::Signal as WasiSignal;
use web_time::Instant;

use super::job_control::TakenStop;
use super::table::{KillError, Pid, ProcessRecord, ProcessTable};
use crate::signal::{DefaultAction, Signal, SignalSet};

/// The signal wasmer-wasix carries to a program's callback to say "signals
/// are pending" (see [`ProcessTable::ring`]). SIGURG: wasmer-wasix never
/// sends it itself nor treats it specially.
const DOORBELL: WasiSignal = WasiSignal::Sigurg;

impl ProcessRecord {
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

    /// The signals the process ignores.
    pub fn ignored_signals(&self) -> SignalSet {
        self.state().ignored
    }

    /// Sets the signals the process ignores; SIGKILL cannot be.
    pub fn set_ignored_signals(&self, mut ignored: SignalSet) {
        ignored.remove(Signal::KILL);
        self.state().ignored = ignored;
    }

    /// Whether signals wait for the process's program to take them
    /// (`wasmux.signal_take`), and it can take them now.
    pub fn has_signals_to_take(&self) -> bool {
        let state = self.state();
        !state.pending.is_empty() && state.signals_ready && !state.stopped
    }

    /// Whether the kernel has killed the process (it may still be
    /// unwinding).
    pub fn is_killed(&self) -> bool {
        self.state().killed
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
}

impl ProcessTable {
    /// Sends `signal` to a process, from the kernel or the host.
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
    pub fn kill(&self, pid: Pid, signal: Signal) -> Result<(), KillError> {
        self.send(pid, Some(signal), 0)
    }

    /// Sends a signal the way Linux's `kill(pid, signal)` does from process
    /// `caller`: `pid > 0` one process, `0` the caller's group, `-1` every
    /// process but the caller, `< -1` the group `-pid`. No signal (Linux's
    /// signal 0) only checks that the target exists.
    pub fn kill_as(
        &self,
        caller: &ProcessRecord,
        pid: i32,
        signal: Option<Signal>,
    ) -> Result<(), KillError> {
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

    /// Sends `signal` to every process of group `pgid`.
    pub fn kill_group(&self, pgid: Pid, signal: Signal) -> Result<(), KillError> {
        self.send_group(pgid, Some(signal), 0)
    }

    fn send_group(&self, pgid: Pid, signal: Option<Signal>, sender: Pid) -> Result<(), KillError> {
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

    /// [`ProcessTable::kill`] from process `sender` (0: the kernel or the
    /// host), whom a handler's `si_pid` names; no signal only checks that
    /// the process exists.
    fn send(&self, pid: Pid, signal: Option<Signal>, sender: Pid) -> Result<(), KillError> {
        let record = self.get(pid).ok_or(KillError::NoSuchProcess(pid))?;
        let Some(signal) = signal else {
            return Ok(());
        };
        let stops = signal.default_action() == DefaultAction::Stop;
        {
            // As on Linux, a SIGCONT discards the stop signals not yet applied
            // (pending, or taken and on their way to `stop`) and a stop
            // signal a SIGCONT not yet taken: whatever order the program
            // takes its pending set in, the last one sent wins.
            let mut state = record.state();
            if signal == Signal::CONT {
                state.pending.remove_all(SignalSet::STOPS);
                if state.taken_stop == TakenStop::InFlight {
                    state.taken_stop = TakenStop::Cancelled;
                }
            } else if stops {
                state.pending.remove(Signal::CONT);
            }
        }
        if signal == Signal::CONT {
            self.resume(&record);
        }
        let (catches, ignored) = {
            let state = record.state();
            (state.catches_signals, state.ignored.contains(signal))
        };
        tracing::debug!(pid, %signal, catches, ignored, "kill");
        if ignored {
            return Ok(());
        }
        let terminates = signal.default_action() == DefaultAction::Terminate;
        if signal == Signal::KILL || (!catches && terminates) {
            self.record_death(pid, signal);
            record.state().killed = true;
            record.signal_arrived();
            record.process.signal_process(WasiSignal::Sigkill);
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
            state.pending.insert(signal);
            state.senders[usize::from(signal.number())] = sender;
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

    /// Takes the signals pending for `record`, if `epoch` is its current
    /// registration of the signal callback.
    pub fn take_pending(&self, record: &ProcessRecord, epoch: u32) -> SignalSet {
        let mut state = record.state();
        tracing::debug!(
            pid = record.pid,
            epoch,
            current = state.signal_epoch,
            pending = ?state.pending,
            "take"
        );
        if !state.signals_ready || state.signal_epoch != epoch {
            return SignalSet::EMPTY;
        }
        let taken = std::mem::take(&mut state.pending);
        if taken.intersects(SignalSet::STOPS) {
            state.taken_stop = TakenStop::InFlight;
        }
        taken
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
    pub fn sender(record: &ProcessRecord, signal: Signal) -> Pid {
        record.state().senders[usize::from(signal.number())]
    }

    /// Sends SIGCHLD to the parent of `record`, which ended, stopped or
    /// continued. Only a parent that catches signals hears of it: SIGCHLD
    /// is ignored by default.
    pub(super) fn tell_parent(&self, record: &ProcessRecord) {
        if let Some(parent) = self.get(record.ppid) {
            if parent.state().catches_signals {
                let _ = self.send(parent.pid, Some(Signal::CHLD), record.pid);
            }
        }
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
}
