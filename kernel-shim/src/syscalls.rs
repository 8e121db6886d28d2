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
//! | `umask` | `(mask) -> old mask` | the process's file creation mask |
//! | `getuid`, `geteuid`, `getgid`, `getegid` | `() -> id` | the process's credentials |
//! | `getppid` | `() -> pid` | the parent's pid (WASIX's answers 0) |
//! | `proc_set_cmdline` | `(argv, argv_len) -> errno` | names the process in `/proc/<pid>/cmdline` (NUL-separated) |
//!
//! All arguments are `i32`; pointers are offsets in the caller's memory.
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

use wasmer::{Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Memory, Module, StoreMut};
use wasmer_wasix::runtime::{InstantiationHook, InstantiationState};
use wasmux_vfs::{Cred, Errno, Ino, SetAttr, Stat, Vfs};

use crate::mounts::MountTable;
use crate::process::{self, ProcessTable};

/// The name programs import these functions from.
pub const MODULE: &str = "wasmux";

/// Size of the record `path_stat` writes.
pub const STAT_SIZE: usize = 104;

const EFAULT: i32 = 14;
const EINVAL: i32 = 22;
const EOPNOTSUPP: i32 = 95;

/// The filesystems the module acts on, by mount point: a vfs volume, or
/// `None` for a filesystem that is not ours (devices, `/proc`), where the
/// calls answer EOPNOTSUPP.
pub type Mounts = MountTable<Option<Vfs>>;

/// The volume an absolute path lies in, and the (clean) path inside it.
fn locate<'m, 'p>(mounts: &'m Mounts, path: &'p [u8]) -> Result<(&'m Vfs, Cow<'p, [u8]>), i32> {
    if !path.starts_with(b"/") {
        return Err(EINVAL);
    }
    let located = mounts.split(path).ok_or(EOPNOTSUPP)?;
    let vfs = located.mounted.as_ref().ok_or(EOPNOTSUPP)?;
    Ok((vfs, located.inner))
}

/// What each instance's imports share.
#[derive(Debug)]
struct Context {
    mounts: Mounts,
    processes: Arc<ProcessTable>,
}

/// One instance's view: the shared context and, once instantiated, its memory.
#[derive(Debug)]
struct InstanceEnv {
    context: Arc<Context>,
    memory: Option<Memory>,
}

/// The instantiation hook that provides module `wasmux` to every instance
/// that imports it.
#[derive(Debug)]
pub struct WasmuxImports {
    context: Arc<Context>,
}

impl WasmuxImports {
    pub fn new(mounts: Mounts, processes: Arc<ProcessTable>) -> WasmuxImports {
        WasmuxImports {
            context: Arc::new(Context { mounts, processes }),
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
            },
        );
        let mut imports = Imports::new();
        let mut define = |name: &str, f: Function| imports.define(MODULE, name, f);
        define(
            "path_stat",
            Function::new_typed_with_env(store, &env, path_stat),
        );
        define(
            "path_chmod",
            Function::new_typed_with_env(store, &env, path_chmod),
        );
        define(
            "path_chown",
            Function::new_typed_with_env(store, &env, path_chown),
        );
        define("umask", Function::new_typed_with_env(store, &env, umask));
        define("getuid", Function::new_typed_with_env(store, &env, getuid));
        define("geteuid", Function::new_typed_with_env(store, &env, getuid));
        define("getgid", Function::new_typed_with_env(store, &env, getgid));
        define("getegid", Function::new_typed_with_env(store, &env, getgid));
        define(
            "getppid",
            Function::new_typed_with_env(store, &env, getppid),
        );
        define(
            "proc_set_cmdline",
            Function::new_typed_with_env(store, &env, proc_set_cmdline),
        );
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
        env.as_mut(store).memory = Some(memory);
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

/// Runs `f` on the inode an absolute path names; returns 0 or an errno.
fn at_path(
    ctx: &FunctionEnvMut<'_, InstanceEnv>,
    path: i32,
    path_len: i32,
    follow: i32,
    f: impl FnOnce(&Vfs, &Cred, Ino) -> Result<(), i32>,
) -> i32 {
    let result = (|| {
        let path = read_bytes(ctx, path, path_len)?;
        let (vfs, inner) = locate(&ctx.data().context.mounts, &path)?;
        let cred = cred(ctx);
        let ino = vfs
            .resolve(&cred, Ino::ROOT, &inner, follow != 0)
            .map_err(|e: Errno| e.code())?;
        f(vfs, &cred, ino)
    })();
    result.err().unwrap_or(0)
}

fn encode_stat(st: &Stat) -> [u8; STAT_SIZE] {
    let mut out = [0u8; STAT_SIZE];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(&1u64.to_le_bytes()); // dev: one device for the kernel's filesystems
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

fn path_stat(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    path: i32,
    path_len: i32,
    follow: i32,
    out: i32,
) -> i32 {
    let mut record = None;
    let errno = at_path(&ctx, path, path_len, follow, |vfs, _, ino| {
        record = Some(encode_stat(&vfs.stat(ino).map_err(|e| e.code())?));
        Ok(())
    });
    match record {
        Some(bytes) => write_bytes(&ctx, out, &bytes).err().unwrap_or(0),
        None => errno,
    }
}

fn path_chmod(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    path: i32,
    path_len: i32,
    mode: i32,
    follow: i32,
) -> i32 {
    at_path(&ctx, path, path_len, follow, |vfs, cred, ino| {
        let attr = SetAttr {
            perm: Some(mode as u32 & 0o7777),
            ..SetAttr::default()
        };
        vfs.setattr(cred, ino, &attr)
            .map(drop)
            .map_err(|e| e.code())
    })
}

fn path_chown(
    ctx: FunctionEnvMut<'_, InstanceEnv>,
    path: i32,
    path_len: i32,
    uid: i32,
    gid: i32,
    follow: i32,
) -> i32 {
    at_path(&ctx, path, path_len, follow, |vfs, cred, ino| {
        let attr = SetAttr {
            uid: (uid != -1).then_some(uid as u32),
            gid: (gid != -1).then_some(gid as u32),
            ..SetAttr::default()
        };
        vfs.setattr(cred, ino, &attr)
            .map(drop)
            .map_err(|e| e.code())
    })
}

fn umask(ctx: FunctionEnvMut<'_, InstanceEnv>, mask: i32) -> i32 {
    match process::current() {
        Some(record) => record.set_umask(mask as u32) as i32,
        None => cred(&ctx).umask as i32,
    }
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
        assert_eq!(inner(b"/etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/tmp/x").unwrap(), b"/x");
        assert_eq!(inner(b"/tmp").unwrap(), b"/");
        assert_eq!(inner(b"/tmpfile").unwrap(), b"/tmpfile");
        assert_eq!(inner(b"/tmp/../etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/dev/null").err(), Some(EOPNOTSUPP));
        assert_eq!(inner(b"relative").err(), Some(EINVAL));
    }
}
