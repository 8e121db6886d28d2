//! Compiled guest modules, kept by each worker for the jobs it runs next.
//!
//! A compiled module is a JavaScript object of one worker, so every worker
//! keeps its own (as wasmer-wasix's `ThreadLocalCache` does). Unlike that
//! cache, this one is emptied when its worker retires ([`forget_modules`]):
//! a worker's thread-local destructors never run on
//! `wasm32-unknown-unknown`, and a cached module holds the program's bytes
//! and type information in the shared memory, 1-2 MiB per retired worker
//! for busybox, lost for good.

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use wasmer::{Engine, Module};
use wasmer_types::ModuleHash;
use wasmer_wasix::runtime::module_cache::{CacheError, ModuleCache};

thread_local! {
    static MODULES: RefCell<HashMap<(ModuleHash, String), Module>> = RefCell::new(HashMap::new());
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
        let key = (key, engine.deterministic_id().to_string());
        MODULES.with(|m| m.borrow_mut().insert(key, module.clone()));
        Ok(())
    }
}

/// Drops this worker's compiled modules (called by `worker.js` before the
/// worker gives its thread's memory back and closes).
#[wasm_bindgen]
pub fn forget_modules() {
    MODULES.with(|m| m.borrow_mut().clear());
}
