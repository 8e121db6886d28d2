//! `/dev`: the character devices every program expects.
//!
//! `null`, `zero` and `urandom`/`random` are virtual-fs's own device files;
//! `full` is ours (reads zeros, every write fails with ENOSPC). `stdin`,
//! `stdout` and `stderr` are virtual-fs's special files: wasmer-wasix opens
//! them as the calling process's own descriptors 0, 1 and 2.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use virtual_fs::random_file::RandomFile;
use virtual_fs::{DeviceFile, FileSystem, NullFile, TmpFileSystem, VirtualFile, ZeroFile};

const ENOSPC: i32 = 28;

/// Builds the device filesystem mounted at `/dev`.
pub fn build() -> Arc<dyn FileSystem + Send + Sync> {
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
    dev.create_dir(Path::new("/shm"))
        .expect("a fresh tmpfs accepts directories");
    Arc::new(dev)
}

/// `/dev/full`: reads give zeros, writes fail with "no space left on device".
#[derive(Debug, Default)]
pub struct FullFile;

impl VirtualFile for FullFile {
    fn last_accessed(&self) -> u64 {
        0
    }
    fn last_modified(&self) -> u64 {
        0
    }
    fn created_time(&self) -> u64 {
        0
    }
    fn size(&self) -> u64 {
        0
    }
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
        Poll::Ready(Err(io::Error::from_raw_os_error(ENOSPC)))
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
