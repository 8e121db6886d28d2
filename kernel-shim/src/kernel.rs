//! The native kernel: boots the mount table over the persistent root, and runs
//! programs as processes on wasmer-wasix.
//!
//! Mount table ([`crate::mounts`]):
//!
//! | path   | filesystem                                         |
//! |--------|----------------------------------------------------|
//! | `/`    | the persistent vfs (redb store, write-back thread) |
//! | `/tmp` | a vfs in memory, mode 1777, gone at exit           |
//! | `/dev` | device files ([`crate::devfs`])                    |
//! | `/proc`| system files ([`crate::procfs`])                    |

use std::path::PathBuf;
use std::sync::Arc;

use thiserror::Error;
use virtual_fs::{FileSystem, VirtualFile};
use wasmer::sys::NativeEngineExt;
use wasmer::Engine;
use wasmer_types::ModuleHash;
use wasmer_wasix::bin_factory::spawn_exec_module;
use wasmer_wasix::os::task::control_plane::{
    ControlPlaneConfig, ControlPlaneError, WasiControlPlane,
};
use wasmer_wasix::os::task::TaskJoinHandle;
use wasmer_wasix::runtime::module_cache::{
    FileSystemCache, HashedModuleData, ModuleCache, SharedCache,
};
use wasmer_wasix::runtime::task_manager::tokio::TokioTaskManager;
use wasmer_wasix::virtual_net::host::LocalNetworking;
use wasmer_wasix::virtual_net::DynVirtualNetworking;
use wasmer_wasix::wasmer_wasix_types::wasix::ThreadStartType;
use wasmer_wasix::{
    PluggableRuntime, Runtime, UnsupportedVirtualNetworking, WasiEnv, WasiEnvBuilder,
};
use wasmux_vfs::{Cred, Ino, MountError, RedbStore, SetAttr, StoreError, SystemClock, Vfs, Volume};

use crate::exec::{self, ExecError, Resolved, WASM_MAGIC};
use crate::image;
use crate::limits::MemoryLimit;
use crate::mounts::{MountTable, Mounted};
use crate::process::{Interrupt, KillError, Pid, ProcessTable, ProcessTasks};
use crate::syscalls::{Mounts, WasmuxImports};
use crate::terminal::Terminal;
use crate::vfs_adapter::{SyncRequest, VfsFileSystem};
use crate::writeback::WriteBack;

/// The import modules a program may use. Anything else is refused before it runs.
pub const KNOWN_IMPORT_MODULES: &[&str] = &[
    "wasi_snapshot_preview1",
    "wasi_unstable",
    "wasix_32v1",
    "wasix_64v1",
    "env",
    crate::syscalls::MODULE,
];

/// The `PATH` used when the caller gives none.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Why the kernel could not boot or a program could not run.
#[derive(Debug, Error)]
pub enum KernelError {
    #[error("cannot open the root filesystem at {path}: {source}")]
    Store { path: PathBuf, source: StoreError },
    #[error("cannot mount the root filesystem at {path}: {source}")]
    Mount { path: PathBuf, source: MountError },
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error("{program}: not a valid WebAssembly module: {reason}")]
    Module { program: String, reason: String },
    #[error("{program}: needs imports this kernel does not provide: {}", imports.join(", "))]
    UnknownImports {
        program: String,
        imports: Vec<String>,
    },
    #[error("{program}: {reason}")]
    Start { program: String, reason: String },
    #[error("cannot set up the kernel: {0}")]
    Setup(String),
}

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

impl Network {
    /// wasmer-wasix's networking for this choice; the host's needs the
    /// kernel's tokio runtime entered.
    fn networking(self) -> DynVirtualNetworking {
        match self {
            Network::Host => Arc::new(LocalNetworking::default()),
            Network::Off => Arc::new(UnsupportedVirtualNetworking::default()),
        }
    }
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

/// What to run.
#[derive(Debug, Clone)]
pub enum Program {
    /// A command name (searched in `PATH`) or a path inside the filesystem.
    Guest(String),
    /// A module from the host, with the name it should see as `argv[0]`.
    HostWasm { name: String, bytes: Vec<u8> },
}

/// Standard streams for a process; `None` is the session's terminal, or
/// the host's stream where the kernel has no terminal.
#[derive(Default)]
pub struct Stdio {
    pub stdin: Option<Box<dyn VirtualFile + Send + Sync>>,
    pub stdout: Option<Box<dyn VirtualFile + Send + Sync>>,
    pub stderr: Option<Box<dyn VirtualFile + Send + Sync>>,
}

/// One process to start.
pub struct Spawn {
    pub program: Program,
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub stdio: Stdio,
}

impl Spawn {
    /// A command found like a shell would: `PATH` set to [`DEFAULT_PATH`],
    /// run from `cwd`, with the host's standard streams.
    pub fn command(program: &str, args: &[&str], cwd: &str) -> Spawn {
        Spawn {
            program: Program::Guest(program.to_string()),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![("PATH".into(), DEFAULT_PATH.into())],
            cwd: cwd.to_string(),
            stdio: Stdio::default(),
        }
    }
}

/// The booted kernel.
pub struct Kernel {
    tokio: tokio::runtime::Runtime,
    runtime: Arc<dyn Runtime + Send + Sync>,
    engine: Engine,
    mounts: Arc<MountTable<Mounted>>,
    root: VfsFileSystem,
    writeback: WriteBack,
    cred: Cred,
    processes: Arc<ProcessTable>,
    plane: WasiControlPlane,
    terminal: Option<Arc<Terminal>>,
}

/// A process the kernel started, not yet waited for.
pub struct Running<'k> {
    kernel: &'k Kernel,
    pid: Pid,
    program: String,
    handle: TaskJoinHandle,
}

impl Running<'_> {
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Waits for the process to end and returns its status the way a Linux
    /// shell reports it: the exit code, or 128 + the signal that killed it
    /// (a trap counts as SIGABRT).
    pub fn wait(mut self) -> i32 {
        let outcome = self.kernel.tokio.block_on(self.handle.wait_finished());
        self.kernel.processes.reap(self.pid);
        let code = match &outcome {
            Ok(code) => Some(code.raw()),
            Err(err) => err.as_exit_code().map(|c| c.raw()),
        };
        if let Some(signal) = self.kernel.processes.collect(self.pid) {
            return 128 + i32::from(signal);
        }
        code.unwrap_or_else(|| {
            // A trap: the process dies as if by SIGABRT; others live on.
            if let Err(err) = &outcome {
                tracing::warn!(program = %self.program, error = %err, "process trapped");
                eprintln!("{}: terminated: {err}", self.program);
            }
            128 + 6
        })
    }
}

/// Natively, a thread running wasm is stopped by wasmer's store interrupter.
fn store_interrupt(store: &wasmer::Store) -> Interrupt {
    let interrupter = store.interrupter();
    Box::new(move || interrupter.interrupt())
}

impl Kernel {
    /// Mounts the root (checking it first), `/tmp` and `/dev`, and populates
    /// `/etc` and the home directories on first boot.
    pub fn boot(config: &KernelConfig) -> Result<Kernel, KernelError> {
        let setup = |e: &dyn std::fmt::Display| KernelError::Setup(e.to_string());
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(&e))?;

        if let Some(dir) = config.root_store.parent() {
            std::fs::create_dir_all(dir).map_err(|e| setup(&e))?;
        }
        let store = RedbStore::open(&config.root_store).map_err(|source| KernelError::Store {
            path: config.root_store.clone(),
            source,
        })?;
        let volume =
            pollster::block_on(Volume::mount(store, Arc::new(SystemClock))).map_err(|source| {
                KernelError::Mount {
                    path: config.root_store.clone(),
                    source,
                }
            })?;
        image::populate(volume.vfs()).map_err(|e| setup(&format!("first boot: {e}")))?;
        if let Some(userland) = &config.userland {
            image::install_userland(volume.vfs(), userland)
                .map_err(|e| setup(&format!("installing the userland: {e}")))?;
        }
        let writeback = WriteBack::start(volume);
        let processes = ProcessTable::new(config.cred.clone());
        let syncer: Arc<dyn SyncRequest> = Arc::new(writeback.syncer());
        let root = VfsFileSystem::new(
            writeback.vfs().clone(),
            processes.clone(),
            Some(syncer.clone()),
        );

        let tmp = Vfs::new(Arc::new(SystemClock));
        tmp.setattr(
            &Cred::root(),
            Ino::ROOT,
            &SetAttr {
                perm: Some(0o1777),
                ..SetAttr::default()
            },
        )
        .map_err(|e| setup(&e))?;
        let syscall_mounts = Mounts::new(vec![
            ("/".into(), Some(root.vfs().clone())),
            ("/tmp".into(), Some(tmp.clone())),
            ("/dev".into(), None),
            ("/proc".into(), None),
        ]);
        let proc_mounts = [
            ("wasmux-root", "/", "wasmux"),
            ("tmpfs", "/tmp", "tmpfs"),
            ("devfs", "/dev", "devtmpfs"),
            ("proc", "/proc", "proc"),
        ]
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
        let mounts: MountTable<Mounted> = MountTable::new(vec![
            ("/".into(), Arc::new(root.clone())),
            (
                "/tmp".into(),
                Arc::new(VfsFileSystem::new(tmp, processes.clone(), None)),
            ),
            ("/dev".into(), crate::devfs::build(config.terminal.as_ref())),
            ("/dev/fd".into(), Arc::new(crate::devfs::FdDir)),
            (
                "/proc".into(),
                crate::procfs::ProcFs::new(proc_mounts, processes.clone()),
            ),
        ]);

        let mut engine = Engine::default();
        engine.set_tunables(MemoryLimit::new(config.memory_limit));
        let _guard = tokio.enter();
        let tokio_tasks = Arc::new(TokioTaskManager::new(tokio.handle().clone()));
        let tasks = Arc::new(ProcessTasks::new(
            tokio_tasks.clone(),
            processes.clone(),
            store_interrupt,
        ));
        let mut runtime = PluggableRuntime::new(tasks);
        runtime.set_engine(engine.clone());
        runtime.networking = config.network.networking();
        runtime.with_instantiation_hook(WasmuxImports::new(
            syscall_mounts,
            processes.clone(),
            Some(syncer),
        ));
        if let Some(terminal) = &config.terminal {
            runtime.set_tty(terminal.clone());
            let processes = processes.clone();
            terminal.set_signaller(Box::new(move |signal| processes.kill_foreground(signal)));
        }
        let cache = SharedCache::new()
            .with_fallback(FileSystemCache::new(&config.module_cache, tokio_tasks));
        runtime.set_module_cache(cache);

        Ok(Kernel {
            tokio,
            runtime: Arc::new(runtime),
            engine,
            mounts: Arc::new(mounts),
            root,
            writeback,
            cred: config.cred.clone(),
            processes,
            plane: WasiControlPlane::new(ControlPlaneConfig::new()),
            terminal: config.terminal.clone(),
        })
    }

    /// The root filesystem.
    pub fn root(&self) -> &Vfs {
        self.root.vfs()
    }

    /// The whole mount table as wasmer-wasix sees it.
    pub fn filesystem(&self) -> Arc<dyn FileSystem + Send + Sync> {
        self.mounts.clone()
    }

    /// Finds what `spawn` names and reads it, following `#!` lines.
    pub fn resolve(&self, spawn: &Spawn) -> Result<Resolved, KernelError> {
        let vfs = self.root();
        let cwd = vfs
            .resolve(&self.cred, Ino::ROOT, spawn.cwd.as_bytes(), true)
            .unwrap_or(Ino::ROOT);
        match &spawn.program {
            Program::HostWasm { name, bytes } => {
                if !bytes.starts_with(WASM_MAGIC) {
                    return Err(ExecError::Format(name.clone()).into());
                }
                let mut argv = vec![name.clone()];
                argv.extend(spawn.args.iter().cloned());
                Ok(Resolved {
                    path: name.clone(),
                    wasm: bytes.clone(),
                    argv,
                })
            }
            Program::Guest(name) => {
                let path_var = spawn
                    .env
                    .iter()
                    .find(|(k, _)| k == "PATH")
                    .map_or(DEFAULT_PATH, |(_, v)| v.as_str());
                let path = exec::find_in_path(vfs, &self.cred, cwd, name, path_var)?;
                let mut argv = vec![name.clone()];
                argv.extend(spawn.args.iter().cloned());
                Ok(exec::resolve(vfs, &self.cred, cwd, &path, argv)?)
            }
        }
    }

    /// Compiles (or fetches from the cache) and checks a module's imports.
    pub fn load_module(&self, program: &str, wasm: Vec<u8>) -> Result<wasmer::Module, KernelError> {
        let data = HashedModuleData::new(wasm);
        let module = self
            .tokio
            .block_on(self.runtime.load_hashed_module(data, Some(&self.engine)))
            .map_err(|e| KernelError::Module {
                program: program.to_string(),
                reason: error_chain(&e),
            })?;
        let unknown: Vec<String> = module
            .imports()
            .filter(|i| !KNOWN_IMPORT_MODULES.contains(&i.module()))
            .map(|i| format!("{}.{}", i.module(), i.name()))
            .collect();
        if !unknown.is_empty() {
            return Err(KernelError::UnknownImports {
                program: program.to_string(),
                imports: unknown,
            });
        }
        Ok(module)
    }

    /// Runs a process to its end and returns its exit status.
    pub fn run(&self, spawn: Spawn) -> Result<i32, KernelError> {
        Ok(self.start(spawn)?.wait())
    }

    /// Starts a process; [`Running::wait`] collects its status.
    pub fn start(&self, spawn: Spawn) -> Result<Running<'_>, KernelError> {
        let resolved = self.resolve(&spawn)?;
        let program = resolved.path.clone();
        let module = self.load_module(&program, resolved.wasm)?;
        let start = |e: &dyn std::fmt::Display| KernelError::Start {
            program: program.clone(),
            reason: e.to_string(),
        };

        let _guard = self.tokio.enter();
        let argv_all = resolved.argv.clone();
        let mut argv = resolved.argv.into_iter();
        let argv0 = argv.next().unwrap_or_else(|| program.clone());
        let mut builder = WasiEnvBuilder::new(argv0)
            .args(argv)
            .envs(spawn.env)
            .fs(self.filesystem())
            .runtime(self.runtime.clone())
            .current_dir(spawn.cwd.clone());
        // Only "/" is preopened: wasi-libc would prefer a "." preopen even for
        // absolute paths. The working directory is WASIX's own (getcwd/chdir).
        builder.add_preopen_dir("/").map_err(|e| start(&e))?;
        let Stdio {
            stdin,
            stdout,
            stderr,
        } = spawn.stdio;
        let terminal = |given: Option<Box<dyn VirtualFile + Send + Sync>>| {
            given.or_else(|| {
                let t = self.terminal.as_ref()?;
                Some(Box::new(t.open()) as Box<dyn VirtualFile + Send + Sync>)
            })
        };
        if let Some(f) = terminal(stdin) {
            builder.set_stdin(f);
        }
        if let Some(f) = terminal(stdout) {
            builder.set_stdout(f);
        }
        if let Some(f) = terminal(stderr) {
            builder.set_stderr(f);
        }
        let mut env = builder.build().map_err(|e| start(&e))?;
        self.adopt(&mut env).map_err(|e| start(&e))?;
        let pid = env.pid().raw();
        self.processes.expect_argv(pid, argv_all);
        let handle = spawn_exec_module(module, env, &self.runtime).map_err(|e| start(&e))?;
        Ok(Running {
            kernel: self,
            pid,
            program,
            handle,
        })
    }

    /// Moves a freshly built environment's process into the kernel's own
    /// control plane. `WasiEnvBuilder` gives every environment a plane of its
    /// own, so each would be pid 1, alone, unable to see or signal the others.
    fn adopt(&self, env: &mut WasiEnv) -> Result<(), ControlPlaneError> {
        let process = self.plane.new_process(ModuleHash::random())?;
        let thread = process.new_thread(env.layout.clone(), ThreadStartType::MainThread)?;
        env.control_plane = self.plane.clone();
        env.process = process;
        env.thread = thread.as_thread();
        env.owned_handles = vec![thread];
        Ok(())
    }

    /// The live processes.
    pub fn processes(&self) -> &Arc<ProcessTable> {
        &self.processes
    }

    /// Sends a signal to a process (see [`ProcessTable::kill`]).
    pub fn kill(&self, pid: Pid, signal: u8) -> Result<(), KillError> {
        self.processes.kill(pid, signal)
    }

    /// Runs a process with its standard output captured; returns its exit
    /// status and what it wrote.
    pub fn run_captured(&self, mut spawn: Spawn) -> Result<(i32, Vec<u8>), KernelError> {
        let (tx, mut rx) = virtual_fs::Pipe::channel();
        spawn.stdio.stdout = Some(Box::new(tx));
        let status = self.run(spawn)?;
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        while let Some(n @ 1..) = rx.try_read(&mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
        Ok((status, out))
    }

    /// Commits every change and stops the write-back thread.
    pub fn shutdown(self) -> Result<(), StoreError> {
        let Kernel {
            tokio, writeback, ..
        } = self;
        tokio.shutdown_background();
        writeback.shutdown()
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
