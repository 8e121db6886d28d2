//! Job control: process groups and sessions, the terminal's foreground
//! group, and stopping and continuing processes (with the changes a parent
//! collects through `waitpid(WUNTRACED | WCONTINUED)`).

use super::table::{KillError, Pid, ProcessRecord, ProcessTable};
use crate::signal::Signal;

/// A change of a child's state its parent has not yet collected with
/// `waitpid(WUNTRACED | WCONTINUED)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobChange {
    Stopped(Signal),
    Continued,
}

impl JobChange {
    /// The wait status Linux reports for it (`WIFSTOPPED`, `WIFCONTINUED`).
    pub fn wait_status(self) -> i32 {
        match self {
            JobChange::Stopped(signal) => (i32::from(signal.number()) << 8) | 0x7f,
            JobChange::Continued => 0xffff,
        }
    }
}

/// A stop signal the program has taken from the kernel and not yet
/// applied (`wasmux.stop`). On Linux taking a stop signal and stopping are
/// one step under the signal lock; here the program takes the signal, then
/// asks to stop, and a SIGCONT sent in between must still win.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TakenStop {
    None,
    InFlight,
    /// A SIGCONT came after the take: the stop is void.
    Cancelled,
}

impl ProcessRecord {
    /// The process group.
    pub fn pgid(&self) -> Pid {
        self.state().pgid
    }

    /// The session.
    pub fn sid(&self) -> Pid {
        self.state().sid
    }

    /// Whether the process is stopped.
    pub fn is_stopped(&self) -> bool {
        self.state().stopped
    }
}

impl ProcessTable {
    /// Signals typed on the terminal go to its foreground process group,
    /// or, before a shell has set one, to every process.
    pub fn kill_foreground(&self, signal: Signal) {
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

    /// Stops the calling process (`caller`, applying a stop signal's
    /// default action to itself) until SIGCONT or a signal that kills it;
    /// its parent hears of both changes. A stop taken from the kernel that
    /// a SIGCONT has since cancelled does nothing.
    pub fn stop(&self, caller: &ProcessRecord, signal: Signal) {
        tracing::debug!(pid = caller.pid, %signal, "stop");
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

    /// SIGCONT's effect whatever the process does with the signal: a
    /// stopped process runs again, and its parent hears of it.
    pub(super) fn resume(&self, record: &ProcessRecord) {
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
}
