//! The `wasmux` import module: the Linux calls WASIX has no syscall for.
//!
//! WASI's file metadata has no mode, owner or group, and WASIX has no
//! `chmod`, `chown`, `umask`, process groups, Linux's signal model or named
//! semaphores. A program (in practice the userland's C compatibility
//! layer, `userland/compat`) imports these from module `"wasmux"`.
//!
//! [The table below](wasmux_abi) is the ABI, and the one place it is
//! written: it registers each function, and a test holds the C prototypes
//! of `userland/compat/src/imports.h` to it (names and types). Conventions:
//!
//! - Arguments are `i32` but for device and inode numbers, masks and
//!   timeouts (`i64`); pointers are offsets in the caller's memory.
//! - A function returns one of: `errno` (0, or a **Linux** errno — not
//!   WASI's), `id or -errno` (a non-negative answer, or minus the errno), or
//!   a plain value.
//! - `follow` is 1 to follow a final symlink, 0 not to (`lstat`, `lchown`).
//! - Paths are absolute: the caller joins a relative path to its working
//!   directory (WASIX `getcwd`) first, since the descriptor table, and with
//!   it the working directory, lives inside wasmer-wasix out of this
//!   module's reach. The longest mount point that is a prefix of the path
//!   decides the filesystem, which must be one of the kernel's own volumes
//!   (`/`, `/tmp`); `/dev` and `/proc` answer `EOPNOTSUPP`.
//!
//! One file per family: [`fs_metadata`], [`identity`], [`processes`]
//! (groups, sessions, the terminal, stops), [`exit_wait`], [`signals`],
//! [`semaphores`].

mod exit_wait;
mod fs_metadata;
mod identity;
mod processes;
mod semaphores;
mod signals;

use std::sync::Arc;

use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Memory, Module, StoreMut,
    TypedFunction,
};
use wasmer_wasix::runtime::{InstantiationHook, InstantiationState};
use wasmux_vfs::{Cred, Errno, SyncRequest};

use crate::process::{self, ProcessRecord, ProcessTable};
use crate::semaphore::SemaphoreNames;

pub use fs_metadata::STAT_SIZE;

/// The name programs import these functions from.
pub const MODULE: &str = "wasmux";

/// Declares the ABI: each function's name, wasm signature, what it
/// returns, and the Rust function that implements it (which takes the
/// caller's context and the arguments, and returns a typed result).
macro_rules! wasmux_abi {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $ty:ident),*) -> $ret:ident = $family:ident::$function:ident;
    )*) => {
        /// The `wasmux` ABI, one entry per function. Each `fn` line reads:
        /// name, arguments with their wasm types, what it returns, and the
        /// function that implements it.
        ///
        /// ```text
        $($(#[doc = $doc])* #[doc = concat!("fn ", stringify!($name), "(", $(stringify!($arg), ": ", stringify!($ty), ", ",)* ") -> ", stringify!($ret))] #[doc = ""])*
        /// ```
        #[allow(non_camel_case_types, dead_code)]
        pub enum wasmux_abi {}

        /// Every function of the module, by name.
        pub const FUNCTIONS: &[&str] = &[$(stringify!($name)),*];

        /// Defines every function of the module in `imports`.
        fn define_all(imports: &mut Imports, store: &mut StoreMut, env: &FunctionEnv<InstanceEnv>) {
            $(
                imports.define(
                    MODULE,
                    stringify!($name),
                    Function::new_typed_with_env(
                        store,
                        env,
                        |ctx: Caller<'_>, $($arg: $ty),*| {
                            Answer::<$ret>::answer($family::$function(ctx, $($arg),*))
                        },
                    ),
                );
            )*
        }
    };
}

wasmux_abi! {
    // Files: metadata by path or by device and inode number (fs_metadata.rs).
    /// writes a `STAT_SIZE`-byte stat record (see `fs_metadata`) to `out`
    fn path_stat(path: i32, path_len: i32, follow: i32, out: i32) -> errno = fs_metadata::path_stat;
    /// sets the permission bits (`0o7777`)
    fn path_chmod(path: i32, path_len: i32, mode: i32, follow: i32) -> errno = fs_metadata::path_chmod;
    /// sets owner and group; `-1` keeps one
    fn path_chown(path: i32, path_len: i32, uid: i32, gid: i32, follow: i32) -> errno = fs_metadata::path_chown;
    /// sets access and modification times: `times` points to two (sec i64,
    /// nsec i64) pairs, nsec `UTIME_NOW`/`UTIME_OMIT` as on Linux; 0 sets both to now
    fn path_utimes(path: i32, path_len: i32, times: i32, follow: i32) -> errno = fs_metadata::path_utimes;
    /// `path_stat` of the file with device `dev` and inode `ino` (from a
    /// stat record): how `fstat` reaches a descriptor's file, which WASIX
    /// cannot name; `EBADF` for a device that is not one of the kernel's volumes
    fn inode_stat(dev: i64, ino: i64, out: i32) -> errno = fs_metadata::inode_stat;
    /// `path_chmod` by device and inode (`fchmod`)
    fn inode_chmod(dev: i64, ino: i64, mode: i32) -> errno = fs_metadata::inode_chmod;
    /// `path_chown` by device and inode (`fchown`)
    fn inode_chown(dev: i64, ino: i64, uid: i32, gid: i32) -> errno = fs_metadata::inode_chown;
    /// `path_utimes` by device and inode (`futimens`)
    fn inode_utimes(dev: i64, ino: i64, times: i32) -> errno = fs_metadata::inode_utimes;
    /// makes `new` a hard link to `old` (not following a final symlink);
    /// `EXDEV` across filesystems
    fn path_link(old: i32, old_len: i32, new: i32, new_len: i32) -> errno = fs_metadata::path_link;
    /// makes a FIFO (`S_IFIFO`) or an empty regular file, its permission
    /// bits less the umask; other kinds `EPERM`
    fn path_mknod(path: i32, path_len: i32, mode: i32) -> errno = fs_metadata::path_mknod;
    /// sets the process's file creation mask; returns the old one
    fn umask(mask: i32) -> value = fs_metadata::umask;
    /// the permission bits (before the umask) of the file or directory the
    /// caller's next open or mkdir creates; -1 forgets them
    fn create_mode(mode: i32) -> errno = fs_metadata::create_mode;
    /// commits every pending change of the persistent filesystem (`sync(2)`)
    fn sync() -> errno = fs_metadata::sync;
    /// the errno behind the caller's last EIO from a kernel file, which
    /// wasmer-wasix blurred (ENOSPC of `/dev/full`, say), taken; 0 if none
    fn io_errno() -> value = fs_metadata::io_errno;

    // Who the caller is (identity.rs).
    /// the real user id
    fn getuid() -> value = identity::getuid;
    /// the effective user id
    fn geteuid() -> value = identity::getuid;
    /// the real group id
    fn getgid() -> value = identity::getgid;
    /// the effective group id
    fn getegid() -> value = identity::getgid;

    // Processes and jobs (processes.rs).
    /// the parent's pid (WASIX's answers 0)
    fn getppid() -> value = processes::getppid;
    /// names the process in `/proc/<pid>/cmdline` (NUL-separated)
    fn proc_set_cmdline(argv: i32, argv_len: i32) -> errno = processes::proc_set_cmdline;
    /// joins or makes a process group
    fn setpgid(pid: i32, pgid: i32) -> errno = processes::setpgid;
    /// a process's group; `0` is the caller
    fn getpgid(pid: i32) -> id_or_errno = processes::getpgid;
    /// a process's session; `0` is the caller
    fn getsid(pid: i32) -> id_or_errno = processes::getsid;
    /// makes the caller lead a new session
    fn setsid() -> id_or_errno = processes::setsid;
    /// the terminal's foreground process group
    fn tcgetpgrp() -> id_or_errno = processes::tcgetpgrp;
    /// makes a group of the caller's session the foreground one
    fn tcsetpgrp(pgid: i32) -> errno = processes::tcsetpgrp;
    /// the caller stops (a stop signal's default action) until SIGCONT or SIGKILL
    fn stop(signal: i32) -> errno = processes::stop;

    // Exit and wait (exit_wait.rs).
    /// records that the caller, about to exit, dies of `signal`
    fn exit_signal(signal: i32) -> errno = exit_wait::exit_signal;
    /// records the code the caller is about to exit with (WASIX passes a
    /// parent only 0 to 78)
    fn exit_code(code: i32) -> errno = exit_wait::exit_code;
    /// the Linux wait status of a child WASIX `proc_join` reported with `exit_code`
    fn wait_status(pid: i32, exit_code: i32) -> value = exit_wait::wait_status;
    /// the wait status of child `pid`'s uncollected stop (`flags` bit 0) or
    /// continue (bit 1), taken; 0 if none
    fn child_change(pid: i32, flags: i32) -> value = exit_wait::child_change;

    // Signals (signals.rs).
    /// Linux `kill`: `pid` > 0, 0 (own group), -1 (all others), < -1 (a group)
    fn kill(pid: i32, signal: i32) -> errno = signals::kill;
    /// the signals the caller ignores (bit `n - 1` for signal `n`), kept across exec
    fn sigignore_set(mask: i64) -> errno = signals::sigignore_set;
    /// the same, as a new program starts
    fn sigignore_get() -> value = signals::sigignore_get;
    /// 1: the caller has registered its WASIX signal callback and hears
    /// (SIGURG through the callback) of signals held since its fork or exec;
    /// 0: it is about to exec, hold them. Returns the registration's epoch
    fn signals_ready(ready: i32) -> id_or_errno = signals::signals_ready;
    /// takes the caller's pending signals (a mask) if `epoch` is its latest
    /// `signals_ready`; the kernel rings the callback with SIGURG when there are some
    fn signal_take(epoch: i32) -> value = signals::signal_take;
    /// blocks until the caller has received more than `seen` signals (or the
    /// timeout); `seen` -1 just reads the count
    fn signal_wait(seen: i32, timeout_ms: i32) -> value = signals::signal_wait;
    /// from the signal callback: 0 if the caller's stack is being unwound or
    /// rewound (asyncify), when the callback must return at once (the kernel rings again)
    fn signal_entry() -> value = signals::signal_entry;
    /// the process that sent the caller `signal` last (0: the kernel or the
    /// host), for `si_pid`
    fn signal_sender(signal: i32) -> value = signals::signal_sender;
    /// from the signal callback of an image waiting in `proc_exec` for its
    /// successor: parks its thread until the successor is done
    fn exec_park() -> errno = signals::exec_park;

    // Named POSIX semaphores (semaphores.rs).
    /// opens the named semaphore `name` (leading slashes dropped); `flags`
    /// bit 0 creates it if missing (`O_CREAT`) with `mode` (less the umask)
    /// and `value`, bit 1 fails if it exists (`O_EXCL`); the same semaphore
    /// opened again gives the same handle
    fn sem_open(name: i32, name_len: i32, flags: i32, mode: i32, value: i32) -> id_or_errno = semaphores::sem_open;
    /// closes one `sem_open` of the handle's semaphore
    fn sem_close(handle: i32) -> errno = semaphores::sem_close;
    /// removes a semaphore's name; those who have it open keep it
    fn sem_unlink(name: i32, name_len: i32) -> errno = semaphores::sem_unlink;
    /// adds one to the value, waking a waiter; `EOVERFLOW` at `SEM_VALUE_MAX`
    fn sem_post(handle: i32) -> errno = semaphores::sem_post;
    /// takes one from the value, waiting while it is zero: for ever if
    /// `timeout_ns` is negative, else at most that long (`ETIMEDOUT`; 0 is
    /// `sem_trywait`); `EINTR` when a signal is pending for the caller
    fn sem_wait(handle: i32, timeout_ns: i64) -> errno = semaphores::sem_wait;
    /// the value
    fn sem_getvalue(handle: i32) -> id_or_errno = semaphores::sem_getvalue;
}

/// What the functions share across instances.
#[derive(Debug)]
struct Context {
    mounts: Arc<crate::mounts::Mounts>,
    processes: Arc<ProcessTable>,
    /// Commits the persistent root's pending changes (`sync`); none when
    /// nothing persists.
    syncer: Option<Arc<dyn SyncRequest>>,
    semaphores: SemaphoreNames,
}

/// One instance's view: the shared context and, once instantiated, its memory.
#[derive(Debug)]
struct InstanceEnv {
    context: Arc<Context>,
    memory: Option<Memory>,
    /// The instance's `asyncify_get_state` export (binaryen's asyncify), if
    /// it has one: 0 when running normally, else unwinding or rewinding.
    asyncify_state: Option<TypedFunction<(), i32>>,
}

/// What each function gets: the calling instance.
type Caller<'a> = FunctionEnvMut<'a, InstanceEnv>;

/// The instantiation hook that provides module `wasmux` to every instance
/// that imports it.
#[derive(Debug)]
pub struct WasmuxImports {
    context: Arc<Context>,
}

impl WasmuxImports {
    pub fn new(
        mounts: Arc<crate::mounts::Mounts>,
        processes: Arc<ProcessTable>,
        syncer: Option<Arc<dyn SyncRequest>>,
    ) -> WasmuxImports {
        WasmuxImports {
            context: Arc::new(Context {
                mounts,
                processes,
                syncer,
                semaphores: SemaphoreNames::default(),
            }),
        }
    }

    /// The module's functions for an instance in `store`.
    fn imports(&self, store: &mut StoreMut) -> (Imports, FunctionEnv<InstanceEnv>) {
        let env = FunctionEnv::new(
            store,
            InstanceEnv {
                context: self.context.clone(),
                memory: None,
                asyncify_state: None,
            },
        );
        let mut imports = Imports::new();
        define_all(&mut imports, store, &env);
        (imports, env)
    }
}

impl InstantiationHook for WasmuxImports {
    fn additional_imports(
        &self,
        module: &Module,
        store: &mut StoreMut,
    ) -> anyhow::Result<(Imports, InstantiationState)> {
        if !module.imports().any(|i| i.module() == MODULE) {
            return Ok((Imports::new(), InstantiationState::empty()));
        }
        let (imports, env) = self.imports(store);
        Ok((imports, InstantiationState::new(env)))
    }

    fn configure_new_instance(
        &self,
        _module: &Module,
        store: &mut StoreMut,
        instance: &Instance,
        imported_memory: Option<&Memory>,
        state: InstantiationState,
    ) -> anyhow::Result<()> {
        if state.is_empty() {
            return Ok(());
        }
        let env: FunctionEnv<InstanceEnv> = state.take()?;
        let memory = match imported_memory {
            Some(m) => m.clone(),
            None => instance.exports.get_memory("memory")?.clone(),
        };
        let asyncify_state = instance
            .exports
            .get_typed_function::<(), i32>(store, "asyncify_get_state")
            .ok();
        let data = env.as_mut(store);
        data.memory = Some(memory);
        data.asyncify_state = asyncify_state;
        Ok(())
    }
}

/// How a function's typed result reaches the program, by what the ABI
/// table says it returns.
trait Answer<R> {
    type Wasm;
    fn answer(self) -> Self::Wasm;
}

/// Returns `errno`: 0 for success, else the Linux errno.
#[allow(non_camel_case_types)]
enum errno {}
/// Returns `id or -errno`: a non-negative id or value, else minus the errno.
#[allow(non_camel_case_types)]
enum id_or_errno {}
/// Returns a plain value.
#[allow(non_camel_case_types)]
enum value {}

impl Answer<errno> for Result<(), Errno> {
    type Wasm = i32;
    fn answer(self) -> i32 {
        self.err().map_or(0, Errno::code)
    }
}

impl Answer<id_or_errno> for Result<u32, Errno> {
    type Wasm = i32;
    fn answer(self) -> i32 {
        match self {
            Ok(id) => id as i32,
            Err(errno) => -errno.code(),
        }
    }
}

impl Answer<value> for i32 {
    type Wasm = i32;
    fn answer(self) -> i32 {
        self
    }
}

impl Answer<value> for i64 {
    type Wasm = i64;
    fn answer(self) -> i64 {
        self
    }
}

/// The calling process's record: the functions are only ever called from
/// a process's thread; ESRCH otherwise.
fn caller() -> Result<Arc<ProcessRecord>, Errno> {
    process::current().ok_or(Errno::Srch)
}

/// The caller's credentials.
fn cred() -> Result<Cred, Errno> {
    caller().map(|c| c.cred())
}

/// `len` bytes of the caller's memory at `ptr`.
fn read_bytes(ctx: &Caller<'_>, ptr: i32, len: i32) -> Result<Vec<u8>, Errno> {
    let memory = ctx.data().memory.as_ref().ok_or(Errno::Fault)?;
    let len = usize::try_from(len).map_err(|_| Errno::Inval)?;
    let mut buf = vec![0; len];
    memory
        .view(ctx)
        .read(ptr as u32 as u64, &mut buf)
        .map_err(|_| Errno::Fault)?;
    Ok(buf)
}

/// Writes `bytes` into the caller's memory at `ptr`.
fn write_bytes(ctx: &Caller<'_>, ptr: i32, bytes: &[u8]) -> Result<(), Errno> {
    let memory = ctx.data().memory.as_ref().ok_or(Errno::Fault)?;
    memory
        .view(ctx)
        .write(ptr as u32 as u64, bytes)
        .map_err(|_| Errno::Fault)
}

#[cfg(test)]
mod tests;
