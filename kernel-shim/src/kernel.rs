//! The kernel: boots a root filesystem, assembles the mount table over it,
//! and runs programs as processes on wasmer-wasix — the same on every
//! platform. What differs is a [`Platform`] (threads, engine, network) and
//! a [`RootStore`] (where the root persists and how its changes get there).
//!
//! Boot, in one place for every platform ([`Kernel::boot`]): open the
//! store, mount it (checked first: a damaged store is refused), give a
//! fresh root its skeleton and the userland, start the write-back, and
//! assemble the mounts ([`Kernel::assemble`]):
//!
//! | path      | filesystem                                          |
//! |-----------|-----------------------------------------------------|
//! | `/`       | the persistent vfs (its store is the platform's)    |
//! | `/tmp`    | a vfs in memory, mode 1777, gone at exit            |
//! | `/dev`    | device files ([`crate::devfs`])                     |
//! | `/dev/fd` | the caller's descriptors ([`crate::devfs::FdDir`])  |
//! | `/proc`   | system files ([`crate::procfs`])                    |

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use virtual_fs::{FileSystem, VirtualFile};
use wasmer::Engine;
use wasmer_types::ModuleHash;
use wasmer_wasix::bin_factory::spawn_exec_module;
use wasmer_wasix::os::task::control_plane::{
    ControlPlaneConfig, ControlPlaneError, WasiControlPlane,
};
use wasmer_wasix::os::task::TaskJoinHandle;
use wasmer_wasix::runtime::module_cache::HashedModuleData;
use wasmer_wasix::wasmer_wasix_types::wasix::ThreadStartType;
use wasmer_wasix::{PluggableRuntime, Runtime, WasiEnv, WasiEnvBuilder};
use wasmux_vfs::{Cred, Ino, MountError, SetAttr, Store, StoreError, SyncRequest, Vfs, Volume};

use crate::exec::{self, ExecError, Resolved, WASM_MAGIC};
use crate::image::{self, Userland};
use crate::mounts::{Mount, MountTable, Mounts};
use crate::platform::{self, Platform};
use crate::process::{self, KillError, Pid, ProcessTable, ProcessTasks, Start};
use crate::procfs::ProcFs;
use crate::runtime::KernelRuntime;
use crate::signal::Signal;
use crate::terminal::Terminal;
use crate::vfs_adapter::VfsFileSystem;
use crate::wasmux_imports::{self, WasmuxImports};
use crate::HostClock;

/// The import modules a program may use. Anything else is refused before it runs.
pub const KNOWN_IMPORT_MODULES: &[&str] = &[
    "wasi_snapshot_preview1",
    "wasi_unstable",
    "wasix_32v1",
    "wasix_64v1",
    "env",
    wasmux_imports::MODULE,
];

/// How long a change to the root may wait in memory before the write-back
/// commits it anyway (every platform's write-back; `fsync` and `sync`
/// commit at once).
pub const WRITE_BACK_INTERVAL: Duration = Duration::from_millis(500);

/// The `PATH` used when the caller gives none.
pub const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Why the kernel could not boot or a program could not run.
#[derive(Debug, Error)]
pub enum KernelError {
    #[error("cannot open the root filesystem at {path}: {source}")]
    Store { path: String, source: StoreError },
    #[error("cannot mount the root filesystem at {path}: {source}")]
    Mount { path: String, source: MountError },
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

/// Where the root filesystem persists, and how its changes get there: a
/// platform's store and write-back (natively a redb file and a thread, in a
/// tab IndexedDB and a task on the kernel worker's event loop).
pub trait RootStore {
    type Store: Store + 'static;

    /// The store as errors name it (a path, a database).
    fn describe(&self) -> String;

    /// Opens the store, creating it if it does not exist.
    fn open(&self) -> impl Future<Output = Result<Self::Store, StoreError>>;

    /// Starts committing the mounted volume's changes (every
    /// [`WRITE_BACK_INTERVAL`], at once when asked) and hands the root to
    /// the kernel.
    fn write_back(self, volume: Volume<Self::Store>) -> Root;
}

/// What a boot is given besides its platform and root.
pub struct Boot {
    /// Who the processes the kernel starts act as.
    pub cred: Cred,
    /// The session's terminal, if it is interactive: every process's
    /// standard streams unless given others, and `/dev/tty`.
    pub terminal: Option<Arc<Terminal>>,
    /// The userland to install into the root, if any.
    pub userland: Option<Userland>,
}

/// The root filesystem as the platform mounted it, and how its changes
/// reach the store.
pub struct Root {
    pub vfs: Vfs,
    /// Answers `fsync`: commits what is pending and says when it is durable.
    pub syncer: Arc<dyn SyncRequest>,
    /// Commits what is left and lets the store go (at [`Kernel::shutdown`]).
    pub shutdown: Box<dyn FnOnce() -> Result<(), StoreError> + Send>,
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
    platform: Arc<dyn Platform>,
    runtime: Arc<dyn Runtime + Send + Sync>,
    engine: Engine,
    mounts: Arc<Mounts>,
    root: VfsFileSystem,
    root_shutdown: Box<dyn FnOnce() -> Result<(), StoreError> + Send>,
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
    pub fn wait(self) -> i32 {
        let kernel = self.kernel;
        platform::block_on(&*kernel.platform, self.finished())
    }

    /// [`Running::wait`] for callers that must not block (a browser's
    /// event loop).
    pub async fn finished(mut self) -> i32 {
        let outcome = self.handle.wait_finished().await;
        self.kernel.processes.reap(self.pid);
        let code = match &outcome {
            Ok(code) => Some(code.raw()),
            Err(err) => err.as_exit_code().map(|c| c.raw()),
        };
        if let Some(signal) = self.kernel.processes.collect(self.pid).signal {
            return signal.shell_status();
        }
        code.unwrap_or_else(|| {
            // A trap: the process dies as if by SIGABRT; others live on.
            if let Err(err) = &outcome {
                tracing::warn!(program = %self.program, error = %err, "process trapped");
                eprintln!("{}: terminated: {err}", self.program);
            }
            Signal::ABRT.shell_status()
        })
    }
}

/// What a process wrote into `pipe` and is there now, without waiting.
pub fn drain(pipe: &mut virtual_fs::Pipe) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    while let Some(n @ 1..) = pipe.try_read(&mut buf) {
        out.extend_from_slice(&buf[..n]);
    }
    out
}

impl Kernel {
    /// Boots on `platform` over the root `store` keeps: mounts it (checking
    /// it first), installs the first-boot files and the userland, starts the
    /// write-back, and assembles the kernel.
    pub async fn boot<R: RootStore>(
        platform: Arc<dyn Platform>,
        store: R,
        boot: Boot,
    ) -> Result<Kernel, KernelError> {
        let setup = |e: &dyn std::fmt::Display| KernelError::Setup(e.to_string());
        let opened = store.open().await.map_err(|source| KernelError::Store {
            path: store.describe(),
            source,
        })?;
        tracing::info!(store = %store.describe(), "root store opened");
        let volume = Volume::mount(opened, Arc::new(HostClock))
            .await
            .map_err(|source| KernelError::Mount {
                path: store.describe(),
                source,
            })?;
        tracing::info!("root filesystem mounted");
        image::populate(volume.vfs()).map_err(|e| setup(&format!("first boot: {e}")))?;
        if let Some(userland) = &boot.userland {
            image::install_userland(volume.vfs(), userland)
                .map_err(|e| setup(&format!("installing the userland: {e}")))?;
            tracing::info!("userland installed");
        }
        let root = store.write_back(volume);
        Kernel::assemble(platform, root, boot.cred, boot.terminal)
    }

    /// Builds the kernel on `platform` over a mounted root: the mount table
    /// around it, the process table, the runtime with the `wasmux` imports,
    /// and the terminal's signals.
    fn assemble(
        platform: Arc<dyn Platform>,
        root: Root,
        cred: Cred,
        terminal: Option<Arc<Terminal>>,
    ) -> Result<Kernel, KernelError> {
        let setup = |e: &dyn std::fmt::Display| KernelError::Setup(e.to_string());
        let processes = ProcessTable::new(platform.clone());
        let syncer = root.syncer;
        let root_fs = VfsFileSystem::new(root.vfs, processes.clone(), Some(syncer.clone()));

        let tmp = Vfs::new(Arc::new(HostClock));
        tmp.setattr(
            &Cred::root(),
            Ino::ROOT,
            &SetAttr {
                perm: Some(0o1777),
                ..SetAttr::default()
            },
        )
        .map_err(|e| setup(&e))?;
        let tmp_fs = VfsFileSystem::new(tmp.clone(), processes.clone(), None);
        let tty = terminal.as_ref().map(|t| Box::new(t.open()) as _);
        let proc_fs = ProcFs::new(processes.clone());
        let volume = |fs: VfsFileSystem, source, kind| Mount {
            volume: Some(fs.vfs().clone()),
            fs: Arc::new(fs),
            listed_as: Some((source, kind)),
        };
        // The mount table, the one list of it.
        let mounts: Arc<Mounts> = Arc::new(MountTable::new(vec![
            ("/".into(), volume(root_fs.clone(), "wasmux-root", "wasmux")),
            ("/tmp".into(), volume(tmp_fs, "tmpfs", "tmpfs")),
            (
                "/dev".into(),
                Mount {
                    fs: crate::devfs::build(tty),
                    volume: None,
                    listed_as: Some(("devfs", "devtmpfs")),
                },
            ),
            (
                "/dev/fd".into(),
                Mount {
                    fs: Arc::new(crate::devfs::FdDir),
                    volume: None,
                    listed_as: None,
                },
            ),
            (
                "/proc".into(),
                Mount {
                    fs: proc_fs.clone(),
                    volume: None,
                    listed_as: Some(("proc", "proc")),
                },
            ),
        ]));
        proc_fs.set_mounts(mounts.listing());

        let engine = platform.engine();
        let mut runtime = platform::entered(&*platform, || {
            let tasks = Arc::new(ProcessTasks::new(
                platform.task_manager(),
                processes.clone(),
                platform.make_interrupt(),
            ));
            let mut r = PluggableRuntime::new(tasks);
            r.set_engine(engine.clone());
            r.networking = platform.networking();
            r.set_module_cache(platform.module_cache());
            r
        });
        runtime.with_instantiation_hook(WasmuxImports::new(
            mounts.clone(),
            processes.clone(),
            Some(syncer),
        ));
        if let Some(terminal) = &terminal {
            runtime.set_tty(terminal.clone());
            let processes = processes.clone();
            terminal.set_signaller(Box::new(move |signal| processes.kill_foreground(signal)));
        }

        Ok(Kernel {
            platform,
            runtime: Arc::new(KernelRuntime::new(runtime, processes.clone())),
            engine,
            mounts,
            root: root_fs,
            root_shutdown: root.shutdown,
            cred,
            processes,
            plane: WasiControlPlane::new(ControlPlaneConfig::new()),
            terminal,
        })
    }

    /// The root filesystem.
    pub fn root(&self) -> &Vfs {
        self.root.vfs()
    }

    /// Who the processes the kernel starts act as.
    pub fn cred(&self) -> &Cred {
        &self.cred
    }

    /// Runs `f`, a call into the kernel's filesystems from outside any
    /// process (the page writing a file), as the kernel's user.
    pub fn as_user<R>(&self, f: impl FnOnce() -> R) -> R {
        process::acting_as(&self.cred, f)
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
        let module = platform::block_on(
            &*self.platform,
            self.runtime.load_hashed_module(data, Some(&self.engine)),
        )
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

        platform::entered(&*self.platform, || {
            self.as_user(|| self.spawn_module(module, resolved.argv, spawn, &program))
        })
        .map_err(|e| start(&e))
        .map(|(pid, handle)| Running {
            kernel: self,
            pid,
            program: program.clone(),
            handle,
        })
    }

    /// Builds the process's environment (argv, env, cwd, the one preopen,
    /// standard streams), adopts it into the kernel's control plane and
    /// starts it.
    fn spawn_module(
        &self,
        module: wasmer::Module,
        argv: Vec<String>,
        spawn: Spawn,
        program: &str,
    ) -> anyhow::Result<(Pid, TaskJoinHandle)> {
        let argv_all = argv.clone();
        let mut argv = argv.into_iter();
        let argv0 = argv.next().unwrap_or_else(|| program.to_string());
        let mut builder = WasiEnvBuilder::new(argv0)
            .args(argv)
            .envs(spawn.env)
            .fs(self.filesystem())
            .runtime(self.runtime.clone())
            .current_dir(spawn.cwd.clone());
        // Only "/" is preopened: wasi-libc would prefer a "." preopen even for
        // absolute paths. The working directory is WASIX's own (getcwd/chdir).
        builder.add_preopen_dir("/")?;
        builder
            .capabilities_mut()
            .threading
            .enable_asynchronous_threading = self.platform.suspendable_processes();
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
        let mut env = builder.build()?;
        self.adopt(&mut env)?;
        let pid = env.pid().raw();
        self.processes.expect_start(
            pid,
            Start {
                argv: argv_all,
                cred: self.cred.clone(),
            },
        );
        let handle = spawn_exec_module(module, env, &self.runtime)?;
        Ok((pid, handle))
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
    pub fn kill(&self, pid: Pid, signal: Signal) -> Result<(), KillError> {
        self.processes.kill(pid, signal)
    }

    /// Runs a process with its standard output captured; returns its exit
    /// status and what it wrote.
    pub fn run_captured(&self, mut spawn: Spawn) -> Result<(i32, Vec<u8>), KernelError> {
        let (tx, mut rx) = virtual_fs::Pipe::channel();
        spawn.stdio.stdout = Some(Box::new(tx));
        let status = self.run(spawn)?;
        Ok((status, drain(&mut rx)))
    }

    /// Stops the platform, then commits every change and lets the store go.
    pub fn shutdown(self) -> Result<(), StoreError> {
        let Kernel {
            platform,
            root_shutdown,
            ..
        } = self;
        platform.shutdown();
        root_shutdown()
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
