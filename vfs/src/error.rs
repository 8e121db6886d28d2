//! Errors of filesystem operations, as the Linux errno a syscall would return.
//!
//! The namespace is a Linux personality: callers (the WASIX adapter, the 9P server)
//! translate these one-to-one into their own error spaces, so the variants are the
//! errno values themselves rather than a richer taxonomy.

use thiserror::Error;

/// A failed filesystem operation, named by the errno Linux would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum Errno {
    #[error("operation not permitted (EPERM)")]
    Perm,
    #[error("no such file or directory (ENOENT)")]
    NoEnt,
    #[error("input/output error (EIO)")]
    Io,
    #[error("bad file descriptor (EBADF)")]
    BadF,
    #[error("permission denied (EACCES)")]
    Acces,
    #[error("device or resource busy (EBUSY)")]
    Busy,
    #[error("file exists (EEXIST)")]
    Exist,
    #[error("invalid cross-device link (EXDEV)")]
    XDev,
    #[error("not a directory (ENOTDIR)")]
    NotDir,
    #[error("is a directory (EISDIR)")]
    IsDir,
    #[error("invalid argument (EINVAL)")]
    Inval,
    #[error("file too large (EFBIG)")]
    FBig,
    #[error("no space left on device (ENOSPC)")]
    NoSpc,
    #[error("read-only file system (EROFS)")]
    RoFs,
    #[error("too many links (EMLINK)")]
    MLink,
    #[error("file name too long (ENAMETOOLONG)")]
    NameTooLong,
    #[error("directory not empty (ENOTEMPTY)")]
    NotEmpty,
    #[error("too many levels of symbolic links (ELOOP)")]
    Loop,
    #[error("text file busy (ETXTBSY)")]
    TxtBsy,
}

impl Errno {
    /// The Linux errno number.
    pub fn code(self) -> i32 {
        match self {
            Errno::Perm => 1,
            Errno::NoEnt => 2,
            Errno::Io => 5,
            Errno::BadF => 9,
            Errno::Acces => 13,
            Errno::Busy => 16,
            Errno::Exist => 17,
            Errno::XDev => 18,
            Errno::NotDir => 20,
            Errno::IsDir => 21,
            Errno::Inval => 22,
            Errno::TxtBsy => 26,
            Errno::FBig => 27,
            Errno::NoSpc => 28,
            Errno::RoFs => 30,
            Errno::MLink => 31,
            Errno::NameTooLong => 36,
            Errno::NotEmpty => 39,
            Errno::Loop => 40,
        }
    }

    /// The errno for a Linux errno number, if it is one this filesystem produces.
    pub fn from_code(code: i32) -> Option<Errno> {
        ALL.iter().copied().find(|e| e.code() == code)
    }
}

const ALL: [Errno; 19] = [
    Errno::Perm,
    Errno::NoEnt,
    Errno::Io,
    Errno::BadF,
    Errno::Acces,
    Errno::Busy,
    Errno::Exist,
    Errno::XDev,
    Errno::NotDir,
    Errno::IsDir,
    Errno::Inval,
    Errno::TxtBsy,
    Errno::FBig,
    Errno::NoSpc,
    Errno::RoFs,
    Errno::MLink,
    Errno::NameTooLong,
    Errno::NotEmpty,
    Errno::Loop,
];

/// Result of a namespace or file operation.
pub type VfsResult<T> = Result<T, Errno>;
