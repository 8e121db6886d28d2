//! Linux's errno values: the one error vocabulary of the whole system.
//!
//! The filesystem is a Linux personality, and so is everything built on it:
//! the kernel's `wasmux` import module, the 9P server, the WASIX adapter.
//! Each translates these one-to-one into its own error space, so the
//! variants are the errno values themselves rather than a richer taxonomy.
//! The vfs itself produces a subset (the namespace and file errors); the
//! rest are here so that no crate defines an errno of its own.

/// Declares [`Errno`] with each variant's number and message, and [`ALL`].
macro_rules! errnos {
    ($($variant:ident = $code:literal, $name:literal, $message:literal;)*) => {
        /// A failed operation, named by the errno Linux would give.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(i32)]
        pub enum Errno {
            $(
                #[doc = concat!("`", $name, "`: ", $message, ".")]
                $variant = $code,
            )*
        }

        /// Every errno, in the order of their numbers.
        const ALL: &[Errno] = &[$(Errno::$variant),*];

        impl Errno {
            /// The symbolic name (`"ENOENT"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$variant => $name,)*
                }
            }

            /// What it means (`"no such file or directory"`).
            pub fn message(self) -> &'static str {
                match self {
                    $(Errno::$variant => $message,)*
                }
            }
        }
    };
}

errnos! {
    Perm = 1, "EPERM", "operation not permitted";
    NoEnt = 2, "ENOENT", "no such file or directory";
    Srch = 3, "ESRCH", "no such process";
    Intr = 4, "EINTR", "interrupted system call";
    Io = 5, "EIO", "input/output error";
    NxIo = 6, "ENXIO", "no such device or address";
    BadF = 9, "EBADF", "bad file descriptor";
    Acces = 13, "EACCES", "permission denied";
    Fault = 14, "EFAULT", "bad address";
    Busy = 16, "EBUSY", "device or resource busy";
    Exist = 17, "EEXIST", "file exists";
    XDev = 18, "EXDEV", "invalid cross-device link";
    NotDir = 20, "ENOTDIR", "not a directory";
    IsDir = 21, "EISDIR", "is a directory";
    Inval = 22, "EINVAL", "invalid argument";
    MFile = 24, "EMFILE", "too many open files";
    TxtBsy = 26, "ETXTBSY", "text file busy";
    FBig = 27, "EFBIG", "file too large";
    NoSpc = 28, "ENOSPC", "no space left on device";
    RoFs = 30, "EROFS", "read-only file system";
    MLink = 31, "EMLINK", "too many links";
    NameTooLong = 36, "ENAMETOOLONG", "file name too long";
    NotEmpty = 39, "ENOTEMPTY", "directory not empty";
    Loop = 40, "ELOOP", "too many levels of symbolic links";
    Overflow = 75, "EOVERFLOW", "value too large for defined data type";
    OpNotSupp = 95, "EOPNOTSUPP", "operation not supported";
    TimedOut = 110, "ETIMEDOUT", "connection timed out";
}

impl Errno {
    /// The Linux errno number.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The errno for a Linux errno number, if it is one wasmux produces.
    pub fn from_code(code: i32) -> Option<Errno> {
        ALL.iter().copied().find(|e| e.code() == code)
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message(), self.name())
    }
}

impl std::error::Error for Errno {}

/// Result of a namespace or file operation.
pub type VfsResult<T> = Result<T, Errno>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_linuxs_and_each_is_one_errno() {
        assert_eq!(Errno::Perm.code(), 1);
        assert_eq!(Errno::NoEnt.code(), 2);
        assert_eq!(Errno::Loop.code(), 40);
        assert_eq!(Errno::OpNotSupp.code(), 95);
        assert!(ALL.windows(2).all(|w| w[0].code() < w[1].code()));
        for &e in ALL {
            assert_eq!(Errno::from_code(e.code()), Some(e));
            assert!(e.to_string().ends_with(&format!("({})", e.name())));
        }
        assert_eq!(Errno::from_code(0), None);
    }
}
