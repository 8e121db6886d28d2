//! Pieces shared by the filesystems and files the kernel makes up rather
//! than stores (`/dev`, `/proc`, `/dev/fd`, the terminal): a namespace
//! nobody can change, a directory listing from a list, and the times and
//! size of a character device.

use std::path::Path;

use virtual_fs::{DirEntry, Metadata, ReadDir};

/// The `FileSystem` methods of a namespace the kernel generates (`/proc`,
/// `/dev/fd`): no symlinks, nothing created, removed or renamed, and
/// `symlink_metadata` the same as `metadata`.
macro_rules! read_only_namespace {
    () => {
        fn readlink(&self, _path: &Path) -> virtual_fs::Result<std::path::PathBuf> {
            Err(FsError::InvalidInput)
        }
        fn create_dir(&self, _path: &Path) -> virtual_fs::Result<()> {
            Err(FsError::PermissionDenied)
        }
        fn remove_dir(&self, _path: &Path) -> virtual_fs::Result<()> {
            Err(FsError::PermissionDenied)
        }
        fn rename<'a>(
            &'a self,
            _from: &'a Path,
            _to: &'a Path,
        ) -> futures_util::future::BoxFuture<'a, virtual_fs::Result<()>> {
            Box::pin(async { Err(FsError::PermissionDenied) })
        }
        fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
            self.metadata(path)
        }
        fn remove_file(&self, _path: &Path) -> virtual_fs::Result<()> {
            Err(FsError::PermissionDenied)
        }
        fn new_open_options(&self) -> virtual_fs::OpenOptions<'_> {
            virtual_fs::OpenOptions::new(self)
        }
    };
}
pub(crate) use read_only_namespace;

/// The `VirtualFile` timestamps and size of a character device: all zero.
macro_rules! device_times {
    () => {
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
    };
}
pub(crate) use device_times;

/// The listing of directory `dir`, for filesystems that make up their entries.
pub fn listing(dir: &Path, entries: impl IntoIterator<Item = (String, Metadata)>) -> ReadDir {
    ReadDir::new(
        entries
            .into_iter()
            .map(|(name, metadata)| DirEntry {
                path: dir.join(name),
                metadata: Ok(metadata),
            })
            .collect(),
    )
}
