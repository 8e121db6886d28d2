//! Greets, echoes its arguments, and exits with `exit=N` if asked.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("hello from wasm: {}", args.join(" "));
    let code = args
        .iter()
        .find_map(|a| a.strip_prefix("exit="))
        .map_or(0, |n| n.parse().expect("exit=N takes a number"));
    std::process::exit(code);
}
