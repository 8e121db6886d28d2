//! A live filesystem bound to the store that keeps it: mount, write back, unmount.
//!
//! Write-back is one operation, [`Volume::flush`]: take the dirty records as one
//! batch, commit it, and on failure put them back as dirty. Flushes are
//! serialized by `&mut self`, so batches reach the store in the order they were
//! taken — the property that makes every prefix of the commit stream a
//! consistent filesystem. *When* to flush (a timer, `fsync`, `close`, page
//! hide, unmount) is the embedder's policy, not this crate's.

use std::sync::Arc;

use thiserror::Error;

use crate::error::Errno;
use crate::fs::Vfs;
use crate::fsck::{fsck, FsckError};
use crate::store::{Store, StoreError};
use crate::types::Clock;

/// Why a filesystem could not be mounted.
#[derive(Debug, Error)]
pub enum MountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("refusing to mount a damaged filesystem (nothing was changed): {0}")]
    Damaged(#[from] FsckError),
}

/// Asks for a volume's changes to become durable (an `fsync`, `sync`):
/// the embedder's write-back commits what is pending and answers once it
/// is. The kernel's file handles, its `sync` and a 9P server's `Tfsync`
/// call it without knowing where the volume lives.
pub trait SyncRequest: Send + Sync + std::fmt::Debug {
    /// Waits for the commit. ENOSPC when the store is full, EIO for any
    /// other failure; the changes stay pending for the next try.
    fn sync(&self) -> Result<(), Errno>;
}

/// The errno a failed commit reports to whoever waits for it.
pub fn sync_errno(error: &StoreError) -> Errno {
    match error {
        StoreError::Full(_) => Errno::NoSpc,
        _ => Errno::Io,
    }
}

/// What one flush wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushStats {
    /// Records written or deleted (0: nothing was dirty, no transaction ran).
    pub records: usize,
    /// Bytes of file content written.
    pub content_bytes: usize,
    /// The generation the store holds after the flush.
    pub generation: u64,
}

/// A [`Vfs`] and its [`Store`].
pub struct Volume<S: Store> {
    vfs: Vfs,
    store: S,
    generation: u64,
}

impl<S: Store> Volume<S> {
    /// Loads the committed state, checks it, and serves it. A store never
    /// written gets a fresh filesystem (an empty root), committed at once.
    pub async fn mount(store: S, clock: Arc<dyn Clock>) -> Result<Volume<S>, MountError> {
        match store.load().await? {
            None => {
                let mut volume = Volume {
                    vfs: Vfs::new(clock),
                    store,
                    generation: 0,
                };
                volume.flush().await?;
                Ok(volume)
            }
            Some(image) => {
                fsck(&image)?;
                let generation = image.superblock.generation;
                let vfs = Vfs::from_image(image, clock).map_err(|e| FsckError {
                    problems: vec![format!("image cannot be loaded: {e}")],
                })?;
                Ok(Volume {
                    vfs,
                    store,
                    generation,
                })
            }
        }
    }

    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The generation the store last committed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Commits everything changed so far; on return it is durable.
    pub async fn flush(&mut self) -> Result<FlushStats, StoreError> {
        if !self.vfs.is_dirty() {
            return Ok(FlushStats {
                generation: self.generation,
                ..FlushStats::default()
            });
        }
        let batch = self.vfs.take_batch();
        match self.store.commit(&batch).await {
            Ok(()) => {
                self.generation = batch.superblock.generation;
                tracing::debug!(
                    records = batch.len(),
                    bytes = batch.content_bytes(),
                    generation = self.generation,
                    "committed batch"
                );
                Ok(FlushStats {
                    records: batch.len(),
                    content_bytes: batch.content_bytes(),
                    generation: self.generation,
                })
            }
            Err(e) => {
                self.vfs.requeue(&batch);
                tracing::warn!(error = %e, "commit failed; changes kept for the next flush");
                Err(e)
            }
        }
    }

    /// Flushes and gives the store back.
    pub async fn unmount(mut self) -> Result<S, StoreError> {
        self.flush().await?;
        Ok(self.store)
    }
}
