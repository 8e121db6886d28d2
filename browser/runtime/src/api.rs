//! What the page's scripts may ask of the kernel besides the terminal:
//! write a file, and run a command with its output captured.
//!
//! Both go through the kernel as a process would: paths are looked up in
//! the mount table (so `/tmp` is the tmpfs, `/` the persistent root), files
//! are made as the session's user, and a command is a process like any
//! other, only with its standard streams given here instead of the
//! terminal. The conformance suite's browser backend runs on this.

use std::cell::Cell;
use std::path::Path;

use js_sys::{Object, Reflect};
use tokio::io::AsyncWriteExt;
use virtual_fs::{FileSystem, FsError, NullFile, Pipe};
use wasm_bindgen::prelude::*;
use wasmux_kernel_shim::kernel::{drain, DEFAULT_PATH};
use wasmux_kernel_shim::{Kernel, Login, Program, Spawn, Stdio};

thread_local! {
    /// The kernel, on the kernel's worker (where the page's requests come).
    static KERNEL: Cell<Option<&'static Kernel>> = const { Cell::new(None) };
}

/// Makes `kernel` the one the page's requests go to.
pub(crate) fn serve(kernel: &'static Kernel) {
    KERNEL.set(Some(kernel));
}

fn kernel() -> Result<&'static Kernel, JsValue> {
    KERNEL
        .get()
        .ok_or_else(|| JsValue::from_str("wasmux has not booted yet"))
}

fn fs_error(path: &str, e: FsError) -> JsValue {
    JsValue::from_str(&format!("{path}: {e}"))
}

/// Writes `bytes` to the file at the absolute `path`, creating or replacing
/// it (and its missing parent directories), as the session's user.
#[wasm_bindgen]
pub async fn write_file(path: String, bytes: Vec<u8>) -> Result<(), JsValue> {
    if !path.starts_with('/') {
        return Err(JsValue::from_str(&format!("{path}: not an absolute path")));
    }
    let kernel = kernel()?;
    let fs = kernel.filesystem();
    let target = Path::new(&path);
    let mut file = kernel
        .as_user(|| {
            if let Some(parent) = target.parent() {
                make_parents(&*fs, parent)?;
            }
            fs.new_open_options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(target)
        })
        .map_err(|e| fs_error(&path, e))?;
    file.write_all(&bytes)
        .await
        .map_err(|e| JsValue::from_str(&format!("{path}: {e}")))?;
    // Not `flush`: on the root that is an fsync, which waits for the
    // write-back, and the write-back runs on this very thread. Ask for a
    // commit instead; it comes once this request has returned.
    crate::writeback::request_commit();
    Ok(())
}

/// `mkdir -p`: every missing directory down to `dir`.
fn make_parents(fs: &dyn FileSystem, dir: &Path) -> Result<(), FsError> {
    if fs.metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        make_parents(fs, parent)?;
    }
    match fs.create_dir(dir) {
        Ok(()) | Err(FsError::AlreadyExists) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Runs `argv` (the program is found like the shell finds it) from `cwd`
/// (the user's home when empty), with an empty standard input, and resolves
/// to `{status, stdout, stderr}` once it ends. `status` is what a shell
/// would report: the exit code, or 128 + the signal that killed it.
#[wasm_bindgen]
pub async fn run_command(argv: Vec<String>, cwd: String) -> Result<Object, JsValue> {
    let kernel = kernel()?;
    let Some((program, args)) = argv.split_first() else {
        return Err(JsValue::from_str("run: no command given"));
    };
    let (stdout, mut stdout_reader) = Pipe::channel();
    let (stderr, mut stderr_reader) = Pipe::channel();
    let mut spawn = Spawn {
        program: Program::Guest(program.clone()),
        args: args.to_vec(),
        env: vec![("PATH".to_string(), DEFAULT_PATH.to_string())],
        cwd,
        stdio: Stdio {
            stdin: Some(Box::new(NullFile::default())),
            stdout: Some(Box::new(stdout)),
            stderr: Some(Box::new(stderr)),
        },
    };
    if spawn.cwd.is_empty() {
        spawn.cwd = Login::user().home.to_string();
    }
    let running = kernel
        .start(spawn)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let status = running.finished().await;
    let result = Object::new();
    let text = |pipe: &mut Pipe| JsValue::from(String::from_utf8_lossy(&drain(pipe)).into_owned());
    Reflect::set(&result, &"status".into(), &status.into())?;
    Reflect::set(&result, &"stdout".into(), &text(&mut stdout_reader))?;
    Reflect::set(&result, &"stderr".into(), &text(&mut stderr_reader))?;
    Ok(result)
}
