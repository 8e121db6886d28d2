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
fn what_the_user_removes_from_bin_stays_removed() {
    let dir = tempfile::tempdir().unwrap();
    let as_root = ["run", "--as-root", "/bin/sh", "-c"];
    let out = wasmux(
        dir.path(),
        &[
            &as_root[..],
            &["rm /bin/cat /bin/ls && echo mine > /bin/ls"],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{out:?}");
    let (out, _) = sh(
        dir.path(),
        "[ -e /bin/cat ] && echo cat back || echo cat gone; read l < /bin/ls; echo ls $l",
    );
    assert_eq!(out, "cat gone\nls mine\n");
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
    // Every code a child can exit with reaches its parent (WASIX alone
    // keeps only 0 to 78).
    let (out, _) = sh(
        dir.path(),
        "for c in 78 79 100 200 255; do sh -c \"exit $c\"; echo $?; done",
    );
    assert_eq!(out, "78\n79\n100\n200\n255\n");
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
        "sleep 600 & jobs; kill %1; wait %1; echo \"status $?\"
         sleep 600 & kill -TERM $!; wait $!; echo \"again $?\"
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

/// `wasmux shell` at a terminal, at its first prompt.
fn login_shell(root: &Path) -> (Pty, std::process::Child) {
    let mut pty = Pty::open();
    let userland = busybox::userland();
    let shell = pty.spawn(root, &["--userland", userland.to_str().unwrap(), "shell"]);
    pty.wait_until_raw();
    pty.wait_for("user@wasmux:~$ ");
    // Job control is on: the shell found its terminal.
    pty.type_keys(b"echo \"[$-]\"\r");
    assert!(pty.wait_for("]\r\n").contains('m'), "job control is off");
    pty.wait_for("$ ");
    (pty, shell)
}

#[test]
fn the_shell_at_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut pty, mut shell) = login_shell(dir.path());
    // Each command, then what the screen must show after it. No expected
    // text appears in its command line, which the terminal echoes.
    let steps: &[(&str, &str)] = &[
        // A pipeline of three external commands.
        (
            "echo hi there | tr a-z A-Z | sed s/THERE/ALL/",
            "HI ALL\r\n",
        ),
        // Nested substitutions and arithmetic.
        (
            "echo \"n=$(echo $(echo deep) $((6 * 7)))\"",
            "n=deep 42\r\n",
        ),
        // A subshell's cd leaves the shell's own directory alone.
        ("( cd /tmp; pwd ); pwd", "/tmp\r\n/home/user\r\n"),
        // Redirections: >, >>, 2>&1, <.
        (
            "echo one > f; echo two >> f; ls /nope > g 2>&1; wc -l < f; cat g",
            "2\r\nls: /nope: No such file or directory\r\n",
        ),
        // Exit codes in $?, and set -e stopping a script.
        ("false; echo \"s=$?\"", "s=1\r\n"),
        (
            "sh -c 'set -e; false; echo never'; echo \"e=$?\"",
            "e=1\r\n",
        ),
        // A background job: listed, killed, waited for. (Each sleep here
        // is killed: it lasts longer than a step on a loaded machine.)
        ("sleep 600 &", "$ "),
        ("jobs", "[1]+  Running                    sleep 600\r\n"),
        ("kill %1; wait; echo \"w=$?\"", "Terminated"),
        // A trap runs on a real SIGINT.
        ("trap 'echo caught' INT; kill -INT $$", "caught\r\n"),
        ("trap - INT", "$ "),
        // ps shows the running processes.
        ("sleep 600 & ps; kill $!", "/bin/sh -l\r\n"),
    ];
    for (command, shows) in steps {
        pty.type_keys(format!("{command}\r").as_bytes());
        pty.wait_for(&format!("{command}\r\n"));
        pty.wait_for(shows);
    }
    // A here-document, typed line by line at the continuation prompt.
    pty.type_keys(b"cat <<EOF\rx $((1 + 2))\rEOF\r");
    pty.wait_for("x 3\r\n");
    // Ctrl-C ends the foreground command, not the shell. (A key typed
    // before the job has taken the terminal would go to the shell: the
    // job says when it has.)
    pty.type_keys(b"(echo \"job $((1 + 1))\"; yes > /dev/null)\r");
    pty.wait_for("job 2\r\n");
    pty.type_keys(b"\x03");
    pty.type_keys(b"echo \"y=$?\"\r");
    pty.wait_for("y=130\r\n");
    // A trap runs when Ctrl-C comes at the prompt (the one after the trap
    // command).
    pty.type_keys(b"trap 'echo trapped' INT\r");
    pty.wait_for("trap 'echo trapped' INT\r\n");
    pty.wait_for("$ ");
    pty.type_keys(b"\x03");
    pty.wait_for("trapped");
    pty.type_keys(b"exit 4\r");
    assert_eq!(pty.wait_exit(&mut shell), Some(4));
    assert!(pty.is_canonical(), "the host terminal's modes are back");
}

/// Types each step's keys, then waits for the screen to show its text.
fn type_and_see(pty: &mut Pty, steps: &[(&[u8], &str)]) {
    for (keys, shows) in steps {
        pty.type_keys(keys);
        pty.wait_for(shows);
    }
}

#[test]
fn job_control_at_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut pty, mut shell) = login_shell(dir.path());
    // A job that says when it runs (so a key typed after that is its, not
    // the shell's), and numbers each SIGCONT it gets: its trap runs once
    // the `sleep 1` under way ends.
    let job = "(trap cont CONT; echo \"job $((1 + 1))\"; while :; do sleep 1; done)";
    type_and_see(
        &mut pty,
        &[
            (b"cont() { echo cont $((n += 1)); }\r", "}\r\n"),
            // Ctrl-Z stops the foreground job; the shell takes the
            // terminal back.
            (format!("{job}\r").as_bytes(), "job 2\r\n"),
            (
                b"\x1a",
                &format!("[1]+  Stopped                    {job}\r\n"),
            ),
            // Stopped, as the kernel reports it (the job's leader).
            (
                b"jobs -p > jp; ps -o pid,stat | awk -v p=$(cat jp) '$1 == p { print \"is\", $2 }'\r",
                "is T",
            ),
            // bg runs it in the background: its first SIGCONT. (Its trap
            // runs before the next: two at once would run it once.)
            (b"bg\r", &format!("[1] {job}\r\n")),
            (b"", "cont 1\r\n"),
            (
                b"jobs\r",
                &format!("[1]+  Running                    {job}\r\n"),
            ),
            // fg brings it back: the shell gives it the terminal, then the
            // second SIGCONT, which says it has the terminal.
            (b"fg\r", &format!("{job}\r\n")),
            (b"", "cont 2\r\n"),
            // Ctrl-C ends it.
            (b"\x03", "^C"),
            (b"echo \"f=$?\"\r", "f=130\r\n"),
            // A stopped job keeps a signal pending until it runs again, as
            // on Linux: SIGTERM to a stopped cat ends it only at fg. (The
            // job says when cat is about to read the terminal.)
            (b"(echo \"cat $((2 + 1))\"; exec cat)\r", "cat 3\r\n"),
            (b"ready\r", "ready\r\nready\r\n"),
            (b"\x1a", "Stopped                    (echo"),
            (b"kill %1\r", "kill %1\r\n"),
            (b"jobs\r", "[1]+  Stopped                    (echo"),
            (b"fg\r", "Terminated"),
            (b"echo \"k=$?\"\r", "k=143\r\n"),
        ],
    );
    pty.type_keys(b"exit\r");
    assert_eq!(pty.wait_exit(&mut shell), Some(0));
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

/// A WebAssembly program whose `_start` is `unreachable`, as printf escapes.
const TRAP: &str = "\\000asm\\001\\000\\000\\000\\001\\004\\001\\140\\000\\000\\003\\002\\001\\000\\005\\003\\001\\000\\001\\007\\023\\002\\006memory\\002\\000\\006_start\\000\\000\\012\\005\\001\\003\\000\\000\\013";

#[test]
fn a_trapping_child_dies_of_sigabrt() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = sh(
        dir.path(),
        &format!(
            "printf '{TRAP}' > /tmp/trap && chmod +x /tmp/trap
             /tmp/trap; echo status $?
             sh -c 'exec /tmp/trap'; echo sh $?
             kill -l $(/tmp/trap; echo $?)"
        ),
    );
    assert_eq!((out.as_str(), status), ("status 134\nsh 134\nABRT\n", 0));
}

#[test]
fn zero_timeouts_do_not_wait() {
    let dir = tempfile::tempdir().unwrap();
    // Each under `timeout`, so that a wait for ever fails (status 124)
    // instead of hanging the test. The empty pipe's writer lives until the
    // reader has looked and ends it: it sends its pid first, then sleeps.
    let (out, status) = sh(
        dir.path(),
        "timeout 60 sleep 0 && echo sleep
         timeout 60 sh -c 'read -t 0 line; echo read $?' < /dev/zero
         timeout 60 sh -c 'sh -c \"echo \\$\\$; exec sleep 600\" | { read w; read -t 0 line; echo empty $?; kill $w; }'",
    );
    assert_eq!((out.as_str(), status), ("sleep\nread 0\nempty 1\n", 0));
}

#[test]
fn descriptors_modes_and_links() {
    let dir = tempfile::tempdir().unwrap();
    // 3 and 4 are wasmer-wasix's preopened root, which it never lets go:
    // redirecting onto them fails cleanly (no loop, no descriptor lost).
    let (out, status) = sh(
        dir.path(),
        "cd /tmp
         exec 5>five; echo to-five >&5; exec 5>&-; cat five
         { echo to-seven >&7; } 7>seven; cat seven
         echo x 3>three 2>/dev/null; echo \"onto 3: $?\"
         mkdir m && cd m && echo kept > f && chmod 741 f && tar cf ../m.tar f && rm f
         tar xf ../m.tar && stat -c %a f
         # a pipe is not seekable: diff copies standard input first
         echo kept | diff - f && echo same
         # symbolic links move as links, dangling or not
         ln -s f rel && ln -s nowhere dangling && mkdir d && mv rel dangling d/
         readlink d/rel; readlink d/dangling
         # named pipes exist and are seen as such; their data is not supported
         umask 022; mkfifo -m 640 ff && stat -c '%A %F' ff && find . -type p
         cat ff 2>&1; mknod dev c 1 3 2>&1",
    );
    assert_eq!(status, 1, "{out}");
    assert_eq!(
        out,
        "to-five\nto-seven\nonto 3: 1\n741\nsame\nf\nnowhere\n\
         prw-r----- fifo\n./ff\ncat: can't open 'ff': Not supported\n\
         mknod: dev: Operation not permitted\n"
    );
}

/// A TZif file (RFC 8536, version 2) with two transitions and a footer rule
/// for the times after them, as a `printf` argument.
fn tzif_for_printf() -> String {
    let header = |times: u32, types: u32, chars: u32| {
        let mut h = b"TZif2".to_vec();
        h.extend([0; 15]);
        for count in [0, 0, 0, times, types, chars] {
            h.extend(u32::to_be_bytes(count));
        }
        h
    };
    // Version 1 block: one type, which readers of version 2 skip.
    let mut file = header(0, 1, 4);
    file.extend([0, 0, 0, 0, 0, 0]);
    file.extend(b"UTC\0");
    file.extend(header(2, 2, 8));
    for at in [1_000_000_000i64, 1_100_000_000] {
        file.extend(at.to_be_bytes());
    }
    file.extend([1, 0]);
    file.extend(3600i32.to_be_bytes());
    file.extend([0, 0]);
    file.extend(7200i32.to_be_bytes());
    file.extend([1, 4]);
    file.extend(b"AAA\0BBB\0");
    file.extend(b"\nAAA-1BBB,M3.5.0,M10.5.0/3\n");
    file.iter().map(|b| format!("\\{b:03o}")).collect()
}

#[test]
fn time_zones_follow_tz() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "f='+%F %T %Z %z'
         # no TZ, and a name that is nowhere: UTC
         date -d @0 \"$f\"; TZ=Nowhere/Zone date -d @0 \"$f\"
         # POSIX rules, both sides of a change, north and south, quoted names
         export TZ=EET-2EEST,M3.5.0/3,M10.5.0/4
         date -d @1288486799 \"$f\"; date -d @1288486800 \"$f\"
         TZ=AEST-10AEDT,M10.1.0,M4.1.0/3 date -d @1616893200 \"$f\"
         TZ='<+0330>-3:30' date -d @0 \"$f\"
         # local times back to instants, and a date with its own offset
         TZ=EST5EDT date -d '2021-07-01 12:00' +%s
         TZ=UTC0 date -d '1999-1-2 3:4:5 +0600' \"$f\"
         # a zone file: transitions, then its footer rule
         mkdir -p /tmp/zoneinfo && printf '{tzif}' > /tmp/zoneinfo/Test
         for t in 999999999 1000000000 1100000000 1288486799; do TZ=:/tmp/zoneinfo/Test date -d @$t \"$f\"; done
         # a damaged zone file is refused whole: UTC, never a crash
         n=0; for len in 0 4 43 44 60 100 150 160; do
           head -c $len /tmp/zoneinfo/Test > /tmp/zoneinfo/Cut
           [ \"$(TZ=:/tmp/zoneinfo/Cut date -d @0 +%Z%z)\" = UTC+0000 ] && n=$((n+1))
         done; echo \"$n of 8 damaged files read as UTC\"",
        tzif = tzif_for_printf()
    );
    let (out, status) = sh(dir.path(), &script);
    assert_eq!(status, 0, "{out}");
    assert_eq!(
        out,
        "1970-01-01 00:00:00 UTC +0000\n1970-01-01 00:00:00 UTC +0000\n\
         2010-10-31 03:59:59 EEST +0300\n2010-10-31 03:00:00 EET +0200\n\
         2021-03-28 12:00:00 AEDT +1100\n1970-01-01 03:30:00 +0330 +0330\n\
         1625155200\n1999-01-01 21:04:05 UTC +0000\n\
         2001-09-09 02:46:39 AAA +0100\n2001-09-09 03:46:40 BBB +0200\n\
         2004-11-09 12:33:20 AAA +0100\n2010-10-31 02:59:59 BBB +0200\n\
         8 of 8 damaged files read as UTC\n"
    );
}

/// A web server on the host's loopback for the guest to reach: it answers
/// every request with the path it asked for.
fn serve_paths() -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            reader.read_line(&mut request).ok();
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("?");
            let body = format!("you asked for {path}\n");
            let reply = format!(
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            reader.get_mut().write_all(reply.as_bytes()).ok();
        }
    });
    port
}

/// A loopback port nothing listens on (it was free a moment ago).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn sockets_reach_the_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let web = serve_paths();
    let (closed, free) = (free_port(), free_port());
    let (out, status) = sh(
        dir.path(),
        &format!(
            "wget -q -O - http://127.0.0.1:{web}/by-address
             wget -q -O - http://localhost:{web}/by-name
             wget -q -O - http://127.0.0.1:{closed}/ 2>&1; echo \"wget: $?\"
             printf 'GET /through-nc HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 {web} | tail -n 1
             # a server in the guest, a client in the guest: nothing says when the
             # server listens, so the client retries until it does (for 60 s at most)
             nc -l -p {free} > /tmp/got &
             timeout 60 sh -c 'until echo guest-to-guest | nc 127.0.0.1 {free} 2>/dev/null; do sleep 0.1; done' ||
               {{ echo the server never listened; kill $!; }}
             wait; cat /tmp/got"
        ),
    );
    assert_eq!(status, 0, "{out}");
    assert_eq!(
        out,
        "you asked for /by-address\nyou asked for /by-name\n\
         wget: can't connect to remote host (127.0.0.1): Connection refused\nwget: 1\n\
         you asked for /through-nc\nguest-to-guest\n"
    );

    let url = format!("http://127.0.0.1:{web}/");
    let offline = wasmux(
        dir.path(),
        &["--no-network", "run", "wget", "-O", "-", &url],
    );
    assert_eq!(offline.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&offline.stderr)
            .contains("can't connect to remote host (127.0.0.1): Not supported"),
        "{offline:?}"
    );
}
