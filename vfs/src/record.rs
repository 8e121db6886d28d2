//! The persisted form of the filesystem: records, whole images and batches.
//!
//! A store holds four kinds of record, shaped after IndexedDB object stores:
//!
//! | table     | key                  | value          |
//! |-----------|----------------------|----------------|
//! | superblock| —                    | [`Superblock`] |
//! | inodes    | ino                  | [`InodeRecord`]|
//! | dirents   | (dir ino, name)      | child ino      |
//! | chunks    | (ino, chunk index)   | bytes          |
//!
//! Directory entries are keyed by their directory's inode, never by path, so renaming
//! a directory moves one entry whatever its size. A [`Batch`] is one all-or-nothing
//! transaction: the state of every record it names, as it was at one instant.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::types::{FileKind, Ino, Timespec, CHUNK_SIZE};

/// The version of the record layout written by this code. Readers refuse others.
pub const FORMAT_VERSION: u32 = 1;

/// The magic string that opens every superblock: a reader can tell a wasmux store
/// from anything else before it trusts a byte of it.
pub const FORMAT_MAGIC: &str = "wasmux-vfs";

/// The store-wide record: what format the store is in and what it has committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Superblock {
    pub format_version: u32,
    pub chunk_size: u32,
    /// The next inode number to hand out; every stored inode is below it.
    pub next_ino: u64,
    /// How many batches have been committed; grows by one with each.
    pub generation: u64,
}

impl Superblock {
    pub fn new() -> Superblock {
        Superblock {
            format_version: FORMAT_VERSION,
            chunk_size: CHUNK_SIZE as u32,
            next_ino: Ino::ROOT.0 + 1,
            generation: 0,
        }
    }
}

impl Default for Superblock {
    fn default() -> Self {
        Superblock::new()
    }
}

/// The persisted metadata of one inode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InodeRecord {
    pub kind: FileKind,
    /// Permission bits (`0o7777`).
    pub perm: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub rdev: u64,
    pub size: u64,
    pub atime: Timespec,
    pub mtime: Timespec,
    pub ctime: Timespec,
    pub version: u64,
    /// For a directory, the directory holding it (the root holds itself).
    pub parent: Option<Ino>,
    /// For a symbolic link, its target.
    pub target: Vec<u8>,
    /// For a regular file whose content is a blob of the read-only base
    /// layer (the root image), that blob: the store holds no chunk of it
    /// until the file is changed (see [`crate::Vfs::attach_base`]).
    pub base: Option<BlobId>,
}

/// The name of a blob of the base layer (its caller-chosen hash).
pub type BlobId = [u8; 32];

/// The key of a directory entry: the directory's inode and the entry's name.
pub type DirentKey = (Ino, Vec<u8>);

/// The content of one chunk, shared between the live filesystem and batches in
/// flight, so that handing a chunk to the store copies nothing.
pub type ChunkData = Arc<Vec<u8>>;

/// A whole filesystem as a store holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    pub superblock: Superblock,
    pub inodes: BTreeMap<Ino, InodeRecord>,
    pub dirents: BTreeMap<DirentKey, Ino>,
    pub chunks: BTreeMap<(Ino, u64), ChunkData>,
}

/// One transaction: records to write or delete, applied all together or not at all.
///
/// Applying order inside a batch: inodes, directory entries, chunk truncations,
/// then single chunks. A truncation deletes every stored chunk of an inode from an
/// index on, including chunks no batch in memory knows about any more.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub superblock: Superblock,
    pub inodes: Vec<(Ino, Option<InodeRecord>)>,
    pub dirents: Vec<(DirentKey, Option<Ino>)>,
    pub truncations: Vec<(Ino, u64)>,
    pub chunks: Vec<((Ino, u64), Option<ChunkData>)>,
}

impl Batch {
    /// Whether the batch changes nothing but the superblock.
    pub fn is_empty(&self) -> bool {
        self.inodes.is_empty()
            && self.dirents.is_empty()
            && self.truncations.is_empty()
            && self.chunks.is_empty()
    }

    /// Number of records the batch writes or deletes.
    pub fn len(&self) -> usize {
        self.inodes.len() + self.dirents.len() + self.truncations.len() + self.chunks.len()
    }

    /// Bytes of chunk content the batch writes.
    pub fn content_bytes(&self) -> usize {
        self.chunks
            .iter()
            .filter_map(|(_, data)| data.as_ref().map(|d| d.len()))
            .sum()
    }
}

impl Image {
    /// Applies a batch, in the order every store must follow.
    pub fn apply(&mut self, batch: &Batch) {
        self.superblock = batch.superblock.clone();
        for (ino, record) in &batch.inodes {
            match record {
                Some(record) => {
                    self.inodes.insert(*ino, record.clone());
                }
                None => {
                    self.inodes.remove(ino);
                }
            }
        }
        for (key, child) in &batch.dirents {
            match child {
                Some(child) => {
                    self.dirents.insert(key.clone(), *child);
                }
                None => {
                    self.dirents.remove(key);
                }
            }
        }
        for &(ino, from) in &batch.truncations {
            let doomed: Vec<(Ino, u64)> = self
                .chunks
                .range((ino, from)..=(ino, u64::MAX))
                .map(|(key, _)| *key)
                .collect();
            for key in doomed {
                self.chunks.remove(&key);
            }
        }
        for (key, data) in &batch.chunks {
            match data {
                Some(data) => {
                    self.chunks.insert(*key, data.clone());
                }
                None => {
                    self.chunks.remove(key);
                }
            }
        }
    }
}
