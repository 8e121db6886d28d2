//! Times one syscall in a loop and prints nanoseconds per operation. Built for
//! wasm32-wasip1 and natively from this same source, so the benchmark compares
//! like with like.
//!
//! usage: syscalls write-null|write-file|write-pipe|stat COUNT [PATH]
use std::io::{Read, Write};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (what, count) = match (args.get(1), args.get(2).and_then(|n| n.parse::<u32>().ok())) {
        (Some(w), Some(n)) => (w.as_str(), n),
        _ => {
            eprintln!("usage: syscalls write-null|write-file|write-pipe|stat COUNT [PATH]");
            std::process::exit(2);
        }
    };
    let line = b"a line of text, as a shell loop would write it\n";
    let start = Instant::now();
    match what {
        "write-null" => {
            let mut f = std::fs::OpenOptions::new().write(true).open("/dev/null").expect("/dev/null");
            for _ in 0..count {
                f.write_all(line).expect("write");
            }
        }
        "write-file" => {
            let path = args.get(3).map_or("/tmp/syscalls-bench", String::as_str);
            let mut f = std::fs::File::create(path).expect("create");
            for _ in 0..count {
                f.write_all(line).expect("write");
            }
            drop(f);
            std::fs::remove_file(path).expect("remove");
        }
        "write-pipe" => {
            let (mut rx, mut tx) = pipe();
            let mut buf = [0u8; 64];
            for _ in 0..count {
                tx.write_all(line).expect("write");
                rx.read_exact(&mut buf[..line.len()]).expect("read");
            }
        }
        "stat" => {
            let path = args.get(3).map_or("/etc/passwd", String::as_str);
            for _ in 0..count {
                std::fs::metadata(path).expect("stat");
            }
        }
        other => {
            eprintln!("syscalls: unknown workload {other}");
            std::process::exit(2);
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / count as f64;
    println!("{ns:.1}");
}

#[cfg(target_arch = "wasm32")]
fn pipe() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let (r, w) = unsafe { wasix::fd_pipe() }.expect("fd_pipe");
    unsafe { (std::fs::File::from_raw_fd(r as i32), std::fs::File::from_raw_fd(w as i32)) }
}

#[cfg(not(target_arch = "wasm32"))]
fn pipe() -> (std::io::PipeReader, std::io::PipeWriter) {
    std::io::pipe().expect("pipe")
}
