//! A pseudo-terminal for tests that drive `wasmux` as a user at a terminal
//! would: the test types keys and watches the screen.

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcgetattr, LocalModes};

/// How long a wait may last before the test fails: long enough for a cold
/// start (the first prompt compiles busybox) on a loaded machine; a hang
/// still fails. Nothing is timed: a wait ends as soon as its event comes.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// What the program has written, and a condition notified on each write.
#[derive(Default)]
struct Screen {
    bytes: Mutex<Vec<u8>>,
    written: Condvar,
}

/// A pseudo-terminal: the test types on `keyboard` and reads `screen`; the
/// program gets the other end as its standard streams.
pub struct Pty {
    keyboard: File,
    screen: Arc<Screen>,
    program_side: File,
    /// How far [`Pty::wait_for`] has read the screen.
    seen: Cell<usize>,
}

impl Pty {
    pub fn open() -> Pty {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("openpt");
        grantpt(&master).unwrap();
        unlockpt(&master).unwrap();
        let name = ptsname(&master, Vec::new()).unwrap();
        let program_side = File::options()
            .read(true)
            .write(true)
            .open(name.to_str().unwrap())
            .unwrap();
        let keyboard = File::from(master);
        let screen = Arc::new(Screen::default());
        let mut from_program = keyboard.try_clone().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = from_program.read(&mut buf) {
                if n == 0 {
                    return;
                }
                sink.bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                sink.written.notify_all();
            }
        });
        Pty {
            keyboard,
            screen,
            program_side,
            seen: Cell::new(0),
        }
    }

    pub fn spawn(&self, root: &Path, args: &[&str]) -> Child {
        let side = || Stdio::from(self.program_side.try_clone().unwrap());
        Command::new(env!("CARGO_BIN_EXE_wasmux"))
            .arg("--root")
            .arg(root)
            .args(args)
            .env("XDG_CACHE_HOME", root.join("cache"))
            .stdin(side())
            .stdout(side())
            .stderr(side())
            .spawn()
            .expect("running wasmux")
    }

    /// Waits for `program` to end (failing, not hanging, if it does not
    /// within [`PATIENCE`]) and returns its exit code. A child's end has no
    /// event to wait on here: this polls, with a deadline.
    pub fn wait_exit(&self, program: &mut Child) -> Option<i32> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = program.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        program.kill().ok();
        panic!(
            "the program did not end within {PATIENCE:?}; the screen shows {:?}",
            self.contents()
        );
    }

    pub fn type_keys(&mut self, keys: &[u8]) {
        self.keyboard.write_all(keys).unwrap();
    }

    /// Waits until the screen shows `text` after what earlier waits saw
    /// (woken by each write of the program; failing, not hanging, after
    /// [`PATIENCE`]); returns the screen from there up to and including
    /// `text`.
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let from = self.seen.get();
        let mut screen = self.screen.bytes.lock().unwrap();
        loop {
            if let Some(at) = screen[from..]
                .windows(text.len())
                .position(|w| w == text.as_bytes())
            {
                let end = from + at + text.len();
                self.seen.set(end);
                return String::from_utf8_lossy(&screen[from..end]).into_owned();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            screen = self.screen.written.wait_timeout(screen, left).unwrap().0;
        }
        let (before, after) = screen.split_at(from);
        panic!(
            "the screen never showed {text:?} within {PATIENCE:?} after {:?}; it shows {:?}",
            String::from_utf8_lossy(before),
            String::from_utf8_lossy(after)
        );
    }

    /// Waits until the program has taken the terminal (raw mode): keys
    /// typed before would meet the host's own line discipline. A change of
    /// modes has no event the other side can wait on: this polls, with a
    /// deadline.
    pub fn wait_until_raw(&self) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if !self.is_canonical() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "the program never put the terminal in raw mode within {PATIENCE:?}; the screen shows {:?}",
            self.contents()
        );
    }

    /// Everything the program has written so far.
    fn contents(&self) -> String {
        String::from_utf8_lossy(&self.screen.bytes.lock().unwrap()).into_owned()
    }

    pub fn is_canonical(&self) -> bool {
        tcgetattr(&self.program_side)
            .unwrap()
            .local_modes
            .contains(LocalModes::ICANON)
    }
}
