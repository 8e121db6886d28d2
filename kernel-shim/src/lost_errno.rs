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

const EFBIG: i32 = 27;
const ENOSPC: i32 = 28;
const EROFS: i32 = 30;

thread_local! {
    static LOST: Cell<i32> = const { Cell::new(0) };
}

/// The `io::Error` a kernel file fails with for Linux errno `errno`, noted
/// if wasmer-wasix would report it as EIO.
pub fn io_error(errno: i32) -> io::Error {
    if matches!(errno, EFBIG | ENOSPC | EROFS) {
        LOST.with(|lost| lost.set(errno));
    }
    io::Error::from_raw_os_error(errno)
}

/// Notes `errno`, on its way to wasmer-wasix as a coarser `FsError`.
pub fn note(errno: i32) {
    LOST.with(|lost| lost.set(errno));
}

/// Takes the errno this thread noted last, 0 if none.
pub fn take() -> i32 {
    LOST.with(|lost| lost.replace(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_errnos_wasmer_wasix_loses_are_noted_and_each_is_taken_once() {
        assert_eq!(take(), 0);
        let _ = io_error(13); // EACCES: wasmer-wasix keeps it
        assert_eq!(take(), 0);
        let _ = io_error(ENOSPC);
        assert_eq!(take(), ENOSPC);
        assert_eq!(take(), 0);
    }
}
