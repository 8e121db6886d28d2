//! Spawns a child through WASIX (`proc_spawn2`), with its stdout on a pipe
//! (`fd_pipe`), reads what it says, and joins it (`proc_join`).
//!
//! usage: spawn CHILD [ARGS...] — prints the child's output and exit code.
use std::io::Read;
use std::os::fd::FromRawFd;

fn main() {
    let mut args = std::env::args().skip(1);
    let child = args.next().expect("usage: spawn CHILD [ARGS...]");
    let mut argv = vec![child.clone()];
    argv.extend(args);
    let argv = argv.join("\n");
    unsafe {
        let (read_end, write_end) = wasix::fd_pipe().expect("fd_pipe");
        let mut to_stdout: wasix::ProcSpawnFdOp = std::mem::zeroed();
        to_stdout.cmd = wasix::PROC_SPAWN_FD_OP_NAME_DUP2;
        to_stdout.src_fd = write_end;
        to_stdout.fd = 1;
        let mut close_read: wasix::ProcSpawnFdOp = std::mem::zeroed();
        close_read.cmd = wasix::PROC_SPAWN_FD_OP_NAME_CLOSE;
        close_read.fd = read_end;
        let mut close_write: wasix::ProcSpawnFdOp = std::mem::zeroed();
        close_write.cmd = wasix::PROC_SPAWN_FD_OP_NAME_CLOSE;
        close_write.fd = write_end;
        let ops = [to_stdout, close_read, close_write];
        let pid = match wasix::proc_spawn2(&child, &argv, "", &ops, &[], wasix::BOOL_FALSE, "") {
            Ok(pid) => pid,
            Err(e) => {
                println!("spawn failed: {}", e.name());
                std::process::exit(3);
            }
        };
        wasix::fd_close(write_end).expect("close write end");
        let mut out = String::new();
        std::fs::File::from_raw_fd(read_end as i32)
            .read_to_string(&mut out)
            .expect("read pipe");
        let mut which = wasix::OptionPid {
            tag: 1, // Some
            u: wasix::OptionPidU { some: pid },
        };
        let status = wasix::proc_join(&mut which, 0).expect("proc_join");
        let code = match status.tag {
            1 => status.u.exit_normal.raw() as i32,
            other => -(other as i32),
        };
        print!("child said: {out}");
        println!("child exit: {code}");
    }
}
