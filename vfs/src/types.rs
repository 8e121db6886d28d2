//! Plain data shared by every part of the filesystem: inode numbers, file kinds,
//! timestamps, credentials and the `stat` view of an inode.

use std::fmt;

/// Size of one unit of file content. Content is stored chunk by chunk so that a
/// small write dirties (and later persists) one chunk, never the whole file.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// Longest name of one directory entry, in bytes (Linux `NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// Longest path accepted by resolution, in bytes (Linux `PATH_MAX`, counting the NUL).
pub const PATH_MAX: usize = 4096;

/// How many symbolic links one resolution may follow before `ELOOP` (Linux: 40).
pub const SYMLOOP_MAX: u32 = 40;

/// Largest link count of an inode (`EMLINK` beyond).
pub const LINK_MAX: u32 = 65_000;

/// Largest file size accepted (`EFBIG` beyond): 2^43, far beyond any browser quota.
pub const MAX_FILE_SIZE: u64 = 1 << 43;

/// An inode number. Stable for the life of the filesystem and never reused, so
/// that it can serve as the path part of a 9P qid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ino(pub u64);

impl Ino {
    /// The root directory.
    pub const ROOT: Ino = Ino(1);
}

impl fmt::Display for Ino {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What an inode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    CharDevice,
}

impl FileKind {
    /// The `S_IFMT` bits of this kind, as Linux encodes them in `st_mode`.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileKind::Regular => 0o100000,
            FileKind::Directory => 0o040000,
            FileKind::Symlink => 0o120000,
            FileKind::Fifo => 0o010000,
            FileKind::CharDevice => 0o020000,
        }
    }

    /// The kind named by the `S_IFMT` bits of a Linux mode.
    pub fn from_mode_bits(mode: u32) -> Option<FileKind> {
        match mode & 0o170000 {
            0o100000 => Some(FileKind::Regular),
            0o040000 => Some(FileKind::Directory),
            0o120000 => Some(FileKind::Symlink),
            0o010000 => Some(FileKind::Fifo),
            0o020000 => Some(FileKind::CharDevice),
            _ => None,
        }
    }
}

/// A point in time, as Linux keeps it in `struct timespec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timespec {
    pub sec: i64,
    pub nsec: u32,
}

impl Timespec {
    /// Nanoseconds since the epoch (saturating).
    pub fn as_nanos(self) -> u64 {
        (self.sec.max(0) as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(self.nsec as u64)
    }

    /// A timespec from nanoseconds since the epoch.
    pub fn from_nanos(nanos: u64) -> Timespec {
        Timespec {
            sec: (nanos / 1_000_000_000) as i64,
            nsec: (nanos % 1_000_000_000) as u32,
        }
    }
}

/// Where the filesystem reads the time. Native builds use the system clock; the
/// browser has no `SystemTime` and supplies `Date.now()`; tests use a fixed clock.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timespec;
}

/// The host's real-time clock, where `std::time::SystemTime` works.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timespec {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timespec {
            sec: since.as_secs() as i64,
            nsec: since.subsec_nanos(),
        }
    }
}

/// Who performs an operation: the credentials permission checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cred {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// File mode creation mask applied to new inodes.
    pub umask: u32,
}

impl Cred {
    /// The superuser: passes every permission check but exec-without-x-bit.
    pub fn root() -> Cred {
        Cred {
            uid: 0,
            gid: 0,
            groups: Vec::new(),
            umask: 0o022,
        }
    }

    /// An ordinary user.
    pub fn user(uid: u32, gid: u32) -> Cred {
        Cred {
            uid,
            gid,
            groups: Vec::new(),
            umask: 0o022,
        }
    }

    /// Linux's `nobody` (65534): owns nothing, so it passes only the checks
    /// the others' permission bits grant.
    pub fn nobody() -> Cred {
        Cred::user(65534, 65534)
    }

    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// Whether the permission bits `perm` of an object owned by `uid` and
    /// `gid` grant `want` to this (non-root) caller: the owner's, the
    /// group's or the others' bits, whichever class the caller falls in.
    pub fn owner_permits(&self, uid: u32, gid: u32, perm: u32, want: Access) -> bool {
        let bits = if self.uid == uid {
            (perm >> 6) & 7
        } else if self.in_group(gid) {
            (perm >> 3) & 7
        } else {
            perm & 7
        };
        bits & want.0 == want.0
    }
}

/// Access a caller asks for, as the bits of `access(2)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access(pub u32);

impl Access {
    pub const READ: Access = Access(4);
    pub const WRITE: Access = Access(2);
    pub const EXEC: Access = Access(1);
    pub const EXISTS: Access = Access(0);

    pub fn union(self, other: Access) -> Access {
        Access(self.0 | other.0)
    }
}

/// The `stat` view of an inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub ino: Ino,
    pub kind: FileKind,
    /// Permission bits (`0o7777`), without the kind.
    pub perm: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    /// Device number of a character device (`makedev(major, minor)`), else 0.
    pub rdev: u64,
    pub size: u64,
    /// 512-byte blocks of content actually stored (holes cost nothing).
    pub blocks: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
    /// Bumped on every change of the inode or its content: a 9P qid version.
    pub version: u64,
}

impl Stat {
    /// The full Linux `st_mode`: kind and permission bits.
    pub fn mode(&self) -> u32 {
        self.kind.mode_bits() | self.perm
    }
}

/// A change of timestamps asked by `utimensat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetTime {
    /// Leave as is (`UTIME_OMIT`).
    Omit,
    /// The current time (`UTIME_NOW`).
    Now,
    /// This time.
    At(Timespec),
}

/// A change of attributes, as `setattr` in 9P or a `chmod`/`chown`/`truncate`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetAttr {
    pub perm: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<SetTime>,
    pub mtime: Option<SetTime>,
}
