//! A store in memory: for tests, and for filesystems that need not outlive the
//! process (`/tmp`). Its commits are atomic because they happen under one lock.

use std::sync::Mutex;

use super::{Store, StoreError, StoreFuture};
use crate::record::{Batch, Image};

/// Committed state held in memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    image: Mutex<Option<Image>>,
    commits: Mutex<u64>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A copy of the committed state.
    pub fn snapshot(&self) -> Option<Image> {
        self.image.lock().expect("memory store lock").clone()
    }

    /// How many batches were committed.
    pub fn commits(&self) -> u64 {
        *self.commits.lock().expect("memory store lock")
    }
}

impl Store for MemoryStore {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        let image = self.snapshot();
        Box::pin(async move { Ok(image) })
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut guard = self
                .image
                .lock()
                .map_err(|_| StoreError::Backend("poisoned".into()))?;
            guard.get_or_insert_with(Image::default).apply(batch);
            *self.commits.lock().expect("memory store lock") += 1;
            Ok(())
        })
    }
}
