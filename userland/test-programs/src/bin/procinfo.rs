//! Reports what `/proc` and `/dev/fd` show the calling process: its pid, its
//! parent's pid, its uid, its command line, and whether writing through
//! `/dev/fd/1` and `/proc/self/fd/1` reaches its own stdout.
use std::io::Write;

fn status_field(status: &str, key: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.split_whitespace().next().unwrap_or("").to_string())
        .unwrap_or_else(|| "missing".into())
}

fn main() {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let pid = status_field(&status, "Pid:");
    println!("pid={pid}");
    println!("ppid={}", status_field(&status, "PPid:"));
    println!("uid={}", status_field(&status, "Uid:"));
    let cmdline = std::fs::read("/proc/self/cmdline").expect("read cmdline");
    println!("cmdline={}", String::from_utf8_lossy(&cmdline).replace('\0', "|"));
    let by_pid = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
    println!("stat={}", by_pid.split_whitespace().take(4).collect::<Vec<_>>().join(" "));
    std::io::stdout().flush().unwrap();
    for path in ["/dev/fd/1", "/proc/self/fd/1"] {
        let mut f = std::fs::OpenOptions::new().write(true).open(path).expect(path);
        writeln!(f, "through {path}").unwrap();
    }
    let listed = std::fs::read_dir("/proc")
        .expect("list /proc")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .any(|name| name == pid);
    println!("listed={listed}");
    let load = std::fs::read_to_string("/proc/loadavg").expect("loadavg");
    println!("loadavg fields={}", load.split_whitespace().count());
}
