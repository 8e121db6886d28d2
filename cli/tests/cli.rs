//! The `wasmux` command as a user meets it: persistence across invocations,
//! exit statuses, clear errors, and the `fs` tools.

#[path = "../../userland/test-programs/harness.rs"]
mod harness;

use std::path::Path;
use std::process::{Command, Output};

fn wasmux(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmux"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("XDG_CACHE_HOME", root.join("cache"))
        .output()
        .expect("running wasmux")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that the command exited with `code` and said `needle` on stderr.
fn assert_fails_saying(out: &Output, code: i32, needle: &str) {
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{said}");
    assert!(said.contains(needle), "{said}");
}

fn import_program(root: &Path, name: &str) {
    let out = wasmux(
        root,
        &[
            "fs",
            "import",
            harness::program(name).to_str().unwrap(),
            &format!("/bin/{name}"),
        ],
    );
    assert!(out.status.success(), "import: {}", text(&out.stderr));
}

#[test]
fn files_written_by_one_run_are_there_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    import_program(dir.path(), "counter");
    for expected in ["1", "2"] {
        let out = wasmux(dir.path(), &["run", "counter", "/home/user/n"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), expected);
    }
    let out = wasmux(dir.path(), &["fs", "fsck"]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).starts_with("clean:"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn host_modules_run_and_report_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let hello = harness::program("hello");
    let out = wasmux(dir.path(), &["run", hello.to_str().unwrap(), "x", "exit=9"]);
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(text(&out.stdout), "hello from wasm: hello.wasm x exit=9\n");
}

#[test]
fn failures_have_clear_messages_and_shell_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let out = wasmux(dir.path(), &["run", "no-such-command"]);
    assert_fails_saying(&out, 127, "no-such-command: not found");

    let fake = dir.path().join("fake.wasm");
    std::fs::write(&fake, b"this is not webassembly").unwrap();
    let out = wasmux(dir.path(), &["run", fake.to_str().unwrap()]);
    assert_fails_saying(&out, 126, "Exec format error");

    let out = wasmux(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");

    let out = wasmux(dir.path(), &["shell"]);
    assert_fails_saying(&out, 127, "no shell");
}

#[test]
fn conformance_names_its_backends_and_says_which_do_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    // An unknown backend is a usage error, which lists the known ones.
    let out = wasmux(dir.path(), &["conformance", "--backend", "bsd"]);
    assert_fails_saying(&out, 2, "fast-browser");

    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    let elsewhere = [
        "conformance",
        "--suite",
        suite.to_str().unwrap(),
        "--backend",
        "linux",
    ];
    let out = wasmux(dir.path(), &elsewhere);
    assert_fails_saying(&out, 1, "not the conformance suite's directory");

    // `wasmux conformance --suite SUITE` with more arguments.
    let conformance = |more: &[&str]| {
        let mut args = vec!["conformance", "--suite", suite.to_str().unwrap()];
        args.extend_from_slice(more);
        wasmux(dir.path(), &args)
    };
    std::fs::write(suite.join("groups.txt"), "").unwrap();
    let out = conformance(&["--backend", "full"]);
    assert_fails_saying(&out, 1, "full backend does not exist yet");

    // The browser backend needs a built site, and says so.
    let build = dir.path().join("build");
    std::fs::create_dir_all(build.join("fast")).unwrap();
    std::fs::write(build.join("fast/open01.wasm"), b"\0asm").unwrap();
    std::fs::write(suite.join("browser.mjs"), "").unwrap();
    let no_site = dir.path().join("no-site");
    let out = conformance(&[
        "--backend",
        "fast-browser",
        "--build",
        build.to_str().unwrap(),
        "--site",
        no_site.to_str().unwrap(),
    ]);
    assert_fails_saying(
        &out,
        1,
        "no-site does not exist (build it with browser/build.sh)",
    );
}

#[test]
fn import_and_export_round_trip_a_tree_with_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("sub/script.sh"), b"#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(
        src.join("sub/script.sh"),
        std::fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    std::fs::write(src.join("big"), vec![42u8; 300_000]).unwrap();
    std::os::unix::fs::symlink("big", src.join("link")).unwrap();

    let root = dir.path().join("root");
    let out = wasmux(
        &root,
        &[
            "fs",
            "import",
            src.to_str().unwrap(),
            "/srv",
            "--owner",
            "1000",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = wasmux(&root, &["fs", "ls", "/srv/sub"]);
    assert_eq!(
        text(&out.stdout).split_whitespace().collect::<Vec<_>>(),
        ["-rwxr-x---", "1", "1000", "1000", "18", "script.sh"]
    );

    let back = dir.path().join("back");
    let out = wasmux(&root, &["fs", "export", "/srv", back.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(back.join("big")).unwrap(),
        vec![42u8; 300_000]
    );
    assert_eq!(
        std::fs::read_link(back.join("link")).unwrap(),
        Path::new("big")
    );
    let mode = std::fs::metadata(back.join("sub/script.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o750);
}

#[test]
fn fsck_reports_a_damaged_store_and_run_refuses_it() {
    use wasmux_vfs::Store;
    let dir = tempfile::tempdir().unwrap();
    import_program(dir.path(), "hello");
    {
        let store = wasmux_vfs::RedbStore::open(&dir.path().join("root.redb")).unwrap();
        let image = pollster::block_on(store.load()).unwrap().unwrap();
        let (&ino, record) = image
            .inodes
            .iter()
            .find(|(_, r)| r.kind == wasmux_vfs::FileKind::Regular)
            .unwrap();
        let mut record = record.clone();
        record.size += 1_000_000;
        record.nlink += 1;
        let batch = wasmux_vfs::Batch {
            superblock: image.superblock.clone(),
            inodes: vec![(ino, Some(record))],
            ..wasmux_vfs::Batch::default()
        };
        pollster::block_on(store.commit(&batch)).unwrap();
    }
    let out = wasmux(dir.path(), &["fs", "fsck"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("link count"),
        "{}",
        text(&out.stdout)
    );
    let out = wasmux(dir.path(), &["run", "hello"]);
    assert_fails_saying(&out, 1, "refusing to mount a damaged filesystem");
}
