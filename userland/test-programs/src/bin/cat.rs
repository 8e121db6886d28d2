//! Prints each file named on the command line; exits 1 if one cannot be read.
use std::io::Write;

fn main() {
    let mut status = 0;
    for path in std::env::args().skip(1) {
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
