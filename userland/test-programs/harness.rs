//! Builds the wasm test programs for the native test suites that run them
//! (included with `#[path]`; not part of the wasm crate itself).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The directory holding `<name>.wasm` for every program in `src/bin`,
/// building them for `wasm32-wasip1` on first use.
fn programs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Every crate that includes this file sits one level below the repository root.
        let manifest =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../userland/test-programs/Cargo.toml");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
            .join("wasm-test-programs");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip1",
                "--manifest-path",
            ])
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("running cargo for the wasm test programs");
        assert!(status.success(), "building the wasm test programs failed");
        target.join("wasm32-wasip1/release")
    })
}

/// Where one test program's module is.
pub fn program(name: &str) -> PathBuf {
    programs().join(format!("{name}.wasm"))
}
