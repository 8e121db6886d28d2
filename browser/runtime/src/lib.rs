//! wasmux in a browser tab: the kernel of `wasmux-kernel-shim` on wasmer's
//! js backend, with Web Workers as its task manager ([`tasks`]) and
//! IndexedDB as its disk.
//!
//! Where things run: the page (`www/main.js`) only draws the terminal. The
//! kernel runs in a dedicated worker (`www/kernel.js`): it owns the root
//! filesystem and its write-back, the scheduler of the other workers, and
//! the event loop shared tasks run on. Every process thread runs in a
//! worker of its own (`www/worker.js`), where blocking (`Atomics.wait`) is
//! allowed. All of them share this module's memory. Besides the terminal,
//! the page's scripts may write files and run commands ([`api`]).

mod api;
mod log;
mod modules;
mod place;
mod tasks;
mod writeback;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasmer::Engine;
use wasmer_wasix::runtime::module_cache::ModuleCache;
use wasmer_wasix::runtime::task_manager::VirtualTaskManager;
use wasmer_wasix::virtual_net::DynVirtualNetworking;
use wasmer_wasix::UnsupportedVirtualNetworking;
use wasmux_idb_store::IdbStore;
use wasmux_kernel_shim::image::{self, Userland, USER_GID, USER_HOME, USER_NAME, USER_UID};
use wasmux_kernel_shim::platform::{LocalWork, Platform};
use wasmux_kernel_shim::process::MakeInterrupt;
use wasmux_kernel_shim::terminal::Terminal;
use wasmux_kernel_shim::{HostClock, Kernel, Program, Root, Spawn, Stdio};
use wasmux_vfs::{Cred, Volume};

use crate::tasks::{Scheduler, WebTasks};

/// The IndexedDB database holding the root filesystem.
pub const ROOT_DATABASE: &str = "wasmux-root";

/// The browser as a kernel platform.
struct BrowserPlatform;

impl Platform for BrowserPlatform {
    fn task_manager(&self) -> Arc<dyn VirtualTaskManager> {
        Arc::new(WebTasks)
    }

    fn engine(&self) -> Engine {
        Engine::default()
    }

    fn module_cache(&self) -> Arc<dyn ModuleCache + Send + Sync> {
        Arc::new(modules::WorkerModules)
    }

    fn make_interrupt(&self) -> MakeInterrupt {
        tasks::interrupt_current
    }

    fn networking(&self) -> DynVirtualNetworking {
        Arc::new(UnsupportedVirtualNetworking::default())
    }

    fn spawn_background(&self, work: Box<dyn FnOnce() + Send>) {
        if let Err(e) = WebTasks.task_dedicated(work) {
            tracing::error!("background work not started: {e}");
        }
    }

    fn block_on(&self, work: LocalWork<'_>) {
        futures::executor::block_on(work)
    }

    fn shutdown(&self) {}

    fn suspendable_processes(&self) -> bool {
        false
    }

    fn enter(&self, f: &mut dyn FnMut()) {
        f()
    }
}

static TERMINAL: OnceLock<Arc<Terminal>> = OnceLock::new();
static SYNC: OnceLock<writeback::Syncer> = OnceLock::new();

/// A message for the page: `{kind, ...fields}`.
fn page_message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    let _ = Reflect::set(&o, &"kind".into(), &kind.into());
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

/// A copy of `bytes` in an unshared buffer (a view of the shared memory
/// would hand the page all of it).
fn copy_out(bytes: &[u8]) -> Uint8Array {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(bytes);
    array
}

/// A promise of `duration` on this worker's event loop.
pub(crate) async fn timer(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("setTimeout exists in workers")
            .into();
        let _ = set_timeout.call2(
            &JsValue::NULL,
            &resolve,
            &JsValue::from_f64(duration.as_secs_f64() * 1000.0),
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Boots the kernel in this (the kernel's) worker and starts the login
/// shell. `forward` takes every message for the page.
#[wasm_bindgen]
pub async fn boot(
    busybox: Vec<u8>,
    links: String,
    forward: js_sys::Function,
) -> Result<(), JsValue> {
    std::panic::set_hook(Box::new(|info| {
        // The JS stack names the wasm functions: the Rust backtrace of a
        // panic in a browser.
        let stack = Reflect::get(&js_sys::Error::new(""), &"stack".into())
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        web_sys::console::error_1(&format!("wasmux runtime panic: {info}\n{stack}").into());
    }));
    log::install(tracing::Level::INFO);
    Scheduler::install(forward.clone());
    let error = |what: &str, e: &dyn std::fmt::Display| JsValue::from_str(&format!("{what}: {e}"));

    let store = IdbStore::open(ROOT_DATABASE)
        .await
        .map_err(|e| error("opening the root filesystem", &e))?;
    tracing::info!("root store opened");
    let volume = Volume::mount(store, Arc::new(HostClock))
        .await
        .map_err(|e| error("mounting the root filesystem", &e))?;
    tracing::info!("root filesystem mounted");
    image::populate(volume.vfs()).map_err(|e| error("first boot", &e))?;
    let userland = Userland {
        busybox,
        links: links
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        // The image comes from Cache Storage at every boot: IndexedDB
        // keeps only what the user changes.
        base_layer: true,
    };
    image::install_userland(volume.vfs(), &userland)
        .map_err(|e| error("installing the userland", &e))?;
    tracing::info!("userland installed");
    let vfs = volume.vfs().clone();
    let (syncer, driver) = writeback::start(volume, forward.clone());
    wasm_bindgen_futures::spawn_local(driver);
    let _ = SYNC.set(syncer.clone());
    let root = Root {
        vfs,
        syncer: Arc::new(syncer),
        shutdown: Box::new(|| Ok(())),
    };

    let terminal = Terminal::new(Box::new(|bytes| {
        tasks::to_scheduler(page_message("out", &[("bytes", copy_out(bytes).into())]));
    }));
    let _ = TERMINAL.set(terminal.clone());
    let kernel = Kernel::assemble(
        Arc::new(BrowserPlatform),
        root,
        Cred::user(USER_UID, USER_GID),
        Some(terminal),
    )
    .map_err(|e| error("starting the kernel", &e))?;
    let kernel: &'static Kernel = Box::leak(Box::new(kernel));
    api::serve(kernel);
    let env = [
        ("PATH", wasmux_kernel_shim::kernel::DEFAULT_PATH),
        ("HOME", USER_HOME),
        ("USER", USER_NAME),
        ("LOGNAME", USER_NAME),
        ("TERM", "xterm-256color"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let shell = kernel
        .start(Spawn {
            program: Program::Guest("/bin/sh".into()),
            args: vec!["-l".into()],
            env,
            cwd: USER_HOME.into(),
            stdio: Stdio::default(),
        })
        .map_err(|e| error("starting the shell", &e))?;
    wasm_bindgen_futures::spawn_local(async move {
        let status = shell.finished().await;
        let _ = forward.call1(
            &JsValue::NULL,
            &page_message("exit", &[("status", status.into())]),
        );
    });
    Ok(())
}

/// Keys typed in the page.
#[wasm_bindgen]
pub fn terminal_input(bytes: &[u8]) {
    if let Some(t) = TERMINAL.get() {
        t.input(bytes);
    }
}

/// The page's terminal changed size (SIGWINCH to the foreground).
#[wasm_bindgen]
pub fn terminal_resize(cols: u32, rows: u32) {
    if let Some(t) = TERMINAL.get() {
        t.resize(cols, rows);
    }
}

/// Commit now (the page is being hidden or closed).
#[wasm_bindgen]
pub fn flush_soon() {
    if let Some(s) = SYNC.get() {
        s.request();
    }
}
