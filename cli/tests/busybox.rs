//! busybox as the user meets it: its `ash` running external commands through
//! fork, exec, pipes and waits, signals with real handlers, and an
//! interactive session through a terminal.

#[path = "../../userland/busybox/harness.rs"]
mod busybox;
mod pty;

use std::path::Path;
use std::process::{Command, Output};

use pty::Pty;

fn wasmux(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmux"))
        .arg("--root")
        .arg(root)
        .arg("--userland")
        .arg(busybox::userland())
        .args(args)
        .env("XDG_CACHE_HOME", root.join("cache"))
        .output()
        .expect("running wasmux")
}

/// Runs `script` with `sh -c`; its standard output and exit status.
fn sh(root: &Path, script: &str) -> (String, i32) {
    let out = wasmux(root, &["run", "/bin/sh", "-c", script]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().expect("an exit code"),
    )
}

#[test]
fn the_root_gets_busybox_and_its_applet_links() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "ls -l /bin/busybox; readlink /bin/cat; echo $PATH",
    );
    assert_eq!(status, 0, "{out}");
    assert!(out.starts_with("-rwxr-xr-x"), "{out}");
    assert!(out.contains("/bin/busybox\n"), "{out}");
}

#[test]
fn pipelines_substitutions_and_subshells() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "printf 'b\\na\\nb\\n' | sort | uniq | wc -l
         echo \"$(echo outer $(echo inner))\"
         cd /tmp; (cd /; pwd); pwd
         x=$(seq 1 5 | tr '\\n' +); echo $((${x}0))",
    );
    assert_eq!(status, 0);
    assert_eq!(out, "2\nouter inner\n/\n/tmp\n15\n");
}

#[test]
fn redirections_and_here_documents() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "cd /tmp
         echo one > f; echo two >> f; cat < f
         ls /nonexistent > err 2>&1; echo \"ls said $?\"; wc -l < err
         cat <<EOF
here $((6 * 7))
EOF",
    );
    assert_eq!(status, 0);
    assert_eq!(out, "one\ntwo\nls said 1\n1\nhere 42\n");
}

#[test]
fn exit_statuses_and_set_e() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(dir.path(), "sh -c 'exit 7'; echo $?; false; echo $?");
    assert_eq!((out.as_str(), status), ("7\n1\n", 0));
    let (out, status) = sh(dir.path(), "set -e; echo before; false; echo after");
    assert_eq!((out.as_str(), status), ("before\n", 1));
    let (_, status) = sh(dir.path(), "exit 3");
    assert_eq!(status, 3);
}

#[test]
fn background_jobs_are_listed_killed_and_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "sleep 10 & jobs; kill %1; wait %1; echo \"status $?\"
         sleep 10 & kill -TERM $!; wait $!; echo \"again $?\"
         (exit 5) & wait $!; echo \"subshell $?\"",
    );
    assert_eq!(status, 0);
    assert!(out.starts_with("[1]+  Running"), "{out}");
    assert!(
        out.ends_with("status 143\nagain 143\nsubshell 5\n"),
        "{out}"
    );
}

#[test]
fn traps_run_on_real_signals_and_default_actions_kill() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "trap 'echo caught INT' INT; kill -INT $$; echo after
         sh -c 'kill -TERM $$; echo never'; echo \"term $?\"
         sh -c 'trap \"\" TERM; kill -TERM $$; echo ignored'",
    );
    assert_eq!(status, 0);
    assert_eq!(out, "caught INT\nafter\nterm 143\nignored\n");
}

#[test]
fn an_interactive_login_shell_at_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut pty = Pty::open();
    let userland = busybox::userland();
    let mut shell = pty.spawn(
        dir.path(),
        &["--userland", userland.to_str().unwrap(), "shell"],
    );
    pty.wait_for("user@");
    pty.type_keys(b"echo hi | tr h H | cat; ps\r");
    pty.wait_for("Hi\r\n");
    // ps lists the shell itself (and, named at exec, ps).
    pty.wait_for("/bin/sh -l\r\n");
    // Ctrl-C ends the foreground command, not the shell.
    pty.type_keys(b"yes > /dev/null\r");
    std::thread::sleep(std::time::Duration::from_millis(300));
    pty.type_keys(b"\x03");
    pty.type_keys(b"echo back $?\r");
    pty.wait_for("back 130");
    // A trap runs when Ctrl-C comes at the prompt.
    pty.type_keys(b"trap 'echo caught' INT\r");
    pty.type_keys(b"\x03");
    pty.wait_for("caught");
    pty.type_keys(b"exit 4\r");
    assert_eq!(shell.wait().unwrap().code(), Some(4));
    assert!(pty.is_canonical(), "the host terminal's modes are back");
}

#[test]
fn the_compat_layer_beyond_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        "cd /tmp
         # popen and system, through awk
         echo x | awk '{ \"echo from-popen\" | getline v; print v; r = system(\"exit 3\"); print r }'
         # a pipe is not a terminal; nothing here is
         echo | { [ -t 0 ] && echo in-tty || echo in-pipe; }
         [ -t 1 ] && echo out-tty || echo out-not-tty
         # names: uname, /etc/hostname, /etc/passwd, /etc/hosts
         uname -sm; hostname; logname; id -un
         # the machine from /proc
         free | awk 'NR == 2 { print ($2 > 0) ? \"ram\" : \"no-ram\" }'
         nproc | awk '{ print ($1 >= 1) ? \"cpus\" : \"no-cpus\" }'
         # nice values are kept, lowering one needs root
         nice -n 5 sh -c 'nice -n -1 true 2>/dev/null && echo raised || echo refused'
         # the archive applets round-trip
         seq 1 1000 > n; tar czf n.tgz n; rm n; tar xzf n.tgz; wc -l < n
         gzip -c n | gunzip | md5sum | cut -c1-8; md5sum < n | cut -c1-8
         sync && echo synced",
    );
    assert_eq!(status, 0, "{out}");
    let expected = "from-popen\n3\nin-pipe\nout-not-tty\nLinux wasm32\nwasmux\nuser\nuser\n\
                    ram\ncpus\nrefused\n1000\n";
    assert!(out.starts_with(expected), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[12], lines[13], "gzip round trip: {out}");
    assert_eq!(lines[14], "synced", "{out}");
}
