//! Allocates memory in 16 MiB steps until the allocator says no, then reports
//! how far it got and exits with status 3.
fn main() {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = Vec::new();
        if block.try_reserve_exact(16 << 20).is_err() {
            println!("allocation refused after {} MiB", blocks.len() * 16);
            std::process::exit(3);
        }
        block.resize(16 << 20, 1u8);
        blocks.push(block);
    }
}
