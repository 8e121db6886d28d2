//! The process table: what the kernel knows of each running process beyond
//! wasmer-wasix's own bookkeeping.
//!
//! wasmer-wasix owns process ids, threads and its own signal queue; what it
//! lacks is a way for the *filesystem* to know who is calling (for
//! `/proc/self`, `/dev/fd`, per-process credentials), a way to stop a
//! process that never makes a syscall, and Linux's process model: parents,
//! groups and sessions, signals with dispositions, stops, zombies. Every
//! WebAssembly thread — a new process, a fork, an exec, a thread — starts
//! through [`ProcessTasks`], which registers it with its process's
//! [`ProcessRecord`] and marks the host thread it runs on ([`current`]) for
//! as long as it runs. A wasm thread never migrates between host threads,
//! so the mark is exact.
//!
//! One file per job, as gVisor splits its task model:
//!
//! - [`table`] — the records and the table: entering and leaving, who a
//!   caller acts as;
//! - [`signals`] — sending signals and delivering them to programs that
//!   catch them (the doorbell);
//! - [`job_control`] — groups, sessions, the terminal's foreground, stop
//!   and continue;
//! - [`exit`] — deaths, exit codes, zombies and reaping;
//! - [`tasks`] — the task-manager wrapper and the thread's current process.

mod exit;
mod job_control;
mod signals;
mod table;
mod tasks;

pub use job_control::JobChange;
pub use table::{KillError, Pid, ProcessRecord, ProcessTable, Start};
pub use tasks::{acting_as, current, ProcessTasks};
