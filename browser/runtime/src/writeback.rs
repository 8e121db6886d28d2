//! Write-back in the browser: an asynchronous task on the kernel worker's
//! event loop owns the root [`Volume`] and commits its dirty records every
//! [`INTERVAL`], at once when asked (`fsync` from a process, the page being
//! hidden), and tells the page when commits start failing, or fail for
//! another reason, and when they succeed again (a full quota is the user's
//! to know, once, and the changes stay dirty for the next try). A process
//! waiting in `fsync` gets ENOSPC for a full quota, EIO for anything else.

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use virtual_fs::FsError;
use wasm_bindgen::JsValue;
use wasmux_idb_store::IdbStore;
use wasmux_kernel_shim::vfs_adapter::SyncRequest;
use wasmux_vfs::{StoreError, Volume};

/// How long a change may wait in memory before it is committed anyway.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// A request for a commit, with where to say it is done (if anyone waits).
type Request = Option<mpsc::Sender<Result<(), FsError>>>;

/// Asks the write-back task for a commit.
#[derive(Debug, Clone)]
pub struct Syncer {
    requests: UnboundedSender<Request>,
}

impl Syncer {
    /// A commit soon, without waiting for it.
    pub fn request(&self) {
        let _ = self.requests.unbounded_send(None);
    }
}

impl SyncRequest for Syncer {
    /// Waits for the commit: only ever called from a process's worker,
    /// never from the kernel's, whose event loop runs the commit.
    fn sync(&self) -> Result<(), FsError> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .unbounded_send(Some(reply))
            .map_err(|_| FsError::IOError)?;
        answer.recv().unwrap_or(Err(FsError::IOError))
    }
}

/// The syncer, and the task to spawn on the kernel worker's event loop.
pub fn start(
    volume: Volume<IdbStore>,
    page: js_sys::Function,
) -> (Syncer, impl Future<Output = ()>) {
    let (requests, inbox) = unbounded();
    (Syncer { requests }, run(volume, inbox, page))
}

async fn run(
    mut volume: Volume<IdbStore>,
    mut inbox: UnboundedReceiver<Request>,
    page: js_sys::Function,
) {
    // What the page was last told of a failure, if commits are failing.
    let mut failing: Option<&'static str> = None;
    loop {
        let request = match select(inbox.next(), Box::pin(crate::timer(INTERVAL))).await {
            Either::Left((Some(request), _)) => request,
            Either::Left((None, _)) => return,
            Either::Right(_) => None,
        };
        let result = volume.flush().await;
        match &result {
            Ok(stats) if failing.is_some() || stats.records > 0 => {
                failing = None;
                tell(&page, "stored", &JsValue::from_f64(stats.generation as f64));
            }
            Ok(_) => {}
            Err(e) => {
                let kind = match e {
                    StoreError::Full(_) => "storage-full",
                    _ => "storage-error",
                };
                if failing != Some(kind) {
                    failing = Some(kind);
                    tell(&page, kind, &JsValue::from_str(&e.to_string()));
                }
            }
        }
        if let Some(reply) = request {
            let _ = reply.send(result.map(drop).map_err(|e| match e {
                StoreError::Full(_) => FsError::StorageFull,
                _ => FsError::IOError,
            }));
        }
    }
}

fn tell(page: &js_sys::Function, kind: &str, detail: &JsValue) {
    let msg = crate::page_message(kind, &[("detail", detail.clone())]);
    let _ = page.call1(&JsValue::NULL, &msg);
}
