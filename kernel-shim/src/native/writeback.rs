//! Native write-back: one thread owns the [`Volume`] and commits its dirty
//! records every [`INTERVAL`], on every `fsync`, and once more at shutdown.
//!
//! The store's futures are not `Send` (IndexedDB's are not), so they are driven
//! on this thread with a plain `block_on`; the browser has its own driver.

use std::sync::mpsc;
use std::thread::JoinHandle;

use wasmux_vfs::{sync_errno, Errno, Store, StoreError, SyncRequest, Vfs, Volume};

use crate::kernel::WRITE_BACK_INTERVAL as INTERVAL;

enum Message {
    Sync(mpsc::Sender<Result<(), Errno>>),
    Stop,
}

/// The running write-back thread of one volume.
pub struct WriteBack {
    vfs: Vfs,
    requests: mpsc::Sender<Message>,
    thread: Option<JoinHandle<Result<(), StoreError>>>,
}

/// A cloneable handle that asks the write-back thread for an immediate commit.
#[derive(Debug, Clone)]
pub struct Syncer {
    requests: mpsc::Sender<Message>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Message::Sync(_) => "Sync",
            Message::Stop => "Stop",
        })
    }
}

impl SyncRequest for Syncer {
    fn sync(&self) -> Result<(), Errno> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .send(Message::Sync(reply))
            .map_err(|_| Errno::Io)?;
        answer.recv().unwrap_or(Err(Errno::Io))
    }
}

impl WriteBack {
    /// Starts the thread; it owns the volume from now on.
    pub fn start<S: Store + Send + 'static>(volume: Volume<S>) -> WriteBack {
        let vfs = volume.vfs().clone();
        let (requests, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("wasmux-writeback".into())
            .spawn(move || run(volume, inbox))
            .expect("spawning the write-back thread");
        WriteBack {
            vfs,
            requests,
            thread: Some(thread),
        }
    }

    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    pub fn syncer(&self) -> Syncer {
        Syncer {
            requests: self.requests.clone(),
        }
    }

    /// Commits what is left and stops the thread.
    pub fn shutdown(mut self) -> Result<(), StoreError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), StoreError> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        let _ = self.requests.send(Message::Stop);
        thread
            .join()
            .unwrap_or_else(|_| Err(StoreError::Backend("write-back thread panicked".into())))
    }
}

impl Drop for WriteBack {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::error!(error = %e, "final write-back failed");
        }
    }
}

fn run<S: Store>(mut volume: Volume<S>, inbox: mpsc::Receiver<Message>) -> Result<(), StoreError> {
    loop {
        match inbox.recv_timeout(INTERVAL) {
            Ok(Message::Sync(reply)) => {
                let result = pollster::block_on(volume.flush()).map(drop);
                if let Err(e) = &result {
                    tracing::error!(error = %e, "fsync could not commit");
                }
                let _ = reply.send(result.map_err(|e| sync_errno(&e)));
            }
            Ok(Message::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                return pollster::block_on(volume.flush()).map(drop);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = pollster::block_on(volume.flush()) {
                    tracing::warn!(error = %e, "periodic write-back failed; will retry");
                }
            }
        }
    }
}
