//! `xtask`: the orchestration the scripts share, in the style of
//! rust-analyzer's `cargo xtask` (a crate of the workspace, run with
//! `cargo run -p xtask -- ...`). Bash keeps the toolchain glue (packages,
//! rustup, npm, building busybox and the site); what decides and counts
//! lives here, where it can be tested:
//!
//! - `step --record DIR [--output] NAME CMD [ARG...]`: runs one step of
//!   `scripts/test.sh` (`steps.rs`);
//! - `end --record DIR`: the run's closing lines (the sum of the test
//!   results, the failed steps) and its status;
//! - `account LOG STATUS`: the short account `.ci/run` prints of a run's
//!   whole log (`account.rs`).
//!
//! It is built after `scripts/patch-crates.sh` has run, like every crate of
//! the workspace, so building it leaves `Cargo.lock` as committed.

mod account;
mod results;
mod steps;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

const USAGE: &str = "usage:
  xtask step --record DIR [--output] NAME CMD [ARG...]
  xtask end --record DIR
  xtask account LOG STATUS";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> anyhow::Result<ExitCode> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("step") => {
            let record = record_dir(&mut args)?;
            let mut rest: Vec<String> = args.collect();
            let output = rest.first().is_some_and(|a| a == "--output");
            if output {
                rest.remove(0);
            }
            let [name, command, ..] = rest.as_slice() else {
                bail!("{USAGE}");
            };
            let step = steps::Step {
                name,
                command,
                args: &rest[2..],
                output,
                echo: true,
            };
            steps::run_step(&record, &step)?;
            Ok(ExitCode::SUCCESS)
        }
        Some("end") => {
            let record = record_dir(&mut args)?;
            Ok(if steps::end(&record)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some("account") => {
            let (Some(log), Some(status), None) = (args.next(), args.next(), args.next()) else {
                bail!("{USAGE}");
            };
            let status: u8 = status
                .parse()
                .with_context(|| format!("exit status {status:?}"))?;
            account::print(&PathBuf::from(log), status)?;
            Ok(ExitCode::from(status))
        }
        _ => bail!("{USAGE}"),
    }
}

/// `--record DIR`, where a run keeps its steps' output and failures.
fn record_dir(args: &mut impl Iterator<Item = String>) -> anyhow::Result<PathBuf> {
    match (args.next().as_deref(), args.next()) {
        (Some("--record"), Some(dir)) => Ok(PathBuf::from(dir)),
        _ => bail!("{USAGE}"),
    }
}
