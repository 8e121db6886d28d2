//! The IndexedDB store in a real browser (headless Chromium, in a dedicated
//! worker, where the runtime uses it): round trips against the in-memory
//! reference store, truncation, crashes between and inside batches,
//! corrupt databases, reset.

use std::cell::Cell;
use std::sync::Arc;

use wasm_bindgen_test::*;
use wasmux_vfs::record::{Batch, Image};
use wasmux_vfs::store::StoreFuture;
use wasmux_vfs::{
    Clock, Cred, FileKind, Ino, MemoryStore, MountError, SetAttr, Store, StoreError, Timespec,
    Volume,
};

use super::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

struct DateClock;

impl Clock for DateClock {
    fn now(&self) -> Timespec {
        let ms = js_sys::Date::now();
        Timespec {
            sec: (ms / 1000.0).floor() as i64,
            nsec: ((ms % 1000.0) * 1e6) as u32,
        }
    }
}

thread_local! {
    static NEXT_DB: Cell<u32> = const { Cell::new(0) };
}

/// A database name no other test uses (the profile is shared by the run).
fn fresh_name(test: &str) -> String {
    let n = NEXT_DB.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!("wasmux-test-{test}-{n}-{}", js_sys::Math::random())
}

/// Commits every batch to the IndexedDB store and to the reference store.
struct Tee {
    idb: IdbStore,
    reference: MemoryStore,
}

impl Store for Tee {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        self.idb.load()
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.idb.commit(batch).await?;
            self.reference.commit(batch).await
        })
    }
}

fn user() -> Cred {
    Cred::root()
}

/// A tree with every record kind: directories, a symlink, a hard link, an
/// empty file, one of several chunks with a hole, and names that are not UTF-8.
fn populate(volume: &Volume<impl Store>) {
    let vfs = volume.vfs();
    let cred = user();
    let home = vfs.mkdir(&cred, Ino::ROOT, b"home", 0o755).unwrap();
    let docs = vfs.mkdir(&cred, home, b"docs", 0o700).unwrap();
    vfs.write_file(&cred, b"/home/docs/a.txt", b"hello\n", 0o644)
        .unwrap();
    vfs.write_file(&cred, b"/home/empty", b"", 0o600).unwrap();
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let ino = vfs.write_file(&cred, b"/home/big", &big, 0o644).unwrap();
    vfs.write(ino, 1_000_000, b"after a hole").unwrap();
    vfs.symlink(&cred, docs, b"link", b"../big").unwrap();
    let a = vfs
        .resolve(&cred, Ino::ROOT, b"/home/docs/a.txt", true)
        .unwrap();
    vfs.link(&cred, a, home, b"hard").unwrap();
    vfs.mknod(&cred, home, b"fifo", FileKind::Fifo, 0o644, 0)
        .unwrap();
    vfs.write_file(&cred, b"/home/\xff\xfe-not-utf8", b"x", 0o644)
        .unwrap();
}

async fn mount(name: &str) -> Volume<IdbStore> {
    Volume::mount(IdbStore::open(name).await.unwrap(), Arc::new(DateClock))
        .await
        .unwrap()
}

/// A fresh database holding [`populate`]'s tree, committed.
async fn populated(test: &str) -> (String, Volume<IdbStore>) {
    let name = fresh_name(test);
    let mut volume = mount(&name).await;
    populate(&volume);
    volume.flush().await.unwrap();
    (name, volume)
}

#[wasm_bindgen_test]
async fn a_new_database_holds_nothing_and_then_exactly_what_was_committed() {
    let name = fresh_name("roundtrip");
    let store = IdbStore::open(&name).await.unwrap();
    assert!(store.load().await.unwrap().is_none());
    let tee = Tee {
        idb: store,
        reference: MemoryStore::new(),
    };
    let mut volume = Volume::mount(tee, Arc::new(DateClock)).await.unwrap();
    populate(&volume);
    volume.flush().await.unwrap();
    // A second batch that deletes, renames and rewrites.
    let vfs = volume.vfs();
    let home = vfs.resolve(&user(), Ino::ROOT, b"/home", true).unwrap();
    vfs.unlink(&user(), home, b"empty").unwrap();
    vfs.rename(&user(), home, b"docs", home, b"papers").unwrap();
    vfs.write_file(&user(), b"/home/papers/a.txt", b"rewritten", 0o644)
        .unwrap();
    volume.flush().await.unwrap();
    let tee = volume.unmount().await.unwrap();
    drop(tee.idb);

    let reopened = IdbStore::open(&name).await.unwrap();
    let loaded = reopened.load().await.unwrap().expect("committed state");
    assert_eq!(loaded, tee.reference.snapshot().unwrap());
    assert_eq!(
        loaded.superblock.generation, 3,
        "fresh root, then two batches"
    );
    drop(reopened);
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn shrinking_a_file_drops_its_stored_chunks() {
    let name = fresh_name("truncate");
    let mut volume = mount(&name).await;
    let big = vec![7u8; 5 * wasmux_vfs::CHUNK_SIZE];
    let ino = volume
        .vfs()
        .write_file(&user(), b"/f", &big, 0o644)
        .unwrap();
    volume.flush().await.unwrap();
    let chunks_of = |image: &Image| image.chunks.keys().filter(|(i, _)| *i == ino).count();
    assert_eq!(chunks_of(&volume.store().load().await.unwrap().unwrap()), 5);

    volume
        .vfs()
        .setattr(
            &user(),
            ino,
            &SetAttr {
                size: Some(wasmux_vfs::CHUNK_SIZE as u64 + 1),
                ..SetAttr::default()
            },
        )
        .unwrap();
    volume.flush().await.unwrap();
    let image = volume.store().load().await.unwrap().unwrap();
    assert_eq!(chunks_of(&image), 2);
    wasmux_vfs::fsck(&image).unwrap();
    drop(volume);
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_crash_between_batches_loses_only_the_unflushed_changes() {
    let (name, volume) = populated("crash-between").await;
    let flushed = volume.vfs().to_image();
    // Changes after the last flush, then the tab dies: no unmount, no flush.
    volume
        .vfs()
        .write_file(&user(), b"/home/lost", b"never flushed", 0o644)
        .unwrap();
    let home = volume
        .vfs()
        .resolve(&user(), Ino::ROOT, b"/home", true)
        .unwrap();
    volume.vfs().unlink(&user(), home, b"big").unwrap();
    drop(volume);

    // The next boot: mount runs fsck, and finds the flushed state.
    let volume = mount(&name).await;
    assert_eq!(volume.vfs().to_image(), flushed);
    let cred = user();
    assert!(volume
        .vfs()
        .resolve(&cred, Ino::ROOT, b"/home/lost", true)
        .is_err());
    assert!(volume
        .vfs()
        .resolve(&cred, Ino::ROOT, b"/home/big", true)
        .is_ok());
    drop(volume);
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_crash_inside_a_commit_leaves_the_previous_batch() {
    let (name, volume) = populated("crash-inside").await;
    let before = volume.store().load().await.unwrap().unwrap();

    // The next batch's requests are all issued, then the transaction dies
    // before it completes — what a killed tab does to it.
    let vfs = volume.vfs();
    let home = vfs.resolve(&user(), Ino::ROOT, b"/home", true).unwrap();
    vfs.unlink(&user(), home, b"big").unwrap();
    vfs.write_file(&user(), b"/home/new", &[1u8; 100_000], 0o644)
        .unwrap();
    let batch = vfs.take_batch();
    let txn = volume.store().write(&batch).unwrap();
    match finish(txn.abort().unwrap()).await {
        Err(StoreError::Backend(e)) => assert!(e.contains("did not commit"), "{e}"),
        other => panic!("an aborted transaction is an error, got {other:?}"),
    }
    drop(volume);

    let reopened = IdbStore::open(&name).await.unwrap();
    let after = reopened.load().await.unwrap().unwrap();
    assert_eq!(after, before, "nothing of the dead transaction is visible");
    wasmux_vfs::fsck(&after).unwrap();
    drop(reopened);
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_damaged_database_is_refused_and_left_as_it_was() {
    let (name, volume) = populated("corrupt").await;
    let store = volume.unmount().await.unwrap();

    // Damage: a directory entry pointing at an inode that does not exist.
    let txn = store
        .db
        .transaction(&[DIRENTS], TransactionMode::ReadWrite)
        .unwrap();
    let key = pair_key(ino_key(Ino::ROOT), buffer(b"dangling").into());
    txn.object_store(DIRENTS)
        .unwrap()
        .put(&JsValue::from_f64(999_999.0), Some(&key))
        .unwrap();
    finish(txn).await.unwrap();
    let damaged = store.load().await.unwrap().unwrap();
    match Volume::mount(store, Arc::new(DateClock)).await {
        Err(MountError::Damaged(e)) => assert!(format!("{e}").contains("999999"), "{e}"),
        Err(e) => panic!("expected a damaged filesystem, got {e}"),
        Ok(_) => panic!("a damaged filesystem was mounted"),
    }
    let store = IdbStore::open(&name).await.unwrap();
    assert_eq!(
        store.load().await.unwrap().unwrap(),
        damaged,
        "nothing written"
    );

    // Damage: a value that is not a record at all.
    let txn = store
        .db
        .transaction(&[INODES], TransactionMode::ReadWrite)
        .unwrap();
    txn.object_store(INODES)
        .unwrap()
        .put(&JsValue::from_str("garbage"), Some(&ino_key(Ino::ROOT)))
        .unwrap();
    finish(txn).await.unwrap();
    match store.load().await {
        Err(StoreError::Corrupt(e)) => assert!(e.to_string().contains("expected bytes"), "{e}"),
        other => panic!("expected a corrupt store, got {:?}", other.map(|_| ())),
    }
    drop(store);
    IdbStore::delete(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_the_database_resets_it() {
    let (name, volume) = populated("reset").await;
    drop(volume.unmount().await.unwrap());
    IdbStore::delete(&name).await.unwrap();
    let store = IdbStore::open(&name).await.unwrap();
    assert!(store.load().await.unwrap().is_none());
    drop(store);
    IdbStore::delete(&name).await.unwrap();
}
