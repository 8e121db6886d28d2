//! Increments the number stored in a file (0 if absent) and prints it: run it
//! twice to see whether the filesystem kept the first run's write.
fn main() {
    let path = std::env::args().nth(1).expect("usage: counter FILE");
    let n: u64 = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
        + 1;
    std::fs::write(&path, format!("{n}\n")).expect("write counter");
    println!("{n}");
}
