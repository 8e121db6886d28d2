//! A pseudo-terminal for tests that drive `wasmux` as a user at a terminal
//! would: the test types keys and watches the screen.

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcgetattr, LocalModes};

/// A pseudo-terminal: the test types on `keyboard` and reads `screen`; the
/// program gets the other end as its standard streams.
pub struct Pty {
    keyboard: File,
    screen: Arc<Mutex<Vec<u8>>>,
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
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut from_program = keyboard.try_clone().unwrap();
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = from_program.read(&mut buf) {
                if n == 0 {
                    return;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
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
    /// within a minute) and returns its exit code.
    pub fn wait_exit(&self, program: &mut Child) -> Option<i32> {
        for _ in 0..6000 {
            if let Some(status) = program.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        program.kill().ok();
        let screen = self.screen.lock().unwrap().clone();
        panic!(
            "the program did not end; the screen shows {:?}",
            String::from_utf8_lossy(&screen)
        );
    }

    pub fn type_keys(&mut self, keys: &[u8]) {
        self.keyboard.write_all(keys).unwrap();
    }

    /// Waits until the screen shows `text` after what earlier waits saw
    /// (failing, not hanging); returns the screen from there up to and
    /// including `text`.
    pub fn wait_for(&self, text: &str) -> String {
        for _ in 0..3000 {
            let screen = self.screen.lock().unwrap().clone();
            let from = self.seen.get();
            if let Some(at) = screen[from..]
                .windows(text.len())
                .position(|w| w == text.as_bytes())
            {
                let end = from + at + text.len();
                self.seen.set(end);
                return String::from_utf8_lossy(&screen[from..end]).into_owned();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let screen = self.screen.lock().unwrap().clone();
        let (before, after) = screen.split_at(self.seen.get());
        panic!(
            "the screen never showed {text:?} after {:?}; it shows {:?}",
            String::from_utf8_lossy(before),
            String::from_utf8_lossy(after)
        );
    }

    /// Waits until the program has taken the terminal (raw mode): keys
    /// typed before would meet the host's own line discipline.
    pub fn wait_until_raw(&self) {
        for _ in 0..3000 {
            if !self.is_canonical() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the program never put the terminal in raw mode");
    }

    pub fn is_canonical(&self) -> bool {
        tcgetattr(&self.program_side)
            .unwrap()
            .local_modes
            .contains(LocalModes::ICANON)
    }
}
