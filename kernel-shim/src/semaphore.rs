//! Named POSIX semaphores (`sem_open`), shared between processes.
//!
//! On Linux a named semaphore is a futex in a file of `/dev/shm` that every
//! process opening it maps. A fast-mode process is a WebAssembly instance
//! with a memory of its own, so there is nothing to map: the kernel keeps
//! the semaphores — their names, values and waiters — and a process refers
//! to the ones it opened by small handles. The handles are the process's
//! ([`Handles`], in its process record): a fork copies them, and an exec
//! or the process's end closes them, as on Linux.
//!
//! Unnamed semaphores (`sem_init`) are not here: they live in the memory of
//! the program that made them (the compatibility layer), since without
//! shared memory no other process can see them.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use wasmux_vfs::{Access, Cred, Errno};
use web_time::Instant;

/// The largest value a semaphore can hold (Linux's `SEM_VALUE_MAX`).
pub const VALUE_MAX: u32 = i32::MAX as u32;

/// The longest name, without its leading slash (glibc's: `NAME_MAX` less the
/// `sem.` prefix of its file in `/dev/shm`). Past it glibc says ENAMETOOLONG
/// (its file's name is too long), and past `NAME_MAX` itself EINVAL.
const NAME_MAX: usize = 251;
const NAME_MAX_FS: usize = 255;

/// How many semaphores one process may have open.
const OPEN_MAX: usize = 1024;

/// How often a blocked waiter looks whether a signal wants it (a post wakes
/// it at once).
const SIGNAL_POLL: Duration = Duration::from_millis(10);

/// Why a semaphore call failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone, Copy)]
pub enum SemError {
    #[error("no semaphore has this name")]
    NotFound,
    #[error("a semaphore of this name exists")]
    Exists,
    #[error("a semaphore's name is one component, not empty and without '/'")]
    InvalidName,
    #[error("the name is longer than {NAME_MAX} bytes")]
    NameTooLong,
    #[error("the initial value is above SEM_VALUE_MAX")]
    ValueTooLarge,
    #[error("the value would exceed SEM_VALUE_MAX")]
    Overflow,
    #[error("the semaphore's mode does not let the caller open it")]
    PermissionDenied,
    #[error("no open semaphore has this handle")]
    BadHandle,
    #[error("the process has {OPEN_MAX} semaphores open")]
    TooManyOpen,
    #[error("the semaphore stayed zero until the deadline")]
    TimedOut,
    #[error("a signal came while waiting")]
    Interrupted,
}

impl SemError {
    /// The Linux errno `sem_*` reports.
    pub fn errno(self) -> Errno {
        match self {
            SemError::NotFound => Errno::NoEnt,
            SemError::Exists => Errno::Exist,
            SemError::InvalidName | SemError::ValueTooLarge | SemError::BadHandle => Errno::Inval,
            SemError::NameTooLong => Errno::NameTooLong,
            SemError::Overflow => Errno::Overflow,
            SemError::PermissionDenied => Errno::Acces,
            SemError::TooManyOpen => Errno::MFile,
            SemError::TimedOut => Errno::TimedOut,
            SemError::Interrupted => Errno::Intr,
        }
    }
}

impl From<SemError> for Errno {
    fn from(e: SemError) -> Errno {
        e.errno()
    }
}

/// A counting semaphore.
#[derive(Debug)]
pub struct Semaphore {
    value: Mutex<u32>,
    posted: Condvar,
    uid: u32,
    gid: u32,
    /// Permission bits, as its creator's `mode` less the umask.
    perm: u32,
}

impl Semaphore {
    fn value(&self) -> MutexGuard<'_, u32> {
        self.value.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current value.
    pub fn get(&self) -> u32 {
        *self.value()
    }

    /// Adds one, waking a waiter.
    pub fn post(&self) -> Result<(), SemError> {
        let mut value = self.value();
        if *value == VALUE_MAX {
            return Err(SemError::Overflow);
        }
        *value += 1;
        self.posted.notify_one();
        Ok(())
    }

    /// Takes one, waiting while the value is zero: until `deadline` (none:
    /// for ever; one already past makes this `sem_trywait`) or until
    /// `interrupted` says a signal wants the caller (it is asked every
    /// [`SIGNAL_POLL`]).
    pub fn wait(
        &self,
        deadline: Option<Instant>,
        interrupted: impl Fn() -> bool,
    ) -> Result<(), SemError> {
        let mut value = self.value();
        loop {
            if *value > 0 {
                *value -= 1;
                return Ok(());
            }
            let now = Instant::now();
            let slice = match deadline {
                Some(deadline) if deadline <= now => return Err(SemError::TimedOut),
                Some(deadline) => (deadline - now).min(SIGNAL_POLL),
                None => SIGNAL_POLL,
            };
            if interrupted() {
                return Err(SemError::Interrupted);
            }
            value = self
                .posted
                .wait_timeout(value, slice)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

/// What `sem_open` asks for: `O_CREAT` (with `O_EXCL`), and for a new
/// semaphore its mode and value.
#[derive(Debug, Clone, Copy)]
pub struct OpenRequest {
    pub create: bool,
    pub exclusive: bool,
    pub mode: u32,
    pub value: u32,
}

/// The kernel's named semaphores.
#[derive(Debug, Default)]
pub struct SemaphoreNames {
    names: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl SemaphoreNames {
    fn names(&self) -> MutexGuard<'_, HashMap<String, Arc<Semaphore>>> {
        self.names.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens (or with `O_CREAT` makes) the semaphore called `name`, as
    /// `cred`. As in glibc, leading slashes are dropped and the rest must be
    /// one path component.
    pub fn open(
        &self,
        name: &[u8],
        request: OpenRequest,
        cred: &Cred,
    ) -> Result<Arc<Semaphore>, SemError> {
        let name = valid_name(name)?;
        let mut names = self.names();
        if let Some(existing) = names.get(&name) {
            if request.create && request.exclusive {
                return Err(SemError::Exists);
            }
            // Opening one means reading and writing its file in /dev/shm.
            let want = Access::READ.union(Access::WRITE);
            let perm = existing.perm;
            if !cred.is_root() && !cred.owner_permits(existing.uid, existing.gid, perm, want) {
                return Err(SemError::PermissionDenied);
            }
            return Ok(existing.clone());
        }
        if !request.create {
            return Err(SemError::NotFound);
        }
        if request.value > VALUE_MAX {
            return Err(SemError::ValueTooLarge);
        }
        let semaphore = Arc::new(Semaphore {
            value: Mutex::new(request.value),
            posted: Condvar::new(),
            uid: cred.uid,
            gid: cred.gid,
            perm: request.mode & 0o777 & !cred.umask,
        });
        names.insert(name, semaphore.clone());
        Ok(semaphore)
    }

    /// Removes a name; processes that have the semaphore open keep it.
    pub fn unlink(&self, name: &[u8], cred: &Cred) -> Result<(), SemError> {
        // As in glibc, a name no semaphore can have is not found.
        let name = valid_name(name).map_err(|_| SemError::NotFound)?;
        let mut names = self.names();
        let semaphore = names.get(&name).ok_or(SemError::NotFound)?;
        // Unlinking its file needs write permission on /dev/shm, which is
        // sticky: only the owner (or root) may remove it.
        if !cred.is_root() && cred.uid != semaphore.uid {
            return Err(SemError::PermissionDenied);
        }
        names.remove(&name);
        Ok(())
    }
}

fn valid_name(name: &[u8]) -> Result<String, SemError> {
    let start = name.iter().position(|&b| b != b'/').unwrap_or(name.len());
    let name = &name[start..];
    if name.is_empty() || name.contains(&b'/') || name.contains(&0) || name.len() > NAME_MAX_FS {
        return Err(SemError::InvalidName);
    }
    if name.len() > NAME_MAX {
        return Err(SemError::NameTooLong);
    }
    Ok(String::from_utf8_lossy(name).into_owned())
}

/// A process's open semaphores, by handle (1 and up).
#[derive(Debug, Default, Clone)]
pub struct Handles {
    open: HashMap<u32, Opened>,
}

/// A semaphore a process has open, and how many of its `sem_open`s are
/// not yet closed.
#[derive(Debug, Clone)]
struct Opened {
    semaphore: Arc<Semaphore>,
    opens: u32,
}

impl Handles {
    /// Gives `semaphore` a handle; the same semaphore opened again gets the
    /// same handle (POSIX: the same address for the same name), to be
    /// closed as many times.
    pub fn insert(&mut self, semaphore: Arc<Semaphore>) -> Result<u32, SemError> {
        let mut known = self.open.iter_mut();
        if let Some((&handle, opened)) = known.find(|(_, o)| Arc::ptr_eq(&o.semaphore, &semaphore))
        {
            opened.opens = opened.opens.saturating_add(1);
            return Ok(handle);
        }
        if self.open.len() >= OPEN_MAX {
            return Err(SemError::TooManyOpen);
        }
        let handle = (1..).find(|h| !self.open.contains_key(h)).unwrap_or(0);
        self.open.insert(
            handle,
            Opened {
                semaphore,
                opens: 1,
            },
        );
        Ok(handle)
    }

    pub fn get(&self, handle: u32) -> Result<Arc<Semaphore>, SemError> {
        let opened = self.open.get(&handle).ok_or(SemError::BadHandle)?;
        Ok(opened.semaphore.clone())
    }

    /// Closes one `sem_open` of the handle's semaphore.
    pub fn close(&mut self, handle: u32) -> Result<(), SemError> {
        let opened = self.open.get_mut(&handle).ok_or(SemError::BadHandle)?;
        opened.opens -= 1;
        if opened.opens == 0 {
            self.open.remove(&handle);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(value: u32) -> OpenRequest {
        OpenRequest {
            create: true,
            exclusive: false,
            mode: 0o600,
            value,
        }
    }

    #[test]
    fn names_are_one_component_after_leading_slashes() {
        let names = SemaphoreNames::default();
        let root = Cred::root();
        let a = names.open(b"/a", create(1), &root).unwrap();
        let again = names.open(b"//a", create(5), &root).unwrap();
        assert!(
            Arc::ptr_eq(&a, &again),
            "O_CREAT without O_EXCL opens the existing one"
        );
        assert_eq!(again.get(), 1, "the second value is not applied");
        for bad in [&b"/"[..], b"", b"/a/b"] {
            assert_eq!(
                names.open(bad, create(0), &root).unwrap_err(),
                SemError::InvalidName
            );
        }
        let long = vec![b'x'; NAME_MAX + 1];
        assert_eq!(
            names.open(&long, create(0), &root).unwrap_err(),
            SemError::NameTooLong
        );
        let longer = vec![b'x'; NAME_MAX_FS + 1];
        assert_eq!(
            names.open(&longer, create(0), &root).unwrap_err(),
            SemError::InvalidName
        );
        for cannot_exist in [&b"/"[..], b"/a/b", &long] {
            assert_eq!(
                names.unlink(cannot_exist, &root).unwrap_err(),
                SemError::NotFound
            );
        }
    }

    #[test]
    fn open_exclusive_missing_and_unlinked() {
        let names = SemaphoreNames::default();
        let root = Cred::root();
        let plain = OpenRequest {
            create: false,
            ..create(0)
        };
        assert_eq!(
            names.open(b"/s", plain, &root).unwrap_err(),
            SemError::NotFound
        );
        let first = names.open(b"/s", create(0), &root).unwrap();
        let exclusive = OpenRequest {
            exclusive: true,
            ..create(0)
        };
        assert_eq!(
            names.open(b"/s", exclusive, &root).unwrap_err(),
            SemError::Exists
        );
        names.unlink(b"/s", &root).unwrap();
        assert_eq!(names.unlink(b"/s", &root).unwrap_err(), SemError::NotFound);
        let fresh = names.open(b"/s", exclusive, &root).unwrap();
        assert!(
            !Arc::ptr_eq(&first, &fresh),
            "after unlink the name makes a new one"
        );
        first.post().unwrap();
        assert_eq!((first.get(), fresh.get()), (1, 0));
        let huge = OpenRequest {
            value: VALUE_MAX + 1,
            ..create(0)
        };
        assert_eq!(
            names.open(b"/t", huge, &root).unwrap_err(),
            SemError::ValueTooLarge
        );
    }

    #[test]
    fn mode_less_umask_guards_other_users() {
        let names = SemaphoreNames::default();
        let mut owner = Cred::user(1000, 1000);
        owner.umask = 0o077;
        names
            .open(
                b"/p",
                OpenRequest {
                    mode: 0o666,
                    ..create(0)
                },
                &owner,
            )
            .unwrap();
        let other = Cred::user(1001, 1001);
        assert_eq!(
            names.open(b"/p", create(0), &other).unwrap_err(),
            SemError::PermissionDenied
        );
        assert_eq!(
            names.unlink(b"/p", &other).unwrap_err(),
            SemError::PermissionDenied
        );
        assert!(names.open(b"/p", create(0), &owner).is_ok());
        assert!(names.open(b"/p", create(0), &Cred::root()).is_ok());
        names.unlink(b"/p", &owner).unwrap();
    }

    #[test]
    fn post_wait_and_limits() {
        let names = SemaphoreNames::default();
        let s = names
            .open(b"/v", create(VALUE_MAX - 1), &Cred::root())
            .unwrap();
        s.post().unwrap();
        assert_eq!(s.post().unwrap_err(), SemError::Overflow);
        assert_eq!(s.get(), VALUE_MAX);
        let z = names.open(b"/z", create(0), &Cred::root()).unwrap();
        let past = Instant::now();
        assert_eq!(
            z.wait(Some(past), || false).unwrap_err(),
            SemError::TimedOut
        );
        assert_eq!(z.wait(None, || true).unwrap_err(), SemError::Interrupted);
        let soon = Instant::now() + Duration::from_millis(30);
        assert_eq!(
            z.wait(Some(soon), || false).unwrap_err(),
            SemError::TimedOut
        );
        assert!(
            Instant::now() >= soon,
            "a timed wait lasts until its deadline"
        );
        z.post().unwrap();
        z.wait(Some(past), || true).unwrap();
        assert_eq!(
            z.get(),
            0,
            "a value above zero is taken even past the deadline"
        );
    }

    #[test]
    fn a_post_wakes_a_waiter_in_another_thread() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let names = SemaphoreNames::default();
        let s = names.open(b"/w", create(0), &Cred::root()).unwrap();
        let blocked = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (s, blocked) = (s.clone(), blocked.clone());
            // The check for signals runs once the value was seen to be zero.
            std::thread::spawn(move || {
                s.wait(None, || {
                    blocked.store(true, Ordering::SeqCst);
                    false
                })
            })
        };
        while !blocked.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        s.post().unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(s.get(), 0);
    }

    #[test]
    fn handles_are_small_reused_and_one_per_semaphore() {
        let names = SemaphoreNames::default();
        let root = Cred::root();
        let (a, b) = (
            names.open(b"/a", create(0), &root).unwrap(),
            names.open(b"/b", create(0), &root).unwrap(),
        );
        let mut handles = Handles::default();
        assert_eq!(handles.insert(a.clone()), Ok(1));
        assert_eq!(handles.insert(b.clone()), Ok(2));
        assert_eq!(
            handles.insert(a.clone()),
            Ok(1),
            "opened twice: the same handle"
        );
        handles.close(1).unwrap();
        assert!(
            handles.get(1).is_ok(),
            "open until closed as often as opened"
        );
        let forked = handles.clone();
        handles.close(1).unwrap();
        assert_eq!(handles.close(1).unwrap_err(), SemError::BadHandle);
        assert!(
            Arc::ptr_eq(&forked.get(1).unwrap(), &a),
            "a fork's copy keeps its own"
        );
        assert_eq!(handles.insert(b), Ok(2));
        assert_eq!(handles.insert(a), Ok(1), "the freed handle is reused");
        assert_eq!(handles.get(7).unwrap_err(), SemError::BadHandle);
    }
}
