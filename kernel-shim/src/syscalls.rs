//! The `wasmux` import module: the Linux calls WASIX has no syscall for.
//!
//! WASI's file metadata has no mode, owner or group, and WASIX has no
//! `chmod`, `chown`, `umask` or working `getppid`. A program (in practice the
//! userland's C compatibility layer) imports these from module `"wasmux"`:
//!
//! | function | signature | does |
//! |---|---|---|
//! | `path_stat` | `(path, path_len, follow, out) -> errno` | writes a [`STAT_SIZE`]-byte stat record to `out` |
//! | `path_chmod` | `(path, path_len, mode, follow) -> errno` | sets the permission bits (`0o7777`) |
//! | `path_chown` | `(path, path_len, uid, gid, follow) -> errno` | sets owner and group; `-1` keeps one |
//! | `path_link` | `(old, old_len, new, new_len) -> errno` | makes `new` a hard link to `old` (not following a final symlink); `EXDEV` across filesystems |
//! | `path_mknod` | `(path, path_len, mode) -> errno` | makes a FIFO (`S_IFIFO`) or an empty regular file at `path`, its permission bits less the umask; other kinds `EPERM` |
//! | `path_utimes` | `(path, path_len, times, follow) -> errno` | sets access and modification times: `times` points to two (sec `i64`, nsec `i64`) pairs, nsec `UTIME_NOW`/`UTIME_OMIT` as on Linux; `times` 0 sets both to now |
//! | `inode_stat`, `inode_chmod`, `inode_chown`, `inode_utimes` | `(dev: i64, ino: i64, …)` then as the `path_` call | the same on the file with device `dev` and inode `ino` (from a stat record): how `fstat`, `fchmod`, `fchown` and `futimens` reach a descriptor's file, which WASIX cannot name; `EBADF` for a device that is not one of the kernel's filesystems |
//! | `umask` | `(mask) -> old mask` | the process's file creation mask |
//! | `create_mode` | `(mode) -> errno` | the permission bits of the file or directory the caller's next open or mkdir creates (before the umask); -1 forgets them |
//! | `getuid`, `geteuid`, `getgid`, `getegid` | `() -> id` | the process's credentials |
//! | `getppid` | `() -> pid` | the parent's pid (WASIX's answers 0) |
//! | `proc_set_cmdline` | `(argv, argv_len) -> errno` | names the process in `/proc/<pid>/cmdline` (NUL-separated) |
//! | `kill` | `(pid, signal) -> errno` | Linux `kill`: `pid` > 0, 0 (own group), -1 (all others), < -1 (a group) |
//! | `setpgid` | `(pid, pgid) -> errno` | joins or makes a process group (job control) |
//! | `getpgid`, `getsid` | `(pid) -> id or -errno` | a process's group or session; `0` is the caller |
//! | `setsid` | `() -> sid or -errno` | makes the caller lead a new session |
//! | `tcgetpgrp` | `() -> pgid` | the terminal's foreground process group |
//! | `tcsetpgrp` | `(pgid) -> errno` | makes a group of the caller's session the foreground one |
//! | `exit_signal` | `(signal) -> errno` | records that the caller, about to exit, dies of `signal` |
//! | `wait_status` | `(pid, exit_code) -> status` | the Linux wait status of a child WASIX `proc_join` reported with `exit_code` |
//! | `sigignore_set` | `(mask: i64) -> errno` | the signals the caller ignores (bit `n - 1` for signal `n`), kept across exec |
//! | `sigignore_get` | `() -> mask: i64` | the same, as a new program starts |
//! | `signals_ready` | `(ready) -> epoch or -errno` | 1: the caller has registered its WASIX signal callback and hears (SIGURG through the callback) of signals held since its fork or exec; 0: it is about to exec, hold them |
//! | `signal_take` | `(epoch) -> mask: i64` | takes the caller's pending signals (bit `n - 1` for signal `n`) if `epoch` is its latest `signals_ready`; the kernel rings the callback with SIGURG when there are some |
//! | `signal_wait` | `(seen, timeout_ms) -> count` | blocks until the caller has received more than `seen` signals (or the timeout); `seen` -1 just reads the count |
//! | `signal_entry` | `() -> 1 or 0` | from the signal callback: 0 if the caller's stack is being unwound or rewound (asyncify), when the callback must return at once (the kernel rings again) |
//! | `signal_sender` | `(signal) -> pid` | the process that sent the caller `signal` last (0: the kernel or the host), for `si_pid` |
//! | `exec_park` | `() -> errno` | from the signal callback of an image waiting in `proc_exec` for its successor: parks its thread until the successor is done |
//! | `stop` | `(signal) -> errno` | the caller stops (a stop signal's default action) until SIGCONT or SIGKILL |
//! | `child_change` | `(pid, flags) -> status` | the wait status of child `pid`'s uncollected stop (`flags` bit 0) or continue (bit 1), taken; 0 if none |
//! | `sync` | `() -> errno` | commits every pending change of the persistent filesystem (`sync(2)`) |
//! | `sem_open` | `(name, name_len, flags, mode, value) -> handle or -errno` | opens the named semaphore `name` (POSIX `sem_open`; leading slashes dropped); `flags` bit 0 creates it if missing (`O_CREAT`) with `mode` (less the umask) and `value`, bit 1 fails if it exists (`O_EXCL`); the same semaphore opened again gives the same handle |
//! | `sem_close` | `(handle) -> errno` | closes one `sem_open` of the handle's semaphore |
//! | `sem_unlink` | `(name, name_len) -> errno` | removes a semaphore's name; those who have it open keep it |
//! | `sem_post` | `(handle) -> errno` | adds one to the value, waking a waiter; `EOVERFLOW` at `SEM_VALUE_MAX` |
//! | `sem_wait` | `(handle, timeout_ns: i64) -> errno` | takes one from the value, waiting while it is zero: for ever if `timeout_ns` is negative, else at most that long (`ETIMEDOUT`; 0 is `sem_trywait`); `EINTR` when a signal is pending for the caller, which takes it and waits again if no handler ran |
//! | `sem_getvalue` | `(handle) -> value or -errno` | the value |
//! | `io_errno` | `() -> errno` | the errno behind the caller's last EIO from a kernel file, which wasmer-wasix reported as EIO (ENOSPC of `/dev/full`, say), taken; 0 if none (see `lost_errno`) |
//!
//! Arguments are `i32` but for device and inode numbers (`i64`); pointers
//! are offsets in the caller's memory.
//! Errors are **Linux** errno values (not WASI's), 0 is success.
//! `follow` is 1 to follow a final symlink, 0 not to (`lstat`, `lchown`).
//!
//! Paths must be absolute: the caller joins a relative path to its working
//! directory (WASIX `getcwd`) first, since the descriptor table, and with it
//! the working directory, lives inside wasmer-wasix out of this module's
//! reach. The longest mount point that is a prefix of the path decides the
//! filesystem, which must be one of the kernel's own (`/`, `/tmp`); `/dev`
//! and `/proc` answer `EOPNOTSUPP`.
//!
//! The stat record, little-endian:
//! `dev u64, ino u64, mode u32, nlink u32, uid u32, gid u32, rdev u64,
//! size u64, blocks u64, atime (sec i64, nsec i64), mtime (…), ctime (…)`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use wasmer::{
    Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Memory, Module, StoreMut,
    TypedFunction,
};
use wasmer_wasix::runtime::{InstantiationHook, InstantiationState};
use wasmer_wasix::FsError;
use wasmux_vfs::{Cred, Errno, FileKind, Ino, SetAttr, SetTime, Stat, Timespec, Vfs};

use crate::mounts::MountTable;
use crate::process::{self, Pid, ProcessTable};
use crate::semaphore::{OpenRequest, Semaphore, SemaphoreNames};
use crate::vfs_adapter::SyncRequest;
use web_time::Instant;

/// The name programs import these functions from.
pub const MODULE: &str = "wasmux";

/// Size of the record `path_stat` writes.
pub const STAT_SIZE: usize = 104;

const EPERM: i32 = 1;
const EBADF: i32 = 9;
const ESRCH: i32 = 3;
const EFAULT: i32 = 14;
const EXDEV: i32 = 18;
const EINVAL: i32 = 22;
const EOPNOTSUPP: i32 = 95;

/// The filesystems the module acts on, by mount point: a vfs volume, or
/// `None` for a filesystem that is not ours (devices, `/proc`), where the
/// calls answer EOPNOTSUPP.
pub type Mounts = MountTable<Option<Vfs>>;

/// The volume an absolute path lies in, its device number, and the
/// (clean) path inside it.
fn locate<'m, 'p>(mounts: &'m Mounts, path: &'p [u8]) -> Result<(Volume<'m>, Cow<'p, [u8]>), i32> {
    if !path.starts_with(b"/") {
        return Err(EINVAL);
    }
    let located = mounts.split(path).ok_or(EOPNOTSUPP)?;
    let vfs = located.mounted.as_ref().ok_or(EOPNOTSUPP)?;
    let dev = located.index as u64 + 1;
    Ok((Volume { vfs, dev }, located.inner))
}

/// One of the kernel's filesystems and the device number `stat` gives its
/// files: one per mount (`/` and `/tmp` differ, as on Linux), so that a
/// device and an inode number name one file.
#[derive(Clone, Copy)]
struct Volume<'m> {
    vfs: &'m Vfs,
    dev: u64,
}

impl<'m> Volume<'m> {
    /// The volume with device number `dev`.
    fn of_dev(mounts: &'m Mounts, dev: u64) -> Result<Volume<'m>, i32> {
        let index = usize::try_from(dev.wrapping_sub(1)).map_err(|_| EBADF)?;
        match mounts.get(index) {
            Some(Some(vfs)) => Ok(Volume { vfs, dev }),
            _ => Err(EBADF),
        }
    }
}

/// What each instance's imports share.
#[derive(Debug)]
struct Context {
    mounts: Mounts,
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

/// The instantiation hook that provides module `wasmux` to every instance
/// that imports it.
#[derive(Debug)]
pub struct WasmuxImports {
    context: Arc<Context>,
}

impl WasmuxImports {
    pub fn new(
        mounts: Mounts,
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
        let env = FunctionEnv::new(
            store,
            InstanceEnv {
                context: self.context.clone(),
                memory: None,
                asyncify_state: None,
            },
        );
        let mut imports = Imports::new();
        // Each import under its name (most named after their function).
        macro_rules! define {
            ($($name:literal => $function:expr),* $(,)?) => {$(
                imports.define(MODULE, $name, Function::new_typed_with_env(store, &env, $function));
            )*};
        }
        define! {
            "path_stat" => path_stat,
            "path_chmod" => path_chmod,
            "path_chown" => path_chown,
            "path_utimes" => path_utimes,
            "inode_stat" => inode_stat,
            "inode_chmod" => inode_chmod,
            "inode_chown" => inode_chown,
            "inode_utimes" => inode_utimes,
            "path_link" => path_link,
            "path_mknod" => path_mknod,
            "umask" => umask,
            "create_mode" => create_mode,
            "getuid" => getuid,
            "geteuid" => getuid,
            "getgid" => getgid,
            "getegid" => getgid,
            "getppid" => getppid,
            "proc_set_cmdline" => proc_set_cmdline,
            "kill" => kill,
            "setpgid" => setpgid,
            "getpgid" => getpgid,
            "getsid" => getsid,
            "setsid" => setsid,
            "tcgetpgrp" => tcgetpgrp,
            "tcsetpgrp" => tcsetpgrp,
            "exit_signal" => exit_signal,
            "exit_code" => exit_code,
            "wait_status" => wait_status,
            "sigignore_set" => sigignore_set,
            "sigignore_get" => sigignore_get,
            "signals_ready" => signals_ready,
            "signal_wait" => signal_wait,
            "signal_take" => signal_take,
            "signal_entry" => signal_entry,
            "signal_sender" => signal_sender,
            "stop" => stop,
            "exec_park" => exec_park,
            "child_change" => child_change,
            "sync" => sync,
            "io_errno" => io_errno,
            "sem_open" => sem_open,
            "sem_close" => sem_close,
            "sem_unlink" => sem_unlink,
            "sem_post" => sem_post,
            "sem_wait" => sem_wait,
            "sem_getvalue" => sem_getvalue,
        }
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

/// The caller's credentials: its process's, or the table's default.
fn cred(ctx: &FunctionEnvMut<'_, InstanceEnv>) -> Cred {
    ctx.data().context.processes.caller_cred()
}

fn read_bytes(ctx: &FunctionEnvMut<'_, InstanceEnv>, ptr: i32, len: i32) -> Result<Vec<u8>, i32> {
    let memory = ctx.data().memory.as_ref().ok_or(EFAULT)?;
    let len = usize::try_from(len).map_err(|_| EINVAL)?;
    let mut buf = vec![0; len];
    memory
        .view(ctx)
        .read(ptr as u32 as u64, &mut buf)
        .map_err(|_| EFAULT)?;
    Ok(buf)
}

fn write_bytes(ctx: &FunctionEnvMut<'_, InstanceEnv>, ptr: i32, bytes: &[u8]) -> Result<(), i32> {
    let memory = ctx.data().memory.as_ref().ok_or(EFAULT)?;
    memory
        .view(ctx)
        .write(ptr as u32 as u64, bytes)
        .map_err(|_| EFAULT)
}

/// The file a call acts on: named by an absolute path in the caller's
/// memory, or by device and inode number (an open descriptor's file, which
/// the caller noted when it opened it: WASIX cannot name the file behind a
/// descriptor). Like Linux's `open_by_handle_at`, the second form skips the
/// search permission of the directories above the file; the permission
/// checks on the file itself still apply.
#[derive(Clone, Copy)]
enum Target {
    Path { path: i32, len: i32, follow: bool },
    Inode { dev: u64, ino: u64 },
}

/// Runs `f` on the file `target` names; returns 0 or an errno.
fn at_target(
    ctx: &FunctionEnvMut<'_, InstanceEnv>,
    target: Target,
    f: impl FnOnce(Volume<'_>, &Cred, Ino) -> Result<(), i32>,
) -> i32 {
    let result = (|| {
        let mounts = &ctx.data().context.mounts;
        let cred = cred(ctx);
        match target {
            Target::Path { path, len, follow } => {
                let path = read_bytes(ctx, path, len)?;
                let (volume, inner) = locate(mounts, &path)?;
                let ino = volume
                    .vfs
                    .resolve(&cred, Ino::ROOT, &inner, follow)
                    .map_err(|e: Errno| e.code())?;
                f(volume, &cred, ino)
            }
            Target::Inode { dev, ino } => f(Volume::of_dev(mounts, dev)?, &cred, Ino(ino)),
        }
    })();
    result.err().unwrap_or(0)
}

fn path(path: i32, len: i32, follow: i32) -> Target {
    Target::Path {
        path,
        len,
        follow: follow != 0,
    }
}

fn inode(dev: i64, ino: i64) -> Target {
    Target::Inode {
        dev: dev as u64,
        ino: ino as u64,
    }
}

fn encode_stat(dev: u64, st: &Stat) -> [u8; STAT_SIZE] {
    let mut out = [0u8; STAT_SIZE];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(&dev.to_le_bytes());
    put(&st.ino.0.to_le_bytes());
    put(&st.mode().to_le_bytes());
    put(&st.nlink.to_le_bytes());
    put(&st.uid.to_le_bytes());
    put(&st.gid.to_le_bytes());
    put(&st.rdev.to_le_bytes());
    put(&st.size.to_le_bytes());
    put(&st.blocks.to_le_bytes());
    for t in [st.atime, st.mtime, st.ctime] {
        put(&t.sec.to_le_bytes());
        put(&i64::from(t.nsec).to_le_bytes());
    }
    out
}

fn stat(ctx: &FunctionEnvMut<'_, InstanceEnv>, target: Target, out: i32) -> i32 {
    let mut record = None;
    let errno = at_target(ctx, target, |volume, _, ino| {
        let st = volume.vfs.stat(ino).map_err(|e| e.code())?;
        record = Some(encode_stat(volume.dev, &st));
        Ok(())
    });
    match record {
        Some(bytes) => write_bytes(ctx, out, &bytes).err().unwrap_or(0),
        None => errno,
    }
}

fn path_stat(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    at: i32,
    len: i32,
    follow: i32,
    out: i32,
) -> i32 {
    stat(&ctx, path(at, len, follow), out)
}

fn inode_stat(ctx: FunctionEnvMut<'_, InstanceEnv>, dev: i64, ino: i64, out: i32) -> i32 {
    stat(&ctx, inode(dev, ino), out)
}

/// Applies `attr` to the file `target` names: chmod, chown, utimes.
fn set_attr(ctx: &FunctionEnvMut<'_, InstanceEnv>, target: Target, attr: &SetAttr) -> i32 {
    at_target(ctx, target, |volume, cred, ino| {
        volume
            .vfs
            .setattr(cred, ino, attr)
            .map(drop)
            .map_err(|e| e.code())
    })
}

fn chmod_attr(mode: i32) -> SetAttr {
    SetAttr {
        perm: Some(mode as u32 & 0o7777),
        ..SetAttr::default()
    }
}

fn chown_attr(uid: i32, gid: i32) -> SetAttr {
    SetAttr {
        uid: (uid != -1).then_some(uid as u32),
        gid: (gid != -1).then_some(gid as u32),
        ..SetAttr::default()
    }
}

fn path_chmod(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    at: i32,
    len: i32,
    mode: i32,
    follow: i32,
) -> i32 {
    set_attr(&ctx, path(at, len, follow), &chmod_attr(mode))
}

fn inode_chmod(ctx: FunctionEnvMut<'_, InstanceEnv>, dev: i64, ino: i64, mode: i32) -> i32 {
    set_attr(&ctx, inode(dev, ino), &chmod_attr(mode))
}

fn path_chown(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    at: i32,
    len: i32,
    uid: i32,
    gid: i32,
    follow: i32,
) -> i32 {
    set_attr(&ctx, path(at, len, follow), &chown_attr(uid, gid))
}

fn inode_chown(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    dev: i64,
    ino: i64,
    uid: i32,
    gid: i32,
) -> i32 {
    set_attr(&ctx, inode(dev, ino), &chown_attr(uid, gid))
}

fn path_link(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    old: i32,
    old_len: i32,
    new: i32,
    new_len: i32,
) -> i32 {
    let result = (|| {
        let old = read_bytes(&ctx, old, old_len)?;
        let new = read_bytes(&ctx, new, new_len)?;
        let mounts = &ctx.data().context.mounts;
        // Across mount points (from /proc, say) EXDEV, as on Linux, before
        // asking whether the filesystem is one of the kernel's.
        let mount_of = |path: &[u8]| mounts.split(path).map(|located| located.index);
        if mount_of(&old) != mount_of(&new) {
            return Err(EXDEV);
        }
        let (volume, old_inner) = locate(mounts, &old)?;
        let (_, new_inner) = locate(mounts, &new)?;
        let vfs = volume.vfs;
        let cred = cred(&ctx);
        let ino = vfs
            .resolve(&cred, Ino::ROOT, &old_inner, false)
            .map_err(|e| e.code())?;
        let parent = vfs
            .resolve_parent(&cred, Ino::ROOT, &new_inner)
            .map_err(|e| e.code())?;
        vfs.link(&cred, ino, parent.dir, &parent.name)
            .map_err(|e| e.code())
    })();
    result.err().unwrap_or(0)
}

/// mknod(2) of a FIFO or a regular file; device nodes and sockets need
/// what no process here has (EPERM, as for an unprivileged Linux user).
fn path_mknod(ctx: FunctionEnvMut<'_, InstanceEnv>, path: i32, path_len: i32, mode: i32) -> i32 {
    const S_IFMT: u32 = 0o170000;
    let kind = match mode as u32 & S_IFMT {
        0 | 0o100000 => FileKind::Regular,
        0o010000 => FileKind::Fifo,
        _ => return EPERM,
    };
    let result = (|| {
        let path = read_bytes(&ctx, path, path_len)?;
        let (volume, inner) = locate(&ctx.data().context.mounts, &path)?;
        let vfs = volume.vfs;
        let cred = cred(&ctx);
        let at = vfs
            .resolve_parent(&cred, Ino::ROOT, &inner)
            .map_err(|e| e.code())?;
        vfs.mknod(&cred, at.dir, &at.name, kind, mode as u32 & 0o7777, 0)
            .map(drop)
            .map_err(|e| e.code())
    })();
    result.err().unwrap_or(0)
}

/// Linux's `UTIME_NOW` and `UTIME_OMIT`, in a timespec's nanoseconds.
const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

/// The access and modification times `times` points to (two `(sec i64,
/// nsec i64)` pairs, `UTIME_NOW`/`UTIME_OMIT` as on Linux), or now for both
/// when `times` is 0.
fn utimes_attr(ctx: &FunctionEnvMut<'_, InstanceEnv>, times: i32) -> Result<SetAttr, i32> {
    let times = if times == 0 {
        [SetTime::Now, SetTime::Now]
    } else {
        let raw = read_bytes(ctx, times, 32)?;
        let field = |at: usize| i64::from_le_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
        let mut parsed = [SetTime::Omit, SetTime::Omit];
        for (i, time) in parsed.iter_mut().enumerate() {
            let (sec, nsec) = (field(16 * i), field(16 * i + 8));
            *time = match nsec {
                UTIME_NOW => SetTime::Now,
                UTIME_OMIT => SetTime::Omit,
                0..=999_999_999 => SetTime::At(Timespec {
                    sec,
                    nsec: nsec as u32,
                }),
                _ => return Err(Errno::Inval.code()),
            };
        }
        parsed
    };
    let [atime, mtime] = times;
    Ok(SetAttr {
        atime: Some(atime),
        mtime: Some(mtime),
        ..SetAttr::default()
    })
}

fn path_utimes(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    at: i32,
    len: i32,
    times: i32,
    follow: i32,
) -> i32 {
    match utimes_attr(&ctx, times) {
        Ok(attr) => set_attr(&ctx, path(at, len, follow), &attr),
        Err(errno) => errno,
    }
}

fn inode_utimes(ctx: FunctionEnvMut<'_, InstanceEnv>, dev: i64, ino: i64, times: i32) -> i32 {
    match utimes_attr(&ctx, times) {
        Ok(attr) => set_attr(&ctx, inode(dev, ino), &attr),
        Err(errno) => errno,
    }
}

fn sync(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    match &ctx.data().context.syncer {
        Some(syncer) => match syncer.sync() {
            Ok(()) => 0,
            Err(error) => {
                tracing::warn!(%error, "sync failed");
                match error {
                    FsError::StorageFull => Errno::NoSpc.code(),
                    _ => Errno::Io.code(),
                }
            }
        },
        None => 0,
    }
}

fn io_errno(_ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    crate::lost_errno::take()
}

fn umask(ctx: FunctionEnvMut<'_, InstanceEnv>, mask: i32) -> i32 {
    match process::current() {
        Some(record) => record.set_umask(mask as u32) as i32,
        None => cred(&ctx).umask as i32,
    }
}

fn create_mode(_ctx: FunctionEnvMut<'_, InstanceEnv>, mode: i32) -> i32 {
    if let Some(record) = process::current() {
        record.set_create_mode(u32::try_from(mode).ok());
    }
    0
}

fn getuid(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    cred(&ctx).uid as i32
}

fn getgid(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    cred(&ctx).gid as i32
}

fn getppid(_ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    process::current().map_or(0, |r| r.ppid as i32)
}

fn proc_set_cmdline(ctx: FunctionEnvMut<'_, InstanceEnv>, argv: i32, argv_len: i32) -> i32 {
    let bytes = match read_bytes(&ctx, argv, argv_len) {
        Ok(b) => b,
        Err(errno) => return errno,
    };
    let Some(record) = process::current() else {
        return 0;
    };
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(&bytes);
    record.set_argv(
        bytes
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    );
    0
}

/// The calling process's record, or ESRCH for a caller that is not one.
fn caller() -> Result<Arc<process::ProcessRecord>, i32> {
    process::current().ok_or(ESRCH)
}

/// A signal number from the guest: 0..=31.
fn signal_number(signal: i32) -> Result<u8, i32> {
    u8::try_from(signal).ok().filter(|&s| s <= 31).ok_or(EINVAL)
}

fn errno_of(result: Result<(), i32>) -> i32 {
    result.err().unwrap_or(0)
}

/// An id, or minus the errno.
fn id_or_errno(result: Result<Pid, i32>) -> i32 {
    result.map_or_else(|errno| -errno, |id| id as i32)
}

fn kill(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32, signal: i32) -> i32 {
    errno_of((|| {
        let caller = caller()?;
        let signal = signal_number(signal)?;
        let table = &ctx.data().context.processes;
        table.kill_as(&caller, pid, signal).map_err(|e| e.errno())
    })())
}

fn setpgid(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32, pgid: i32) -> i32 {
    errno_of((|| {
        let (pid, pgid) = (
            pid.try_into().map_err(|_| EINVAL)?,
            pgid.try_into().map_err(|_| EINVAL)?,
        );
        let table = &ctx.data().context.processes;
        table
            .set_pgid(&*caller()?, pid, pgid)
            .map_err(|e| e.errno())
    })())
}

/// The record of `pid`, `0` meaning the caller.
fn record_of(
    ctx: &FunctionEnvMut<'_, InstanceEnv>,
    pid: i32,
) -> Result<Arc<process::ProcessRecord>, i32> {
    match pid {
        0 => caller(),
        p if p < 0 => Err(ESRCH),
        p => ctx.data().context.processes.get(p as Pid).ok_or(ESRCH),
    }
}

/// The group and session of `pid` (`0`: the caller), a zombie's included.
fn ids_of(ctx: &FunctionEnvMut<'_, InstanceEnv>, pid: i32) -> Result<(Pid, Pid), i32> {
    match record_of(ctx, pid) {
        Ok(record) => Ok((record.pgid(), record.sid())),
        Err(e) if pid > 0 => ctx.data().context.processes.zombie_ids(pid as Pid).ok_or(e),
        Err(e) => Err(e),
    }
}

fn getpgid(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32) -> i32 {
    id_or_errno(ids_of(&ctx, pid).map(|(pgid, _)| pgid))
}

fn getsid(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32) -> i32 {
    id_or_errno(ids_of(&ctx, pid).map(|(_, sid)| sid))
}

fn setsid(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    let table = &ctx.data().context.processes;
    id_or_errno(caller().and_then(|c| table.set_sid(&c).map_err(|e| e.errno())))
}

fn tcgetpgrp(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    let table = &ctx.data().context.processes;
    id_or_errno(caller().map(|c| table.foreground(&c)))
}

fn tcsetpgrp(ctx: FunctionEnvMut<'_, InstanceEnv>, pgid: i32) -> i32 {
    errno_of((|| {
        let pgid = pgid.try_into().map_err(|_| EINVAL)?;
        let table = &ctx.data().context.processes;
        table
            .set_foreground(&*caller()?, pgid)
            .map_err(|e| e.errno())
    })())
}

fn exit_signal(ctx: FunctionEnvMut<'_, InstanceEnv>, signal: i32) -> i32 {
    errno_of((|| {
        let (caller, signal) = (caller()?, signal_number(signal)?);
        ctx.data()
            .context
            .processes
            .record_death(caller.pid, signal);
        Ok(())
    })())
}

/// The caller is about to exit with `code` (WASIX would pass a parent only
/// codes up to 78: the rest become 79).
fn exit_code(ctx: FunctionEnvMut<'_, InstanceEnv>, code: i32) -> i32 {
    errno_of(caller().map(|caller| {
        ctx.data()
            .context
            .processes
            .record_exit(caller.pid, code as u8)
    }))
}

fn wait_status(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32, exit_code: i32) -> i32 {
    let table = &ctx.data().context.processes;
    match table.collect_status(pid as Pid) {
        (Some(signal), _) => i32::from(signal),
        (None, Some(code)) => i32::from(code) << 8,
        (None, None) => (exit_code & 0xff) << 8,
    }
}

fn sigignore_set(_ctx: FunctionEnvMut<'_, InstanceEnv>, mask: i64) -> i32 {
    errno_of(caller().map(|c| c.set_ignored_signals(mask as u64)))
}

fn sigignore_get(_ctx: FunctionEnvMut<'_, InstanceEnv>) -> i64 {
    caller().map_or(0, |c| c.ignored_signals() as i64)
}

fn signals_ready(ctx: FunctionEnvMut<'_, InstanceEnv>, ready: i32) -> i32 {
    let table = &ctx.data().context.processes;
    id_or_errno(caller().map(|c| table.set_signals_ready(&c, ready != 0)))
}

fn signal_wait(_ctx: FunctionEnvMut<'_, InstanceEnv>, seen: i32, timeout_ms: i32) -> i32 {
    let Ok(caller) = caller() else {
        return 0;
    };
    let timeout = match seen {
        -1 => Duration::ZERO,
        _ => Duration::from_millis(timeout_ms.max(0) as u64),
    };
    caller.wait_for_signal(seen as u32, timeout) as i32
}

fn signal_take(ctx: FunctionEnvMut<'_, InstanceEnv>, epoch: i32) -> i64 {
    let table = &ctx.data().context.processes;
    caller().map_or(0, |c| table.take_pending(&c, epoch as u32) as i64)
}

/// The caller applies a stop signal's default action: it stops until
/// SIGCONT (or a signal that kills it).
fn stop(ctx: FunctionEnvMut<'_, InstanceEnv>, signal: i32) -> i32 {
    errno_of((|| {
        let (caller, signal) = (caller()?, signal_number(signal)?);
        ctx.data().context.processes.stop(&caller, signal);
        Ok(())
    })())
}

/// Whether the caller's signal callback may run now: not while asyncify
/// unwinds or rewinds its stack. wasmer-wasix calls the callback at the
/// start of `proc_fork` before it finishes rewinding a forked parent, where
/// instrumented code would misread its own stack; the doorbell is then rung
/// again for the next syscall.
fn signal_entry(mut ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    let Some(state) = ctx.data().asyncify_state.clone() else {
        return 1;
    };
    if state.call(&mut ctx).unwrap_or(0) == 0 {
        return 1;
    }
    if let Ok(caller) = caller() {
        tracing::debug!(pid = caller.pid, "signal callback during unwind or rewind");
        ProcessTable::ring(&caller);
    }
    0
}

fn signal_sender(_ctx: FunctionEnvMut<'_, InstanceEnv>, signal: i32) -> i32 {
    match (caller(), u8::try_from(signal)) {
        (Ok(caller), Ok(signal)) => ProcessTable::sender(&caller, signal) as i32,
        _ => 0,
    }
}

/// An image that exec'd a successor waits for it here, out of the way of
/// the successor's signals.
fn exec_park(ctx: FunctionEnvMut<'_, InstanceEnv>) -> i32 {
    let table = &ctx.data().context.processes;
    errno_of(caller().map(|c| table.park_in_exec(&c)))
}

/// The wait status of child `pid`'s uncollected stop (`flags` bit 0,
/// WUNTRACED) or continue (bit 1, WCONTINUED), taking it; 0 if none.
fn child_change(ctx: FunctionEnvMut<'_, InstanceEnv>, pid: i32, flags: i32) -> i32 {
    let Ok(caller) = caller() else {
        return 0;
    };
    let table = &ctx.data().context.processes;
    table
        .take_change(&caller, pid as Pid, flags & 1 != 0, flags & 2 != 0)
        .map_or(0, process::JobChange::wait_status)
}

/// `sem_open`'s `flags`: create a missing semaphore (`O_CREAT`), and fail
/// on an existing one (`O_EXCL`).
const SEM_CREATE: i32 = 1;
const SEM_EXCLUSIVE: i32 = 2;

/// How much of a semaphore's name `sem_open` and `sem_unlink` read: more
/// than any valid name, so a longer one is still seen to be too long.
const SEM_NAME_READ_MAX: i32 = 4096;

fn semaphore_name(
    ctx: &FunctionEnvMut<'_, InstanceEnv>,
    name: i32,
    len: i32,
) -> Result<Vec<u8>, i32> {
    read_bytes(ctx, name, len.min(SEM_NAME_READ_MAX))
}

fn sem_open(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    name: i32,
    name_len: i32,
    flags: i32,
    mode: i32,
    value: i32,
) -> i32 {
    id_or_errno((|| {
        let caller = caller()?;
        let name = semaphore_name(&ctx, name, name_len)?;
        let request = OpenRequest {
            create: flags & SEM_CREATE != 0,
            exclusive: flags & SEM_EXCLUSIVE != 0,
            mode: mode as u32,
            value: value as u32,
        };
        let names = &ctx.data().context.semaphores;
        let semaphore = names
            .open(&name, request, &caller.cred())
            .map_err(|e| e.errno())?;
        caller
            .semaphores(|open| open.insert(semaphore))
            .map_err(|e| e.errno())
    })())
}

fn sem_close(_ctx: FunctionEnvMut<'_, InstanceEnv>, handle: i32) -> i32 {
    errno_of(caller().and_then(|c| {
        c.semaphores(|open| open.close(handle as u32))
            .map_err(|e| e.errno())
    }))
}

fn sem_unlink(ctx: FunctionEnvMut<'_, InstanceEnv>, name: i32, name_len: i32) -> i32 {
    errno_of((|| {
        let caller = caller()?;
        let name = semaphore_name(&ctx, name, name_len)?;
        let names = &ctx.data().context.semaphores;
        names.unlink(&name, &caller.cred()).map_err(|e| e.errno())
    })())
}

/// The caller's semaphore with this handle.
fn open_semaphore(handle: i32) -> Result<(Arc<process::ProcessRecord>, Arc<Semaphore>), i32> {
    let caller = caller()?;
    let semaphore = caller
        .semaphores(|open| open.get(handle as u32))
        .map_err(|e| e.errno())?;
    Ok((caller, semaphore))
}

fn sem_post(_ctx: FunctionEnvMut<'_, InstanceEnv>, handle: i32) -> i32 {
    errno_of(open_semaphore(handle).and_then(|(_, s)| s.post().map_err(|e| e.errno())))
}

fn sem_wait(_ctx: FunctionEnvMut<'_, InstanceEnv>, handle: i32, timeout_ns: i64) -> i32 {
    errno_of((|| {
        let (caller, semaphore) = open_semaphore(handle)?;
        // A timeout too far to represent is none.
        let deadline = u64::try_from(timeout_ns)
            .ok()
            .and_then(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
        let interrupted = || caller.has_signals_to_take() || caller.is_killed();
        semaphore.wait(deadline, interrupted).map_err(|e| e.errno())
    })())
}

fn sem_getvalue(_ctx: FunctionEnvMut<'_, InstanceEnv>, handle: i32) -> i32 {
    id_or_errno(open_semaphore(handle).map(|(_, s)| s.get()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmux_vfs::SystemClock;

    #[test]
    fn paths_go_to_the_longest_mount_point() {
        let root = Vfs::new(Arc::new(SystemClock));
        let tmp = Vfs::new(Arc::new(SystemClock));
        let mounts = Mounts::new(vec![
            ("/".into(), Some(root)),
            ("/tmp".into(), Some(tmp)),
            ("/dev".into(), None),
            ("/proc".into(), None),
        ]);
        let inner = |path: &[u8]| locate(&mounts, path).map(|(_, inner)| inner.into_owned());
        let dev = |path: &[u8]| locate(&mounts, path).map(|(volume, _)| volume.dev).unwrap();
        assert_ne!(
            dev(b"/etc"),
            dev(b"/tmp/x"),
            "each volume has its own device number"
        );
        assert_eq!(dev(b"/tmp"), dev(b"/tmp/x"));
        for path in [&b"/etc"[..], b"/tmp/x"] {
            let volume = Volume::of_dev(&mounts, dev(path)).unwrap();
            assert!(std::ptr::eq(
                volume.vfs,
                locate(&mounts, path).unwrap().0.vfs
            ));
        }
        assert_eq!(Volume::of_dev(&mounts, 0).err(), Some(EBADF));
        assert_eq!(Volume::of_dev(&mounts, 99).err(), Some(EBADF));
        assert_eq!(inner(b"/etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/tmp/x").unwrap(), b"/x");
        assert_eq!(inner(b"/tmp").unwrap(), b"/");
        assert_eq!(inner(b"/tmpfile").unwrap(), b"/tmpfile");
        assert_eq!(inner(b"/tmp/../etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/dev/null").err(), Some(EOPNOTSUPP));
        assert_eq!(inner(b"relative").err(), Some(EINVAL));
    }
}
