//! The byte encoding of records, for stores that keep bytes (the native on-disk
//! store; the IndexedDB store keeps the same bytes as values).
//!
//! Every value starts with a one-byte layout tag so that a later format can be read
//! next to this one, and the superblock starts with [`FORMAT_MAGIC`]. Integers are
//! little-endian. Decoding never panics: a short, long or unknown value is a
//! [`DecodeError`].

use thiserror::Error;

use crate::record::{InodeRecord, Superblock, FORMAT_MAGIC};
use crate::types::{FileKind, Ino, Timespec};

const INODE_LAYOUT_V1: u8 = 1;
/// V1 followed by the base layer's blob id (only a file with one has it).
const INODE_LAYOUT_V2: u8 = 2;
const SUPERBLOCK_LAYOUT_V1: u8 = 1;

/// A stored value that is not a record of this format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("undecodable {what}: {why}")]
pub struct DecodeError {
    pub what: &'static str,
    pub why: String,
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn time(&mut self, t: Timespec) {
        self.u64(t.sec as u64);
        self.u32(t.nsec);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
}

struct Reader<'a> {
    what: &'static str,
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn fail(&self, why: impl Into<String>) -> DecodeError {
        DecodeError {
            what: self.what,
            why: why.into(),
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.rest.len() < n {
            return Err(self.fail(format!("truncated: wanted {n} more bytes")));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn time(&mut self) -> Result<Timespec, DecodeError> {
        let sec = self.u64()? as i64;
        let nsec = self.u32()?;
        if nsec >= 1_000_000_000 {
            return Err(self.fail("nanoseconds out of range"));
        }
        Ok(Timespec { sec, nsec })
    }
    fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.u32()? as usize;
        self.take(len)
    }
    fn finish(self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.fail(format!("{} trailing bytes", self.rest.len())))
        }
    }
}

fn kind_tag(kind: FileKind) -> u8 {
    match kind {
        FileKind::Regular => 1,
        FileKind::Directory => 2,
        FileKind::Symlink => 3,
        FileKind::Fifo => 4,
        FileKind::CharDevice => 5,
    }
}

fn kind_from_tag(tag: u8) -> Option<FileKind> {
    Some(match tag {
        1 => FileKind::Regular,
        2 => FileKind::Directory,
        3 => FileKind::Symlink,
        4 => FileKind::Fifo,
        5 => FileKind::CharDevice,
        _ => return None,
    })
}

impl InodeRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(96 + self.target.len()));
        w.u8(if self.base.is_some() {
            INODE_LAYOUT_V2
        } else {
            INODE_LAYOUT_V1
        });
        w.u8(kind_tag(self.kind));
        w.u32(self.perm);
        w.u32(self.uid);
        w.u32(self.gid);
        w.u32(self.nlink);
        w.u64(self.rdev);
        w.u64(self.size);
        w.time(self.atime);
        w.time(self.mtime);
        w.time(self.ctime);
        w.u64(self.version);
        w.u64(self.parent.map_or(0, |p| p.0));
        w.bytes(&self.target);
        if let Some(blob) = &self.base {
            w.0.extend_from_slice(blob);
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<InodeRecord, DecodeError> {
        let mut r = Reader {
            what: "inode record",
            rest: bytes,
        };
        let layout = r.u8()?;
        if layout != INODE_LAYOUT_V1 && layout != INODE_LAYOUT_V2 {
            return Err(r.fail(format!("unknown layout {layout}")));
        }
        let tag = r.u8()?;
        let kind = kind_from_tag(tag).ok_or_else(|| r.fail(format!("unknown kind {tag}")))?;
        let perm = r.u32()?;
        if perm & !0o7777 != 0 {
            return Err(r.fail(format!("permission bits {perm:o} out of range")));
        }
        let record = InodeRecord {
            kind,
            perm,
            uid: r.u32()?,
            gid: r.u32()?,
            nlink: r.u32()?,
            rdev: r.u64()?,
            size: r.u64()?,
            atime: r.time()?,
            mtime: r.time()?,
            ctime: r.time()?,
            version: r.u64()?,
            parent: match r.u64()? {
                0 => None,
                p => Some(Ino(p)),
            },
            target: r.bytes()?.to_vec(),
            base: None,
        };
        let record = if layout == INODE_LAYOUT_V2 {
            let blob: [u8; 32] = r.take(32)?.try_into().expect("32 bytes");
            if record.kind != FileKind::Regular {
                return Err(r.fail("a base layer blob for a file that is not regular"));
            }
            InodeRecord {
                base: Some(blob),
                ..record
            }
        } else {
            record
        };
        r.finish()?;
        Ok(record)
    }
}

impl Superblock {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(48));
        w.bytes(FORMAT_MAGIC.as_bytes());
        w.u8(SUPERBLOCK_LAYOUT_V1);
        w.u32(self.format_version);
        w.u32(self.chunk_size);
        w.u64(self.next_ino);
        w.u64(self.generation);
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<Superblock, DecodeError> {
        let mut r = Reader {
            what: "superblock",
            rest: bytes,
        };
        let magic = r.bytes()?;
        if magic != FORMAT_MAGIC.as_bytes() {
            return Err(r.fail("not a wasmux filesystem (bad magic)"));
        }
        let layout = r.u8()?;
        if layout != SUPERBLOCK_LAYOUT_V1 {
            return Err(r.fail(format!("unknown layout {layout}")));
        }
        let sb = Superblock {
            format_version: r.u32()?,
            chunk_size: r.u32()?,
            next_ino: r.u64()?,
            generation: r.u64()?,
        };
        r.finish()?;
        Ok(sb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> InodeRecord {
        InodeRecord {
            kind: FileKind::Symlink,
            perm: 0o777,
            uid: 1000,
            gid: 100,
            nlink: 1,
            rdev: 0,
            size: 3,
            atime: Timespec { sec: 1, nsec: 2 },
            mtime: Timespec { sec: 3, nsec: 4 },
            ctime: Timespec { sec: -5, nsec: 6 },
            version: 9,
            parent: None,
            target: b"abc".to_vec(),
            base: None,
        }
    }

    fn base_backed() -> InodeRecord {
        InodeRecord {
            kind: FileKind::Regular,
            target: Vec::new(),
            base: Some([7; 32]),
            ..sample()
        }
    }

    #[test]
    fn inode_round_trips() {
        for rec in [sample(), base_backed()] {
            assert_eq!(InodeRecord::decode(&rec.encode()).unwrap(), rec);
        }
        // A record without a base blob keeps the first layout's bytes.
        assert_eq!(sample().encode()[0], INODE_LAYOUT_V1);
    }

    #[test]
    fn only_a_regular_file_has_a_base_blob() {
        let mut bytes = base_backed().encode();
        bytes[1] = kind_tag(FileKind::Directory);
        assert!(InodeRecord::decode(&bytes).is_err());
    }

    #[test]
    fn superblock_round_trips_and_rejects_foreign_bytes() {
        let sb = Superblock {
            generation: 7,
            ..Superblock::new()
        };
        assert_eq!(Superblock::decode(&sb.encode()).unwrap(), sb);
        assert!(Superblock::decode(b"hello world, not a superblock").is_err());
    }

    #[test]
    fn every_truncation_and_extension_is_an_error_not_a_panic() {
        for bytes in [sample().encode(), base_backed().encode()] {
            for cut in 0..bytes.len() {
                assert!(InodeRecord::decode(&bytes[..cut]).is_err(), "cut at {cut}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(InodeRecord::decode(&longer).is_err());
        }
        let sb = Superblock::new().encode();
        for cut in 0..sb.len() {
            assert!(Superblock::decode(&sb[..cut]).is_err(), "cut at {cut}");
        }
    }
}
