//! The errno wasmer-wasix loses on the way to the program.
//!
//! wasmer-wasix turns a file's `io::Error` into a WASI errno by its kind,
//! and each kind it does not know becomes EIO: a full device or volume
//! (ENOSPC), a file over the size limit (EFBIG), a read-only filesystem
//! (EROFS). And a filesystem answers in `FsError`s, coarser than errnos:
//! EACCES and EPERM are both `PermissionDenied` (EPERM to the program),
//! ELOOP and ENAMETOOLONG both `InvalidInput`. The kernel's files and
//! filesystems note the errno here as they fail, on the thread that runs
//! the syscall (wasmer-wasix calls a filesystem, and polls a file's I/O,
//! inline on the caller's thread), and the compatibility layer, seeing a
//! blurred errno, takes it back (`wasmux.io_errno`).

use std::cell::Cell;
use std::io;

use wasmux_vfs::Errno;

thread_local! {
    static LOST: Cell<Option<Errno>> = const { Cell::new(None) };
}

/// The `io::Error` a kernel file fails with for `errno`, noted if
/// wasmer-wasix would report it as EIO.
pub fn io_error(errno: Errno) -> io::Error {
    if matches!(errno, Errno::FBig | Errno::NoSpc | Errno::RoFs) {
        note(errno);
    }
    io::Error::from_raw_os_error(errno.code())
}

/// Notes `errno`, on its way to wasmer-wasix as a coarser `FsError`.
pub fn note(errno: Errno) {
    LOST.with(|lost| lost.set(Some(errno)));
}

/// Takes the errno this thread noted last, if any.
pub fn take() -> Option<Errno> {
    LOST.with(|lost| lost.replace(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_errnos_wasmer_wasix_loses_are_noted_and_each_is_taken_once() {
        assert_eq!(take(), None);
        let _ = io_error(Errno::Acces); // wasmer-wasix keeps it
        assert_eq!(take(), None);
        let _ = io_error(Errno::NoSpc);
        assert_eq!(take(), Some(Errno::NoSpc));
        assert_eq!(take(), None);
    }
}
