//! How a process ends and what is left of it: the signal it died of or the
//! code it exited with, kept until its parent collects them, and the
//! zombie that keeps its place in the job-control tree until then.

use std::collections::HashMap;
use std::sync::MutexGuard;

use super::table::{Pid, ProcessRecord, ProcessTable};
use crate::signal::Signal;

/// What is left of a process that ended until its parent collects its
/// status: its place in the job-control tree.
#[derive(Debug, Clone, Copy)]
pub(super) struct Zombie {
    pub(super) ppid: Pid,
    pub(super) pgid: Pid,
    pub(super) sid: Pid,
}

/// What a parent collects of a child that ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitStatus {
    /// The signal that killed it, if one did.
    pub signal: Option<Signal>,
    /// The exit code it recorded (`wasmux.exit_code`), if it did.
    pub code: Option<u8>,
}

impl ProcessTable {
    /// The process `record` ended (its last task did): it becomes a zombie
    /// if its parent lives, its own zombies are collected as init would,
    /// and its parent hears of it.
    pub(super) fn ended(&self, record: &ProcessRecord) {
        let mut zombies = self.zombies();
        zombies.retain(|_, z| z.ppid != record.pid);
        if self.get(record.ppid).is_some() {
            zombies.insert(
                record.pid,
                Zombie {
                    ppid: record.ppid,
                    pgid: record.pgid(),
                    sid: record.sid(),
                },
            );
        }
        drop(zombies);
        self.tell_parent(record);
    }

    /// The group and session of `pid` if it is a zombie (ended, status not
    /// yet collected): as on Linux, it still has them.
    pub fn zombie_ids(&self, pid: Pid) -> Option<(Pid, Pid)> {
        self.zombies().get(&pid).map(|z| (z.pgid, z.sid))
    }

    pub(super) fn zombies(&self) -> MutexGuard<'_, HashMap<Pid, Zombie>> {
        self.zombies.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn deaths(&self) -> MutexGuard<'_, HashMap<Pid, Signal>> {
        self.deaths.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that `pid` is dying of `signal` (a program that catches
    /// signals applying a default action itself, see `wasmux.exit_signal`).
    /// The first cause recorded wins: a process the kernel killed with
    /// SIGTERM then sees wasmer-wasix's SIGKILL in its handler.
    pub fn record_death(&self, pid: Pid, signal: Signal) {
        self.deaths().entry(pid).or_insert(signal);
    }

    /// Records the code `pid` is exiting with (`wasmux.exit_code`).
    pub fn record_exit(&self, pid: Pid, code: u8) {
        self.exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pid, code);
    }

    /// Collects the status of `pid`, which ended. Read once; the zombie is
    /// gone after.
    pub fn collect(&self, pid: Pid) -> ExitStatus {
        self.zombies().remove(&pid);
        let code = self
            .exit_codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&pid);
        ExitStatus {
            signal: self.deaths().remove(&pid),
            code,
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
}
