//! `/dev`: the character devices every program expects.
//!
//! `null`, `zero` and `urandom`/`random` are virtual-fs's own device files;
//! `full` is ours (reads zeros, every write fails with ENOSPC). `stdin`,
//! `stdout` and `stderr` are virtual-fs's special files: wasmer-wasix opens
//! them as the calling process's own descriptors 0, 1 and 2. `/dev/fd/N`
//! ([`FdDir`], mounted on its own) does the same for any descriptor.
//! `tty` is the session's terminal, if it has one. As for a
//! Linux user, nothing can be created, removed or renamed at the top of
//! `/dev` (EACCES); `/dev/shm` takes files.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use virtual_fs::random_file::RandomFile;
use virtual_fs::{
    DeviceFile, FileOpener, FileSystem, FileType, FsError, Metadata, NullFile, OpenOptionsConfig,
    ReadDir, TmpFileSystem, VirtualFile, ZeroFile,
};
use wasmux_vfs::Errno;

use crate::synthetic::{device_times, read_only_namespace};

/// Builds the device filesystem mounted at `/dev`; `tty` is the session's
/// terminal, if it has one, opened.
pub fn build(tty: Option<Box<dyn VirtualFile + Send + Sync>>) -> Arc<dyn FileSystem + Send + Sync> {
    let has_terminal = tty.is_some();
    let dev = TmpFileSystem::new();
    let add = |name: &str, file: Box<dyn VirtualFile + Send + Sync>| {
        dev.new_open_options_ext()
            .insert_device_file(Path::new("/").join(name), file)
            .expect("a fresh tmpfs accepts device files");
    };
    add("null", Box::<NullFile>::default());
    add("zero", Box::<ZeroFile>::default());
    add("full", Box::<FullFile>::default());
    add("random", Box::<RandomFile>::default());
    add("urandom", Box::<RandomFile>::default());
    add("stdin", Box::new(DeviceFile::new(DeviceFile::STDIN)));
    add("stdout", Box::new(DeviceFile::new(DeviceFile::STDOUT)));
    add("stderr", Box::new(DeviceFile::new(DeviceFile::STDERR)));
    // Without a terminal `/dev/tty` is there, but does not open (ENXIO).
    add("tty", tty.unwrap_or_else(|| Box::<NullFile>::default()));
    dev.create_dir(Path::new("/shm"))
        .expect("a fresh tmpfs accepts directories");
    Arc::new(DevFs {
        inner: dev,
        has_terminal,
    })
}

/// `/dev` as Linux has it for a user: the devices are there to open, but
/// nothing is created, removed or renamed beside them (EACCES); `/dev/shm`
/// (POSIX shared memory's files) takes anything. Without a terminal,
/// `/dev/tty` does not open (ENXIO: no controlling terminal).
#[derive(Debug)]
struct DevFs {
    inner: TmpFileSystem,
    has_terminal: bool,
}

impl DevFs {
    /// Whether `path` names an entry of `/dev` itself, not of a directory
    /// inside it.
    fn at_top(path: &Path) -> bool {
        path.parent().is_some_and(|parent| parent == Path::new("/"))
    }

    /// PermissionDenied for a change at the top, else `change`.
    fn below_top<T>(
        path: &Path,
        change: impl FnOnce() -> virtual_fs::Result<T>,
    ) -> virtual_fs::Result<T> {
        if Self::at_top(path) {
            Err(FsError::PermissionDenied)
        } else {
            change()
        }
    }
}

impl FileSystem for DevFs {
    fn readlink(&self, path: &Path) -> virtual_fs::Result<std::path::PathBuf> {
        self.inner.readlink(path)
    }
    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        self.inner.read_dir(path)
    }
    fn create_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        Self::below_top(path, || self.inner.create_dir(path))
    }
    fn remove_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        Self::below_top(path, || self.inner.remove_dir(path))
    }
    fn rename<'a>(
        &'a self,
        from: &'a Path,
        to: &'a Path,
    ) -> futures_util::future::BoxFuture<'a, virtual_fs::Result<()>> {
        if Self::at_top(from) || Self::at_top(to) {
            return Box::pin(async { Err(FsError::PermissionDenied) });
        }
        self.inner.rename(from, to)
    }
    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.inner.metadata(path)
    }
    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.inner.symlink_metadata(path)
    }
    fn remove_file(&self, path: &Path) -> virtual_fs::Result<()> {
        Self::below_top(path, || self.inner.remove_file(path))
    }
    fn new_open_options(&self) -> virtual_fs::OpenOptions<'_> {
        virtual_fs::OpenOptions::new(self)
    }
}

impl FileOpener for DevFs {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        let creates = conf.create_new || (conf.create && self.inner.metadata(path).is_err());
        if creates && Self::at_top(path) {
            return Err(FsError::PermissionDenied);
        }
        if path == Path::new("/tty") && !self.has_terminal {
            crate::lost_errno::note(Errno::NxIo);
            return Err(FsError::IOError);
        }
        self.inner
            .new_open_options()
            .options(conf.clone())
            .open(path)
    }
}

/// A directory of the calling process's descriptors: opening `N` duplicates
/// descriptor `N` (wasmer-wasix does the duplicating when it meets a special
/// file). Serves `/dev/fd` and `/proc/self/fd`.
///
/// Known limit: the directory cannot be listed. The descriptor table lives
/// inside wasmer-wasix, out of a filesystem's reach, so `ls /dev/fd` fails
/// with "not supported" rather than show a made-up list.
#[derive(Debug, Default, Clone, Copy)]
pub struct FdDir;

impl FdDir {
    /// The descriptor a path inside the directory names; `None` for the
    /// directory itself, an error for anything that is not a number.
    pub fn descriptor(path: &Path) -> Result<Option<u32>, FsError> {
        let name = path
            .to_str()
            .ok_or(FsError::EntryNotFound)?
            .trim_matches('/');
        if name.is_empty() {
            return Ok(None);
        }
        name.parse().map(Some).map_err(|_| FsError::EntryNotFound)
    }

    pub fn metadata(path: &Path) -> virtual_fs::Result<Metadata> {
        let ft = match Self::descriptor(path)? {
            None => FileType::new_dir(),
            Some(_) => FileType {
                char_device: true,
                ..FileType::default()
            },
        };
        Ok(Metadata {
            ft,
            ..Metadata::default()
        })
    }

    pub fn open(path: &Path) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        match Self::descriptor(path)? {
            Some(fd) => Ok(Box::new(DeviceFile::new(fd))),
            None => Err(FsError::NotAFile),
        }
    }
}

impl FileSystem for FdDir {
    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        match Self::descriptor(path)? {
            None => Err(FsError::Unsupported),
            Some(_) => Err(FsError::BaseNotDirectory),
        }
    }
    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        Self::metadata(path)
    }
    read_only_namespace!();
}

impl FileOpener for FdDir {
    fn open(
        &self,
        path: &Path,
        _conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        Self::open(path)
    }
}

/// `/dev/full`: reads give zeros, writes fail with "no space left on device".
#[derive(Debug, Default)]
pub struct FullFile;

impl VirtualFile for FullFile {
    device_times!();
    fn set_len(&mut self, _new_size: u64) -> virtual_fs::Result<()> {
        Ok(())
    }
    fn unlink(&mut self) -> virtual_fs::Result<()> {
        Ok(())
    }
    fn poll_read_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(usize::MAX))
    }
    fn poll_write_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(usize::MAX))
    }
}

impl AsyncRead for FullFile {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining();
        buf.initialize_unfilled_to(n).fill(0);
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for FullFile {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(crate::lost_errno::io_error(Errno::NoSpc)))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for FullFile {
    fn start_seek(self: Pin<&mut Self>, _position: io::SeekFrom) -> io::Result<()> {
        Ok(())
    }
    fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(dev: &dyn FileSystem, path: &str, create: bool) -> virtual_fs::Result<()> {
        dev.new_open_options()
            .read(true)
            .write(true)
            .create(create)
            .open(path)
            .map(drop)
    }

    #[test]
    fn devices_open_but_nothing_is_made_or_removed_at_the_top() {
        let dev = build(None);
        assert!(open(&*dev, "/null", false).is_ok());
        assert!(
            open(&*dev, "/null", true).is_ok(),
            "O_CREAT of an existing device"
        );
        assert_eq!(
            open(&*dev, "/new-file", true),
            Err(FsError::PermissionDenied)
        );
        assert_eq!(
            dev.create_dir(Path::new("/newdir")),
            Err(FsError::PermissionDenied)
        );
        assert_eq!(
            dev.remove_file(Path::new("/null")),
            Err(FsError::PermissionDenied)
        );
        assert!(open(&*dev, "/null", false).is_ok(), "still there");
        assert!(
            open(&*dev, "/shm/segment", true).is_ok(),
            "/dev/shm takes files"
        );
        assert!(dev.remove_file(Path::new("/shm/segment")).is_ok());
    }

    #[test]
    fn without_a_terminal_dev_tty_does_not_open() {
        let dev = build(None);
        let _ = crate::lost_errno::take();
        assert_eq!(open(&*dev, "/tty", false), Err(FsError::IOError));
        assert_eq!(
            crate::lost_errno::take(),
            Some(Errno::NxIo),
            "the program hears ENXIO"
        );
    }
}
