//! The root in IndexedDB ([`IdbRoot`]) and its write-back: an asynchronous
//! task on the kernel worker's event loop owns the root [`Volume`] and
//! commits its dirty records every [`WRITE_BACK_INTERVAL`], at once when
//! asked (`fsync` from a process, the page being hidden), and tells the page
//! when commits start failing, or fail for another reason, and when they
//! succeed again (a full quota is the user's to know, once, and the changes
//! stay dirty for the next try). A process waiting in `fsync` gets ENOSPC
//! for a full quota, EIO for anything else.

use std::future::Future;
use std::sync::{mpsc, Arc, OnceLock};

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use wasm_bindgen::JsValue;
use wasmux_idb_store::IdbStore;
use wasmux_kernel_shim::kernel::WRITE_BACK_INTERVAL;
use wasmux_kernel_shim::{Root, RootStore};
use wasmux_vfs::{sync_errno, Errno, StoreError, SyncRequest, Volume};

use crate::js::{page_message, timer};

/// The IndexedDB database holding the root filesystem.
pub const ROOT_DATABASE: &str = "wasmux-root";

/// A request for a commit, with where to say it is done (if anyone waits).
type Request = Option<mpsc::Sender<Result<(), Errno>>>;

/// The write-back of this tab's root, once it has booted.
static SYNC: OnceLock<Syncer> = OnceLock::new();

/// Asks the write-back task for a commit.
#[derive(Debug, Clone)]
struct Syncer {
    requests: UnboundedSender<Request>,
}

impl SyncRequest for Syncer {
    /// Waits for the commit: only ever called from a process's worker,
    /// never from the kernel's, whose event loop runs the commit.
    fn sync(&self) -> Result<(), Errno> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .unbounded_send(Some(reply))
            .map_err(|_| Errno::Io)?;
        answer.recv().unwrap_or(Err(Errno::Io))
    }
}

/// Asks for a commit soon, without waiting for it (the page is being
/// hidden, or the kernel's worker itself wrote a file).
pub fn request_commit() {
    if let Some(syncer) = SYNC.get() {
        let _ = syncer.requests.unbounded_send(None);
    }
}

/// The root filesystem in IndexedDB, committed by a task on this (the
/// kernel's) worker's event loop, which tells `page` how commits fare.
pub struct IdbRoot {
    pub page: js_sys::Function,
}

impl RootStore for IdbRoot {
    type Store = IdbStore;

    fn describe(&self) -> String {
        format!("IndexedDB database {ROOT_DATABASE}")
    }

    fn open(&self) -> impl Future<Output = Result<IdbStore, StoreError>> {
        IdbStore::open(ROOT_DATABASE)
    }

    fn write_back(self, volume: Volume<IdbStore>) -> Root {
        let (requests, inbox) = unbounded();
        let syncer = Syncer { requests };
        let vfs = volume.vfs().clone();
        wasm_bindgen_futures::spawn_local(run(volume, inbox, self.page));
        if SYNC.set(syncer.clone()).is_err() {
            tracing::error!("the root's write-back started twice");
        }
        Root {
            vfs,
            syncer: Arc::new(syncer),
            // Nothing to wait for: the tab closing ends everything, and the
            // page asks for a commit when it is hidden.
            shutdown: Box::new(|| Ok(())),
        }
    }
}

async fn run(
    mut volume: Volume<IdbStore>,
    mut inbox: UnboundedReceiver<Request>,
    page: js_sys::Function,
) {
    // What the page was last told of a failure, if commits are failing.
    let mut failing: Option<&'static str> = None;
    loop {
        let request = match select(inbox.next(), Box::pin(timer(WRITE_BACK_INTERVAL))).await {
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
            let _ = reply.send(result.map(drop).map_err(|e| sync_errno(&e)));
        }
    }
}

fn tell(page: &js_sys::Function, kind: &str, detail: &JsValue) {
    let msg = page_message(kind, &[("detail", detail.clone())]);
    let _ = page.call1(&JsValue::NULL, &msg);
}
