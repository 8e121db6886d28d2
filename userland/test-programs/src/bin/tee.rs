//! Writes its words, one per line, to each file named by `--to FILE` —
//! enough to check device files such as /dev/stdout and /dev/full.
//!
//! usage: tee [--to FILE]... WORD...
use std::io::Write;

fn main() {
    let mut targets = Vec::new();
    let mut text = String::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--to" {
            targets.push(args.next().expect("--to takes a file"));
        } else {
            text.push_str(&arg);
            text.push('\n');
        }
    }
    let mut status = 0;
    for path in &targets {
        let result = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = result {
            eprintln!("tee: {path}: {e}");
            status = 1;
        }
    }
    std::process::exit(status);
}
