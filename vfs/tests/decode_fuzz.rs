//! Hostile bytes in a store: decoding arbitrary or mutated records must give an
//! error or a valid record — never a panic, whatever the input.

use proptest::prelude::*;
use wasmux_vfs::record::{InodeRecord, Superblock};
use wasmux_vfs::{FileKind, Timespec};

fn sample() -> InodeRecord {
    InodeRecord {
        kind: FileKind::Regular,
        perm: 0o644,
        uid: 1000,
        gid: 1000,
        nlink: 1,
        rdev: 0,
        size: 12,
        atime: Timespec { sec: 1, nsec: 2 },
        mtime: Timespec { sec: 3, nsec: 4 },
        ctime: Timespec { sec: 5, nsec: 6 },
        version: 7,
        parent: None,
        target: Vec::new(),
        base: None,
    }
}

/// A file whose content is a blob of the base layer.
fn base_backed() -> InodeRecord {
    InodeRecord {
        base: Some([0x5a; 32]),
        ..sample()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = InodeRecord::decode(&bytes);
        let _ = Superblock::decode(&bytes);
    }

    #[test]
    fn mutated_records_decode_to_errors_or_valid_records(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        base in any::<bool>(),
    ) {
        let mut bytes = if base { base_backed() } else { sample() }.encode();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Ok(record) = InodeRecord::decode(&bytes) {
            // Whatever decodes must encode back to the same bytes.
            prop_assert_eq!(record.encode(), bytes);
        }
    }
}
