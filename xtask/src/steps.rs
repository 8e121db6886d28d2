//! The step runner of `scripts/test.sh`. Each step is one command; every
//! step runs, whatever the ones before it did. A step prints `== NAME` as it
//! starts and, if its command fails, `FAILED STEP: NAME` as it ends. A run
//! keeps a record in a directory of its own: every step's output (`log`,
//! from which the run's test results are summed) and the names of the steps
//! that failed (`failed`). `end` prints the run's closing lines from it.
//!
//! A step with `--output` is one whose last line of standard output is a
//! path the next steps use (a build's output directory): everything it
//! prints goes to standard error, and that line alone to standard output, so
//! that `dir=$(step --output ...)` in a script takes it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::Context;

use crate::results::Totals;

/// How long a step's output is still read after its command has ended: a
/// process it left behind may hold its output open (a server, a browser),
/// and would otherwise hold up the run.
const DRAIN: Duration = Duration::from_secs(if cfg!(test) { 1 } else { 5 });

pub struct Step<'a> {
    pub name: &'a str,
    pub command: &'a str,
    pub args: &'a [String],
    /// The step prints the last line of its command's standard output.
    pub output: bool,
    /// The command's output is copied to ours (not in this crate's tests,
    /// whose output the run sums).
    pub echo: bool,
}

/// Runs one step and records its output and its failure, if it fails.
pub fn run_step(record: &Path, step: &Step) -> anyhow::Result<()> {
    std::fs::create_dir_all(record).with_context(|| format!("creating {}", record.display()))?;
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(record.join("log"))
        .with_context(|| format!("opening {}", record.join("log").display()))?;
    let say = |line: &str| {
        if step.output {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    say(&format!("== {}", step.name));
    let ran = run(step, Arc::new(Mutex::new(log)));
    let stdout = match ran {
        Ok(Some(stdout)) => Some(stdout),
        Ok(None) => None,
        Err(e) => {
            eprintln!("xtask: {}: {e:#}", step.name);
            None
        }
    };
    match stdout {
        Some(stdout) => {
            if step.output {
                println!("{}", last_line(&stdout));
            }
        }
        None => {
            say(&format!("FAILED STEP: {}", step.name));
            let mut failed = OpenOptions::new()
                .create(true)
                .append(true)
                .open(record.join("failed"))?;
            writeln!(failed, "{}", step.name)?;
        }
    }
    std::io::stdout().flush()?;
    Ok(())
}

/// Runs the step's command with its output copied to ours and to `log`.
/// Returns its standard output (kept only for an `--output` step) if it
/// succeeded, `None` if it failed.
fn run(step: &Step, log: Arc<Mutex<File>>) -> anyhow::Result<Option<Vec<u8>>> {
    let mut command = Command::new(step.command);
    command.args(step.args).stdin(Stdio::inherit());
    // One pipe for both streams keeps their order; an --output step needs
    // its standard output apart.
    let (out_reader, out_writer) = std::io::pipe()?;
    let err_reader = if step.output {
        let (reader, writer) = std::io::pipe()?;
        command.stdout(out_writer).stderr(writer);
        Some(reader)
    } else {
        command.stdout(out_writer.try_clone()?).stderr(out_writer);
        None
    };
    let spawned = command.spawn();
    // The pipes' write ends must be ours no more, or they never end.
    drop(command);
    let mut child = spawned.with_context(|| format!("running {}", step.command))?;

    let (done_tx, done_rx) = mpsc::channel();
    let copier = |reader: std::io::PipeReader, to_stdout: bool, keep: bool| {
        let log = Arc::clone(&log);
        let echo = step.echo;
        let done = done_tx.clone();
        thread::spawn(move || {
            let kept = copy(reader, echo.then_some(to_stdout), keep, &log);
            let _ = done.send(kept);
        })
    };
    let mut readers = 1;
    copier(out_reader, !step.output, step.output);
    if let Some(reader) = err_reader {
        copier(reader, false, false);
        readers += 1;
    }
    drop(done_tx);
    let status = child.wait()?;

    let mut stdout = Vec::new();
    for _ in 0..readers {
        match done_rx.recv_timeout(DRAIN) {
            Ok(kept) => stdout.extend(kept),
            Err(_) => {
                eprintln!(
                    "xtask: {}: a process it left behind holds its output open; not waiting for it",
                    step.name
                );
                break;
            }
        }
    }
    Ok(status.success().then_some(stdout))
}

/// Copies what `reader` gives to `log` and to our standard output (`echo`
/// true) or error (false), until it ends; returns it if `keep`.
fn copy(mut reader: impl Read, echo: Option<bool>, keep: bool, log: &Mutex<File>) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let chunk = &buf[..n];
        // Our own output may be gone (a closed pipe): the record still counts.
        let _ = match echo {
            Some(true) => {
                let mut out = std::io::stdout().lock();
                out.write_all(chunk).and_then(|()| out.flush())
            }
            Some(false) => std::io::stderr().lock().write_all(chunk),
            None => Ok(()),
        };
        let _ = log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(chunk);
        if keep {
            kept.extend_from_slice(chunk);
        }
    }
    kept
}

/// The last line of `text`, as `tail -n 1` gives it (without its newline).
fn last_line(text: &[u8]) -> String {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let start = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    String::from_utf8_lossy(&text[start..]).into_owned()
}

/// Prints the run's closing lines: the sum of its test results, then the
/// steps that failed, or that every step passed. True if every step passed.
pub fn end(record: &Path) -> anyhow::Result<bool> {
    let read = |name: &str| match std::fs::read(record.join(name)) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("reading {}", record.join(name).display())),
    };
    println!("\n{}", Totals::of(&read("log")?));
    let failed: Vec<String> = read("failed")?.lines().map(str::to_owned).collect();
    if failed.is_empty() {
        println!("\n== every step passed");
        Ok(true)
    } else {
        println!("\n== {} failed steps: {}", failed.len(), failed.join(";"));
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> std::path::PathBuf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn sh(record: &Path, name: &str, script: &str, output: bool) {
        let args = ["-c".to_string(), script.to_string()];
        let step = Step {
            name,
            command: "sh",
            args: &args,
            output,
            echo: false,
        };
        run_step(record, &step).unwrap();
    }

    #[test]
    fn records_output_and_failures() {
        let dir = record();
        sh(
            &dir,
            "one",
            "echo 'test result: ok. 2 passed; 0 failed; 1 ignored'",
            false,
        );
        sh(&dir, "two", "echo '# fail 1' >&2; exit 3", false);
        sh(&dir, "three", "kill -9 $$", false);
        sh(&dir, "four", "echo first; echo /some/dir", true);
        let log = std::fs::read_to_string(dir.join("log")).unwrap();
        assert_eq!(
            log,
            "test result: ok. 2 passed; 0 failed; 1 ignored\n# fail 1\nfirst\n/some/dir\n"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("failed")).unwrap(),
            "two\nthree\n"
        );
        assert!(!end(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_run_without_failures() {
        let dir = record();
        sh(&dir, "quiet", "true", false);
        assert!(!dir.join("failed").exists());
        assert!(end(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_command_that_cannot_run_fails_its_step() {
        let dir = record();
        let step = Step {
            name: "missing",
            command: "/nonexistent/xtask-test",
            args: &[],
            output: true,
            echo: false,
        };
        run_step(&dir, &step).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("failed")).unwrap(),
            "missing\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_process_left_behind_does_not_hold_up_the_step() {
        let dir = record();
        std::fs::create_dir_all(&dir).unwrap();
        let pid = dir.join("pid");
        let started = std::time::Instant::now();
        let script = format!("sleep 60 & echo $! >'{}'", pid.display());
        sh(&dir, "daemon", &script, false);
        assert!(started.elapsed() < Duration::from_secs(30));
        assert!(!dir.join("failed").exists());
        let pid = std::fs::read_to_string(&pid).unwrap();
        Command::new("kill").arg(pid.trim()).status().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn last_line_as_tail_gives_it() {
        assert_eq!(last_line(b"a\nb\n"), "b");
        assert_eq!(last_line(b"a\nb"), "b");
        assert_eq!(last_line(b"a\n\n"), "");
        assert_eq!(last_line(b""), "");
        assert_eq!(last_line(b"only\n"), "only");
    }
}
