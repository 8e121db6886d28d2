//! The wasmux filesystem's store in a browser: one IndexedDB database.
//!
//! The vfs [`Store`] trait was shaped after IndexedDB, so this is a direct
//! mapping: the four record tables are four object stores, a batch is one
//! `readwrite` transaction over all of them, and IndexedDB's own guarantee —
//! a transaction that does not complete leaves no trace — is the
//! all-or-nothing the trait asks for. A tab killed in the middle of a commit
//! therefore finds the previous batch on the next boot.
//!
//! | object store | key                          | value                 |
//! |--------------|------------------------------|-----------------------|
//! | `meta`       | `"superblock"`               | encoded superblock    |
//! | `inodes`     | ino (number)                 | encoded inode record  |
//! | `dirents`    | `[dir ino, name bytes]`      | child ino (number)    |
//! | `chunks`     | `[ino, chunk index]`         | chunk bytes           |
//!
//! Inode numbers and chunk indexes stay below 2^53, so they are exact as
//! JavaScript numbers; names are binary keys, compared bytewise as the vfs
//! compares them. Values are copied into fresh, unshared `ArrayBuffer`s:
//! IndexedDB cannot store views of the (shared) wasm memory.
//!
//! Quota errors come back as [`StoreError::Full`]: the volume keeps the
//! batch's changes dirty, and the embedder tells the user.

use std::future::IntoFuture;

use idb::request::{GetAllKeysStoreRequest, GetAllStoreRequest};
use idb::{
    Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, Transaction,
    TransactionMode,
};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasmux_vfs::codec::DecodeError;
use wasmux_vfs::record::{Batch, Image, InodeRecord, Superblock};
use wasmux_vfs::store::StoreFuture;
use wasmux_vfs::{Ino, Store, StoreError};

const META: &str = "meta";
const INODES: &str = "inodes";
const DIRENTS: &str = "dirents";
const CHUNKS: &str = "chunks";
const ALL: [&str; 4] = [META, INODES, DIRENTS, CHUNKS];
const SUPERBLOCK_KEY: &str = "superblock";
/// The database layout version (IndexedDB's own versioning; the records
/// carry the vfs format version inside).
const SCHEMA_VERSION: u32 = 1;

/// Committed filesystem state in one IndexedDB database.
pub struct IdbStore {
    db: Database,
}

impl IdbStore {
    /// Opens (creating if needed) the database called `name`.
    pub async fn open(name: &str) -> Result<IdbStore, StoreError> {
        let factory = Factory::new().map_err(backend)?;
        let mut request = factory.open(name, Some(SCHEMA_VERSION)).map_err(backend)?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else {
                return;
            };
            for store in ALL {
                if !db.store_names().iter().any(|s| s == store) {
                    if let Err(e) = db.create_object_store(store, ObjectStoreParams::new()) {
                        tracing::error!("creating object store {store}: {e}");
                    }
                }
            }
        });
        let db = request.await.map_err(backend)?;
        Ok(IdbStore { db })
    }

    /// Deletes the database called `name` (the page's "reset"). Waits until
    /// every connection to it is closed.
    pub async fn delete(name: &str) -> Result<(), StoreError> {
        let factory = Factory::new().map_err(backend)?;
        factory
            .delete(name)
            .map_err(backend)?
            .await
            .map_err(backend)
    }

    async fn load_now(&self) -> Result<Option<Image>, StoreError> {
        let txn = self
            .db
            .transaction(&ALL, TransactionMode::ReadOnly)
            .map_err(backend)?;
        // Every request is issued, and each one's future polled (which is
        // what registers its event handlers), in this same task: a
        // transaction commits once no request is pending at the end of a
        // task, and a request's success fires only once, listened to or
        // not. The threaded executor of wasm-bindgen-futures resumes a
        // future in a later task, so nothing may wait in between.
        let superblock = txn
            .object_store(META)
            .map_err(backend)?
            .get(JsValue::from_str(SUPERBLOCK_KEY))
            .map_err(backend)?;
        let inodes = Entries::request(&txn, INODES)?;
        let dirents = Entries::request(&txn, DIRENTS)?;
        let chunks = Entries::request(&txn, CHUNKS)?;
        let (superblock, inodes, dirents, chunks) = futures::join!(
            superblock.into_future(),
            inodes.read(),
            dirents.read(),
            chunks.read()
        );
        let Some(superblock) = superblock.map_err(backend)? else {
            return Ok(None);
        };
        let mut image = Image {
            superblock: Superblock::decode(&bytes(&superblock)?)?,
            ..Image::default()
        };
        for (key, value) in inodes? {
            image
                .inodes
                .insert(Ino(number(&key)?), InodeRecord::decode(&bytes(&value)?)?);
        }
        for (key, value) in dirents? {
            let (dir, name) = pair(&key)?;
            image
                .dirents
                .insert((Ino(number(&dir)?), bytes(&name)?), Ino(number(&value)?));
        }
        for (key, value) in chunks? {
            let (ino, index) = pair(&key)?;
            image
                .chunks
                .insert((Ino(number(&ino)?), number(&index)?), bytes(&value)?.into());
        }
        Ok(Some(image))
    }

    /// Issues every request of `batch` on a new transaction; the transaction
    /// commits when they are done.
    fn write(&self, batch: &Batch) -> Result<Transaction, StoreError> {
        let txn = self
            .db
            .transaction(&ALL, TransactionMode::ReadWrite)
            .map_err(backend)?;
        let meta = txn.object_store(META).map_err(backend)?;
        meta.put(
            &buffer(&batch.superblock.encode()),
            Some(&JsValue::from_str(SUPERBLOCK_KEY)),
        )
        .map_err(backend)?;
        let inodes = txn.object_store(INODES).map_err(backend)?;
        for (ino, record) in &batch.inodes {
            let key = ino_key(*ino);
            match record {
                Some(record) => drop(
                    inodes
                        .put(&buffer(&record.encode()), Some(&key))
                        .map_err(backend)?,
                ),
                None => drop(inodes.delete(Query::Key(key)).map_err(backend)?),
            }
        }
        let dirents = txn.object_store(DIRENTS).map_err(backend)?;
        for ((dir, name), child) in &batch.dirents {
            let key = pair_key(ino_key(*dir), buffer(name).into());
            match child {
                Some(child) => drop(dirents.put(&ino_key(*child), Some(&key)).map_err(backend)?),
                None => drop(dirents.delete(Query::Key(key)).map_err(backend)?),
            }
        }
        let chunks = txn.object_store(CHUNKS).map_err(backend)?;
        for &(ino, from) in &batch.truncations {
            let range = KeyRange::bound(
                &chunk_key(ino, from),
                &pair_key(ino_key(ino), JsValue::from_f64(f64::INFINITY)),
                Some(false),
                Some(false),
            )
            .map_err(backend)?;
            chunks.delete(Query::KeyRange(range)).map_err(backend)?;
        }
        for ((ino, index), data) in &batch.chunks {
            let key = chunk_key(*ino, *index);
            match data {
                Some(data) => drop(chunks.put(&buffer(data), Some(&key)).map_err(backend)?),
                None => drop(chunks.delete(Query::Key(key)).map_err(backend)?),
            }
        }
        Ok(txn)
    }

    async fn commit_now(&self, batch: &Batch) -> Result<(), StoreError> {
        // An explicit commit: no request follows, so the browser commits
        // without waiting for this task to end (a worker busy or dying
        // right after the batch does not hold the transaction open).
        let txn = self.write(batch)?.commit().map_err(backend)?;
        finish(txn).await
    }
}

/// Dropping the store closes its connection (pending transactions still
/// complete), so a later `delete` or schema upgrade is not kept waiting.
impl Drop for IdbStore {
    fn drop(&mut self) {
        self.db.close();
    }
}

impl Store for IdbStore {
    fn load(&self) -> StoreFuture<'_, Option<Image>> {
        Box::pin(self.load_now())
    }

    fn commit<'a>(&'a self, batch: &'a Batch) -> StoreFuture<'a, ()> {
        Box::pin(self.commit_now(batch))
    }
}

/// Waits for a transaction to commit or abort; an abort is an error with its
/// reason (a quota error is [`StoreError::Full`]).
///
/// Not idb's own transaction future: that one listens for `error` events
/// with a run-once callback, but an aborting transaction sends one per
/// pending request (and their targets are the requests, which it does not
/// expect), so it reports the wrong error. `complete` and `abort` each come
/// at most once. The transaction (which owns the callbacks) lives until one
/// of them has come.
async fn finish(mut txn: Transaction) -> Result<(), StoreError> {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, _| settle = Some(resolve));
    let settle = settle.expect("the Promise executor runs at once");
    let on_abort = settle.clone();
    txn.on_complete(move |_| drop(settle.call1(&JsValue::NULL, &JsValue::TRUE)));
    txn.on_abort(move |_| drop(on_abort.call1(&JsValue::NULL, &JsValue::FALSE)));
    let committed = JsFuture::from(promise)
        .await
        .map_err(|e| StoreError::Backend(format!("{e:?}")))?;
    if committed.is_truthy() {
        return Ok(());
    }
    let reason = txn
        .error()
        .map(|e| format!("{}: {}", e.name(), e.message()))
        .unwrap_or_else(|| "aborted".into());
    if reason.starts_with("QuotaExceededError") {
        Err(StoreError::Full(reason))
    } else {
        Err(StoreError::Backend(format!(
            "the transaction did not commit (nothing of the batch was written): {reason}"
        )))
    }
}

/// The requests for every `(key, value)` of one object store.
struct Entries {
    name: &'static str,
    keys: GetAllKeysStoreRequest,
    values: GetAllStoreRequest,
}

impl Entries {
    fn request(txn: &Transaction, name: &'static str) -> Result<Entries, StoreError> {
        let store = txn.object_store(name).map_err(backend)?;
        Ok(Entries {
            name,
            keys: store.get_all_keys(None, None).map_err(backend)?,
            values: store.get_all(None, None).map_err(backend)?,
        })
    }

    /// The entries, in key order (both requests polled at once: see
    /// `load_now`).
    async fn read(self) -> Result<Vec<(JsValue, JsValue)>, StoreError> {
        let (keys, values) = futures::join!(self.keys.into_future(), self.values.into_future());
        let (keys, values) = (keys.map_err(backend)?, values.map_err(backend)?);
        if keys.len() != values.len() {
            return Err(corrupt(format!(
                "{}: {} keys but {} values in one transaction",
                self.name,
                keys.len(),
                values.len()
            )));
        }
        Ok(keys.into_iter().zip(values).collect())
    }
}

fn ino_key(ino: Ino) -> JsValue {
    JsValue::from_f64(ino.0 as f64)
}

fn chunk_key(ino: Ino, index: u64) -> JsValue {
    pair_key(ino_key(ino), JsValue::from_f64(index as f64))
}

fn pair_key(first: JsValue, second: JsValue) -> JsValue {
    Array::of2(&first, &second).into()
}

/// A copy of `data` in a fresh `ArrayBuffer` of its own.
fn buffer(data: &[u8]) -> Uint8Array {
    let array = Uint8Array::new_with_length(data.len() as u32);
    array.copy_from(data);
    array
}

/// Bytes from a stored value (a `Uint8Array`) or a binary key (which
/// IndexedDB gives back as an `ArrayBuffer`).
fn bytes(value: &JsValue) -> Result<Vec<u8>, StoreError> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(buffer).to_vec())
    } else {
        Err(corrupt(format!("expected bytes, found {value:?}")))
    }
}

fn number(value: &JsValue) -> Result<u64, StoreError> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0 => Ok(n as u64),
        _ => Err(corrupt(format!("expected a whole number, found {value:?}"))),
    }
}

fn pair(value: &JsValue) -> Result<(JsValue, JsValue), StoreError> {
    match value.dyn_ref::<Array>() {
        Some(array) if array.length() == 2 => Ok((array.get(0), array.get(1))),
        _ => Err(corrupt(format!("expected a [a, b] key, found {value:?}"))),
    }
}

fn corrupt(why: String) -> StoreError {
    StoreError::Corrupt(DecodeError {
        what: "IndexedDB entry",
        why,
    })
}

/// A failure of IndexedDB, with quota exhaustion told apart.
fn backend(e: idb::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("QuotaExceededError") || text.to_lowercase().contains("quota") {
        StoreError::Full(text)
    } else {
        StoreError::Backend(text)
    }
}

#[cfg(test)]
mod tests;
