//! Compiled guest modules, kept by each worker for the jobs it runs next.
//!
//! A compiled module is a JavaScript object of one worker, so every worker
//! keeps its own (as wasmer-wasix's `ThreadLocalCache` does). Posting a
//! compiled module to another worker shares its code, so a module is
//! compiled once, not once per worker: what a worker compiles goes to the
//! kernel's worker, and a new worker gets the kernel's modules with its
//! `init` message ([`shared_with_new_worker`], [`adopt_modules`]); how a
//! module reaches the kernel's worker is the task manager's business, which
//! it tells this cache with [`share_compiled_with`]. Only a
//! worker that existed before a module was first compiled may compile it
//! again. Every compilation is logged, with the module's hash.
//!
//! Unlike wasmer-wasix's cache, this one is emptied when its worker retires ([`forget_modules`]):
//! a worker's thread-local destructors never run on
//! `wasm32-unknown-unknown`, and a cached module holds the program's bytes
//! and type information in the shared memory, 1-2 MiB per retired worker
//! for busybox, lost for good.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use bytes::Bytes;
use js_sys::{Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasmer::{Engine, Module};
use wasmer_types::ModuleHash;
use wasmer_wasix::runtime::module_cache::{CacheError, ModuleCache};

/// A module's hash and the id of the engine it was compiled for.
type Key = (ModuleHash, String);

thread_local! {
    static MODULES: RefCell<HashMap<Key, Module>> = RefCell::new(HashMap::new());
    /// Where what this worker compiles goes; none in the kernel's worker.
    static SHARE: Cell<Option<Share>> = const { Cell::new(None) };
}

/// Sends compiled modules ([`adopt_modules`]'s arguments) to the kernel's worker.
pub type Share = fn(Array, u32);

/// Makes `share` take every module this worker compiles from now on.
pub fn share_compiled_with(share: Share) {
    SHARE.set(Some(share));
}

/// The module cache of the browser's runtime (see the module docs).
#[derive(Debug, Default)]
pub struct WorkerModules;

#[async_trait::async_trait]
impl ModuleCache for WorkerModules {
    async fn load(&self, key: ModuleHash, engine: &Engine) -> Result<Module, CacheError> {
        let key = (key, engine.deterministic_id().to_string());
        MODULES
            .with(|m| m.borrow().get(&key).cloned())
            .ok_or(CacheError::NotFound)
    }

    async fn contains(&self, key: ModuleHash, engine: &Engine) -> Result<bool, CacheError> {
        let key = (key, engine.deterministic_id().to_string());
        Ok(MODULES.with(|m| m.borrow().contains_key(&key)))
    }

    async fn save(
        &self,
        key: ModuleHash,
        engine: &Engine,
        module: &Module,
    ) -> Result<(), CacheError> {
        // wasmer-wasix saves what it has just compiled, after a miss.
        tracing::info!(hash = %key, "compiled a module");
        let key = (key, engine.deterministic_id().to_string());
        MODULES.with(|m| m.borrow_mut().insert(key.clone(), module.clone()));
        if let Some(share) = SHARE.get() {
            if let Some((compiled, ptr)) = shareable([(&key, module)]) {
                share(compiled, ptr);
            }
        }
        Ok(())
    }
}

/// This worker's modules for a new worker: the compiled modules, and a
/// pointer (into the shared memory) to their keys and bytes, which
/// [`adopt_modules`] takes. `None` if there are none.
pub fn shared_with_new_worker() -> Option<(Array, u32)> {
    MODULES.with(|m| shareable(m.borrow().iter()))
}

/// `modules` as [`adopt_modules`] takes them.
fn shareable<'a>(modules: impl IntoIterator<Item = (&'a Key, &'a Module)>) -> Option<(Array, u32)> {
    let compiled = Array::new();
    let mut keys_and_bytes: Vec<(Key, Bytes)> = Vec::new();
    for (key, module) in modules {
        // Modules made here keep their bytes; one that did not is skipped.
        if let Ok(bytes) = module.serialize() {
            compiled.push(&WebAssembly::Module::from(module.clone()));
            keys_and_bytes.push((key.clone(), bytes));
        }
    }
    (!keys_and_bytes.is_empty()).then(|| (compiled, Box::into_raw(Box::new(keys_and_bytes)) as u32))
}

/// Keeps the modules another worker shared (`worker.js` calls this with
/// its `init` message; the scheduler with a worker's `compiled` message).
#[wasm_bindgen]
pub fn adopt_modules(ptr: u32, compiled: Array) {
    // SAFETY: the pointer came from `shared_with_new_worker`'s
    // `Box::into_raw` in this same shared memory, and each init message is
    // delivered once.
    let keys_and_bytes = unsafe { Box::from_raw(ptr as *mut Vec<(Key, Bytes)>) };
    MODULES.with(|m| {
        let mut m = m.borrow_mut();
        for ((key, bytes), module) in keys_and_bytes.into_iter().zip(compiled.iter()) {
            let module: Module = (module.unchecked_into::<WebAssembly::Module>(), bytes).into();
            m.insert(key, module);
        }
    });
}

/// Drops this worker's compiled modules (called by `worker.js` before the
/// worker gives its thread's memory back and closes).
#[wasm_bindgen]
pub fn forget_modules() {
    MODULES.with(|m| m.borrow_mut().clear());
}
