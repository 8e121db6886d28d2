//! `wasmux`: run WebAssembly programs as Linux processes over a persistent
//! filesystem, and look after that filesystem from the host.
//!
//! Exit statuses: a program's own status for `run`/`shell`; 126 when a program
//! cannot be executed (not a module, missing imports, no permission); 127 when
//! it is not found; 1 for other failures (a damaged or busy store); 2 for usage
//! errors.

mod bench;
mod conformance;
mod console;
mod fs_cmd;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use wasmux_kernel_shim::image::Userland;
use wasmux_kernel_shim::login::DEFAULT_TERM;
use wasmux_kernel_shim::{native, KernelConfig, KernelError, Login, Network, Program};

#[derive(Parser)]
#[command(
    name = "wasmux",
    version,
    about = "A Linux personality for WebAssembly programs"
)]
struct Cli {
    /// Directory holding the root filesystem (`root.redb`).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Directory of a userland build (`busybox.wasm`, `busybox.links`, as
    /// `userland/busybox/build.sh` makes): installed into the root at boot.
    #[arg(long, global = true, value_name = "DIR", env = "WASMUX_USERLAND")]
    userland: Option<PathBuf>,
    /// Give programs no network: sockets cannot be opened and no name
    /// resolves (by default they use the host's network).
    #[arg(long, global = true)]
    no_network: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program: a command in PATH, a guest path, or a host `.wasm` file.
    Run {
        /// Run as root instead of the unprivileged user.
        #[arg(long)]
        as_root: bool,
        /// Working directory inside the filesystem (default: the user's home).
        #[arg(long, value_name = "GUEST_DIR")]
        cwd: Option<String>,
        program: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Start an interactive login shell (`/bin/sh -l`).
    Shell,
    /// Measure vfs, spawn and syscall costs against their peers (see scripts/bench.sh).
    Bench(bench::BenchArgs),
    /// Serve the browser terminal (the page, its runtime and the root image).
    Serve(serve::ServeArgs),
    /// Run the conformance suite on a backend and compare with its baseline.
    Conformance(conformance::ConformanceArgs),
    /// Work on the root filesystem from the host.
    Fs {
        #[command(subcommand)]
        command: fs_cmd::FsCommand,
    },
}

fn default_root() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("wasmux")
}

/// wasmux's cache directory (`$XDG_CACHE_HOME/wasmux`).
pub fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("wasmux")
}

fn module_cache_dir() -> PathBuf {
    cache_dir().join("modules")
}

pub fn store_path(root: &std::path::Path) -> PathBuf {
    root.join("root.redb")
}

/// Logs go to standard error, or to the file `WASMUX_LOG_FILE` names (in
/// a `wasmux shell` standard error is the session's terminal); `WASMUX_LOG`
/// filters them (`tracing` directives).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WASMUX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,wasmer_wasix=off,wasmer=off"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    let file = std::env::var_os("WASMUX_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .inspect_err(|e| eprintln!("wasmux: cannot log to {}: {e}", path.to_string_lossy()))
            .ok()
    });
    match file {
        Some(file) => logs
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .init(),
        None => logs.with_writer(std::io::stderr).init(),
    }
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let root = cli.root.clone().unwrap_or_else(default_root);
    let session = Session {
        root,
        userland: cli.userland.clone(),
        network: !cli.no_network,
    };
    match dispatch(cli.command, &session) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wasmux: {e:#}");
            let status = match e.downcast_ref::<KernelError>() {
                Some(KernelError::Exec(exec)) => exec.exit_status() as u8,
                Some(KernelError::Module { .. } | KernelError::UnknownImports { .. }) => 126,
                _ => 1,
            };
            ExitCode::from(status)
        }
    }
}

/// What every command shares: where the root filesystem is, the
/// userland to install into it, and whether programs reach the network.
struct Session {
    root: PathBuf,
    userland: Option<PathBuf>,
    network: bool,
}

impl Session {
    fn userland(&self) -> anyhow::Result<Option<Userland>> {
        let Some(dir) = &self.userland else {
            return Ok(None);
        };
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .with_context(|| format!("reading the userland: {}", path.display()))
        };
        let busybox = read("busybox.wasm")?;
        let links = read("busybox.links")?;
        Ok(Some(Userland::from_build(
            busybox,
            &String::from_utf8_lossy(&links),
            false,
        )))
    }
}

fn dispatch(command: Command, session: &Session) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run {
            as_root,
            cwd,
            program,
            args,
        } => {
            let login = if as_root {
                Login::root()
            } else {
                Login::user()
            };
            let program = host_or_guest(&program)?;
            run(session, &login, program, args, cwd)
        }
        Command::Shell => run(
            session,
            &Login::user(),
            Program::Guest("/bin/sh".into()),
            vec!["-l".into()],
            None,
        )
        .context("no shell to start (give a userland with --userland, or put a WASIX shell at /bin/sh with `wasmux fs import`)"),
        Command::Fs { command } => fs_cmd::run(command, &store_path(&session.root)),
        Command::Bench(args) => bench::run(args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(args).map(|()| ExitCode::SUCCESS),
        Command::Conformance(args) => conformance::run(args, session.userland.as_deref())
            .map(|held| if held { ExitCode::SUCCESS } else { ExitCode::from(1) }),
    }
}

/// A program naming an existing host file ending in `.wasm` runs from the
/// host; anything else is looked up inside the filesystem.
fn host_or_guest(program: &str) -> anyhow::Result<Program> {
    let host = std::path::Path::new(program);
    if program.ends_with(".wasm") && host.is_file() {
        let bytes = std::fs::read(host).with_context(|| format!("reading {program}"))?;
        let name = host
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| program.to_string());
        Ok(Program::HostWasm { name, bytes })
    } else {
        Ok(Program::Guest(program.to_string()))
    }
}

/// Runs `program` as `login` runs it (from the home directory unless
/// `cwd` says otherwise), on the host's terminal if there is one.
fn run(
    session: &Session,
    login: &Login,
    program: Program,
    args: Vec<String>,
    cwd: Option<String>,
) -> anyhow::Result<ExitCode> {
    let console = console::Console::attach()?;
    let mut config = KernelConfig::new(
        store_path(&session.root),
        module_cache_dir(),
        login.cred.clone(),
    );
    config.terminal = console.as_ref().map(|c| c.terminal().clone());
    config.userland = session.userland()?;
    if !session.network {
        config.network = Network::Off;
    }
    let kernel = native::boot(&config)?;
    let term = std::env::var("TERM").unwrap_or_else(|_| DEFAULT_TERM.into());
    let mut spawn = login.spawn(program, args, &term);
    if let Some(cwd) = cwd {
        spawn.cwd = cwd;
    }
    let status = kernel.run(spawn);
    let shutdown = kernel.shutdown();
    drop(console);
    let status = status?;
    shutdown.context("committing the filesystem at exit")?;
    Ok(ExitCode::from(status.clamp(0, 255) as u8))
}
