//! Files: the metadata WASI has no call for (modes, owners, times, links,
//! FIFOs), by absolute path or by device and inode number; the creation
//! mask; `sync`; and the errno wasmer-wasix blurred.
//!
//! The stat record [`STAT_SIZE`] bytes long, little-endian:
//! `dev u64, ino u64, mode u32, nlink u32, uid u32, gid u32, rdev u64,
//! size u64, blocks u64, atime (sec i64, nsec i64), mtime (…), ctime (…)`.

use std::borrow::Cow;

use wasmux_vfs::{Cred, Errno, FileKind, Ino, SetAttr, SetTime, Stat, Timespec, Vfs};

use super::{caller, cred, read_bytes, write_bytes, Caller};
use crate::mounts::Mounts;

/// Size of the record `path_stat` writes.
pub const STAT_SIZE: usize = 104;

/// Linux's `UTIME_NOW` and `UTIME_OMIT`, in a timespec's nanoseconds.
const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

/// One of the kernel's volumes and the device number `stat` gives its
/// files: one per mount (`/` and `/tmp` differ, as on Linux), so that a
/// device and an inode number name one file.
#[derive(Clone, Copy)]
struct Volume<'m> {
    vfs: &'m Vfs,
    dev: u64,
}

impl<'m> Volume<'m> {
    /// The volume an absolute path lies in, and the (clean) path inside it.
    fn locate<'p>(
        mounts: &'m Mounts,
        path: &'p [u8],
    ) -> Result<(Volume<'m>, Cow<'p, [u8]>), Errno> {
        if !path.starts_with(b"/") {
            return Err(Errno::Inval);
        }
        let located = mounts.split(path).ok_or(Errno::OpNotSupp)?;
        let vfs = located.mounted.volume.as_ref().ok_or(Errno::OpNotSupp)?;
        let dev = located.index as u64 + 1;
        Ok((Volume { vfs, dev }, located.inner))
    }

    /// The volume with device number `dev`.
    fn of_dev(mounts: &'m Mounts, dev: u64) -> Result<Volume<'m>, Errno> {
        let index = usize::try_from(dev.wrapping_sub(1)).map_err(|_| Errno::BadF)?;
        match mounts.get(index).and_then(|m| m.volume.as_ref()) {
            Some(vfs) => Ok(Volume { vfs, dev }),
            None => Err(Errno::BadF),
        }
    }
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

/// Runs `f` on the file `target` names, as the caller.
fn at_target<T>(
    ctx: &Caller<'_>,
    target: Target,
    f: impl FnOnce(Volume<'_>, &Cred, Ino) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let mounts = &ctx.data().context.mounts;
    let cred = cred()?;
    match target {
        Target::Path { path, len, follow } => {
            let path = read_bytes(ctx, path, len)?;
            let (volume, inner) = Volume::locate(mounts, &path)?;
            let ino = volume.vfs.resolve(&cred, Ino::ROOT, &inner, follow)?;
            f(volume, &cred, ino)
        }
        Target::Inode { dev, ino } => f(Volume::of_dev(mounts, dev)?, &cred, Ino(ino)),
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

fn stat(ctx: &Caller<'_>, target: Target, out: i32) -> Result<(), Errno> {
    let record = at_target(ctx, target, |volume, _, ino| {
        Ok(encode_stat(volume.dev, &volume.vfs.stat(ino)?))
    })?;
    write_bytes(ctx, out, &record)
}

pub(super) fn path_stat(
    ctx: Caller<'_>,
    at: i32,
    len: i32,
    follow: i32,
    out: i32,
) -> Result<(), Errno> {
    stat(&ctx, path(at, len, follow), out)
}

pub(super) fn inode_stat(ctx: Caller<'_>, dev: i64, ino: i64, out: i32) -> Result<(), Errno> {
    stat(&ctx, inode(dev, ino), out)
}

/// Applies `attr` to the file `target` names: chmod, chown, utimes.
fn set_attr(ctx: &Caller<'_>, target: Target, attr: &SetAttr) -> Result<(), Errno> {
    at_target(ctx, target, |volume, cred, ino| {
        volume.vfs.setattr(cred, ino, attr).map(drop)
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

pub(super) fn path_chmod(
    ctx: Caller<'_>,
    at: i32,
    len: i32,
    mode: i32,
    follow: i32,
) -> Result<(), Errno> {
    set_attr(&ctx, path(at, len, follow), &chmod_attr(mode))
}

pub(super) fn inode_chmod(ctx: Caller<'_>, dev: i64, ino: i64, mode: i32) -> Result<(), Errno> {
    set_attr(&ctx, inode(dev, ino), &chmod_attr(mode))
}

pub(super) fn path_chown(
    ctx: Caller<'_>,
    at: i32,
    len: i32,
    uid: i32,
    gid: i32,
    follow: i32,
) -> Result<(), Errno> {
    set_attr(&ctx, path(at, len, follow), &chown_attr(uid, gid))
}

pub(super) fn inode_chown(
    ctx: Caller<'_>,
    dev: i64,
    ino: i64,
    uid: i32,
    gid: i32,
) -> Result<(), Errno> {
    set_attr(&ctx, inode(dev, ino), &chown_attr(uid, gid))
}

/// The access and modification times `times` points to (two `(sec i64,
/// nsec i64)` pairs, `UTIME_NOW`/`UTIME_OMIT` as on Linux), or now for both
/// when `times` is 0.
fn utimes_attr(ctx: &Caller<'_>, times: i32) -> Result<SetAttr, Errno> {
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
                _ => return Err(Errno::Inval),
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

pub(super) fn path_utimes(
    ctx: Caller<'_>,
    at: i32,
    len: i32,
    times: i32,
    follow: i32,
) -> Result<(), Errno> {
    let attr = utimes_attr(&ctx, times)?;
    set_attr(&ctx, path(at, len, follow), &attr)
}

pub(super) fn inode_utimes(ctx: Caller<'_>, dev: i64, ino: i64, times: i32) -> Result<(), Errno> {
    let attr = utimes_attr(&ctx, times)?;
    set_attr(&ctx, inode(dev, ino), &attr)
}

pub(super) fn path_link(
    ctx: Caller<'_>,
    old: i32,
    old_len: i32,
    new: i32,
    new_len: i32,
) -> Result<(), Errno> {
    let old = read_bytes(&ctx, old, old_len)?;
    let new = read_bytes(&ctx, new, new_len)?;
    let mounts = &ctx.data().context.mounts;
    // Across mount points (from /proc, say) EXDEV, as on Linux, before
    // asking whether the filesystem is one of the kernel's.
    let mount_of = |path: &[u8]| mounts.split(path).map(|located| located.index);
    if mount_of(&old) != mount_of(&new) {
        return Err(Errno::XDev);
    }
    let (volume, old_inner) = Volume::locate(mounts, &old)?;
    let (_, new_inner) = Volume::locate(mounts, &new)?;
    let (vfs, cred) = (volume.vfs, cred()?);
    let ino = vfs.resolve(&cred, Ino::ROOT, &old_inner, false)?;
    let parent = vfs.resolve_parent(&cred, Ino::ROOT, &new_inner)?;
    vfs.link(&cred, ino, parent.dir, &parent.name)
}

/// mknod(2) of a FIFO or a regular file; device nodes and sockets need
/// what no process here has (EPERM, as for an unprivileged Linux user).
pub(super) fn path_mknod(
    ctx: Caller<'_>,
    path: i32,
    path_len: i32,
    mode: i32,
) -> Result<(), Errno> {
    const S_IFMT: u32 = 0o170000;
    let kind = match mode as u32 & S_IFMT {
        0 | 0o100000 => FileKind::Regular,
        0o010000 => FileKind::Fifo,
        _ => return Err(Errno::Perm),
    };
    let path = read_bytes(&ctx, path, path_len)?;
    let (volume, inner) = Volume::locate(&ctx.data().context.mounts, &path)?;
    let (vfs, cred) = (volume.vfs, cred()?);
    let at = vfs.resolve_parent(&cred, Ino::ROOT, &inner)?;
    vfs.mknod(&cred, at.dir, &at.name, kind, mode as u32 & 0o7777, 0)
        .map(drop)
}

pub(super) fn umask(_ctx: Caller<'_>, mask: i32) -> i32 {
    caller().map_or(0, |record| record.set_umask(mask as u32) as i32)
}

pub(super) fn create_mode(_ctx: Caller<'_>, mode: i32) -> Result<(), Errno> {
    caller()?.set_create_mode(u32::try_from(mode).ok());
    Ok(())
}

pub(super) fn sync(ctx: Caller<'_>) -> Result<(), Errno> {
    match &ctx.data().context.syncer {
        Some(syncer) => syncer.sync().inspect_err(|error| {
            tracing::warn!(%error, "sync failed");
        }),
        None => Ok(()),
    }
}

pub(super) fn io_errno(_ctx: Caller<'_>) -> i32 {
    crate::lost_errno::take().map_or(0, Errno::code)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wasmux_vfs::SystemClock;

    use super::*;
    use crate::mounts::{Mount, MountTable};

    #[test]
    fn paths_go_to_the_longest_mount_point() {
        let volume = |vfs: Vfs| Mount {
            fs: Arc::new(virtual_fs::mem_fs::FileSystem::default()),
            volume: Some(vfs),
            listed_as: None,
        };
        let other = || Mount {
            volume: None,
            ..volume(Vfs::new(Arc::new(SystemClock)))
        };
        let mounts = MountTable::new(vec![
            ("/".into(), volume(Vfs::new(Arc::new(SystemClock)))),
            ("/tmp".into(), volume(Vfs::new(Arc::new(SystemClock)))),
            ("/dev".into(), other()),
            ("/proc".into(), other()),
        ]);
        let inner =
            |path: &[u8]| Volume::locate(&mounts, path).map(|(_, inner)| inner.into_owned());
        let dev = |path: &[u8]| Volume::locate(&mounts, path).map(|(v, _)| v.dev).unwrap();
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
                Volume::locate(&mounts, path).unwrap().0.vfs
            ));
        }
        assert_eq!(Volume::of_dev(&mounts, 0).err(), Some(Errno::BadF));
        assert_eq!(Volume::of_dev(&mounts, 99).err(), Some(Errno::BadF));
        assert_eq!(inner(b"/etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/tmp/x").unwrap(), b"/x");
        assert_eq!(inner(b"/tmp").unwrap(), b"/");
        assert_eq!(inner(b"/tmpfile").unwrap(), b"/tmpfile");
        assert_eq!(inner(b"/tmp/../etc/passwd").unwrap(), b"/etc/passwd");
        assert_eq!(inner(b"/dev/null").err(), Some(Errno::OpNotSupp));
        assert_eq!(inner(b"relative").err(), Some(Errno::Inval));
    }
}
