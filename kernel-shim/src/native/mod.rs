//! The kernel on a host: OS threads under tokio, cranelift, modules cached
//! on disk, the root in a redb file with a write-back thread ([`writeback`]),
//! the host's network, and each process's memory capped ([`limits`]).

pub mod limits;
mod writeback;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use wasmer::sys::NativeEngineExt;
use wasmer::Engine;
use wasmer_wasix::runtime::module_cache::{FileSystemCache, ModuleCache, SharedCache};
use wasmer_wasix::runtime::task_manager::tokio::TokioTaskManager;
use wasmer_wasix::runtime::task_manager::VirtualTaskManager;
use wasmer_wasix::virtual_net::host::LocalNetworking;
use wasmer_wasix::virtual_net::DynVirtualNetworking;
use wasmer_wasix::UnsupportedVirtualNetworking;
use wasmux_vfs::{Cred, RedbStore, StoreError, Volume};

use self::limits::MemoryLimit;
use self::writeback::WriteBack;
use crate::image;
use crate::kernel::{Boot, Kernel, KernelError, Root, RootStore};
use crate::platform::{Interrupt, LocalWork, MakeInterrupt, Platform, Stopped};
use crate::terminal::Terminal;

/// Where the kernel keeps its state on the host.
#[derive(Debug, Clone)]
pub struct KernelConfig {
    /// The redb file of the root filesystem (created on first boot).
    pub root_store: PathBuf,
    /// Directory of compiled modules, keyed by the hash of their bytes.
    pub module_cache: PathBuf,
    /// Who programs run as.
    pub cred: Cred,
    /// Most bytes of memory one process may use ([`DEFAULT_MEMORY_LIMIT`]).
    pub memory_limit: u64,
    /// The session's terminal, if it is interactive: it is the standard
    /// streams of every process started without others and `/dev/tty`;
    /// programs see its modes through WASIX `tty_get`/`tty_set`, and its
    /// control keys signal them.
    pub terminal: Option<Arc<Terminal>>,
    /// The userland to install into the root at boot, if any.
    pub userland: Option<image::Userland>,
    /// Where programs' sockets and name lookups go.
    pub network: Network,
}

/// The network programs reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The host's own, with the rights of the `wasmux` process.
    Host,
    /// None: sockets cannot be opened (ENOTSUP) and no name resolves.
    Off,
}

/// The memory a process may use unless configured otherwise: 2 GiB, half of
/// what wasm32 can address.
pub const DEFAULT_MEMORY_LIMIT: u64 = 2 << 30;

impl KernelConfig {
    /// A configuration with the default limits.
    pub fn new(root_store: PathBuf, module_cache: PathBuf, cred: Cred) -> KernelConfig {
        KernelConfig {
            root_store,
            module_cache,
            cred,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            terminal: None,
            userland: None,
            network: Network::Host,
        }
    }
}

/// The host as a [`Platform`].
pub struct NativePlatform {
    /// Taken at shutdown.
    runtime: std::sync::Mutex<Option<tokio::runtime::Runtime>>,
    tokio: tokio::runtime::Handle,
    tasks: Arc<TokioTaskManager>,
    engine: Engine,
    module_cache: PathBuf,
    network: Network,
}

/// The native stack a program's WebAssembly code runs on: Linux's default
/// (`ulimit -s`), where wasmer's own 1 MiB overflowed. A child that a
/// SIGSTOP stopped inside its signal callback, in a sleep, died of a stack
/// overflow about one run in six soon after SIGCONT (conformance kill01);
/// with 2, 8 or 16 MiB, never in 120 runs.
const WASM_STACK_SIZE: usize = 8 << 20;

impl NativePlatform {
    pub fn new(config: &KernelConfig) -> std::io::Result<NativePlatform> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let tasks = Arc::new(TokioTaskManager::new(tokio.handle().clone()));
        let handle = tokio.handle().clone();
        wasmer_vm::set_stack_size(WASM_STACK_SIZE);
        let mut engine = Engine::default();
        engine.set_tunables(MemoryLimit::new(config.memory_limit));
        Ok(NativePlatform {
            runtime: std::sync::Mutex::new(Some(tokio)),
            tokio: handle,
            tasks,
            engine,
            module_cache: config.module_cache.clone(),
            network: config.network,
        })
    }
}

/// Natively, a thread running wasm is stopped by wasmer's store interrupter:
/// its code traps and returns, ending the task the usual way.
fn store_interrupt(store: &wasmer::Store, _stopped: Stopped) -> Interrupt {
    let interrupter = store.interrupter();
    Box::new(move || interrupter.interrupt())
}

impl Platform for NativePlatform {
    fn task_manager(&self) -> Arc<dyn VirtualTaskManager> {
        self.tasks.clone()
    }

    fn engine(&self) -> Engine {
        self.engine.clone()
    }

    fn module_cache(&self) -> Arc<dyn ModuleCache + Send + Sync> {
        let _guard = self.tokio.enter();
        Arc::new(
            SharedCache::new()
                .with_fallback(FileSystemCache::new(&self.module_cache, self.tasks.clone())),
        )
    }

    fn make_interrupt(&self) -> MakeInterrupt {
        store_interrupt
    }

    fn networking(&self) -> DynVirtualNetworking {
        let _guard = self.tokio.enter();
        match self.network {
            Network::Host => Arc::new(LocalNetworking::default()),
            Network::Off => Arc::new(UnsupportedVirtualNetworking::default()),
        }
    }

    fn spawn_background(&self, work: Box<dyn FnOnce() + Send>) {
        std::thread::spawn(work);
    }

    fn block_on(&self, work: LocalWork<'_>) {
        self.tokio.block_on(work)
    }

    fn shutdown(&self) {
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(runtime) = runtime {
            runtime.shutdown_background();
        }
    }

    fn enter(&self, f: &mut dyn FnMut()) {
        let _guard = self.tokio.enter();
        f()
    }
}

/// The root filesystem in a redb file, committed by a write-back thread.
struct RedbRoot {
    path: PathBuf,
}

impl RootStore for RedbRoot {
    type Store = RedbStore;

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn open(&self) -> impl Future<Output = Result<RedbStore, StoreError>> {
        let opened = (|| {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Backend(format!("{}: {e}", dir.display())))?;
            }
            RedbStore::open(&self.path)
        })();
        std::future::ready(opened)
    }

    fn write_back(self, volume: Volume<RedbStore>) -> Root {
        let writeback = WriteBack::start(volume);
        Root {
            vfs: writeback.vfs().clone(),
            syncer: Arc::new(writeback.syncer()),
            shutdown: Box::new(move || writeback.shutdown()),
        }
    }
}

/// Boots the kernel on the host ([`Kernel::boot`]): the root in the redb
/// file `config.root_store` (created on first boot, checked at every
/// mount), committed by the write-back thread.
pub fn boot(config: &KernelConfig) -> Result<Kernel, KernelError> {
    let platform = NativePlatform::new(config).map_err(|e| KernelError::Setup(e.to_string()))?;
    let root = RedbRoot {
        path: config.root_store.clone(),
    };
    let boot = Boot {
        cred: config.cred.clone(),
        terminal: config.terminal.clone(),
        userland: config.userland.clone(),
    };
    pollster::block_on(Kernel::boot(Arc::new(platform), root, boot))
}
