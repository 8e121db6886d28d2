//! `wasmux run` on an interactive terminal (a pseudo-terminal here): keys go
//! through the guest's line discipline, `^C` reaches the guest program as
//! SIGINT, and the host terminal gets its modes back afterwards.

#[path = "../../userland/test-programs/harness.rs"]
mod harness;

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
struct Pty {
    keyboard: File,
    screen: Arc<Mutex<Vec<u8>>>,
    program_side: File,
}

impl Pty {
    fn open() -> Pty {
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
        }
    }

    fn spawn(&self, root: &Path, args: &[&str]) -> Child {
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

    fn type_keys(&mut self, keys: &[u8]) {
        self.keyboard.write_all(keys).unwrap();
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the screen shows `text` (failing, not hanging).
    fn wait_for(&self, text: &str) {
        for _ in 0..3000 {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "the screen never showed {text:?}; it shows {:?}",
            self.screen()
        );
    }

    fn is_canonical(&self) -> bool {
        tcgetattr(&self.program_side)
            .unwrap()
            .local_modes
            .contains(LocalModes::ICANON)
    }
}

fn import_cat(root: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_wasmux"))
        .arg("--root")
        .arg(root)
        .args([
            "fs",
            "import",
            harness::program("cat").to_str().unwrap(),
            "/bin/cat",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_interactive_program_reads_edited_lines_and_dies_of_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    import_cat(dir.path());
    let mut pty = Pty::open();
    assert!(pty.is_canonical());
    let mut cat = pty.spawn(dir.path(), &["run", "cat"]);
    pty.type_keys(b"hellp\x7fo\r");
    // The guest's echo, then cat's copy; "\n" shown as "\r\n".
    pty.wait_for("hello\r\nhello\r\n");
    assert!(!pty.is_canonical(), "raw on the host while the guest runs");
    pty.type_keys(b"\x03");
    let status = cat.wait().unwrap();
    assert_eq!(status.code(), Some(130), "128 + SIGINT");
    pty.wait_for("^C\r\n");
    assert!(pty.is_canonical(), "the host terminal's modes are back");
}

#[test]
fn ctrl_d_on_an_empty_line_ends_interactive_input() {
    let dir = tempfile::tempdir().unwrap();
    import_cat(dir.path());
    let mut pty = Pty::open();
    let mut cat = pty.spawn(dir.path(), &["run", "cat"]);
    pty.type_keys(b"line\r");
    pty.wait_for("line\r\nline\r\n");
    pty.type_keys(b"\x04");
    assert_eq!(cat.wait().unwrap().code(), Some(0));
}
