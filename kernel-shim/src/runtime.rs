//! The runtime wasmer-wasix runs every process with: its pluggable runtime
//! (our task manager, engine, module cache, networking, terminal and
//! syscalls), plus what only the runtime hears of, a process's trap.
//!
//! A trapping program (`unreachable`, which is also how wasi-libc aborts;
//! an out-of-bounds access) ends with an error wasmer-wasix turns into
//! exit code 45 (ENOEXEC) for whoever waits; on Linux its parent would see
//! it die of a signal. wasmer-wasix reports the trap to the runtime
//! (`on_taint`) on the trapping thread first, so the kernel records the
//! death as SIGABRT's there, before any wait can see the process end.

use std::sync::Arc;

use wasmer::Engine;
use wasmer_wasix::http::DynHttpClient;
use wasmer_wasix::os::TtyBridge;
use wasmer_wasix::runtime::module_cache::ModuleCache;
use wasmer_wasix::runtime::package_loader::PackageLoader;
use wasmer_wasix::runtime::resolver::Source;
use wasmer_wasix::runtime::{InstantiationState, TaintReason};
use wasmer_wasix::virtual_net::DynVirtualNetworking;
use wasmer_wasix::{PluggableRuntime, Runtime, VirtualTaskManager};

use crate::process::{self, ProcessTable};
use crate::signal::Signal;

/// [`PluggableRuntime`] that records a trap as a death by SIGABRT.
#[derive(Debug)]
pub struct KernelRuntime {
    inner: PluggableRuntime,
    processes: Arc<ProcessTable>,
}

impl KernelRuntime {
    pub fn new(inner: PluggableRuntime, processes: Arc<ProcessTable>) -> Self {
        KernelRuntime { inner, processes }
    }
}

impl Runtime for KernelRuntime {
    fn on_taint(&self, reason: TaintReason) {
        if let TaintReason::RuntimeError(error) = reason {
            if let Some(record) = process::current() {
                tracing::debug!(pid = record.pid, %error, "trap");
                // A kill already recorded stays the cause (natively a
                // SIGKILL's interrupt is itself a trap).
                self.processes.record_death(record.pid, Signal::ABRT);
            }
        }
    }

    fn networking(&self) -> &DynVirtualNetworking {
        self.inner.networking()
    }

    fn http_client(&self) -> Option<&DynHttpClient> {
        self.inner.http_client()
    }

    fn package_loader(&self) -> Arc<dyn PackageLoader + Send + Sync> {
        self.inner.package_loader()
    }

    fn source(&self) -> Arc<dyn Source + Send + Sync> {
        self.inner.source()
    }

    fn engine(&self) -> Engine {
        self.inner.engine()
    }

    fn new_store(&self) -> wasmer::Store {
        self.inner.new_store()
    }

    fn task_manager(&self) -> &Arc<dyn VirtualTaskManager> {
        self.inner.task_manager()
    }

    fn tty(&self) -> Option<&(dyn TtyBridge + Send + Sync)> {
        self.inner.tty()
    }

    fn module_cache(&self) -> Arc<dyn ModuleCache + Send + Sync> {
        self.inner.module_cache()
    }

    fn additional_imports(
        &self,
        module: &wasmer::Module,
        store: &mut wasmer::StoreMut,
    ) -> anyhow::Result<(wasmer::Imports, InstantiationState)> {
        self.inner.additional_imports(module, store)
    }

    fn prepare_imports(
        &self,
        module: &wasmer::Module,
        store: &mut wasmer::StoreMut,
        imports: &mut wasmer::Imports,
    ) -> anyhow::Result<InstantiationState> {
        self.inner.prepare_imports(module, store, imports)
    }

    fn configure_new_instance(
        &self,
        module: &wasmer::Module,
        store: &mut wasmer::StoreMut,
        instance: &wasmer::Instance,
        imported_memory: Option<&wasmer::Memory>,
        state: InstantiationState,
    ) -> anyhow::Result<()> {
        self.inner
            .configure_new_instance(module, store, instance, imported_memory, state)
    }
}
