//! The conformance suite's runner: runs the programs of `suite/` on a
//! backend, reads their case lines, keeps the results as JSON, compares
//! them with the recorded baseline and renders `REPORT.md`.
//!
//! The programs are C, written against Linux's documented behaviour and
//! built by `build.sh` (natively with gcc; for fast mode with the userland's
//! wasix-cc). This crate knows nothing of wasmer or the kernel: fast mode is
//! reached through the `wasmux` command, as a user would run a program. The
//! `wasmux conformance` subcommand is its front end.

mod backend;
mod browser;
mod outcome;
mod report;

use std::path::PathBuf;
use std::time::Duration;

pub use backend::{Backend, BackendKind, FastBackend, LinuxBackend, RawRun, TEST_GID, TEST_UID};
pub use browser::{BrowserSetup, FastBrowserBackend};
pub use outcome::{end_case, finished, parse_cases, Case, Ending, Verdict, END_CASE};
pub use report::{
    BackendResults, Baseline, Comparison, Groups, Limitations, ProgramResult, SuiteDir,
};

#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no conformance programs in {0} (run conformance/build.sh)")]
    NoPrograms(PathBuf),
    #[error("{0}")]
    Setup(String),
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
}

impl ConformanceError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> ConformanceError {
        ConformanceError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Runs every program of a backend in turn, each with `deadline`, and
/// collects the cases. `progress` hears of each program as it ends.
pub fn run_suite(
    backend: &dyn Backend,
    groups: &Groups,
    deadline: Duration,
    mut progress: impl FnMut(&ProgramResult),
) -> BackendResults {
    let programs = backend
        .programs()
        .into_iter()
        .map(|(name, build_error)| {
            let result = run_one(backend, groups, name, build_error, deadline);
            progress(&result);
            result
        })
        .collect();
    BackendResults {
        backend: backend.kind().name().to_string(),
        programs,
    }
}

/// Runs the named programs of `results` again and puts their new results
/// in place of the old: the second look at a case that regressed, which
/// tells a flaky case (that passes again) from a broken one.
pub fn rerun(
    backend: &dyn Backend,
    groups: &Groups,
    deadline: Duration,
    results: &mut BackendResults,
    names: &[String],
) {
    let built: std::collections::BTreeMap<String, Option<String>> =
        backend.programs().into_iter().collect();
    for program in results.programs.iter_mut() {
        if !names.contains(&program.program) {
            continue;
        }
        if let Some(build_error) = built.get(&program.program) {
            let name = program.program.clone();
            *program = run_one(backend, groups, name, build_error.clone(), deadline);
        }
    }
}

fn run_one(
    backend: &dyn Backend,
    groups: &Groups,
    name: String,
    build_error: Option<String>,
    deadline: Duration,
) -> ProgramResult {
    let run = match build_error {
        Some(why) => RawRun {
            stdout: String::new(),
            stderr: String::new(),
            ending: Ending::NotBuilt(why),
        },
        None => backend.run(&name, deadline),
    };
    let mut cases = parse_cases(&run.stdout);
    if let Some(end) = end_case(&cases, finished(&run.stdout), &run.ending, &run.stderr) {
        cases.push(end);
    }
    ProgramResult {
        group: groups.group_of(&name).to_string(),
        program: name,
        ending: run.ending,
        cases,
    }
}
