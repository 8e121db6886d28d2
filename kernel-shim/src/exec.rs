//! From a command name to something runnable, as `execvp` and the shell do it:
//! `PATH` lookup inside the vfs, permission to execute, `#!` interpreters, and
//! the exit statuses a shell reports when that fails (127, 126).

use thiserror::Error;
use wasmux_vfs::{Access, Cred, Errno, FileKind, Ino, OpenFlags, Vfs};

/// The magic bytes of a WebAssembly binary module.
pub const WASM_MAGIC: &[u8; 4] = b"\0asm";

/// How many `#!` interpreters may chain (Linux allows 4 levels).
const MAX_INTERPRETER_DEPTH: usize = 4;

/// Largest executable we read into memory.
const MAX_EXECUTABLE_SIZE: u64 = 1 << 30;

/// Why a command cannot start. `exit_status` is what a shell would report.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExecError {
    #[error("{0}: not found")]
    NotFound(String),
    #[error("{0}: Permission denied")]
    NotExecutable(String),
    #[error("{0}: Is a directory")]
    IsDirectory(String),
    #[error("{0}: cannot execute binary file: Exec format error")]
    Format(String),
    #[error("{0}: too many levels of #! interpreters")]
    InterpreterLoop(String),
    #[error("{path}: {errno}")]
    Io { path: String, errno: Errno },
}

impl ExecError {
    pub fn exit_status(&self) -> i32 {
        match self {
            ExecError::NotFound(_) => 127,
            _ => 126,
        }
    }
}

/// A program ready to be instantiated: its guest path, its bytes and its argv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub path: String,
    pub wasm: Vec<u8>,
    pub argv: Vec<String>,
}

/// Finds `name` like `execvp`: a name with a `/` is a path (relative to `cwd`),
/// anything else is searched in `path_var`.
pub fn find_in_path(
    vfs: &Vfs,
    cred: &Cred,
    cwd: Ino,
    name: &str,
    path_var: &str,
) -> Result<String, ExecError> {
    if name.is_empty() {
        return Err(ExecError::NotFound(name.to_string()));
    }
    if name.contains('/') {
        return Ok(name.to_string());
    }
    let mut denied = None;
    for dir in path_var.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = format!("{}/{}", dir.trim_end_matches('/'), name);
        let Ok(ino) = vfs.resolve(cred, cwd, candidate.as_bytes(), true) else {
            continue;
        };
        match vfs.stat(ino) {
            Ok(st) if st.kind == FileKind::Regular => {
                if vfs.access(cred, ino, Access::EXEC).is_ok() {
                    return Ok(candidate);
                }
                denied.get_or_insert(candidate);
            }
            _ => continue,
        }
    }
    match denied {
        Some(path) => Err(ExecError::NotExecutable(path)),
        None => Err(ExecError::NotFound(name.to_string())),
    }
}

/// Reads an executable at `path`, following `#!` lines to a WebAssembly module.
pub fn resolve(
    vfs: &Vfs,
    cred: &Cred,
    cwd: Ino,
    path: &str,
    argv: Vec<String>,
) -> Result<Resolved, ExecError> {
    let mut path = path.to_string();
    let mut argv = argv;
    for _ in 0..=MAX_INTERPRETER_DEPTH {
        let bytes = read_executable(vfs, cred, cwd, &path)?;
        if bytes.starts_with(WASM_MAGIC) {
            return Ok(Resolved {
                path,
                wasm: bytes,
                argv,
            });
        }
        let Some((interpreter, arg)) = parse_shebang(&bytes) else {
            return Err(ExecError::Format(path));
        };
        // argv becomes: interpreter [arg] script original-args...
        let mut next = vec![interpreter.clone()];
        next.extend(arg);
        next.push(path.clone());
        next.extend(argv.into_iter().skip(1));
        argv = next;
        path = interpreter;
    }
    Err(ExecError::InterpreterLoop(path))
}

fn read_executable(vfs: &Vfs, cred: &Cred, cwd: Ino, path: &str) -> Result<Vec<u8>, ExecError> {
    let io = |errno| ExecError::Io {
        path: path.to_string(),
        errno,
    };
    let ino = vfs
        .resolve(cred, cwd, path.as_bytes(), true)
        .map_err(|e| match e {
            Errno::NoEnt => ExecError::NotFound(path.to_string()),
            other => io(other),
        })?;
    let st = vfs.stat(ino).map_err(io)?;
    match st.kind {
        FileKind::Regular => {}
        FileKind::Directory => return Err(ExecError::IsDirectory(path.to_string())),
        _ => return Err(ExecError::NotExecutable(path.to_string())),
    }
    vfs.access(cred, ino, Access::EXEC)
        .map_err(|_| ExecError::NotExecutable(path.to_string()))?;
    if st.size > MAX_EXECUTABLE_SIZE {
        return Err(io(Errno::FBig));
    }
    let handle = vfs
        .open(cred, cwd, path.as_bytes(), OpenFlags::read_only(), 0)
        .map_err(|e| match e {
            Errno::Acces => ExecError::NotExecutable(path.to_string()),
            other => io(other),
        })?;
    let mut bytes = vec![0; st.size as usize];
    let mut done = 0;
    while done < bytes.len() {
        match vfs
            .read(handle.ino(), done as u64, &mut bytes[done..])
            .map_err(io)?
        {
            0 => break,
            n => done += n,
        }
    }
    bytes.truncate(done);
    Ok(bytes)
}

/// The interpreter and optional single argument of a `#!` line, as Linux
/// splits it (everything after the first run of blanks is one argument).
pub fn parse_shebang(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let rest = bytes.strip_prefix(b"#!")?;
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = std::str::from_utf8(&rest[..line_end.min(255)]).ok()?;
    let line = line.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
    if line.is_empty() {
        return None;
    }
    match line.find([' ', '\t']) {
        Some(i) => {
            let arg = line[i..].trim_matches(|c| c == ' ' || c == '\t');
            let arg = (!arg.is_empty()).then(|| arg.to_string());
            Some((line[..i].to_string(), arg))
        }
        None => Some((line.to_string(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines_split_like_linux() {
        assert_eq!(
            parse_shebang(b"#!/bin/sh\necho"),
            Some(("/bin/sh".into(), None))
        );
        assert_eq!(
            parse_shebang(b"#! /usr/bin/env  python3 -u\n"),
            Some(("/usr/bin/env".into(), Some("python3 -u".into())))
        );
        assert_eq!(parse_shebang(b"#!\n"), None);
        assert_eq!(parse_shebang(b"echo hi"), None);
    }
}
