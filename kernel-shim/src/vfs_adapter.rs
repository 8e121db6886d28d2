//! Our filesystem seen through `virtual_fs`, the interface wasmer-wasix runs
//! programs on.
//!
//! `virtual_fs` speaks absolute paths and a small error enum; the vfs speaks
//! inodes and errno. This module translates, and nothing more: permission
//! checks, link counts and persistence all stay in the vfs.
//!
//! Known loss: `virtual_fs::FsError` has no ELOOP, EISDIR, ENAMETOOLONG or
//! EXDEV, and wasmer-wasix maps EACCES to EPERM. Such errors reach the guest as
//! the closest member of `FsError` (see [`to_fs_error`]).

use std::borrow::Cow;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use virtual_fs::{
    DirEntry, FileOpener, FileSystem, FileType, FsError, Metadata, OpenOptions, OpenOptionsConfig,
    ReadDir, VirtualFile,
};
use wasmux_vfs::{
    Cred, Errno, FileKind, Handle, Ino, OpenFlags, SetAttr, SetTime, Stat, SyncRequest, Vfs,
};

/// Who a filesystem call acts as: fixed credentials, or (the kernel's case)
/// those of the process making the call.
pub trait CredSource: Send + Sync + std::fmt::Debug {
    /// The caller's credentials; `None` for a call that acts for nobody,
    /// which is refused.
    fn cred(&self) -> Option<Cred>;

    /// The permission bits the caller asked for what it creates next, taken
    /// (WASI's open and mkdir carry none: without one, files are made 0666
    /// and directories 0777, less the umask).
    fn take_create_mode(&self) -> Option<u32> {
        None
    }
}

impl CredSource for Cred {
    fn cred(&self) -> Option<Cred> {
        Some(self.clone())
    }
}

/// A vfs as a `virtual_fs::FileSystem`, acting as its caller.
#[derive(Clone)]
pub struct VfsFileSystem {
    vfs: Vfs,
    creds: Arc<dyn CredSource>,
    syncer: Option<Arc<dyn SyncRequest>>,
}

impl std::fmt::Debug for VfsFileSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VfsFileSystem")
            .field("creds", &self.creds)
            .finish()
    }
}

/// The errno of the vfs as the nearest `FsError`; one the `FsError`
/// blurs is noted for the program to take back (see `lost_errno`).
pub fn to_fs_error(e: Errno) -> FsError {
    let error = blur(e);
    if !matches!(
        e,
        Errno::NoEnt | Errno::Exist | Errno::NotDir | Errno::NotEmpty | Errno::IsDir | Errno::BadF
    ) {
        crate::lost_errno::note(e);
    }
    error
}

fn blur(e: Errno) -> FsError {
    match e {
        Errno::NoEnt => FsError::EntryNotFound,
        Errno::Exist => FsError::AlreadyExists,
        Errno::NotDir => FsError::BaseNotDirectory,
        Errno::NotEmpty => FsError::DirectoryNotEmpty,
        Errno::Acces | Errno::Perm | Errno::RoFs => FsError::PermissionDenied,
        Errno::IsDir => FsError::NotAFile,
        Errno::Inval | Errno::Loop | Errno::NameTooLong | Errno::MLink => FsError::InvalidInput,
        Errno::NoSpc => FsError::WriteZero,
        Errno::FBig => FsError::StorageFull,
        Errno::Busy | Errno::TxtBsy => FsError::Lock,
        Errno::XDev => FsError::Unsupported,
        Errno::BadF => FsError::InvalidFd,
        Errno::OpNotSupp => FsError::Unsupported,
        Errno::Intr => FsError::Interrupted,
        Errno::TimedOut => FsError::TimedOut,
        Errno::Io | Errno::Srch | Errno::NxIo | Errno::MFile | Errno::Fault | Errno::Overflow => {
            FsError::IOError
        }
    }
}

fn io_error(e: Errno) -> io::Error {
    crate::lost_errno::io_error(e)
}

/// A path's bytes. Paths from wasmer-wasix are valid UTF-8 on every platform.
pub fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    match path.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

/// The `virtual_fs` view of an inode's attributes.
pub fn to_metadata(st: &Stat) -> Metadata {
    Metadata {
        ft: FileType {
            dir: st.kind == FileKind::Directory,
            file: st.kind == FileKind::Regular,
            symlink: st.kind == FileKind::Symlink,
            char_device: st.kind == FileKind::CharDevice,
            block_device: false,
            socket: false,
            fifo: st.kind == FileKind::Fifo,
        },
        accessed: st.atime.as_nanos(),
        created: st.ctime.as_nanos(),
        modified: st.mtime.as_nanos(),
        len: st.size,
    }
}

impl VfsFileSystem {
    pub fn new(
        vfs: Vfs,
        creds: Arc<dyn CredSource>,
        syncer: Option<Arc<dyn SyncRequest>>,
    ) -> VfsFileSystem {
        VfsFileSystem { vfs, creds, syncer }
    }

    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    /// Who the call acts as. A call that acts for nobody (no process runs
    /// on this thread and no kernel entry point said whom it acts for) is a
    /// kernel bug: it is refused, loudly, rather than given someone's rights.
    fn cred(&self) -> Result<Cred, FsError> {
        self.creds.cred().ok_or_else(|| {
            tracing::error!(
                "a filesystem call outside any process and any kernel entry point: refused"
            );
            FsError::PermissionDenied
        })
    }

    fn resolve(&self, path: &Path, follow: bool) -> Result<Ino, FsError> {
        let bytes = path_bytes(path);
        let bytes: &[u8] = if bytes.is_empty() { b"/" } else { &bytes };
        self.vfs
            .resolve(&self.cred()?, Ino::ROOT, bytes, follow)
            .map_err(to_fs_error)
    }

    fn parent(&self, path: &Path) -> Result<wasmux_vfs::ParentRef, FsError> {
        self.vfs
            .resolve_parent(&self.cred()?, Ino::ROOT, &path_bytes(path))
            .map_err(to_fs_error)
    }

    fn stat_path(&self, path: &Path, follow: bool) -> Result<Metadata, FsError> {
        let ino = self.resolve(path, follow)?;
        let st = self.vfs.stat(ino).map_err(to_fs_error)?;
        Ok(to_metadata(&st))
    }
}

impl FileSystem for VfsFileSystem {
    fn readlink(&self, path: &Path) -> virtual_fs::Result<PathBuf> {
        let ino = self.resolve(path, false)?;
        let target = self.vfs.readlink(ino).map_err(to_fs_error)?;
        Ok(PathBuf::from(String::from_utf8_lossy(&target).into_owned()))
    }

    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        let dir = self.resolve(path, true)?;
        let entries = self.vfs.readdir(&self.cred()?, dir).map_err(to_fs_error)?;
        let data = entries
            .into_iter()
            .map(|e| DirEntry {
                path: path.join(String::from_utf8_lossy(&e.name).as_ref()),
                metadata: self
                    .vfs
                    .stat(e.ino)
                    .map(|st| to_metadata(&st))
                    .map_err(to_fs_error),
            })
            .collect();
        Ok(ReadDir::new(data))
    }

    fn create_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        let at = self.parent(path)?;
        self.vfs
            .mkdir(
                &self.cred()?,
                at.dir,
                &at.name,
                self.creds.take_create_mode().unwrap_or(0o777),
            )
            .map(drop)
            .map_err(to_fs_error)
    }

    fn create_symlink(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        let at = self.parent(target)?;
        self.vfs
            .symlink(&self.cred()?, at.dir, &at.name, &path_bytes(source))
            .map(drop)
            .map_err(to_fs_error)
    }

    fn hard_link(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        let ino = self.resolve(source, false)?;
        let at = self.parent(target)?;
        self.vfs
            .link(&self.cred()?, ino, at.dir, &at.name)
            .map_err(to_fs_error)
    }

    fn remove_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        let at = self.parent(path)?;
        self.vfs
            .rmdir(&self.cred()?, at.dir, &at.name)
            .map_err(to_fs_error)
    }

    fn rename<'a>(
        &'a self,
        from: &'a Path,
        to: &'a Path,
    ) -> futures_util::future::BoxFuture<'a, virtual_fs::Result<()>> {
        Box::pin(async move {
            let src = self.parent(from)?;
            let dst = self.parent(to)?;
            self.vfs
                .rename(&self.cred()?, src.dir, &src.name, dst.dir, &dst.name)
                .map_err(to_fs_error)
        })
    }

    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.stat_path(path, true)
    }

    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.stat_path(path, false)
    }

    fn remove_file(&self, path: &Path) -> virtual_fs::Result<()> {
        let at = self.parent(path)?;
        self.vfs
            .unlink(&self.cred()?, at.dir, &at.name)
            .map_err(to_fs_error)
    }

    fn new_open_options(&self) -> OpenOptions<'_> {
        OpenOptions::new(self)
    }
}

impl FileOpener for VfsFileSystem {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        let flags = OpenFlags {
            read: conf.read,
            write: conf.write || conf.append,
            append: conf.append,
            create: conf.create || conf.create_new,
            exclusive: conf.create_new,
            truncate: conf.truncate,
            directory: false,
            nofollow: false,
        };
        let mode = match flags.create {
            true => self.creds.take_create_mode().unwrap_or(0o666),
            false => 0o666,
        };
        let handle = self
            .vfs
            .open(&self.cred()?, Ino::ROOT, &path_bytes(path), flags, mode)
            .map_err(to_fs_error)?;
        if handle.kind() == FileKind::Fifo {
            // Data through a named pipe is not supported: wasmer-wasix shares
            // one handle per inode among every opener (and holds its lock
            // across a blocking read), so a FIFO's reader and writer would be
            // one object and deadlock each other.
            return Err(FsError::Unsupported);
        }
        Ok(Box::new(VfsFile {
            handle,
            path: path.to_path_buf(),
            fs: self.clone(),
            pos: 0,
            append: conf.append,
            writable: flags.write,
            pending_seek: None,
        }))
    }
}

/// An open regular file of the vfs, with its own position.
pub struct VfsFile {
    handle: Handle,
    path: PathBuf,
    fs: VfsFileSystem,
    pos: u64,
    append: bool,
    writable: bool,
    pending_seek: Option<io::Result<u64>>,
}

impl std::fmt::Debug for VfsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VfsFile")
            .field("path", &self.path)
            .field("pos", &self.pos)
            .finish()
    }
}

impl VfsFile {
    fn vfs(&self) -> &Vfs {
        self.handle.vfs()
    }

    fn stat(&self) -> Option<Stat> {
        self.vfs().stat(self.handle.ino()).ok()
    }
}

impl VirtualFile for VfsFile {
    fn last_accessed(&self) -> u64 {
        self.stat().map_or(0, |st| st.atime.as_nanos())
    }

    fn last_modified(&self) -> u64 {
        self.stat().map_or(0, |st| st.mtime.as_nanos())
    }

    fn created_time(&self) -> u64 {
        self.stat().map_or(0, |st| st.ctime.as_nanos())
    }

    fn set_times(&mut self, atime: Option<u64>, mtime: Option<u64>) -> virtual_fs::Result<()> {
        let to_set = |t: Option<u64>| t.map(|n| SetTime::At(wasmux_vfs::Timespec::from_nanos(n)));
        let attr = SetAttr {
            atime: to_set(atime),
            mtime: to_set(mtime),
            ..SetAttr::default()
        };
        self.vfs()
            .setattr(&self.fs.cred()?, self.handle.ino(), &attr)
            .map(drop)
            .map_err(to_fs_error)
    }

    fn size(&self) -> u64 {
        self.stat().map_or(0, |st| st.size)
    }

    fn set_len(&mut self, new_size: u64) -> virtual_fs::Result<()> {
        if !self.writable {
            return Err(FsError::PermissionDenied);
        }
        self.vfs()
            .truncate(self.handle.ino(), new_size)
            .map_err(to_fs_error)
    }

    fn unlink(&mut self) -> virtual_fs::Result<()> {
        self.fs.remove_file(&self.path)
    }

    fn poll_read_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let size = self.size();
        Poll::Ready(Ok(size.saturating_sub(self.pos) as usize))
    }

    fn poll_write_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(wasmux_vfs::CHUNK_SIZE))
    }
}

impl AsyncRead for VfsFile {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let pos = self.pos;
        let ino = self.handle.ino();
        let dest = buf.initialize_unfilled();
        let n = self.vfs().read(ino, pos, dest).map_err(io_error)?;
        buf.advance(n);
        self.pos += n as u64;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for VfsFile {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.writable {
            return Poll::Ready(Err(io_error(Errno::BadF)));
        }
        let ino = self.handle.ino();
        let (n, end) = if self.append {
            self.vfs().append(ino, data).map_err(io_error)?
        } else {
            let n = self.vfs().write(ino, self.pos, data).map_err(io_error)?;
            (n, self.pos + n as u64)
        };
        self.pos = end;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // wasmer-wasix calls flush for fd_sync/fd_datasync: make the data durable.
        let result = match &self.fs.syncer {
            Some(syncer) if self.writable => syncer.sync().map_err(|e| {
                tracing::warn!(error = %e, "fsync failed");
                io_error(e)
            }),
            _ => Ok(()),
        };
        Poll::Ready(result)
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for VfsFile {
    fn start_seek(mut self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let size = self.size() as i128;
        let target: i128 = match position {
            SeekFrom::Start(n) => n as i128,
            SeekFrom::End(d) => size + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        self.pending_seek = Some(if (0..=u64::MAX as i128).contains(&target) {
            self.pos = target as u64;
            Ok(self.pos)
        } else {
            Err(io_error(Errno::Inval))
        });
        Ok(())
    }

    fn poll_complete(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let pos = self.pos;
        Poll::Ready(self.pending_seek.take().unwrap_or(Ok(pos)))
    }
}
