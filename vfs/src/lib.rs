//! The wasmux filesystem: one POSIX namespace shared by every process, by the
//! 9P server of the emulator and by the browser's Service Worker.
//!
//! The crate knows nothing of wasmer, WASI or the browser. Its layers, bottom up:
//!
//! - [`types`] and [`error`]: inode numbers, kinds, times, credentials, errno.
//! - [`record`]: the persisted form — inode records, directory entries keyed by
//!   their directory's inode, file content in fixed-size chunks — and
//!   [`Batch`], one all-or-nothing transaction. [`codec`] turns records into
//!   versioned bytes.
//! - [`fs::Vfs`]: the live filesystem, answered from memory under one lock,
//!   tracking which records changed.
//! - [`store::Store`]: where committed state lives, an asynchronous batched
//!   interface shaped after IndexedDB ([`MemoryStore`], and natively
//!   `RedbStore`).
//! - [`volume::Volume`]: a `Vfs` bound to its store — mount (with [`fsck`]),
//!   flush, unmount.

pub mod codec;
pub mod error;
pub mod fs;
pub mod fsck;
pub mod record;
pub mod store;
pub mod types;
pub mod volume;

pub use error::{Errno, VfsResult};
pub use fs::{DirEntry, Handle, OpenFlags, ParentRef, Vfs};
pub use fsck::{fsck, FsckError, FsckSummary};
pub use record::{Batch, Image};
#[cfg(feature = "redb-store")]
pub use store::RedbStore;
pub use store::{MemoryStore, Store, StoreError};
pub use types::{
    Access, Clock, Cred, FileKind, Ino, SetAttr, SetTime, Stat, SystemClock, Timespec, CHUNK_SIZE,
};
pub use volume::{sync_errno, FlushStats, MountError, SyncRequest, Volume};
