//! Checks every invariant of a stored filesystem before anyone trusts it.
//!
//! A mount refuses an image that fails here and says why; nothing is ever
//! "repaired" silently. The checks are the ones the rest of the crate relies on:
//! one parent per directory, link counts equal to the names that exist, every
//! inode reachable from the root, and every chunk owned by a regular file
//! (not one whose content is the base layer's) and lying inside its size.

use std::collections::{HashMap, VecDeque};

use thiserror::Error;

use crate::record::{Image, FORMAT_VERSION};
use crate::types::{FileKind, Ino, CHUNK_SIZE, NAME_MAX};

/// At most this many problems are listed; a store that broken needs no more detail.
const MAX_REPORTED: usize = 50;

/// What a clean check counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FsckSummary {
    pub inodes: usize,
    pub directories: usize,
    pub dirents: usize,
    pub chunks: usize,
    pub content_bytes: u64,
}

/// A filesystem that breaks its invariants, with every problem found (up to a limit).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("filesystem check failed with {} problem(s): {}", problems.len(), problems.join("; "))]
pub struct FsckError {
    pub problems: Vec<String>,
}

struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, problem: String) {
        if self.0.len() < MAX_REPORTED {
            self.0.push(problem);
        }
    }
}

/// Checks an image; returns what it holds, or every problem found.
pub fn fsck(image: &Image) -> Result<FsckSummary, FsckError> {
    let mut p = Problems(Vec::new());
    let sb = &image.superblock;
    if sb.format_version != FORMAT_VERSION {
        p.add(format!(
            "format version {} (this build reads {FORMAT_VERSION})",
            sb.format_version
        ));
    }
    if sb.chunk_size as usize != CHUNK_SIZE {
        p.add(format!(
            "chunk size {} (this build uses {CHUNK_SIZE})",
            sb.chunk_size
        ));
    }
    match image.inodes.get(&Ino::ROOT) {
        None => p.add("no root directory".into()),
        Some(root) if root.kind != FileKind::Directory => p.add("root is not a directory".into()),
        Some(root) if root.parent != Some(Ino::ROOT) => p.add("root's parent is not itself".into()),
        Some(_) => {}
    }

    for (&ino, rec) in &image.inodes {
        if ino.0 == 0 || ino.0 >= sb.next_ino {
            p.add(format!("inode {ino} outside the allocated range"));
        }
        if rec.nlink == 0 {
            p.add(format!("inode {ino} is stored with no links"));
        }
        let is_dir = rec.kind == FileKind::Directory;
        if is_dir != rec.parent.is_some() {
            p.add(format!("inode {ino}: parent field does not match its kind"));
        }
        let is_symlink = rec.kind == FileKind::Symlink;
        if is_symlink && (rec.target.is_empty() || rec.size != rec.target.len() as u64) {
            p.add(format!("symlink {ino}: empty target or wrong size"));
        }
        if !is_symlink && !rec.target.is_empty() {
            p.add(format!("inode {ino}: target on a non-symlink"));
        }
    }

    // Names: who refers to whom.
    let mut names: HashMap<Ino, u32> = HashMap::new();
    let mut subdirs: HashMap<Ino, u32> = HashMap::new();
    let mut children: HashMap<Ino, Vec<Ino>> = HashMap::new();
    for ((dir, name), &child) in &image.dirents {
        let shown = String::from_utf8_lossy(name);
        match image.inodes.get(dir) {
            Some(rec) if rec.kind == FileKind::Directory => {}
            _ => p.add(format!(
                "entry {shown:?} lives in {dir}, which is not a directory"
            )),
        }
        if name.is_empty()
            || name.len() > NAME_MAX
            || name.contains(&b'/')
            || name.contains(&0)
            || name == b"."
            || name == b".."
        {
            p.add(format!("entry {shown:?} in {dir} has an invalid name"));
        }
        let Some(rec) = image.inodes.get(&child) else {
            p.add(format!(
                "entry {shown:?} in {dir} names missing inode {child}"
            ));
            continue;
        };
        *names.entry(child).or_default() += 1;
        children.entry(*dir).or_default().push(child);
        if rec.kind == FileKind::Directory {
            *subdirs.entry(*dir).or_default() += 1;
            if rec.parent != Some(*dir) {
                p.add(format!(
                    "directory {child} is named in {dir} but its parent is {:?}",
                    rec.parent
                ));
            }
        }
    }

    for (&ino, rec) in &image.inodes {
        let named = names.get(&ino).copied().unwrap_or(0);
        if rec.kind == FileKind::Directory {
            let expected_names = if ino == Ino::ROOT { 0 } else { 1 };
            if named != expected_names {
                p.add(format!(
                    "directory {ino} has {named} names (expected {expected_names})"
                ));
            }
            let expected_links = 2 + subdirs.get(&ino).copied().unwrap_or(0);
            if rec.nlink != expected_links {
                p.add(format!(
                    "directory {ino} has link count {} (expected {expected_links})",
                    rec.nlink
                ));
            }
        } else if rec.nlink != named {
            p.add(format!(
                "inode {ino} has link count {} but {named} names",
                rec.nlink
            ));
        }
    }

    // Reachability from the root (this also rules out detached directory cycles).
    let mut seen: HashMap<Ino, ()> = HashMap::new();
    let mut queue = VecDeque::from([Ino::ROOT]);
    while let Some(ino) = queue.pop_front() {
        if seen.insert(ino, ()).is_some() {
            continue;
        }
        if let Some(kids) = children.get(&ino) {
            queue.extend(kids.iter().copied());
        }
    }
    for &ino in image.inodes.keys() {
        if !seen.contains_key(&ino) {
            p.add(format!("inode {ino} is not reachable from the root"));
        }
    }

    let mut content_bytes = 0;
    for (&(ino, index), data) in &image.chunks {
        content_bytes += data.len() as u64;
        let Some(rec) = image.inodes.get(&ino) else {
            p.add(format!("chunk {index} belongs to missing inode {ino}"));
            continue;
        };
        if rec.kind != FileKind::Regular {
            p.add(format!(
                "chunk {index} belongs to {ino}, which is not a regular file"
            ));
        }
        if rec.base.is_some() {
            p.add(format!(
                "chunk {index} belongs to {ino}, whose content is the base layer's"
            ));
        }
        let start = index.saturating_mul(CHUNK_SIZE as u64);
        if data.is_empty() || data.len() > CHUNK_SIZE {
            p.add(format!("chunk {index} of {ino} has length {}", data.len()));
        }
        if start.saturating_add(data.len() as u64) > rec.size {
            p.add(format!(
                "chunk {index} of {ino} lies beyond its size {}",
                rec.size
            ));
        }
    }

    if p.0.is_empty() {
        Ok(FsckSummary {
            inodes: image.inodes.len(),
            directories: image
                .inodes
                .values()
                .filter(|r| r.kind == FileKind::Directory)
                .count(),
            dirents: image.dirents.len(),
            chunks: image.chunks.len(),
            content_bytes,
        })
    } else {
        Err(FsckError { problems: p.0 })
    }
}
