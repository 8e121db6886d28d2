//! Dies of a WebAssembly trap (an out-of-bounds access), to show that a
//! trapping process ends alone.
fn main() {
    println!("about to trap");
    let p = std::hint::black_box(usize::MAX - 8) as *const u64;
    // SAFETY: not safe at all — the point is the trap.
    let v = unsafe { std::ptr::read_volatile(p) };
    println!("unreachable {v}");
}
