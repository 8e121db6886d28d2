//! Who the caller is: its user and group ids (real and effective are one
//! here: nothing is set-id).

use super::{cred, Caller};

pub(super) fn getuid(_ctx: Caller<'_>) -> i32 {
    cred().map_or(-1, |c| c.uid as i32)
}

pub(super) fn getgid(_ctx: Caller<'_>) -> i32 {
    cred().map_or(-1, |c| c.gid as i32)
}
