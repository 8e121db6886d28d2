//! The native on-disk store: one `redb` database file.
//!
//! redb gives exactly the transaction the [`Store`] trait asks for: a write
//! transaction is applied whole or not at all, even if the process dies or the
//! machine loses power in the middle of its commit.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::{Store, StoreError, StoreFuture};
use crate::record::{Batch, Image, InodeRecord, Superblock};
use crate::types::Ino;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const INODES: TableDefinition<u64, &[u8]> = TableDefinition::new("inodes");
const DIRENTS: TableDefinition<(u64, &[u8]), u64> = TableDefinition::new("dirents");
const CHUNKS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("chunks");
const SUPERBLOCK_KEY: &str = "superblock";

/// Committed state in a redb database file.
pub struct RedbStore {
    db: Database,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    let text = e.to_string();
    if text.contains("No space left") || text.contains("os error 28") {
        StoreError::Full(text)
    } else {
        StoreError::Backend(text)
    }
}

impl RedbStore {
    /// Opens the database at `path`, creating an empty one if there is none.
    pub fn open(path: &Path) -> Result<RedbStore, StoreError> {
        let db = Database::create(path).map_err(backend)?;
        Ok(RedbStore { db })
    }

    fn load_now(&self) -> Result<Option<Image>, StoreError> {
        let txn = self.db.begin_read().map_err(backend)?;
        let meta = match txn.open_table(META) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(backend(e)),
        };
        let Some(sb) = meta.get(SUPERBLOCK_KEY).map_err(backend)? else {
            return Ok(None);
        };
        let mut image = Image {
            superblock: Superblock::decode(sb.value())?,
            ..Image::default()
        };
        for row in txn
            .open_table(INODES)
            .map_err(backend)?
            .iter()
            .map_err(backend)?
        {
            let (k, v) = row.map_err(backend)?;
            image
                .inodes
                .insert(Ino(k.value()), InodeRecord::decode(v.value())?);
        }
        for row in txn
            .open_table(DIRENTS)
            .map_err(backend)?
            .iter()
            .map_err(backend)?
        {
            let (k, v) = row.map_err(backend)?;
            let (dir, name) = k.value();
            image
                .dirents
                .insert((Ino(dir), name.to_vec()), Ino(v.value()));
        }
        for row in txn
            .open_table(CHUNKS)
            .map_err(backend)?
            .iter()
            .map_err(backend)?
        {
            let (k, v) = row.map_err(backend)?;
            let (ino, index) = k.value();
            image
                .chunks
                .insert((Ino(ino), index), v.value().to_vec().into());
        }
        Ok(Some(image))
    }

    fn commit_now(&self, batch: &Batch) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut meta = txn.open_table(META).map_err(backend)?;
            meta.insert(SUPERBLOCK_KEY, batch.superblock.encode().as_slice())
                .map_err(backend)?;
            let mut inodes = txn.open_table(INODES).map_err(backend)?;
            for (ino, record) in &batch.inodes {
                match record {
                    Some(record) => {
                        inodes
                            .insert(ino.0, record.encode().as_slice())
                            .map_err(backend)?;
                    }
                    None => {
                        inodes.remove(ino.0).map_err(backend)?;
                    }
                }
            }
            let mut dirents = txn.open_table(DIRENTS).map_err(backend)?;
            for ((dir, name), child) in &batch.dirents {
                match child {
                    Some(child) => {
                        dirents
                            .insert((dir.0, name.as_slice()), child.0)
                            .map_err(backend)?;
                    }
                    None => {
                        dirents.remove((dir.0, name.as_slice())).map_err(backend)?;
                    }
                }
            }
            let mut chunks = txn.open_table(CHUNKS).map_err(backend)?;
            for &(ino, from) in &batch.truncations {
                chunks
                    .retain_in((ino.0, from)..=(ino.0, u64::MAX), |_, _| false)
                    .map_err(backend)?;
            }
            for ((ino, index), data) in &batch.chunks {
                match data {
                    Some(data) => {
                        chunks
                            .insert((ino.0, *index), data.as_slice())
                            .map_err(backend)?;
                    }
                    None => {
                        chunks.remove((ino.0, *index)).map_err(backend)?;
                    }
                }
            }
        }
        txn.commit().map_err(backend)
    }
}

impl Store for RedbStore {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        let result = self.load_now();
        Box::pin(async move { result })
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        let result = self.commit_now(batch);
        Box::pin(async move { result })
    }
}
