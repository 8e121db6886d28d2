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
mod js;
mod log;
mod modules;
mod place;
mod tasks;
mod writeback;

use std::sync::{Arc, OnceLock};

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasmer::Engine;
use wasmer_wasix::runtime::module_cache::ModuleCache;
use wasmer_wasix::runtime::task_manager::VirtualTaskManager;
use wasmer_wasix::virtual_net::DynVirtualNetworking;
use wasmer_wasix::UnsupportedVirtualNetworking;
use wasmux_kernel_shim::image::Userland;
use wasmux_kernel_shim::login::DEFAULT_TERM;
use wasmux_kernel_shim::platform::{LocalWork, MakeInterrupt, Platform};
use wasmux_kernel_shim::terminal::Terminal;
use wasmux_kernel_shim::{Boot, Kernel, Login};

use crate::js::{copy_out, page_message};
use crate::tasks::{Scheduler, WebTasks};
use crate::writeback::IdbRoot;

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

    let terminal = Terminal::new(Box::new(|bytes| {
        tasks::to_scheduler(page_message("out", &[("bytes", copy_out(bytes).into())]));
    }));
    let _ = TERMINAL.set(terminal.clone());
    let login = Login::user();
    let boot = Boot {
        cred: login.cred.clone(),
        terminal: Some(terminal),
        // The image comes from Cache Storage at every boot: IndexedDB
        // keeps only what the user changes.
        userland: Some(Userland::from_build(busybox, &links, true)),
    };
    let root = IdbRoot {
        page: forward.clone(),
    };
    let kernel = Kernel::boot(Arc::new(BrowserPlatform), root, boot)
        .await
        .map_err(|e| error("booting the kernel", &e))?;
    let kernel: &'static Kernel = Box::leak(Box::new(kernel));
    api::serve(kernel);
    let shell = kernel
        .start(login.shell(DEFAULT_TERM))
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
    writeback::request_commit();
}
