//! `/proc`: what programs read to learn about the machine and its processes.
//!
//! Every file is generated when it is opened, from the kernel's own state, so
//! a reader sees one consistent snapshot. System files: `cpuinfo`, `meminfo`,
//! `mounts`, `uptime`, `version`, `loadavg`. Per process, from the
//! [`ProcessTable`]: `<pid>/cmdline`, `status`, `stat` and `fd/`.
//!
//! `/proc/self` is a directory, not a symlink: wasmer-wasix caches resolved
//! symlinks per descriptor table, and a forked child would inherit its
//! parent's `self`. As a directory, every lookup below it reaches this
//! filesystem with the path, and is answered for the process calling now.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use web_time::Instant;

use virtual_fs::{
    FileOpener, FileSystem, FileType, FsError, Metadata, OpenOptionsConfig, ReadDir, StaticFile,
    VirtualFile,
};

use crate::devfs::FdDir;
use crate::process::{self, Pid, ProcessRecord, ProcessTable};
use crate::synthetic::{listing, read_only_namespace};

/// The wasmer release the kernel runs on (pinned in the workspace manifest).
const WASMER_VERSION: &str = "7.4";

const SYSTEM_FILES: &[&str] = &[
    "cpuinfo", "loadavg", "meminfo", "mounts", "uptime", "version",
];
const PROCESS_FILES: &[&str] = &["cmdline", "stat", "status"];

/// Memory one wasm32 process can address: what `/proc/meminfo` calls total.
const WASM32_MEMORY_KB: u64 = 4 * 1024 * 1024;

/// Clock ticks per second, the unit of times in `/proc/<pid>/stat`.
const CLOCK_TICKS: u128 = 100;

/// What a path inside `/proc` names.
#[derive(Debug, PartialEq, Eq)]
enum Node<'a> {
    Root,
    System(&'a str),
    ProcessDir(Pid),
    ProcessFile(Pid, &'a str),
    Fds(Pid, &'a Path),
}

/// The `/proc` filesystem.
#[derive(Debug)]
pub struct ProcFs {
    /// `/proc/mounts`, set once the mount table (which holds this
    /// filesystem) is made.
    mounts: OnceLock<String>,
    processes: Arc<ProcessTable>,
    load: Mutex<LoadAverage>,
}

impl ProcFs {
    pub fn new(processes: Arc<ProcessTable>) -> Arc<ProcFs> {
        Arc::new(ProcFs {
            mounts: OnceLock::new(),
            processes,
            load: Mutex::new(LoadAverage::new()),
        })
    }

    /// Sets what `/proc/mounts` says (the mount table's listing).
    pub fn set_mounts(&self, listing: String) {
        if self.mounts.set(listing).is_err() {
            tracing::warn!("/proc/mounts was already set");
        }
    }

    fn parse<'p>(&self, path: &'p Path) -> Result<Node<'p>, FsError> {
        let text = path.to_str().ok_or(FsError::EntryNotFound)?;
        let mut parts = text.trim_matches('/').splitn(3, '/');
        let first = parts.next().unwrap_or("");
        if first.is_empty() {
            return Ok(Node::Root);
        }
        if SYSTEM_FILES.contains(&first) {
            return match parts.next() {
                None => Ok(Node::System(first)),
                Some(_) => Err(FsError::BaseNotDirectory),
            };
        }
        let pid = if first == "self" {
            process::current().map(|r| r.pid)
        } else {
            first.parse().ok()
        }
        .filter(|pid| self.processes.get(*pid).is_some())
        .ok_or(FsError::EntryNotFound)?;
        match (parts.next(), parts.next()) {
            (None, _) => Ok(Node::ProcessDir(pid)),
            (Some("fd"), rest) => Ok(Node::Fds(pid, Path::new(rest.unwrap_or("")))),
            (Some(name), None) if PROCESS_FILES.contains(&name) => Ok(Node::ProcessFile(pid, name)),
            (Some(name), Some(_)) if PROCESS_FILES.contains(&name) => {
                Err(FsError::BaseNotDirectory)
            }
            _ => Err(FsError::EntryNotFound),
        }
    }

    fn record(&self, pid: Pid) -> Result<Arc<ProcessRecord>, FsError> {
        self.processes.get(pid).ok_or(FsError::EntryNotFound)
    }

    fn system_file(&self, name: &str) -> String {
        match name {
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
            "mounts" => self.mounts.get().cloned().unwrap_or_default(),
            "uptime" => {
                let up = self.processes.booted().elapsed().as_secs_f64();
                format!("{up:.2} {up:.2}\n")
            }
            "loadavg" => {
                let pids = self.processes.pids();
                let running = pids.len();
                let [one, five, fifteen] = self
                    .load
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .sample(running as f64);
                let last = pids.last().copied().unwrap_or(0);
                format!("{one:.2} {five:.2} {fifteen:.2} {running}/{running} {last}\n")
            }
            "version" => format!(
                "Linux version 6.1.0-wasmux (wasmux {}) (wasmer {}) #1\n",
                env!("CARGO_PKG_VERSION"),
                WASMER_VERSION
            ),
            _ => unreachable!("parse admits only SYSTEM_FILES"),
        }
    }

    fn process_file(&self, record: &ProcessRecord, name: &str) -> Vec<u8> {
        let argv = record.argv();
        let comm = argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .unwrap_or("?")
            .chars()
            .take(15)
            .collect::<String>();
        let cred = record.cred();
        let threads = record.thread_count().max(1);
        let (state, state_name) = match record.is_stopped() {
            true => ("T", "stopped"),
            false => ("R", "running"),
        };
        match name {
            "cmdline" => argv
                .iter()
                .flat_map(|a| a.bytes().chain(std::iter::once(0)))
                .collect(),
            "status" => format!(
                "Name:\t{comm}\nUmask:\t{:04o}\nState:\t{state} ({state_name})\nTgid:\t{pid}\nPid:\t{pid}\nPPid:\t{ppid}\n\
                 Uid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t{gid}\t{gid}\t{gid}\t{gid}\nGroups:\t{groups}\nThreads:\t{threads}\n",
                cred.umask,
                pid = record.pid,
                ppid = record.ppid,
                uid = cred.uid,
                gid = cred.gid,
                groups = cred
                    .groups
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .into_bytes(),
            "stat" => {
                let start = record.started_after(self.processes.booted()).as_millis() * CLOCK_TICKS / 1000;
                // Fields as proc(5) numbers them; what the kernel does not
                // track (faults, CPU times, sizes) reads 0.
                let mut fields: Vec<String> = vec![
                    record.pid.to_string(),
                    format!("({comm})"),
                    state.into(),
                    record.ppid.to_string(),
                    record.pgid().to_string(),
                    record.sid().to_string(),
                ];
                fields.extend(std::iter::repeat_n("0".to_string(), 13)); // tty_nr .. cstime
                fields.push("20".into()); // priority
                fields.push("0".into()); // nice
                fields.push(threads.to_string());
                fields.push("0".into()); // itrealvalue
                fields.push(start.to_string());
                fields.extend(std::iter::repeat_n("0".to_string(), 30)); // vsize .. exit_code
                let mut line = fields.join(" ");
                line.push('\n');
                line.into_bytes()
            }
            _ => unreachable!("parse admits only PROCESS_FILES"),
        }
    }

    fn content(&self, node: &Node<'_>) -> Result<Vec<u8>, FsError> {
        match node {
            Node::System(name) => Ok(self.system_file(name).into_bytes()),
            Node::ProcessFile(pid, name) => Ok(self.process_file(&*self.record(*pid)?, name)),
            _ => Err(FsError::NotAFile),
        }
    }

    fn node_metadata(&self, node: &Node<'_>) -> Result<Metadata, FsError> {
        match node {
            Node::Root | Node::ProcessDir(_) => Ok(dir_metadata()),
            Node::Fds(_, rest) => FdDir::metadata(rest),
            file => Ok(Metadata {
                ft: FileType::new_file(),
                len: self.content(file)?.len() as u64,
                ..Metadata::default()
            }),
        }
    }

    /// Descriptors can only be reached for the calling process itself: the
    /// others' tables are out of the kernel's reach.
    fn own_fds(pid: Pid) -> Result<(), FsError> {
        match process::current() {
            Some(me) if me.pid == pid => Ok(()),
            _ => Err(FsError::PermissionDenied),
        }
    }
}

fn dir_metadata() -> Metadata {
    Metadata {
        ft: FileType::new_dir(),
        ..Metadata::default()
    }
}

impl FileSystem for ProcFs {
    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        match self.parse(path)? {
            Node::Root => {
                let mut names: Vec<String> = SYSTEM_FILES.iter().map(|s| s.to_string()).collect();
                if process::current().is_some() {
                    names.push("self".into());
                }
                names.extend(self.processes.pids().iter().map(|p| p.to_string()));
                let entries = names
                    .into_iter()
                    .filter_map(|n| Some((n.clone(), self.metadata(Path::new(&n)).ok()?)));
                Ok(listing(path, entries.collect::<Vec<_>>()))
            }
            Node::ProcessDir(pid) => {
                let mut entries: Vec<(String, Metadata)> = vec![("fd".into(), dir_metadata())];
                for name in PROCESS_FILES {
                    let metadata = self.node_metadata(&Node::ProcessFile(pid, name))?;
                    entries.push((name.to_string(), metadata));
                }
                Ok(listing(path, entries))
            }
            Node::Fds(pid, rest) => {
                Self::own_fds(pid)?;
                FdDir.read_dir(rest)
            }
            Node::System(_) | Node::ProcessFile(..) => Err(FsError::BaseNotDirectory),
        }
    }

    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        self.node_metadata(&self.parse(path)?)
    }

    read_only_namespace!();
}

impl FileOpener for ProcFs {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        let node = self.parse(path)?;
        if let Node::Fds(pid, rest) = node {
            Self::own_fds(pid)?;
            return FdDir::open(rest);
        }
        if conf.write || conf.append || conf.truncate || conf.create_new {
            return Err(FsError::PermissionDenied);
        }
        Ok(Box::new(StaticFile::new(self.content(&node)?)))
    }
}

/// Linux's load averages: the number of processes, decayed over 1, 5 and 15
/// minutes. Sampled when read, which is when anyone looks.
#[derive(Debug)]
struct LoadAverage {
    last: Instant,
    averages: [f64; 3],
}

impl LoadAverage {
    fn new() -> LoadAverage {
        LoadAverage {
            last: Instant::now(),
            averages: [0.0; 3],
        }
    }

    fn sample(&mut self, running: f64) -> [f64; 3] {
        let elapsed = self.last.elapsed().as_secs_f64();
        self.last = Instant::now();
        for (avg, window) in self.averages.iter_mut().zip([60.0, 300.0, 900.0]) {
            let decay = (-elapsed / window).exp();
            *avg = *avg * decay + running * (1.0 - decay);
        }
        self.averages
    }
}
