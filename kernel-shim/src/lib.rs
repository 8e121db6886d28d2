//! The Linux personality of wasmux: runs WASI preview-1 and WASIX programs as
//! processes (one wasmer instance and one memory each) over the wasmux
//! filesystem — natively and in a browser, with the same code.
//!
//! - [`kernel`] — boot, the mount table, running processes.
//! - [`platform`] — what differs between a host and a browser tab;
//!   [`native`] is the host's (threads, cranelift, redb, the host network).
//! - [`process`] — the process table: records, signals, job control, exit,
//!   the task-manager wrapper; [`signal`] — Linux's signals.
//! - [`wasmux_imports`] — our import module `wasmux`, one file per family.
//! - [`vfs_adapter`] — the vfs as a `virtual_fs::FileSystem` for wasmer-wasix.
//! - [`mounts`] — the mount table; [`devfs`] — `/dev`; [`procfs`] — `/proc`;
//!   [`terminal`] — the tty; [`synthetic`] — what the made-up ones share.
//! - [`lost_errno`] — errnos wasmer-wasix would report as EIO.
//! - [`image`] — what a fresh root gets on first boot; [`login`] — who a
//!   session is and what its shell starts with.
//! - [`exec`] — `PATH` lookup, `#!` interpreters, exit statuses 126/127.
//! - [`semaphore`] — named POSIX semaphores.
//!
//! Errors are Linux's errno values, [`wasmux_vfs::Errno`], everywhere.

pub mod devfs;
pub mod exec;
pub mod image;
pub mod kernel;
pub mod login;
mod lost_errno;
pub mod mounts;
pub mod platform;
pub mod process;
pub mod procfs;
mod runtime;
pub mod semaphore;
pub mod signal;
mod synthetic;
pub mod terminal;
pub mod vfs_adapter;
pub mod wasmux_imports;

#[cfg(feature = "native")]
pub mod native;

pub use exec::ExecError;
pub use kernel::{Boot, Kernel, KernelError, Program, Root, RootStore, Running, Spawn, Stdio};
pub use login::Login;
#[cfg(feature = "native")]
pub use native::{KernelConfig, Network};
pub use platform::Platform;
pub use process::{KillError, Pid, ProcessTable};
pub use signal::Signal;

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
