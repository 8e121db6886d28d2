//! Shared test scaffolding: the operations random sequences are made of, and
//! drivers that apply them to the vfs, the reference model and the host.

#![allow(dead_code)] // each test binary uses part of it

pub mod model;

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;
use wasmux_vfs::{Cred, FileKind, Ino, OpenFlags, SystemClock, Vfs};

use model::{Model, Shape};

#[derive(Debug, Clone)]
pub enum Op {
    Create(String),
    Mkdir(String),
    Write(String, u64, Vec<u8>),
    Truncate(String, u64),
    Read(String),
    Unlink(String),
    Rmdir(String),
    Rename(String, String),
    Link(String, String),
    Symlink(String, String),
    /// Take a write-back batch (a no-op for the model and the host).
    Flush,
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just("a"), Just("b"), Just("c")].prop_map(String::from)
}

pub fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(name(), 1..=3).prop_map(|c| c.join("/"))
}

/// Offsets cluster around chunk boundaries, where chunked storage can go wrong.
fn offset() -> impl Strategy<Value = u64> {
    let chunk = wasmux_vfs::CHUNK_SIZE as u64;
    prop_oneof![
        0u64..64,
        (chunk - 40)..(chunk + 40),
        (3 * chunk - 8)..(3 * chunk + 8),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => path().prop_map(Op::Create),
        3 => path().prop_map(Op::Mkdir),
        4 => (path(), offset(), prop::collection::vec(any::<u8>(), 0..100)).prop_map(|(p, o, d)| Op::Write(p, o, d)),
        2 => (path(), offset()).prop_map(|(p, s)| Op::Truncate(p, s)),
        2 => path().prop_map(Op::Read),
        2 => path().prop_map(Op::Unlink),
        2 => path().prop_map(Op::Rmdir),
        3 => (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => (path(), path()).prop_map(|(a, b)| Op::Link(a, b)),
        1 => (path(), path()).prop_map(|(t, p)| Op::Symlink(t, p)),
        1 => Just(Op::Flush),
    ]
}

/// What an operation gave back: an errno, or the bytes a read returned.
pub type Outcome = Result<Option<Vec<u8>>, i32>;

pub fn apply_model(m: &mut Model, op: &Op) -> Outcome {
    let b = |s: &String| s.as_bytes().to_vec();
    match op {
        Op::Create(p) => m.create(&b(p)).map(|_| None),
        Op::Mkdir(p) => m.mkdir(&b(p)).map(|_| None),
        Op::Write(p, o, d) => m.write(&b(p), *o, d).map(|_| None),
        Op::Truncate(p, s) => m.truncate(&b(p), *s).map(|_| None),
        Op::Read(p) => m.read(&b(p)).map(Some),
        Op::Unlink(p) => m.unlink(&b(p)).map(|_| None),
        Op::Rmdir(p) => m.rmdir(&b(p)).map(|_| None),
        Op::Rename(a, c) => m.rename(&b(a), &b(c)).map(|_| None),
        Op::Link(a, c) => m.link(&b(a), &b(c)).map(|_| None),
        Op::Symlink(t, p) => m.symlink(&b(t), &b(p)).map(|_| None),
        Op::Flush => Ok(None),
    }
}

pub fn apply_vfs(v: &Vfs, op: &Op) -> Outcome {
    let cred = Cred::root();
    let root = Ino::ROOT;
    let write = OpenFlags {
        write: true,
        ..OpenFlags::default()
    };
    let res: Result<Option<Vec<u8>>, wasmux_vfs::Errno> = (|| match op {
        Op::Create(p) => {
            let flags = OpenFlags {
                create: true,
                exclusive: true,
                ..write
            };
            v.open(&cred, root, p.as_bytes(), flags, 0o644)
                .map(|_| None)
        }
        Op::Mkdir(p) => {
            let at = v.resolve_parent(&cred, root, p.as_bytes())?;
            v.mkdir(&cred, at.dir, &at.name, 0o755).map(|_| None)
        }
        Op::Write(p, o, d) => {
            let h = v.open(&cred, root, p.as_bytes(), write, 0)?;
            v.write(h.ino(), *o, d).map(|_| None)
        }
        Op::Truncate(p, s) => {
            let h = v.open(&cred, root, p.as_bytes(), write, 0)?;
            v.truncate(h.ino(), *s).map(|_| None)
        }
        Op::Read(p) => {
            let h = v.open(&cred, root, p.as_bytes(), OpenFlags::read_only(), 0)?;
            let size = v.stat(h.ino())?.size as usize;
            let mut buf = vec![0; size + 10];
            let n = v.read(h.ino(), 0, &mut buf)?;
            buf.truncate(n);
            Ok(Some(buf))
        }
        Op::Unlink(p) => {
            let at = v.resolve_parent(&cred, root, p.as_bytes())?;
            v.unlink(&cred, at.dir, &at.name).map(|_| None)
        }
        Op::Rmdir(p) => {
            let at = v.resolve_parent(&cred, root, p.as_bytes())?;
            v.rmdir(&cred, at.dir, &at.name).map(|_| None)
        }
        Op::Rename(a, b) => {
            let from = v.resolve_parent(&cred, root, a.as_bytes())?;
            let to = v.resolve_parent(&cred, root, b.as_bytes())?;
            v.rename(&cred, from.dir, &from.name, to.dir, &to.name)
                .map(|_| None)
        }
        Op::Link(a, b) => {
            let ino = v.resolve(&cred, root, a.as_bytes(), false)?;
            let to = v.resolve_parent(&cred, root, b.as_bytes())?;
            v.link(&cred, ino, to.dir, &to.name).map(|_| None)
        }
        Op::Symlink(t, p) => {
            let at = v.resolve_parent(&cred, root, p.as_bytes())?;
            v.symlink(&cred, at.dir, &at.name, t.as_bytes())
                .map(|_| None)
        }
        Op::Flush => Ok(None),
    })();
    res.map_err(|e| e.code())
}

pub fn apply_host(root: &Path, op: &Op) -> Outcome {
    use std::fs;
    let p = |s: &String| root.join(s);
    let res: std::io::Result<Option<Vec<u8>>> = (|| match op {
        Op::Create(x) => fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p(x))
            .map(|_| None),
        Op::Mkdir(x) => fs::create_dir(p(x)).map(|_| None),
        Op::Write(x, o, d) => {
            let f = fs::OpenOptions::new().write(true).open(p(x))?;
            f.write_all_at(d, *o).map(|_| None)
        }
        Op::Truncate(x, s) => {
            let f = fs::OpenOptions::new().write(true).open(p(x))?;
            f.set_len(*s).map(|_| None)
        }
        Op::Read(x) => fs::read(p(x)).map(Some),
        Op::Unlink(x) => fs::remove_file(p(x)).map(|_| None),
        Op::Rmdir(x) => fs::remove_dir(p(x)).map(|_| None),
        Op::Rename(a, b) => fs::rename(p(a), p(b)).map(|_| None),
        Op::Link(a, b) => fs::hard_link(p(a), p(b)).map(|_| None),
        Op::Symlink(t, x) => std::os::unix::fs::symlink(t, p(x)).map(|_| None),
        Op::Flush => Ok(None),
    })();
    res.map_err(|e| e.raw_os_error().expect("host errors carry an errno"))
}

pub fn vfs_tree(v: &Vfs) -> BTreeMap<Vec<u8>, Shape> {
    let mut out = BTreeMap::new();
    collect_vfs(v, Ino::ROOT, b"", &mut out);
    out
}

fn collect_vfs(v: &Vfs, dir: Ino, prefix: &[u8], out: &mut BTreeMap<Vec<u8>, Shape>) {
    for e in v.readdir(&Cred::root(), dir).expect("readdir") {
        let mut path = prefix.to_vec();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(&e.name);
        let shape = match e.kind {
            FileKind::Regular => {
                let size = v.stat(e.ino).unwrap().size as usize;
                let mut buf = vec![0; size];
                let n = v.read(e.ino, 0, &mut buf).unwrap();
                assert_eq!(n, size);
                Shape::File(buf)
            }
            FileKind::Directory => Shape::Dir,
            FileKind::Symlink => Shape::Symlink(v.readlink(e.ino).unwrap()),
            other => panic!("unexpected kind {other:?}"),
        };
        out.insert(path.clone(), shape);
        if e.kind == FileKind::Directory {
            collect_vfs(v, e.ino, &path, out);
        }
    }
}

pub fn host_tree(root: &Path) -> BTreeMap<Vec<u8>, Shape> {
    let mut out = BTreeMap::new();
    collect_host(root, &PathBuf::new(), &mut out);
    out
}

fn collect_host(root: &Path, rel: &Path, out: &mut BTreeMap<Vec<u8>, Shape>) {
    for entry in std::fs::read_dir(root.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let child = rel.join(entry.file_name());
        let full = root.join(&child);
        let meta = std::fs::symlink_metadata(&full).unwrap();
        let shape = if meta.is_dir() {
            Shape::Dir
        } else if meta.file_type().is_symlink() {
            Shape::Symlink(
                std::fs::read_link(&full)
                    .unwrap()
                    .as_os_str()
                    .as_bytes()
                    .to_vec(),
            )
        } else {
            Shape::File(std::fs::read(&full).unwrap())
        };
        out.insert(child.as_os_str().as_bytes().to_vec(), shape.clone());
        if shape == Shape::Dir {
            collect_host(root, &child, out);
        }
    }
}

pub fn new_vfs() -> Vfs {
    Vfs::new(Arc::new(SystemClock))
}
