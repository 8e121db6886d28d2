//! For test suites: the busybox build (`userland/busybox/build.sh`, cached by
//! its inputs), built on first use. A build that fails fails the test.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The directory holding `busybox.wasm` and `busybox.links`.
pub fn userland() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../userland/busybox/build.sh");
        let out = Command::new("bash")
            .arg(script)
            .output()
            .expect("running userland/busybox/build.sh");
        assert!(
            out.status.success(),
            "building busybox failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wasm = String::from_utf8_lossy(&out.stdout);
        let wasm = PathBuf::from(wasm.lines().last().expect("build.sh prints a path"));
        wasm.parent().unwrap().to_path_buf()
    })
    .clone()
}
