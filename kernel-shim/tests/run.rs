//! Processes on the native kernel: exit codes, files, spawning a child through
//! a pipe, persistence across boots, command lookup errors, traps, and refusing
//! bad modules and damaged stores.
//!
//! The wasm programs come from `userland/test-programs`, built here for
//! `wasm32-wasip1` on first use.

#[path = "../../userland/test-programs/harness.rs"]
mod harness;

use harness::program;

use wasmux_kernel_shim::{
    native, ExecError, Kernel, KernelConfig, KernelError, Program, Signal, Spawn, Stdio,
};
use wasmux_vfs::{Cred, SetAttr, Store, Vfs};

struct Machine {
    _dir: tempfile::TempDir,
    config: KernelConfig,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let config = KernelConfig::new(
            dir.path().join("root.redb"),
            dir.path().join("modules"),
            Cred::user(1000, 1000),
        );
        Machine { _dir: dir, config }
    }

    fn boot(&self) -> Kernel {
        native::boot(&self.config).expect("boot")
    }
}

fn install(vfs: &Vfs, guest: &str, bytes: &[u8], perm: u32) {
    let cred = Cred::root();
    let ino = vfs
        .write_file(&cred, guest.as_bytes(), bytes, perm)
        .unwrap();
    let attr = SetAttr {
        perm: Some(perm),
        ..SetAttr::default()
    };
    vfs.setattr(&cred, ino, &attr).unwrap();
}

fn install_program(kernel: &Kernel, name: &str) {
    install(
        kernel.root(),
        &format!("/bin/{name}"),
        &std::fs::read(program(name)).unwrap(),
        0o755,
    );
}

/// Runs a program and returns its exit status and what it wrote to stdout.
fn run(kernel: &Kernel, program: &str, args: &[&str]) -> Result<(i32, String), KernelError> {
    let (status, out) = kernel.run_captured(Spawn::command(program, args, "/home/user"))?;
    Ok((status, String::from_utf8_lossy(&out).into_owned()))
}

#[test]
fn exit_codes_and_arguments_reach_the_caller() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "hello");
    let (status, out) = run(&k, "hello", &["a", "b c", "exit=3"]).unwrap();
    assert_eq!(status, 3);
    assert_eq!(out, "hello from wasm: hello a b c exit=3\n");
    assert_eq!(run(&k, "/bin/hello", &[]).unwrap().0, 0);
}

#[test]
fn files_behave_on_the_persistent_root_and_on_tmp() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "files");
    for dir in ["/home/user/work", "/tmp/work"] {
        let (status, out) = run(&k, "files", &[dir]).unwrap();
        assert_eq!(
            (status, out.lines().last()),
            (0, Some("files ok")),
            "{dir}: {out}"
        );
    }
    // The user may not write where Linux would refuse them.
    let (status, _) = run(&k, "files", &["/etc/mine"]).unwrap();
    assert_ne!(
        status, 0,
        "an unprivileged user created a directory in /etc"
    );
}

#[test]
fn a_child_spawned_through_a_pipe_reports_output_and_exit_code() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "spawn");
    install_program(&k, "hello");
    let (status, out) = run(&k, "spawn", &["/bin/hello", "x", "exit=7"]).unwrap();
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("child said: hello from wasm: /bin/hello x exit=7\n"),
        "{out}"
    );
    assert!(out.contains("child exit: 7\n"), "{out}");
}

#[test]
fn files_persist_across_boots() {
    let m = Machine::new();
    for expected in ["1", "2", "3"] {
        let k = m.boot();
        install_program(&k, "counter");
        let (status, out) = run(&k, "counter", &["/home/user/count"]).unwrap();
        assert_eq!((status, out.trim()), (0, expected));
        k.shutdown().unwrap();
    }
}

#[test]
fn lookup_failures_give_the_shell_statuses() {
    let m = Machine::new();
    let k = m.boot();
    let err = run(&k, "nonexistent", &[]).unwrap_err();
    assert!(
        matches!(&err, KernelError::Exec(e @ ExecError::NotFound(_)) if e.exit_status() == 127),
        "{err}"
    );
    assert!(err.to_string().contains("not found"));

    let hello = std::fs::read(program("hello")).unwrap();
    install(k.root(), "/bin/noexec", &hello, 0o644);
    let err = run(&k, "noexec", &[]).unwrap_err();
    assert!(
        matches!(&err, KernelError::Exec(e @ ExecError::NotExecutable(_)) if e.exit_status() == 126),
        "{err}"
    );

    install(k.root(), "/bin/text", b"just some text\n", 0o755);
    let err = run(&k, "text", &[]).unwrap_err();
    assert!(
        matches!(&err, KernelError::Exec(ExecError::Format(_))),
        "{err}"
    );
}

#[test]
fn scripts_run_through_their_interpreter() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "hello");
    install(
        k.root(),
        "/bin/greet",
        b"#!/bin/hello --flag\nignored body\n",
        0o755,
    );
    let (status, out) = run(&k, "greet", &["exit=4"]).unwrap();
    assert_eq!(status, 4);
    assert_eq!(
        out,
        "hello from wasm: /bin/hello --flag /bin/greet exit=4\n"
    );
}

#[test]
fn a_trapping_process_dies_alone() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "trap");
    install_program(&k, "hello");
    let (status, out) = run(&k, "trap", &[]).unwrap();
    assert_ne!(status, 0);
    assert_eq!(out, "about to trap\n");
    assert_eq!(
        run(&k, "hello", &["exit=5"]).unwrap().0,
        5,
        "the kernel lives on"
    );
}

#[test]
fn bad_modules_are_refused_with_reasons() {
    let m = Machine::new();
    let k = m.boot();
    let host = |bytes: Vec<u8>| Spawn {
        program: Program::HostWasm {
            name: "bad.wasm".into(),
            bytes,
        },
        args: vec![],
        env: vec![],
        cwd: "/".into(),
        stdio: Stdio::default(),
    };
    let err = k
        .run(host(b"\0asm\x01\0\0\0\x01\xffgarbage".to_vec()))
        .unwrap_err();
    assert!(matches!(err, KernelError::Module { .. }), "{err}");

    let wasm = wasmer::wat2wasm(
        br#"(module (import "foo" "bar" (func)) (import "env" "baz" (func)) (func (export "_start")))"#,
    )
    .unwrap();
    let err = k.run(host(wasm.to_vec())).unwrap_err();
    match &err {
        KernelError::UnknownImports { imports, .. } => assert_eq!(imports, &["foo.bar"]),
        other => panic!("expected unknown imports, got {other}"),
    }
    assert!(err.to_string().contains("foo.bar"));

    let err = k.run(host(b"#!/bin/sh\n".to_vec())).unwrap_err();
    assert!(
        matches!(err, KernelError::Exec(ExecError::Format(_))),
        "{err}"
    );
}

#[test]
fn compiled_modules_are_cached_on_disk() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "hello");
    run(&k, "hello", &[]).unwrap();
    k.shutdown().unwrap();
    let cached: Vec<_> = std::fs::read_dir(&m.config.module_cache).unwrap().collect();
    assert_eq!(cached.len(), 1, "one artifact for one module: {cached:?}");
}

#[test]
fn a_damaged_root_is_refused_and_left_as_it_was() {
    let m = Machine::new();
    m.boot().shutdown().unwrap();
    {
        let store = wasmux_vfs::RedbStore::open(&m.config.root_store).unwrap();
        let mut image = pollster::block_on(store.load()).unwrap().unwrap();
        let (&ino, record) = image
            .inodes
            .iter_mut()
            .find(|(_, r)| r.kind == wasmux_vfs::FileKind::Regular)
            .unwrap();
        record.nlink = 5;
        let batch = wasmux_vfs::Batch {
            superblock: image.superblock.clone(),
            inodes: vec![(ino, Some(record.clone()))],
            ..wasmux_vfs::Batch::default()
        };
        pollster::block_on(store.commit(&batch)).unwrap();
    }
    let load = || {
        let store = wasmux_vfs::RedbStore::open(&m.config.root_store).unwrap();
        pollster::block_on(store.load()).unwrap().unwrap()
    };
    let before = load();
    let err = native::boot(&m.config)
        .err()
        .expect("boot must refuse a damaged root");
    assert!(err.to_string().contains("link count"), "{err}");
    assert!(load() == before, "the refused store was changed");
}

#[test]
fn proc_and_dev_answer_like_linux() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "cat");
    let (status, out) = run(&k, "cat", &["/proc/mounts", "/proc/version"]).unwrap();
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("wasmux-root / wasmux rw 0 0\n"), "{out}");
    assert!(out.contains("proc /proc proc rw 0 0\n"), "{out}");
    assert!(out.contains("Linux version"), "{out}");
    let (_, cpus) = run(&k, "cat", &["/proc/cpuinfo"]).unwrap();
    assert!(cpus.starts_with("processor\t: 0\n"), "{cpus}");
    let (status, _) = run(&k, "cat", &["/proc/nonexistent"]).unwrap();
    assert_eq!(status, 1);
    let (status, out) = run(&k, "cat", &["/dev/null"]).unwrap();
    assert_eq!((status, out.as_str()), (0, ""));
}

#[test]
fn dev_stdout_is_the_process_own_stdout() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "tee");
    let (status, out) = run(&k, "tee", &["--to", "/dev/stdout", "hi", "there"]).unwrap();
    assert_eq!((status, out.as_str()), (0, "hi\nthere\n"));
    let (status, _) = run(&k, "tee", &["--to", "/dev/full", "x"]).unwrap();
    assert_eq!(status, 1, "writing to /dev/full fails");
}

/// Starts `program` and waits until it has written its first line.
fn start_and_wait_for_output<'k>(
    kernel: &'k Kernel,
    program: &str,
) -> (wasmux_kernel_shim::Running<'k>, virtual_fs::Pipe) {
    let (tx, mut rx) = virtual_fs::Pipe::channel();
    let mut spawn = Spawn::command(program, &[], "/");
    spawn.stdio.stdout = Some(Box::new(tx));
    let running = kernel.start(spawn).unwrap();
    let mut first = [0u8; 1];
    // The pipe's blocking read returns once the program has printed.
    std::io::Read::read_exact(&mut rx, &mut first).unwrap();
    (running, rx)
}

#[test]
fn sigkill_stops_a_process_spinning_without_syscalls() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "busy");
    install_program(&k, "hello");
    let (busy, _out) = start_and_wait_for_output(&k, "busy");
    let pid = busy.pid();
    assert!(k.processes().pids().contains(&pid));
    assert_eq!(k.processes().get(pid).unwrap().argv(), ["busy"]);
    // Other processes still run beside the spinning one.
    assert_eq!(run(&k, "hello", &[]).unwrap().0, 0);
    k.kill(pid, Signal::KILL).unwrap();
    assert_eq!(busy.wait(), 128 + 9);
    assert!(!k.processes().pids().contains(&pid));
    assert_eq!(
        k.kill(pid, Signal::KILL),
        Err(wasmux_kernel_shim::KillError::NoSuchProcess(pid))
    );
    assert_eq!(run(&k, "hello", &[]).unwrap().0, 0);
}

#[test]
fn a_process_out_of_memory_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = KernelConfig::new(
        dir.path().join("root.redb"),
        dir.path().join("modules"),
        Cred::user(1000, 1000),
    );
    config.memory_limit = 64 << 20;
    let k = native::boot(&config).unwrap();
    install_program(&k, "hog");
    install_program(&k, "hello");
    let (status, out) = run(&k, "hog", &[]).unwrap();
    assert_eq!(status, 3, "{out}");
    let mib: u64 = out
        .trim()
        .strip_prefix("allocation refused after ")
        .and_then(|rest| rest.strip_suffix(" MiB"))
        .unwrap_or_else(|| panic!("unexpected output {out:?}"))
        .parse()
        .unwrap();
    assert!(
        (16..64).contains(&mib),
        "got {mib} MiB under a 64 MiB limit"
    );
    assert_eq!(run(&k, "hello", &[]).unwrap().0, 0);
}

#[test]
fn proc_self_and_dev_fd_answer_for_the_calling_process() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "procinfo");
    install_program(&k, "spawn");
    let (status, out) = run(&k, "procinfo", &["x y"]).unwrap();
    assert_eq!(status, 0, "{out}");
    let first_pid: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("pid="))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        out,
        format!(
            "pid={first_pid}\nppid=0\nuid=1000\ncmdline=procinfo|x y|\nstat={first_pid} (procinfo) R 0\n\
             through /dev/fd/1\nthrough /proc/self/fd/1\nlisted=true\nloadavg fields=5\n"
        )
    );

    // A child spawned by a guest sees its own pid and its parent's.
    let (status, out) = run(&k, "spawn", &["/bin/procinfo"]).unwrap();
    assert_eq!(status, 0, "{out}");
    let parent = first_pid + 1;
    let child_pid: u32 = out
        .lines()
        .find_map(|l| l.strip_prefix("child said: pid="))
        .unwrap_or_else(|| panic!("{out}"))
        .parse()
        .unwrap();
    assert!(child_pid > parent, "{out}");
    assert!(out.contains(&format!("\nppid={parent}\n")), "{out}");
    // wasmer-wasix does not tell a spawned program's argv; it is empty
    // until the program names it.
    assert!(out.contains("\ncmdline=\n"), "{out}");
    assert!(out.contains("\nuid=1000\n"), "{out}");
    assert!(out.ends_with("child exit: 0\n"), "{out}");
}

#[test]
fn proc_lists_no_process_after_it_is_gone() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "hello");
    assert_eq!(run(&k, "hello", &[]).unwrap().0, 0);
    assert!(k.processes().pids().is_empty());
    let mut names: Vec<String> = k
        .filesystem()
        .read_dir(std::path::Path::new("/proc"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["cpuinfo", "loadavg", "meminfo", "mounts", "uptime", "version"]
    );
}

#[test]
fn modes_owners_and_umask_round_trip_through_the_wasmux_imports() {
    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "modes");
    let (status, out) = run(&k, "modes", &[]).unwrap();
    assert_eq!(status, 0, "{out}");
    assert_eq!(
        out,
        "new file: mode=100644 uid=1000 gid=1000\n\
         chmod 751: 0\n\
         after chmod: mode=100751 uid=1000 gid=1000\n\
         chown to root: 1\n\
         chown group only: 0\n\
         passwd: mode=100644 uid=0 gid=0\n\
         chmod passwd: 1\n\
         old umask: 22\n\
         under umask 077: mode=100600 uid=1000 gid=1000\n\
         relative: errno=22\n\
         device: errno=95\n\
         ids: uid=1000 gid=1000 ppid=0\n\
         set cmdline: 0\n\
         cmdline: renamed|with arg|\n"
    );
    k.shutdown().unwrap();

    // The mode persists in the store.
    let k = m.boot();
    let vfs = k.root();
    let ino = vfs
        .resolve(
            &Cred::root(),
            wasmux_vfs::Ino::ROOT,
            b"/home/user/m.txt",
            true,
        )
        .unwrap();
    assert_eq!(vfs.stat(ino).unwrap().mode(), 0o100751);
}

/// A kernel whose session has a terminal, and what its screen shows.
struct Session {
    _dir: tempfile::TempDir,
    kernel: Kernel,
    terminal: std::sync::Arc<wasmux_kernel_shim::terminal::Terminal>,
    screen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Session {
    fn boot() -> Session {
        let screen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = screen.clone();
        let terminal = wasmux_kernel_shim::terminal::Terminal::new(Box::new(move |bytes| {
            sink.lock().unwrap().extend_from_slice(bytes)
        }));
        let m = Machine::new();
        let mut config = m.config.clone();
        config.terminal = Some(terminal.clone());
        let kernel = native::boot(&config).expect("boot");
        Session {
            _dir: m._dir,
            kernel,
            terminal,
            screen,
        }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the screen shows `text` (failing, not hanging, if it
    /// never does).
    fn wait_for_screen(&self, text: &str) {
        for _ in 0..3000 {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!(
            "the screen never showed {text:?}; it shows {:?}",
            self.screen()
        );
    }
}

#[test]
fn a_terminal_session_edits_lines_and_ctrl_d_ends_input() {
    let s = Session::boot();
    install_program(&s.kernel, "cat");
    let cat = s.kernel.start(Spawn::command("cat", &[], "/")).unwrap();
    // A typo fixed with backspace, a word erased with ^W.
    s.terminal.input(b"helo\x7flo wrld\x17world\r");
    // The echo, then cat's copy of the line, each line ending "\r\n".
    s.wait_for_screen("world\r\nhello world\r\n");
    assert!(
        s.screen().starts_with("helo\x08 \x08lo wrld"),
        "{:?}",
        s.screen()
    );
    s.terminal.input(b"partial\x04");
    s.wait_for_screen("partialpartial");
    s.terminal.input(b"\x04");
    assert_eq!(cat.wait(), 0, "^D on an empty line is end of file");
}

#[test]
fn ctrl_c_interrupts_a_program_waiting_for_the_terminal() {
    let s = Session::boot();
    install_program(&s.kernel, "cat");
    let cat = s.kernel.start(Spawn::command("cat", &[], "/")).unwrap();
    s.terminal.input(b"first\r");
    s.wait_for_screen("first\r\nfirst\r\n");
    // cat is back waiting for a line; ^C must not wait for one.
    s.terminal.input(b"half a line\x03");
    assert_eq!(cat.wait(), 128 + 2, "killed by SIGINT");
    assert!(
        s.screen().ends_with("half a line^C\r\n"),
        "{:?}",
        s.screen()
    );
    assert!(s.kernel.processes().pids().is_empty());
}

#[test]
fn dev_tty_is_the_session_terminal_and_absent_without_one() {
    let s = Session::boot();
    install_program(&s.kernel, "tee");
    let (status, out) = s
        .kernel
        .run_captured(Spawn::command(
            "tee",
            &["--to", "/dev/tty", "to", "tty"],
            "/",
        ))
        .unwrap();
    assert_eq!((status, out.as_slice()), (0, &b""[..]), "{}", s.screen());
    assert_eq!(s.screen(), "to\r\ntty\r\n");

    let m = Machine::new();
    let k = m.boot();
    install_program(&k, "tee");
    let (status, _) = run(&k, "tee", &["--to", "/dev/tty", "x"]).unwrap();
    // It does not open: ENXIO (which the test program, not using the
    // compatibility layer, hears as EIO).
    assert_eq!(status, 1, "no terminal, no /dev/tty");
}
