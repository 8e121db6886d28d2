//! The Linux personality of wasmux: runs WASI preview-1 and WASIX programs as
//! processes (one wasmer instance and one memory each) over the wasmux
//! filesystem — natively and in a browser, with the same code.
//!
//! - [`kernel`] — the mount table, the runtime, running processes.
//! - [`platform`] — what differs between a host and a browser tab;
//!   [`native`] is the host's (threads, cranelift, redb, the host network).
//! - [`vfs_adapter`] — the vfs as a `virtual_fs::FileSystem` for wasmer-wasix.
//! - [`mounts`] — the mount table; [`devfs`] — `/dev`; [`procfs`] — `/proc`.
//! - [`process`] — the process table, signals, the task manager wrapper.
//! - [`syscalls`] — our import module `wasmux`; [`terminal`] — the tty;
//!   [`lost_errno`] — errnos wasmer-wasix would report as EIO.
//! - [`image`] — what a fresh root gets on first boot.
//! - [`exec`] — `PATH` lookup, `#!` interpreters, exit statuses 126/127.

pub mod devfs;
pub mod exec;
pub mod image;
pub mod kernel;
mod lost_errno;
pub mod mounts;
pub mod platform;
pub mod process;
pub mod procfs;
mod runtime;
pub mod semaphore;
pub mod syscalls;
pub mod terminal;
pub mod vfs_adapter;

#[cfg(feature = "native")]
pub mod limits;
#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "native")]
pub mod writeback;

pub use exec::ExecError;
pub use kernel::{Kernel, KernelError, Program, Root, Running, Spawn, Stdio};
#[cfg(feature = "native")]
pub use native::{KernelConfig, Network};
pub use platform::Platform;
pub use process::{KillError, Pid, ProcessTable};

/// The wall clock of the filesystems (`Date.now()` in a browser, where
/// `std::time::SystemTime` does not work).
#[derive(Debug, Default, Clone, Copy)]
pub struct HostClock;

impl wasmux_vfs::Clock for HostClock {
    fn now(&self) -> wasmux_vfs::Timespec {
        let since = web_time::SystemTime::now()
            .duration_since(web_time::UNIX_EPOCH)
            .unwrap_or_default();
        wasmux_vfs::Timespec {
            sec: since.as_secs() as i64,
            nsec: since.subsec_nanos(),
        }
    }
}
