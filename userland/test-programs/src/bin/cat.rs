//! Prints each file named on the command line, or standard input when there
//! is none (passing each piece on as soon as it is read, as a terminal
//! session needs); exits 1 if a file cannot be read.
use std::io::{Read, Write};

fn main() {
    let mut status = 0;
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        let mut buf = [0u8; 4096];
        let mut out = std::io::stdout();
        loop {
            match std::io::stdin().read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    out.write_all(&buf[..n]).expect("stdout");
                    out.flush().expect("stdout");
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    eprintln!("cat: stdin: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    for path in paths {
        match std::fs::read(&path) {
            Ok(bytes) => std::io::stdout().write_all(&bytes).expect("stdout"),
            Err(e) => {
                eprintln!("cat: {path}: {e}");
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
