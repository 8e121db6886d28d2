//! A reference model of a POSIX tree, written for obviousness rather than speed:
//! file content is one flat `Vec<u8>`, nothing is chunked, nothing is tracked
//! for persistence, and every rule is spelled out where it applies.

use std::collections::BTreeMap;

use wasmux_vfs::Errno;

// The errnos the model answers with, as the numbers the host's calls give.
pub const ENOENT: i32 = Errno::NoEnt as i32;
pub const EEXIST: i32 = Errno::Exist as i32;
pub const EINVAL: i32 = Errno::Inval as i32;
pub const ENOTDIR: i32 = Errno::NotDir as i32;
pub const EISDIR: i32 = Errno::IsDir as i32;
pub const ENOTEMPTY: i32 = Errno::NotEmpty as i32;
pub const ELOOP: i32 = Errno::Loop as i32;
pub const EPERM: i32 = Errno::Perm as i32;
pub const EBUSY: i32 = Errno::Busy as i32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    File(Vec<u8>),
    Dir,
    Symlink(Vec<u8>),
}

#[derive(Debug, Clone)]
enum MNode {
    File(Vec<u8>),
    Dir(BTreeMap<Vec<u8>, usize>),
    Symlink(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct Model {
    nodes: Vec<MNode>,
    parents: BTreeMap<usize, usize>,
}

type R<T> = Result<T, i32>;

impl Model {
    pub fn new() -> Model {
        Model {
            nodes: vec![MNode::Dir(BTreeMap::new())],
            parents: BTreeMap::from([(0, 0)]),
        }
    }

    fn dir(&self, id: usize) -> R<&BTreeMap<Vec<u8>, usize>> {
        match &self.nodes[id] {
            MNode::Dir(d) => Ok(d),
            _ => Err(ENOTDIR),
        }
    }

    fn dir_mut(&mut self, id: usize) -> &mut BTreeMap<Vec<u8>, usize> {
        match &mut self.nodes[id] {
            MNode::Dir(d) => d,
            _ => unreachable!("checked before"),
        }
    }

    /// Resolves a relative path (components only), following symlinks as asked.
    fn walk(&self, mut at: usize, comps: &[Vec<u8>], follow_last: bool, depth: u32) -> R<usize> {
        for (i, c) in comps.iter().enumerate() {
            let d = self.dir(at)?;
            let next = if c == b".." {
                self.parents[&at]
            } else if c == b"." {
                at
            } else {
                *d.get(c).ok_or(ENOENT)?
            };
            let last = i + 1 == comps.len();
            if let MNode::Symlink(t) = &self.nodes[next] {
                if !last || follow_last {
                    if depth >= 40 {
                        return Err(ELOOP);
                    }
                    let tcomps = split(t);
                    let start = if t.starts_with(b"/") { 0 } else { at };
                    at = self.walk(start, &tcomps, true, depth + 1)?;
                    continue;
                }
            }
            at = next;
        }
        Ok(at)
    }

    fn parent_of(&self, path: &[u8]) -> R<(usize, Vec<u8>)> {
        let comps = split(path);
        let (name, dir) = comps.split_last().ok_or(EBUSY)?;
        let d = self.walk(0, dir, true, 0)?;
        self.dir(d)?;
        Ok((d, name.clone()))
    }

    pub fn create(&mut self, path: &[u8]) -> R<()> {
        let (d, name) = self.parent_of(path)?;
        if self.dir(d)?.contains_key(&name) {
            return Err(EEXIST);
        }
        self.nodes.push(MNode::File(Vec::new()));
        let id = self.nodes.len() - 1;
        self.dir_mut(d).insert(name, id);
        Ok(())
    }

    pub fn mkdir(&mut self, path: &[u8]) -> R<()> {
        let (d, name) = self.parent_of(path)?;
        if self.dir(d)?.contains_key(&name) {
            return Err(EEXIST);
        }
        self.nodes.push(MNode::Dir(BTreeMap::new()));
        let id = self.nodes.len() - 1;
        self.parents.insert(id, d);
        self.dir_mut(d).insert(name, id);
        Ok(())
    }

    pub fn symlink(&mut self, target: &[u8], path: &[u8]) -> R<()> {
        let (d, name) = self.parent_of(path)?;
        if self.dir(d)?.contains_key(&name) {
            return Err(EEXIST);
        }
        self.nodes.push(MNode::Symlink(target.to_vec()));
        let id = self.nodes.len() - 1;
        self.dir_mut(d).insert(name, id);
        Ok(())
    }

    fn file_mut(&mut self, path: &[u8]) -> R<&mut Vec<u8>> {
        let id = self.walk(0, &split(path), true, 0)?;
        match &mut self.nodes[id] {
            MNode::File(data) => Ok(data),
            MNode::Dir(_) => Err(EISDIR),
            MNode::Symlink(_) => unreachable!("followed"),
        }
    }

    pub fn write(&mut self, path: &[u8], offset: u64, data: &[u8]) -> R<()> {
        let file = self.file_mut(path)?;
        if data.is_empty() {
            return Ok(());
        }
        let end = offset as usize + data.len();
        if file.len() < end && !data.is_empty() {
            file.resize(end, 0);
        }
        file[offset as usize..offset as usize + data.len()].copy_from_slice(data);
        Ok(())
    }

    pub fn truncate(&mut self, path: &[u8], size: u64) -> R<()> {
        self.file_mut(path)?.resize(size as usize, 0);
        Ok(())
    }

    pub fn read(&mut self, path: &[u8]) -> R<Vec<u8>> {
        self.file_mut(path).map(|f| f.clone())
    }

    pub fn unlink(&mut self, path: &[u8]) -> R<()> {
        let (d, name) = self.parent_of(path)?;
        let id = *self.dir(d)?.get(&name).ok_or(ENOENT)?;
        if matches!(self.nodes[id], MNode::Dir(_)) {
            return Err(EISDIR);
        }
        self.dir_mut(d).remove(&name);
        Ok(())
    }

    pub fn rmdir(&mut self, path: &[u8]) -> R<()> {
        let (d, name) = self.parent_of(path)?;
        let id = *self.dir(d)?.get(&name).ok_or(ENOENT)?;
        if !self.dir(id)?.is_empty() {
            return Err(ENOTEMPTY);
        }
        self.dir_mut(d).remove(&name);
        Ok(())
    }

    pub fn link(&mut self, from: &[u8], to: &[u8]) -> R<()> {
        let (fd, fname) = self.parent_of(from)?;
        let id = *self.dir(fd)?.get(&fname).ok_or(ENOENT)?;
        let (td, tname) = self.parent_of(to)?;
        if self.dir(td)?.contains_key(&tname) {
            return Err(EEXIST);
        }
        if matches!(self.nodes[id], MNode::Dir(_)) {
            return Err(EPERM);
        }
        self.dir_mut(td).insert(tname, id);
        Ok(())
    }

    fn is_within(&self, mut dir: usize, ancestor: usize) -> bool {
        loop {
            if dir == ancestor {
                return true;
            }
            if dir == 0 {
                return false;
            }
            dir = self.parents[&dir];
        }
    }

    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> R<()> {
        let (fd, fname) = self.parent_of(from)?;
        let (td, tname) = self.parent_of(to)?;
        let src = *self.dir(fd)?.get(&fname).ok_or(ENOENT)?;
        let dst = self.dir(td)?.get(&tname).copied();
        let src_dir = matches!(self.nodes[src], MNode::Dir(_));
        if src_dir && self.is_within(td, src) {
            return Err(EINVAL);
        }
        if let Some(dst) = dst {
            if dst != src && self.is_within(fd, dst) {
                return Err(ENOTEMPTY);
            }
        }
        if dst == Some(src) {
            return Ok(());
        }
        if let Some(dst) = dst {
            match (src_dir, &self.nodes[dst]) {
                (true, MNode::Dir(entries)) if !entries.is_empty() => return Err(ENOTEMPTY),
                (true, MNode::Dir(_)) => {}
                (true, _) => return Err(ENOTDIR),
                (false, MNode::Dir(_)) => return Err(EISDIR),
                (false, _) => {}
            }
        }
        self.dir_mut(fd).remove(&fname);
        self.dir_mut(td).insert(tname, src);
        if src_dir {
            self.parents.insert(src, td);
        }
        Ok(())
    }

    /// Every path below the root with what it is (symlinks not followed).
    pub fn tree(&self) -> BTreeMap<Vec<u8>, Shape> {
        let mut out = BTreeMap::new();
        self.collect(0, b"", &mut out);
        out
    }

    fn collect(&self, id: usize, prefix: &[u8], out: &mut BTreeMap<Vec<u8>, Shape>) {
        if let MNode::Dir(entries) = &self.nodes[id] {
            for (name, &child) in entries {
                let mut path = prefix.to_vec();
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(name);
                let shape = match &self.nodes[child] {
                    MNode::File(d) => Shape::File(d.clone()),
                    MNode::Dir(_) => Shape::Dir,
                    MNode::Symlink(t) => Shape::Symlink(t.clone()),
                };
                out.insert(path.clone(), shape);
                self.collect(child, &path, out);
            }
        }
    }
}

pub fn split(path: &[u8]) -> Vec<Vec<u8>> {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}
