//! Named POSIX semaphores: the names, values and waiters the kernel keeps
//! (`crate::semaphore`), reached through the handles each process holds.

use std::sync::Arc;
use std::time::Duration;

use wasmux_vfs::Errno;
use web_time::Instant;

use super::{caller, read_bytes, Caller};
use crate::process::ProcessRecord;
use crate::semaphore::{OpenRequest, Semaphore};

/// `sem_open`'s `flags`: create a missing semaphore (`O_CREAT`), and fail
/// on an existing one (`O_EXCL`).
const SEM_CREATE: i32 = 1;
const SEM_EXCLUSIVE: i32 = 2;

/// How much of a semaphore's name `sem_open` and `sem_unlink` read: more
/// than any valid name, so a longer one is still seen to be too long.
const SEM_NAME_READ_MAX: i32 = 4096;

fn semaphore_name(ctx: &Caller<'_>, name: i32, len: i32) -> Result<Vec<u8>, Errno> {
    read_bytes(ctx, name, len.min(SEM_NAME_READ_MAX))
}

pub(super) fn sem_open(
    ctx: Caller<'_>,
    name: i32,
    name_len: i32,
    flags: i32,
    mode: i32,
    value: i32,
) -> Result<u32, Errno> {
    let caller = caller()?;
    let name = semaphore_name(&ctx, name, name_len)?;
    let request = OpenRequest {
        create: flags & SEM_CREATE != 0,
        exclusive: flags & SEM_EXCLUSIVE != 0,
        mode: mode as u32,
        value: value as u32,
    };
    let names = &ctx.data().context.semaphores;
    let semaphore = names.open(&name, request, &caller.cred())?;
    Ok(caller.semaphores(|open| open.insert(semaphore))?)
}

pub(super) fn sem_close(_ctx: Caller<'_>, handle: i32) -> Result<(), Errno> {
    Ok(caller()?.semaphores(|open| open.close(handle as u32))?)
}

pub(super) fn sem_unlink(ctx: Caller<'_>, name: i32, name_len: i32) -> Result<(), Errno> {
    let caller = caller()?;
    let name = semaphore_name(&ctx, name, name_len)?;
    let names = &ctx.data().context.semaphores;
    Ok(names.unlink(&name, &caller.cred())?)
}

/// The caller's semaphore with this handle.
fn open_semaphore(handle: i32) -> Result<(Arc<ProcessRecord>, Arc<Semaphore>), Errno> {
    let caller = caller()?;
    let semaphore = caller.semaphores(|open| open.get(handle as u32))?;
    Ok((caller, semaphore))
}

pub(super) fn sem_post(_ctx: Caller<'_>, handle: i32) -> Result<(), Errno> {
    Ok(open_semaphore(handle)?.1.post()?)
}

pub(super) fn sem_wait(_ctx: Caller<'_>, handle: i32, timeout_ns: i64) -> Result<(), Errno> {
    let (caller, semaphore) = open_semaphore(handle)?;
    // A timeout too far to represent is none.
    let deadline = u64::try_from(timeout_ns)
        .ok()
        .and_then(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
    let interrupted = || caller.has_signals_to_take() || caller.is_killed();
    Ok(semaphore.wait(deadline, interrupted)?)
}

pub(super) fn sem_getvalue(_ctx: Caller<'_>, handle: i32) -> Result<u32, Errno> {
    Ok(open_semaphore(handle)?.1.get())
}
