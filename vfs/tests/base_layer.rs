//! Files whose content is a blob of the read-only base layer: stored as a
//! record only, readable once the blob is given, copied up by the first
//! change, and kept apart from the store's chunks by fsck.

use std::sync::Arc;

use wasmux_vfs::*;

const BLOB: [u8; 32] = [0xb5; 32];

fn mount(store: &Arc<MemoryStore>) -> Volume<Arc<MemoryStore>> {
    pollster::block_on(Volume::mount(store.clone(), Arc::new(SystemClock))).unwrap()
}

fn content(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 % 251) as u8).collect()
}

fn read_all(v: &Vfs, path: &str) -> VfsResult<Vec<u8>> {
    let ino = v.resolve(&Cred::root(), Ino::ROOT, path.as_bytes(), true)?;
    let mut buf = vec![0; v.stat(ino)?.size as usize];
    let n = v.read(ino, 0, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// Makes `path` the base layer's blob [`BLOB`], holding `bytes`.
fn base_file(vol: &Volume<Arc<MemoryStore>>, path: &str, bytes: &[u8]) -> Ino {
    vol.vfs()
        .write_base_file(&Cred::root(), path.as_bytes(), BLOB, bytes, 0o755)
        .unwrap()
}

/// How many content bytes the store holds.
fn stored_bytes(store: &MemoryStore) -> usize {
    store
        .snapshot()
        .unwrap()
        .chunks
        .values()
        .map(|c| c.len())
        .sum()
}

#[test]
fn a_base_file_is_stored_as_a_record_and_read_from_its_blob() {
    let store = Arc::new(MemoryStore::new());
    let bytes = content(3 * CHUNK_SIZE + 17);
    let mut vol = mount(&store);
    let ino = base_file(&vol, "/prog", &bytes);
    assert_eq!(vol.vfs().base_of(ino).unwrap(), Some(BLOB));
    assert_eq!(read_all(vol.vfs(), "/prog").unwrap(), bytes);
    pollster::block_on(vol.flush()).unwrap();
    assert_eq!(
        stored_bytes(&store),
        0,
        "the store holds none of its content"
    );
    pollster::block_on(vol.unmount()).unwrap();

    // Mounted again, the file waits for its blob.
    let vol = mount(&store);
    assert_eq!(vol.vfs().stat(ino).unwrap().size, bytes.len() as u64);
    assert_eq!(read_all(vol.vfs(), "/prog"), Err(Errno::Io));
    assert_eq!(vol.vfs().attach_base([0; 32], &bytes), 0, "another blob");
    assert_eq!(vol.vfs().attach_base(BLOB, &bytes[1..]), 0, "another size");
    assert_eq!(read_all(vol.vfs(), "/prog"), Err(Errno::Io));
    assert_eq!(vol.vfs().attach_base(BLOB, &bytes), 1);
    assert_eq!(read_all(vol.vfs(), "/prog").unwrap(), bytes);
    pollster::block_on(vol.unmount()).unwrap();
}

#[test]
fn the_first_change_copies_the_content_up() {
    let store = Arc::new(MemoryStore::new());
    let bytes = content(2 * CHUNK_SIZE + 5);
    let mut vol = mount(&store);
    let ino = base_file(&vol, "/a", &bytes);
    base_file(&vol, "/b", &bytes);
    pollster::block_on(vol.flush()).unwrap();
    vol.vfs().write(ino, 1, b"XY").unwrap();
    assert_eq!(vol.vfs().base_of(ino).unwrap(), None);
    let b = vol
        .vfs()
        .resolve(&Cred::root(), Ino::ROOT, b"/b", true)
        .unwrap();
    vol.vfs().truncate(b, 10).unwrap();
    pollster::block_on(vol.unmount()).unwrap();
    assert_eq!(
        stored_bytes(&store),
        bytes.len() + 10,
        "both files are their own now"
    );

    // No blob is needed any more.
    let vol = mount(&store);
    let mut changed = bytes.clone();
    changed[1..3].copy_from_slice(b"XY");
    assert_eq!(read_all(vol.vfs(), "/a").unwrap(), changed);
    assert_eq!(read_all(vol.vfs(), "/b").unwrap(), bytes[..10]);
}

#[test]
fn a_new_blob_replaces_the_content_and_the_stored_chunks() {
    let store = Arc::new(MemoryStore::new());
    let mut vol = mount(&store);
    vol.vfs()
        .write_file(&Cred::root(), b"/prog", &content(CHUNK_SIZE + 1), 0o755)
        .unwrap();
    pollster::block_on(vol.flush()).unwrap();
    assert!(stored_bytes(&store) > 0);
    let newer = content(100);
    base_file(&vol, "/prog", &newer);
    pollster::block_on(vol.unmount()).unwrap();
    assert_eq!(stored_bytes(&store), 0);
    let vol = mount(&store);
    vol.vfs().attach_base(BLOB, &newer);
    assert_eq!(read_all(vol.vfs(), "/prog").unwrap(), newer);
}

#[test]
fn fsck_refuses_stored_chunks_of_a_base_file() {
    let store = Arc::new(MemoryStore::new());
    let vol = mount(&store);
    let ino = base_file(&vol, "/prog", &content(10));
    pollster::block_on(vol.unmount()).unwrap();
    let mut image = store.snapshot().unwrap();
    assert!(fsck(&image).is_ok());
    image.chunks.insert((ino, 0), Arc::new(content(10)));
    let err = fsck(&image).unwrap_err().to_string();
    assert!(err.contains("base layer"), "{err}");
}
