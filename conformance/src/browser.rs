//! The fast-browser backend: the fast-mode programs run in a wasmux tab.
//!
//! This crate does not drive a browser itself. It starts `browser.mjs` (in
//! the suite's directory) under node once for the whole run; that script
//! serves the site with `wasmux serve`, opens it in headless Chromium and,
//! for each request, writes the program into the tab's filesystem and runs
//! it through the page's API. Requests and replies are JSON lines on the
//! script's standard input and output (the script's header describes them).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use wait_timeout::ChildExt;

use crate::backend::{list_programs, Backend, BackendKind, RawRun};
use crate::outcome::Ending;
use crate::ConformanceError;

/// How long the driver may take beyond a program's deadline to answer: a
/// tab that boots again after a hang, a slow machine.
const DRIVER_ALLOWANCE: Duration = Duration::from_secs(120);

/// What the browser backend needs besides the programs.
pub struct BrowserSetup {
    /// The `node` command.
    pub node: PathBuf,
    /// The driver script (`conformance/browser.mjs`).
    pub driver: PathBuf,
    /// The built site (`browser/build.sh`'s output).
    pub site: PathBuf,
    /// The `wasmux` command, whose `serve` serves the site.
    pub wasmux: PathBuf,
}

/// The WASIX programs in a browser tab (see the module's docs).
pub struct FastBrowserBackend {
    programs: Vec<(String, Option<String>)>,
    driver: Mutex<Option<Driver>>,
}

/// The running driver script.
struct Driver {
    child: Child,
    requests: Option<ChildStdin>,
    replies: Receiver<String>,
}

/// One line of the driver's answer.
#[derive(Deserialize)]
struct Reply {
    ready: Option<bool>,
    status: Option<i32>,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
    timeout: Option<bool>,
    error: Option<String>,
}

impl FastBrowserBackend {
    /// Starts the driver and waits until its tab has booted.
    pub fn new(build: &Path, setup: &BrowserSetup) -> Result<FastBrowserBackend, ConformanceError> {
        let dir = build.join("fast");
        let programs = list_programs(&dir, ".wasm");
        if programs.is_empty() {
            return Err(ConformanceError::NoPrograms(dir));
        }
        for (what, path) in [("driver script", &setup.driver), ("site", &setup.site)] {
            if !path.exists() {
                return Err(ConformanceError::Setup(format!(
                    "the browser backend's {what} {} does not exist{}",
                    path.display(),
                    if what == "site" {
                        " (build it with browser/build.sh)"
                    } else {
                        ""
                    }
                )));
            }
        }
        let mut child = Command::new(&setup.node)
            .arg(&setup.driver)
            .arg(&setup.site)
            .arg(&setup.wasmux)
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| ConformanceError::io(format!("starting {}", setup.node.display()), e))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut driver = Driver {
            requests: child.stdin.take(),
            child,
            replies,
        };
        match driver.reply(DRIVER_ALLOWANCE) {
            Ok(Reply {
                ready: Some(true), ..
            }) => {}
            Ok(_) => {
                return Err(ConformanceError::Setup(
                    "the browser driver answered before it was ready".into(),
                ))
            }
            Err(why) => {
                return Err(ConformanceError::Setup(format!(
                    "the browser driver did not start: {why}"
                )))
            }
        }
        Ok(FastBrowserBackend {
            programs,
            driver: Mutex::new(Some(driver)),
        })
    }
}

impl Driver {
    /// The next reply, within `patience`.
    fn reply(&mut self, patience: Duration) -> Result<Reply, String> {
        match self.replies.recv_timeout(patience) {
            Ok(line) => serde_json::from_str(&line)
                .map_err(|e| format!("the browser driver said {line:?}: {e}")),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "the browser driver gave no answer in {} s",
                patience.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => {
                Err("the browser driver exited (its errors are above)".into())
            }
        }
    }

    fn run(&mut self, program: &str, deadline: Duration) -> Result<RawRun, String> {
        let request = serde_json::json!({ "program": program, "deadline": deadline.as_secs() });
        let requests = self
            .requests
            .as_mut()
            .ok_or("the browser driver is closed")?;
        writeln!(requests, "{request}")
            .and_then(|()| requests.flush())
            .map_err(|e| format!("writing to the browser driver: {e}"))?;
        let reply = self.reply(deadline + DRIVER_ALLOWANCE)?;
        let ending = match reply {
            Reply {
                status: Some(status),
                ..
            } => Ending::Exited(status),
            Reply {
                timeout: Some(true),
                ..
            } => Ending::TimedOut {
                seconds: deadline.as_secs(),
            },
            Reply {
                error: Some(why), ..
            } => Ending::NotStarted(why),
            _ => return Err("the browser driver's reply has no outcome".into()),
        };
        Ok(RawRun {
            stdout: reply.stdout,
            stderr: reply.stderr,
            ending,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The end of its input is the driver's cue to close the browser.
        drop(self.requests.take());
        if !matches!(
            self.child.wait_timeout(Duration::from_secs(30)),
            Ok(Some(_))
        ) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Backend for FastBrowserBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::FastBrowser
    }

    fn programs(&self) -> Vec<(String, Option<String>)> {
        self.programs.clone()
    }

    fn run(&self, program: &str, deadline: Duration) -> RawRun {
        let mut slot = self.driver.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = match slot.as_mut() {
            Some(driver) => driver.run(program, deadline),
            None => Err("the browser driver stopped earlier in this run".into()),
        };
        outcome.unwrap_or_else(|why| {
            // A driver that failed once is not trusted with the rest.
            *slot = None;
            RawRun {
                stdout: String::new(),
                stderr: String::new(),
                ending: Ending::NotStarted(why),
            }
        })
    }
}
