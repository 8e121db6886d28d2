//! `/proc`: the system-wide files programs read to learn about the machine.
//!
//! Each file is generated when it is opened, from the kernel's own state, so a
//! reader always sees a consistent snapshot. Per-process entries
//! (`/proc/self`, `/proc/<pid>/…`) need wasmer-wasix's process table and are
//! not here yet.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use virtual_fs::{
    DirEntry, FileOpener, FileSystem, FileType, FsError, Metadata, OpenOptions, OpenOptionsConfig,
    ReadDir, StaticFile, VirtualFile,
};

/// What `/proc` reports, and from where.
#[derive(Debug)]
pub struct ProcFs {
    booted: Instant,
    mounts: Vec<(String, String, String)>,
}

/// The wasmer release the kernel runs on (pinned in the workspace manifest).
const WASMER_VERSION: &str = "7.4";

const FILES: &[&str] = &["cpuinfo", "meminfo", "mounts", "uptime", "version"];

/// Memory one wasm32 process can address: what `/proc/meminfo` calls total.
const WASM32_MEMORY_KB: u64 = 4 * 1024 * 1024;

impl ProcFs {
    /// `mounts` lists (source, mount point, type) as `/proc/mounts` shows them.
    pub fn new(mounts: Vec<(String, String, String)>) -> Arc<ProcFs> {
        Arc::new(ProcFs {
            booted: Instant::now(),
            mounts,
        })
    }

    fn content(&self, name: &str) -> Option<String> {
        Some(match name {
            "cpuinfo" => {
                let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
                (0..cpus)
                    .map(|i| {
                        format!(
                            "processor\t: {i}\nvendor_id\t: wasmux\nmodel name\t: WebAssembly (wasmer {})\nflags\t\t: wasm32 simd128 bulk-memory\n\n",
                            WASMER_VERSION
                        )
                    })
                    .collect()
            }
            "meminfo" => format!(
                "MemTotal:       {WASM32_MEMORY_KB} kB\nMemFree:        {WASM32_MEMORY_KB} kB\nMemAvailable:   {WASM32_MEMORY_KB} kB\n"
            ),
            "mounts" => self
                .mounts
                .iter()
                .map(|(source, point, kind)| format!("{source} {point} {kind} rw 0 0\n"))
                .collect(),
            "uptime" => {
                let up = self.booted.elapsed().as_secs_f64();
                format!("{up:.2} {up:.2}\n")
            }
            "version" => format!(
                "Linux version 6.1.0-wasmux (wasmux {}) (wasmer {}) #1\n",
                env!("CARGO_PKG_VERSION"),
                WASMER_VERSION
            ),
            _ => return None,
        })
    }

    fn name(path: &Path) -> Option<&str> {
        let s = path.to_str()?.trim_start_matches('/');
        FILES.contains(&s).then_some(s)
    }

    fn is_root(path: &Path) -> bool {
        path.to_str()
            .is_some_and(|s| s.trim_matches('/').is_empty())
    }

    fn file_metadata(&self, name: &str) -> Metadata {
        Metadata {
            ft: FileType::new_file(),
            accessed: 0,
            created: 0,
            modified: 0,
            len: self.content(name).map_or(0, |c| c.len() as u64),
        }
    }
}

impl FileSystem for ProcFs {
    fn readlink(&self, _path: &Path) -> virtual_fs::Result<PathBuf> {
        Err(FsError::InvalidInput)
    }

    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        if !Self::is_root(path) {
            return Err(FsError::EntryNotFound);
        }
        Ok(ReadDir::new(
            FILES
                .iter()
                .map(|name| DirEntry {
                    path: Path::new("/").join(name),
                    metadata: Ok(self.file_metadata(name)),
                })
                .collect(),
        ))
    }

    fn create_dir(&self, _path: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }

    fn remove_dir(&self, _path: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }

    fn rename<'a>(
        &'a self,
        _from: &'a Path,
        _to: &'a Path,
    ) -> futures_util::future::BoxFuture<'a, virtual_fs::Result<()>> {
        Box::pin(async { Err(FsError::PermissionDenied) })
    }

    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        if Self::is_root(path) {
            return Ok(Metadata {
                ft: FileType::new_dir(),
                ..Metadata::default()
            });
        }
        Self::name(path)
            .map(|name| self.file_metadata(name))
            .ok_or(FsError::EntryNotFound)
    }

    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.metadata(path)
    }

    fn remove_file(&self, _path: &Path) -> virtual_fs::Result<()> {
        Err(FsError::PermissionDenied)
    }

    fn new_open_options(&self) -> OpenOptions<'_> {
        OpenOptions::new(self)
    }
}

impl FileOpener for ProcFs {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        if conf.write || conf.append || conf.truncate || conf.create_new {
            return Err(FsError::PermissionDenied);
        }
        let content = Self::name(path)
            .and_then(|name| self.content(name))
            .ok_or(FsError::EntryNotFound)?;
        Ok(Box::new(StaticFile::new(content.into_bytes())))
    }
}
