//! The Linux personality of wasmux: runs WASI preview-1 and WASIX programs as
//! processes (one wasmer instance and one memory each) over the wasmux
//! filesystem.
//!
//! - [`vfs_adapter`] — the vfs as a `virtual_fs::FileSystem` for wasmer-wasix.
//! - [`mounts`] — the mount table; [`devfs`] — `/dev`; [`procfs`] — `/proc`.
//! - [`image`] — what a fresh root gets on first boot.
//! - [`exec`] — `PATH` lookup, `#!` interpreters, exit statuses 126/127.
//! - [`writeback`] — the native write-back thread (the browser has its own).
//! - [`kernel`] — boot (mount table, module cache) and running processes.

pub mod devfs;
pub mod exec;
pub mod image;
pub mod kernel;
pub mod limits;
pub mod mounts;
pub mod process;
pub mod procfs;
pub mod syscalls;
pub mod terminal;
pub mod vfs_adapter;
pub mod writeback;

pub use exec::ExecError;
pub use kernel::{Kernel, KernelConfig, KernelError, Program, Running, Spawn, Stdio};
pub use process::{KillError, Pid, ProcessTable};
