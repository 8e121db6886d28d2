//! Where the programs run: each backend runs a program by name and returns
//! what it printed and how it ended.
//!
//! - `linux`: the natively built programs, on the host kernel (the oracle);
//! - `fast`: the WASIX builds, each run by `wasmux run` over a fresh root;
//! - `fast-browser`: the same WASIX builds in a wasmux tab of headless
//!   Chromium, through the page's API (`browser.mjs` drives the tab).
//!
//! All run every program as the same unprivileged user (uid 1000, like
//! fast mode's user), from `/tmp`, with a small fixed environment, so that a
//! difference between them is a difference of the systems, not of the
//! setups. Full mode has no backend yet: [`BackendKind`] names it.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::outcome::Ending;
use crate::ConformanceError;

/// The unprivileged identity programs run as.
pub const TEST_UID: u32 = 1000;
pub const TEST_GID: u32 = 1000;

/// Every backend the suite knows, available here or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Linux,
    Fast,
    FastBrowser,
    Full,
}

impl BackendKind {
    pub const ALL: [BackendKind; 4] = [
        BackendKind::Linux,
        BackendKind::Fast,
        BackendKind::FastBrowser,
        BackendKind::Full,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Linux => "linux",
            BackendKind::Fast => "fast",
            BackendKind::FastBrowser => "fast-browser",
            BackendKind::Full => "full",
        }
    }

    pub fn parse(name: &str) -> Option<BackendKind> {
        BackendKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What one program printed and how it ended.
pub struct RawRun {
    pub stdout: String,
    pub stderr: String,
    pub ending: Ending,
}

/// A place to run the suite's programs.
pub trait Backend {
    fn kind(&self) -> BackendKind;
    /// The programs this backend has, by name, sorted; with the build error
    /// of those that exist in source but not for this backend.
    fn programs(&self) -> Vec<(String, Option<String>)>;
    /// Runs `program`, stopping it after `deadline`.
    fn run(&self, program: &str, deadline: Duration) -> RawRun;
}

/// Runs one command with a deadline, in its own process group (its forked
/// children go with it when it is killed or ends).
fn run_command(mut command: Command, deadline: Duration) -> RawRun {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return RawRun {
                stdout: String::new(),
                stderr: String::new(),
                ending: Ending::NotStarted(e.to_string()),
            }
        }
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let ending = wait_with_deadline(&mut child, deadline);
    // Leftover children would hold the pipes open; the run is over.
    kill_group(&child);
    RawRun {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        ending,
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn wait_with_deadline(child: &mut Child, deadline: Duration) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    let status = match child.wait_timeout(deadline) {
        Ok(Some(status)) => status,
        Ok(None) => {
            kill_group(child);
            let _ = child.wait();
            return Ending::TimedOut {
                seconds: deadline.as_secs(),
            };
        }
        Err(e) => return Ending::NotStarted(format!("waiting: {e}")),
    };
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signalled(signal),
        (None, None) => Ending::NotStarted("no status".into()),
    }
}

fn kill_group(child: &Child) {
    // SAFETY: killpg only sends a signal; the group is the child's own
    // (process_group(0)), so nothing outside the run is touched.
    unsafe {
        libc::killpg(child.id() as libc::pid_t, libc::SIGKILL);
    }
}

/// Lists the built programs of a backend's directory: `NAME` + `suffix`
/// files, and `NAME.error` files for those that failed to build.
pub(crate) fn list_programs(dir: &Path, suffix: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(".error") {
            let why = std::fs::read_to_string(entry.path()).unwrap_or_default();
            found.push((name.to_string(), Some(why)));
        } else if let Some(name) = file.strip_suffix(suffix) {
            if !name.is_empty() && !name.contains('.') {
                found.push((name.to_string(), None));
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    found
}

/// Copies the programs somewhere the test user can execute them (the build
/// cache may sit under a private home), named without their suffix.
fn stage(
    from: &Path,
    suffix: &str,
    names: &[String],
) -> Result<tempfile::TempDir, ConformanceError> {
    use std::os::unix::fs::PermissionsExt;
    let staging = tempfile::Builder::new()
        .prefix("wasmux-conformance.")
        .tempdir()
        .map_err(|e| ConformanceError::io("making a staging directory", e))?;
    let set_mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| ConformanceError::io(format!("chmod {}", path.display()), e))
    };
    set_mode(staging.path(), 0o755)?;
    for name in names {
        let to = staging.path().join(name);
        std::fs::copy(from.join(format!("{name}{suffix}")), &to)
            .map_err(|e| ConformanceError::io(format!("staging {name}"), e))?;
        set_mode(&to, 0o755)?;
    }
    Ok(staging)
}

fn runnable(programs: &[(String, Option<String>)]) -> Vec<String> {
    programs
        .iter()
        .filter(|(_, error)| error.is_none())
        .map(|(name, _)| name.clone())
        .collect()
}

/// Starts commands as the test user when the runner is root. (std drops
/// root's supplementary groups itself when it changes the uid.)
fn as_test_user(command: &mut Command) {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        command.uid(TEST_UID).gid(TEST_GID);
    }
}

fn fixed_environment(command: &mut Command) {
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/tmp")
        .env("LANG", "C")
        .current_dir("/tmp");
}

/// The oracle: native programs on the host's Linux.
pub struct LinuxBackend {
    programs: Vec<(String, Option<String>)>,
    staging: tempfile::TempDir,
}

impl LinuxBackend {
    /// `build` is the directory `conformance/build.sh` printed.
    pub fn new(build: &Path) -> Result<LinuxBackend, ConformanceError> {
        let dir = build.join("linux");
        let programs = list_programs(&dir, "");
        if programs.is_empty() {
            return Err(ConformanceError::NoPrograms(dir));
        }
        let staging = stage(&dir, "", &runnable(&programs))?;
        Ok(LinuxBackend { programs, staging })
    }
}

impl Backend for LinuxBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Linux
    }

    fn programs(&self) -> Vec<(String, Option<String>)> {
        self.programs.clone()
    }

    fn run(&self, program: &str, deadline: Duration) -> RawRun {
        let mut command = Command::new(self.staging.path().join(program));
        fixed_environment(&mut command);
        as_test_user(&mut command);
        run_command(command, deadline)
    }
}

/// Fast mode: the WASIX programs under `/conformance` of a fresh root, each
/// run by the `wasmux` command as its unprivileged user.
pub struct FastBackend {
    programs: Vec<(String, Option<String>)>,
    wasmux: PathBuf,
    userland: Option<PathBuf>,
    root: tempfile::TempDir,
}

impl FastBackend {
    /// `wasmux` is the command to run programs with; `userland` (optional)
    /// is installed into the root like `wasmux --userland` does.
    pub fn new(
        build: &Path,
        wasmux: &Path,
        userland: Option<&Path>,
    ) -> Result<FastBackend, ConformanceError> {
        let dir = build.join("fast");
        let programs = list_programs(&dir, ".wasm");
        if programs.is_empty() {
            return Err(ConformanceError::NoPrograms(dir));
        }
        let staging = stage(&dir, ".wasm", &runnable(&programs))?;
        let root = tempfile::Builder::new()
            .prefix("wasmux-conformance-root.")
            .tempdir()
            .map_err(|e| ConformanceError::io("making a root directory", e))?;
        let backend = FastBackend {
            programs,
            wasmux: wasmux.to_path_buf(),
            userland: userland.map(Path::to_path_buf),
            root,
        };
        let mut import = backend.wasmux_command();
        import
            .args(["fs", "import"])
            .arg(staging.path())
            .arg("/conformance");
        let out = import
            .output()
            .map_err(|e| ConformanceError::io("running wasmux fs import", e))?;
        if !out.status.success() {
            return Err(ConformanceError::Setup(format!(
                "wasmux fs import: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(backend)
    }

    fn wasmux_command(&self) -> Command {
        let mut command = Command::new(&self.wasmux);
        command.arg("--root").arg(self.root.path());
        if let Some(userland) = &self.userland {
            command.arg("--userland").arg(userland);
        }
        command
    }
}

impl Backend for FastBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Fast
    }

    fn programs(&self) -> Vec<(String, Option<String>)> {
        self.programs.clone()
    }

    fn run(&self, program: &str, deadline: Duration) -> RawRun {
        let mut command = self.wasmux_command();
        command
            .env("WASMUX_LOG", "error")
            .args(["run", "--cwd", "/tmp"])
            .arg(format!("/conformance/{program}"));
        run_command(command, deadline)
    }
}
