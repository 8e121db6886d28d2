//! Persistence: where committed filesystem state lives.
//!
//! The trait is shaped after IndexedDB, the strictest backend we have: every
//! operation is asynchronous, writes come in whole batches, and a batch is one
//! all-or-nothing transaction. Nothing here may assume a synchronous disk.
//! The futures are not `Send`, because IndexedDB's are not; a native caller drives
//! them on a thread of its own.

use std::future::Future;
use std::pin::Pin;

use thiserror::Error;

use crate::codec::DecodeError;
use crate::record::{Batch, Image};

mod memory;
#[cfg(feature = "redb-store")]
mod redb_store;

pub use memory::MemoryStore;
#[cfg(feature = "redb-store")]
pub use redb_store::RedbStore;

/// A store's asynchronous answer.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + 'a>>;

/// Why a store could not load or commit.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The backend failed (I/O, a closed database, a transaction abort).
    #[error("storage backend failed: {0}")]
    Backend(String),
    /// The backend is out of space or quota; nothing of the batch was written.
    #[error("storage is full (quota exceeded): {0}")]
    Full(String),
    /// A stored value is not a record of this format.
    #[error("stored data is corrupt: {0}")]
    Corrupt(#[from] DecodeError),
    /// The store was opened read-only.
    #[error("the store is read-only")]
    ReadOnly,
}

/// Committed filesystem state, read whole and changed batch by batch.
pub trait Store {
    /// Reads the last committed state, or `None` for a store never written.
    fn load(&self) -> StoreFuture<'_, Option<Image>>;

    /// Applies a batch atomically: after a crash at any point the store holds
    /// either the state before the batch or the state after it.
    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()>;
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        (**self).load()
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        (**self).commit(batch)
    }
}

impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        (**self).load()
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        (**self).commit(batch)
    }
}
