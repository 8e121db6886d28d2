//! Exercises the kernel's own import module `wasmux`: stat with modes and
//! owners, chmod, chown, umask, the process's ids and its command line.
//! Prints one line per step; errors print as `errno=N` (Linux numbers).

#[link(wasm_import_module = "wasmux")]
extern "C" {
    fn path_stat(path: *const u8, len: usize, follow: i32, out: *mut u8) -> i32;
    fn path_chmod(path: *const u8, len: usize, mode: i32, follow: i32) -> i32;
    fn path_chown(path: *const u8, len: usize, uid: i32, gid: i32, follow: i32) -> i32;
    fn umask(mask: i32) -> i32;
    fn getuid() -> i32;
    fn getgid() -> i32;
    fn getppid() -> i32;
    fn proc_set_cmdline(argv: *const u8, len: usize) -> i32;
}

fn stat(path: &str) -> String {
    let mut out = [0u8; 104];
    let errno = unsafe { path_stat(path.as_ptr(), path.len(), 1, out.as_mut_ptr()) };
    if errno != 0 {
        return format!("errno={errno}");
    }
    let u32_at = |at: usize| u32::from_le_bytes(out[at..at + 4].try_into().unwrap());
    format!("mode={:o} uid={} gid={}", u32_at(16), u32_at(24), u32_at(28))
}

fn chmod(path: &str, mode: i32) -> i32 {
    unsafe { path_chmod(path.as_ptr(), path.len(), mode, 1) }
}

fn chown(path: &str, uid: i32, gid: i32) -> i32 {
    unsafe { path_chown(path.as_ptr(), path.len(), uid, gid, 1) }
}

fn main() {
    let m = "/home/user/m.txt";
    std::fs::write(m, b"m").unwrap();
    println!("new file: {}", stat(m));
    println!("chmod 751: {}", chmod(m, 0o751));
    println!("after chmod: {}", stat(m));
    println!("chown to root: {}", chown(m, 0, 0));
    println!("chown group only: {}", chown(m, -1, 1000));
    println!("passwd: {}", stat("/etc/passwd"));
    println!("chmod passwd: {}", chmod("/etc/passwd", 0o777));
    let old = unsafe { umask(0o077) };
    println!("old umask: {old:o}");
    std::fs::write("/tmp/n.txt", b"n").unwrap();
    println!("under umask 077: {}", stat("/tmp/n.txt"));
    println!("relative: {}", stat("m.txt"));
    println!("device: {}", stat("/dev/null"));
    println!("ids: uid={} gid={} ppid={}", unsafe { getuid() }, unsafe { getgid() }, unsafe {
        getppid()
    });
    let argv = b"renamed\0with arg\0";
    println!("set cmdline: {}", unsafe { proc_set_cmdline(argv.as_ptr(), argv.len()) });
    let cmdline = std::fs::read("/proc/self/cmdline").unwrap();
    println!("cmdline: {}", String::from_utf8_lossy(&cmdline).replace('\0', "|"));
}
