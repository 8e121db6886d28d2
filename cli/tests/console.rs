//! `wasmux run` on an interactive terminal (a pseudo-terminal here): keys go
//! through the guest's line discipline, `^C` reaches the guest program as
//! SIGINT, and the host terminal gets its modes back afterwards.

#[path = "../../userland/test-programs/harness.rs"]
mod harness;

mod pty;

use std::path::Path;
use std::process::Command;

use pty::Pty;

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
    // Raw on the host while the guest runs.
    pty.wait_until_raw();
    pty.type_keys(b"hellp\x7fo\r");
    // The guest's echo (the typo rubbed out), then cat's copy of the
    // edited line; "\n" shown as "\r\n".
    pty.wait_for("hellp\x08 \x08o\r\nhello\r\n");
    pty.type_keys(b"\x03");
    assert_eq!(pty.wait_exit(&mut cat), Some(130), "128 + SIGINT");
    pty.wait_for("^C\r\n");
    assert!(pty.is_canonical(), "the host terminal's modes are back");
}

#[test]
fn ctrl_d_on_an_empty_line_ends_interactive_input() {
    let dir = tempfile::tempdir().unwrap();
    import_cat(dir.path());
    let mut pty = Pty::open();
    let mut cat = pty.spawn(dir.path(), &["run", "cat"]);
    pty.wait_until_raw();
    pty.type_keys(b"line\r");
    pty.wait_for("line\r\nline\r\n");
    pty.type_keys(b"\x04");
    assert_eq!(pty.wait_exit(&mut cat), Some(0));
}
