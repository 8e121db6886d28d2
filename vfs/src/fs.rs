//! The live filesystem: an inode table in memory, served synchronously.
//!
//! Every syscall is answered from memory under one lock; persistence happens
//! elsewhere ([`crate::volume`]) by taking the records changed since the last
//! batch. Two rules keep that write-back simple and crash-proof:
//!
//! - A batch is built under the lock from the *current* state of every record
//!   marked dirty, so it is a consistent snapshot of one instant.
//! - An inode whose link count has dropped to zero is never written: the batch
//!   deletes it (and its chunks) even while open handles keep it alive in
//!   memory. A store therefore never holds an orphan, and a reopened filesystem
//!   needs no orphan recovery.
//!
//! A regular file may take its content from the read-only base layer (the
//! root image) instead: its record names a blob ([`InodeRecord::base`]), the
//! store holds none of its chunks, and the blob's bytes are given at each
//! mount ([`Vfs::attach_base`]). The first change to such a file copies the
//! content up: its chunks become its own and are written back like any.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Errno, VfsResult};
use crate::record::{Batch, BlobId, ChunkData, Image, InodeRecord, Superblock};
use crate::types::{
    Access, Clock, Cred, FileKind, Ino, SetAttr, SetTime, Stat, Timespec, CHUNK_SIZE, LINK_MAX,
    MAX_FILE_SIZE, NAME_MAX, PATH_MAX, SYMLOOP_MAX,
};

const S_ISUID: u32 = 0o4000;
const S_ISGID: u32 = 0o2000;
const S_ISVTX: u32 = 0o1000;
const GROUP_EXEC: u32 = 0o010;
/// `relatime`: an atime older than this is refreshed on read even if newer than mtime.
const RELATIME_WINDOW_SECS: i64 = 24 * 60 * 60;

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: Ino,
    pub kind: FileKind,
}

/// How `open` is asked to behave (the `O_*` flags that concern the namespace).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFlags {
    pub read: bool,
    pub write: bool,
    pub append: bool,
    pub create: bool,
    pub exclusive: bool,
    pub truncate: bool,
    pub directory: bool,
    pub nofollow: bool,
}

impl OpenFlags {
    pub fn read_only() -> OpenFlags {
        OpenFlags {
            read: true,
            ..OpenFlags::default()
        }
    }
}

/// The last component of a path and the directory that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    pub dir: Ino,
    pub name: Vec<u8>,
    /// The path ended in `/`: the named object must be a directory.
    pub trailing_slash: bool,
}

enum Content {
    /// Symlinks, FIFOs and devices: everything lives in the record.
    Meta,
    Dir(BTreeMap<Vec<u8>, Ino>),
    File(BTreeMap<u64, ChunkData>),
    /// A file of the base layer whose blob was not given (yet): unreadable.
    Base(BlobId),
}

struct Node {
    meta: InodeRecord,
    content: Content,
}

impl Node {
    fn entries(&self) -> VfsResult<&BTreeMap<Vec<u8>, Ino>> {
        match &self.content {
            Content::Dir(entries) => Ok(entries),
            _ => Err(Errno::NotDir),
        }
    }

    fn entries_mut(&mut self) -> VfsResult<&mut BTreeMap<Vec<u8>, Ino>> {
        match &mut self.content {
            Content::Dir(entries) => Ok(entries),
            _ => Err(Errno::NotDir),
        }
    }

    fn stat(&self, ino: Ino) -> Stat {
        let m = &self.meta;
        // A directory looks as on ext4: whole 4 KiB blocks of (here, 32-byte)
        // entries, `.` and `..` included. `du` and `ls -l` count on it.
        let dir_size = |entries: usize| (32 * (entries as u64 + 2)).div_ceil(4096) * 4096;
        let (size, stored) = match &self.content {
            Content::File(chunks) => (m.size, chunks.values().map(|c| c.len() as u64).sum()),
            Content::Dir(entries) => (dir_size(entries.len()), dir_size(entries.len())),
            Content::Meta | Content::Base(_) => (m.size, 0),
        };
        Stat {
            ino,
            kind: m.kind,
            perm: m.perm,
            nlink: m.nlink,
            uid: m.uid,
            gid: m.gid,
            rdev: m.rdev,
            size,
            blocks: stored.div_ceil(512),
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
            version: m.version,
        }
    }
}

#[derive(Default)]
struct Dirty {
    inodes: HashSet<Ino>,
    dirents: HashSet<(Ino, Vec<u8>)>,
    chunks: HashSet<(Ino, u64)>,
    truncations: HashMap<Ino, u64>,
}

impl Dirty {
    fn is_empty(&self) -> bool {
        self.inodes.is_empty()
            && self.dirents.is_empty()
            && self.chunks.is_empty()
            && self.truncations.is_empty()
    }

    fn truncate(&mut self, ino: Ino, from: u64) {
        let slot = self.truncations.entry(ino).or_insert(from);
        *slot = (*slot).min(from);
    }
}

struct State {
    nodes: HashMap<Ino, Node>,
    open: HashMap<Ino, u32>,
    superblock: Superblock,
    dirty: Dirty,
    read_only: bool,
}

/// The live filesystem. Cheap to clone: clones share one inode table.
#[derive(Clone)]
pub struct Vfs {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
}

/// An open inode: keeps an unlinked inode readable until the last handle goes.
pub struct Handle {
    vfs: Vfs,
    ino: Ino,
    kind: FileKind,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle").field("ino", &self.ino).finish()
    }
}

impl Handle {
    pub fn ino(&self) -> Ino {
        self.ino
    }

    pub fn vfs(&self) -> &Vfs {
        &self.vfs
    }

    /// The kind of file it was opened on (an inode never changes kind).
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Another handle on the same inode (as `dup` or `fork` would make),
    /// keeping it alive after its last unlink.
    pub fn duplicate(&self) -> Handle {
        *self.vfs.lock().open.entry(self.ino).or_insert(0) += 1;
        Handle {
            vfs: self.vfs.clone(),
            ino: self.ino,
            kind: self.kind,
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut st = self.vfs.lock();
        if let Some(count) = st.open.get_mut(&self.ino) {
            *count -= 1;
            if *count == 0 {
                st.open.remove(&self.ino);
                st.free_if_unused(self.ino);
            }
        }
    }
}

fn valid_name(name: &[u8]) -> VfsResult<()> {
    if name.len() > NAME_MAX {
        return Err(Errno::NameTooLong);
    }
    if name.is_empty() || name.contains(&b'/') || name.contains(&0) {
        return Err(Errno::Inval);
    }
    Ok(())
}

/// `bytes` as a file's chunks.
fn chunks_of(bytes: &[u8]) -> BTreeMap<u64, ChunkData> {
    (0u64..)
        .zip(bytes.chunks(CHUNK_SIZE))
        .map(|(index, chunk)| (index, Arc::new(chunk.to_vec())))
        .collect()
}

fn is_dot(name: &[u8]) -> bool {
    name == b"." || name == b".."
}

fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

/// Whether `cred` may access an inode with these attributes as `want` asks,
/// following Linux's `generic_permission`.
fn permitted(cred: &Cred, meta: &InodeRecord, want: Access) -> bool {
    if want.0 == 0 {
        return true;
    }
    if cred.is_root() {
        // Root may execute only what someone may execute (directories: always search).
        return want.0 & Access::EXEC.0 == 0
            || meta.kind == FileKind::Directory
            || meta.perm & 0o111 != 0;
    }
    cred.owner_permits(meta.uid, meta.gid, meta.perm, want)
}

impl Vfs {
    /// A new, empty filesystem: a root directory owned by root, mode 0755.
    pub fn new(clock: Arc<dyn Clock>) -> Vfs {
        let now = clock.now();
        let mut nodes = HashMap::new();
        nodes.insert(
            Ino::ROOT,
            Node {
                meta: InodeRecord {
                    kind: FileKind::Directory,
                    perm: 0o755,
                    uid: 0,
                    gid: 0,
                    nlink: 2,
                    rdev: 0,
                    size: 0,
                    atime: now,
                    mtime: now,
                    ctime: now,
                    version: 1,
                    parent: Some(Ino::ROOT),
                    target: Vec::new(),
                    base: None,
                },
                content: Content::Dir(BTreeMap::new()),
            },
        );
        let mut dirty = Dirty::default();
        dirty.inodes.insert(Ino::ROOT);
        Vfs::from_state(
            State {
                nodes,
                open: HashMap::new(),
                superblock: Superblock::new(),
                dirty,
                read_only: false,
            },
            clock,
        )
    }

    /// A filesystem holding exactly what an image holds. The image should have
    /// passed [`crate::fsck`]; this only refuses what it cannot represent.
    pub fn from_image(image: Image, clock: Arc<dyn Clock>) -> VfsResult<Vfs> {
        let mut nodes: HashMap<Ino, Node> = image
            .inodes
            .into_iter()
            .map(|(ino, meta)| {
                let content = match (meta.kind, meta.base) {
                    (FileKind::Directory, _) => Content::Dir(BTreeMap::new()),
                    (FileKind::Regular, Some(blob)) => Content::Base(blob),
                    (FileKind::Regular, None) => Content::File(BTreeMap::new()),
                    _ => Content::Meta,
                };
                (ino, Node { meta, content })
            })
            .collect();
        for ((dir, name), child) in image.dirents {
            let node = nodes.get_mut(&dir).ok_or(Errno::Io)?;
            node.entries_mut()
                .map_err(|_| Errno::Io)?
                .insert(name, child);
        }
        for ((ino, index), data) in image.chunks {
            match nodes.get_mut(&ino).map(|n| &mut n.content) {
                Some(Content::File(chunks)) => {
                    chunks.insert(index, data);
                }
                _ => return Err(Errno::Io),
            }
        }
        if !nodes.contains_key(&Ino::ROOT) {
            return Err(Errno::Io);
        }
        Ok(Vfs::from_state(
            State {
                nodes,
                open: HashMap::new(),
                superblock: image.superblock,
                dirty: Dirty::default(),
                read_only: false,
            },
            clock,
        ))
    }

    fn from_state(state: State, clock: Arc<dyn Clock>) -> Vfs {
        Vfs {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                clock,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock would be a bug in this module; the state
        // is still the last consistent one because every operation validates
        // before it mutates, so carrying on is safe.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self) -> Timespec {
        self.inner.clock.now()
    }

    /// Refuses every later change with `EROFS` (or allows them again).
    pub fn set_read_only(&self, read_only: bool) {
        self.lock().read_only = read_only;
    }

    pub fn is_read_only(&self) -> bool {
        self.lock().read_only
    }

    /// The whole filesystem as a store would hold it (open-but-unlinked inodes excluded).
    pub fn to_image(&self) -> Image {
        self.lock().to_image()
    }

    /// Number of inodes alive in memory (linked or held open).
    pub fn inode_count(&self) -> usize {
        self.lock().nodes.len()
    }

    // ---- resolution -------------------------------------------------------

    /// Resolves a path from `start` (ignored for absolute paths).
    pub fn resolve(&self, cred: &Cred, start: Ino, path: &[u8], follow: bool) -> VfsResult<Ino> {
        self.lock().resolve(cred, start, path, follow)
    }

    /// Resolves every component but the last, which it returns by name.
    pub fn resolve_parent(&self, cred: &Cred, start: Ino, path: &[u8]) -> VfsResult<ParentRef> {
        self.lock().resolve_parent(cred, start, path)
    }

    /// Looks one name up in a directory (with search permission checked).
    pub fn lookup(&self, cred: &Cred, dir: Ino, name: &[u8]) -> VfsResult<Ino> {
        self.lock().lookup(cred, dir, name)
    }

    // ---- inspection -------------------------------------------------------

    pub fn stat(&self, ino: Ino) -> VfsResult<Stat> {
        let st = self.lock();
        Ok(st.node(ino)?.stat(ino))
    }

    pub fn access(&self, cred: &Cred, ino: Ino, want: Access) -> VfsResult<()> {
        let st = self.lock();
        let node = st.node(ino)?;
        if want.0 & Access::WRITE.0 != 0 && st.read_only {
            return Err(Errno::RoFs);
        }
        if permitted(cred, &node.meta, want) {
            Ok(())
        } else {
            Err(Errno::Acces)
        }
    }

    pub fn readlink(&self, ino: Ino) -> VfsResult<Vec<u8>> {
        let st = self.lock();
        let node = st.node(ino)?;
        if node.meta.kind != FileKind::Symlink {
            return Err(Errno::Inval);
        }
        Ok(node.meta.target.clone())
    }

    /// The entries of a directory, in name order, without `.` and `..`.
    pub fn readdir(&self, cred: &Cred, dir: Ino) -> VfsResult<Vec<DirEntry>> {
        let st = self.lock();
        let node = st.node(dir)?;
        let entries = node.entries()?;
        if !permitted(cred, &node.meta, Access::READ) {
            return Err(Errno::Acces);
        }
        Ok(entries
            .iter()
            .map(|(name, &ino)| DirEntry {
                name: name.clone(),
                ino,
                kind: st.nodes[&ino].meta.kind,
            })
            .collect())
    }

    /// The directory holding a directory (the root holds itself).
    pub fn parent_of(&self, dir: Ino) -> VfsResult<Ino> {
        let st = self.lock();
        let node = st.node(dir)?;
        node.entries()?;
        node.meta.parent.ok_or(Errno::Io)
    }

    // ---- namespace changes -------------------------------------------------

    /// Creates a node of any kind but a symlink in `dir`; `perm` is masked by the umask.
    pub fn mknod(
        &self,
        cred: &Cred,
        dir: Ino,
        name: &[u8],
        kind: FileKind,
        perm: u32,
        rdev: u64,
    ) -> VfsResult<Ino> {
        if kind == FileKind::Symlink {
            return Err(Errno::Inval);
        }
        let now = self.now();
        let perm = perm & 0o7777 & !cred.umask;
        self.lock()
            .create(cred, dir, name, kind, perm, rdev, Vec::new(), now)
    }

    pub fn mkdir(&self, cred: &Cred, dir: Ino, name: &[u8], perm: u32) -> VfsResult<Ino> {
        self.mknod(cred, dir, name, FileKind::Directory, perm, 0)
    }

    pub fn symlink(&self, cred: &Cred, dir: Ino, name: &[u8], target: &[u8]) -> VfsResult<Ino> {
        if target.is_empty() {
            return Err(Errno::NoEnt);
        }
        if target.len() >= PATH_MAX {
            return Err(Errno::NameTooLong);
        }
        let now = self.now();
        self.lock().create(
            cred,
            dir,
            name,
            FileKind::Symlink,
            0o777,
            0,
            target.to_vec(),
            now,
        )
    }

    /// Makes a new name for an existing inode.
    pub fn link(&self, cred: &Cred, ino: Ino, dir: Ino, name: &[u8]) -> VfsResult<()> {
        let now = self.now();
        self.lock().link(cred, ino, dir, name, now)
    }

    pub fn unlink(&self, cred: &Cred, dir: Ino, name: &[u8]) -> VfsResult<()> {
        let now = self.now();
        self.lock().remove(cred, dir, name, false, now)
    }

    pub fn rmdir(&self, cred: &Cred, dir: Ino, name: &[u8]) -> VfsResult<()> {
        let now = self.now();
        self.lock().remove(cred, dir, name, true, now)
    }

    /// Moves an entry atomically, replacing what the destination names.
    pub fn rename(
        &self,
        cred: &Cred,
        from_dir: Ino,
        from_name: &[u8],
        to_dir: Ino,
        to_name: &[u8],
    ) -> VfsResult<()> {
        let now = self.now();
        self.lock()
            .rename(cred, from_dir, from_name, to_dir, to_name, now)
    }

    pub fn setattr(&self, cred: &Cred, ino: Ino, attr: &SetAttr) -> VfsResult<Stat> {
        let now = self.now();
        self.lock().setattr(cred, ino, attr, now, true)
    }

    // ---- content -----------------------------------------------------------

    /// Reads from a regular file at an offset; returns the bytes read (0 at EOF).
    pub fn read(&self, ino: Ino, offset: u64, buf: &mut [u8]) -> VfsResult<usize> {
        let now = self.now();
        self.lock().read(ino, offset, buf, now)
    }

    /// Writes into a regular file at an offset, growing it as needed.
    pub fn write(&self, ino: Ino, offset: u64, data: &[u8]) -> VfsResult<usize> {
        let now = self.now();
        self.lock()
            .write(ino, Some(offset), data, now)
            .map(|(n, _)| n)
    }

    /// Writes at the end of a regular file, as one atomic step (`O_APPEND`).
    /// Returns the bytes written and the offset after them.
    pub fn append(&self, ino: Ino, data: &[u8]) -> VfsResult<(usize, u64)> {
        let now = self.now();
        self.lock().write(ino, None, data, now)
    }

    /// Sets the size of a regular file, as `ftruncate` on a writable descriptor.
    pub fn truncate(&self, ino: Ino, size: u64) -> VfsResult<()> {
        let now = self.now();
        let mut st = self.lock();
        st.writable()?;
        st.truncate(ino, size, now)
    }

    // ---- handles -------------------------------------------------------------

    /// Resolves (and with `create`, makes) what `open(2)` names, checks the
    /// access asked for, applies `O_TRUNC`, and returns a handle on it.
    pub fn open(
        &self,
        cred: &Cred,
        start: Ino,
        path: &[u8],
        flags: OpenFlags,
        perm: u32,
    ) -> VfsResult<Handle> {
        let now = self.now();
        let mut st = self.lock();
        let (ino, created) = st.open_target(cred, start, path, flags, perm, now)?;
        let node = st.node(ino)?;
        let kind = node.meta.kind;
        if flags.directory && kind != FileKind::Directory {
            return Err(Errno::NotDir);
        }
        if kind == FileKind::Directory && (flags.write || flags.truncate || flags.create) {
            return Err(Errno::IsDir);
        }
        if !created {
            let mut want = Access::EXISTS;
            if flags.read {
                want = want.union(Access::READ);
            }
            if flags.write || flags.truncate {
                want = want.union(Access::WRITE);
            }
            if (flags.write || flags.truncate) && st.read_only {
                return Err(Errno::RoFs);
            }
            if !permitted(cred, &node.meta, want) {
                return Err(Errno::Acces);
            }
            if flags.truncate && kind == FileKind::Regular && node.meta.size != 0 {
                st.truncate(ino, 0, now)?;
            }
        }
        *st.open.entry(ino).or_insert(0) += 1;
        drop(st);
        Ok(Handle {
            vfs: self.clone(),
            ino,
            kind,
        })
    }

    /// Creates (or truncates) the regular file at `path` and fills it with
    /// `data`, as `open(O_WRONLY|O_CREAT|O_TRUNC)` and one write would.
    /// `perm` applies to a new file (masked by the umask).
    pub fn write_file(&self, cred: &Cred, path: &[u8], data: &[u8], perm: u32) -> VfsResult<Ino> {
        let flags = OpenFlags {
            write: true,
            create: true,
            truncate: true,
            ..OpenFlags::default()
        };
        let handle = self.open(cred, Ino::ROOT, path, flags, perm)?;
        self.write(handle.ino(), 0, data)?;
        Ok(handle.ino())
    }

    // ---- the base layer -----------------------------------------------------

    /// Makes the regular file at `path` (created if missing, its content
    /// replaced if not) the base layer's blob `blob`, whose bytes are
    /// `bytes`: the store gets its record but none of its chunks.
    pub fn write_base_file(
        &self,
        cred: &Cred,
        path: &[u8],
        blob: BlobId,
        bytes: &[u8],
        perm: u32,
    ) -> VfsResult<Ino> {
        let ino = self.write_file(cred, path, &[], perm)?;
        let now = self.now();
        let mut st = self.lock();
        let node = st.node_mut(ino)?;
        node.meta.base = Some(blob);
        node.meta.size = bytes.len() as u64;
        node.content = Content::File(chunks_of(bytes));
        // None of its chunks is the store's: those it had are deleted.
        st.dirty.chunks.retain(|&(i, _)| i != ino);
        st.dirty.truncate(ino, 0);
        st.touch(ino, now, true);
        Ok(ino)
    }

    /// Gives the base layer's blob `blob` to the files whose content it is
    /// (and of its size); until then they cannot be read. Returns how many
    /// took it.
    pub fn attach_base(&self, blob: BlobId, bytes: &[u8]) -> usize {
        let chunks = chunks_of(bytes);
        let mut st = self.lock();
        let mut attached = 0;
        for node in st.nodes.values_mut() {
            let waiting = matches!(node.content, Content::Base(b) if b == blob);
            if waiting && node.meta.size == bytes.len() as u64 {
                node.content = Content::File(chunks.clone());
                attached += 1;
            }
        }
        attached
    }

    /// The base layer's blob a file's content is, while the file is
    /// unchanged.
    pub fn base_of(&self, ino: Ino) -> VfsResult<Option<BlobId>> {
        Ok(self.lock().node(ino)?.meta.base)
    }

    // ---- write-back ----------------------------------------------------------

    /// Whether anything changed since the last batch was taken.
    pub fn is_dirty(&self) -> bool {
        !self.lock().dirty.is_empty()
    }

    /// Takes every change since the last batch as one consistent batch.
    /// The superblock's generation is the one the batch commits.
    pub fn take_batch(&self) -> Batch {
        self.lock().take_batch()
    }

    /// Marks a batch that the store refused as changed again, so that the next
    /// batch carries its records (as they will be then).
    pub fn requeue(&self, batch: &Batch) {
        let mut st = self.lock();
        for (ino, _) in &batch.inodes {
            st.dirty.inodes.insert(*ino);
        }
        for (key, _) in &batch.dirents {
            st.dirty.dirents.insert(key.clone());
        }
        for &(ino, from) in &batch.truncations {
            st.dirty.truncate(ino, from);
        }
        for (key, _) in &batch.chunks {
            st.dirty.chunks.insert(*key);
        }
        st.superblock.generation = batch.superblock.generation - 1;
    }
}

impl State {
    fn node(&self, ino: Ino) -> VfsResult<&Node> {
        self.nodes.get(&ino).ok_or(Errno::NoEnt)
    }

    fn node_mut(&mut self, ino: Ino) -> VfsResult<&mut Node> {
        self.nodes.get_mut(&ino).ok_or(Errno::NoEnt)
    }

    fn writable(&self) -> VfsResult<()> {
        if self.read_only {
            Err(Errno::RoFs)
        } else {
            Ok(())
        }
    }

    /// Records that an inode changed: bumps its version and ctime, marks it dirty.
    fn touch(&mut self, ino: Ino, now: Timespec, content_changed: bool) {
        if let Some(node) = self.nodes.get_mut(&ino) {
            node.meta.version += 1;
            node.meta.ctime = now;
            if content_changed {
                node.meta.mtime = now;
            }
            self.dirty.inodes.insert(ino);
        }
    }

    /// Makes a base layer's file's chunks its own, before it changes: they
    /// are written back with its record, which no longer names the blob.
    fn copy_up(&mut self, ino: Ino) {
        let Some(node) = self.nodes.get_mut(&ino) else {
            return;
        };
        if let (Some(_), Content::File(chunks)) = (node.meta.base, &node.content) {
            node.meta.base = None;
            self.dirty
                .chunks
                .extend(chunks.keys().map(|&index| (ino, index)));
            self.dirty.inodes.insert(ino);
        }
    }

    fn free_if_unused(&mut self, ino: Ino) {
        let unused = self.nodes.get(&ino).is_some_and(|n| n.meta.nlink == 0)
            && !self.open.contains_key(&ino);
        if unused {
            self.nodes.remove(&ino);
            self.dirty.inodes.insert(ino);
        }
    }

    fn lookup(&self, cred: &Cred, dir: Ino, name: &[u8]) -> VfsResult<Ino> {
        let node = self.node(dir)?;
        let entries = node.entries()?;
        if !permitted(cred, &node.meta, Access::EXEC) {
            return Err(Errno::Acces);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::NameTooLong);
        }
        match name {
            b"." => Ok(dir),
            b".." => node.meta.parent.ok_or(Errno::Io),
            _ => entries.get(name).copied().ok_or(Errno::NoEnt),
        }
    }

    fn resolve(&self, cred: &Cred, start: Ino, path: &[u8], follow: bool) -> VfsResult<Ino> {
        if path.is_empty() {
            return Err(Errno::NoEnt);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::NameTooLong);
        }
        let must_be_dir = path.ends_with(b"/");
        let mut cur = if path.starts_with(b"/") {
            Ino::ROOT
        } else {
            start
        };
        let mut pending: VecDeque<Vec<u8>> = components(path).map(<[u8]>::to_vec).collect();
        let mut links = 0;
        while let Some(name) = pending.pop_front() {
            let child = self.lookup(cred, cur, &name)?;
            let node = self.node(child)?;
            let last = pending.is_empty();
            if node.meta.kind == FileKind::Symlink && (!last || follow || must_be_dir) {
                links += 1;
                if links > SYMLOOP_MAX {
                    return Err(Errno::Loop);
                }
                let target = &node.meta.target;
                if target.starts_with(b"/") {
                    cur = Ino::ROOT;
                }
                for comp in components(target).collect::<Vec<_>>().into_iter().rev() {
                    pending.push_front(comp.to_vec());
                }
                continue;
            }
            cur = child;
        }
        if must_be_dir && self.node(cur)?.meta.kind != FileKind::Directory {
            return Err(Errno::NotDir);
        }
        Ok(cur)
    }

    fn resolve_parent(&self, cred: &Cred, start: Ino, path: &[u8]) -> VfsResult<ParentRef> {
        if path.is_empty() {
            return Err(Errno::NoEnt);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::NameTooLong);
        }
        let trimmed_len = path.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        let trailing_slash = trimmed_len < path.len();
        let trimmed = &path[..trimmed_len];
        let (dir_part, name) = match trimmed.iter().rposition(|&b| b == b'/') {
            Some(i) => (&trimmed[..=i], &trimmed[i + 1..]),
            None => (&b""[..], trimmed),
        };
        let dir = if dir_part.is_empty() {
            if path.starts_with(b"/") {
                Ino::ROOT
            } else {
                start
            }
        } else {
            self.resolve(cred, start, dir_part, true)?
        };
        self.node(dir)?.entries()?;
        if name.len() > NAME_MAX {
            return Err(Errno::NameTooLong);
        }
        Ok(ParentRef {
            dir,
            name: name.to_vec(),
            trailing_slash,
        })
    }

    /// Checks that `cred` may add or remove names in `dir`.
    fn may_modify_dir(&self, cred: &Cred, dir: Ino) -> VfsResult<&Node> {
        self.writable()?;
        let node = self.node(dir)?;
        node.entries()?;
        if !permitted(cred, &node.meta, Access::WRITE.union(Access::EXEC)) {
            return Err(Errno::Acces);
        }
        if node.meta.nlink == 0 {
            // A removed directory accepts no new names.
            return Err(Errno::NoEnt);
        }
        Ok(node)
    }

    /// The sticky-directory rule: in a `+t` directory only the owner of the entry,
    /// the owner of the directory or root may remove or replace it.
    fn sticky_allows(&self, cred: &Cred, dir: Ino, victim: Ino) -> VfsResult<()> {
        let dir_meta = &self.node(dir)?.meta;
        let victim_meta = &self.node(victim)?.meta;
        if dir_meta.perm & S_ISVTX != 0
            && !cred.is_root()
            && cred.uid != dir_meta.uid
            && cred.uid != victim_meta.uid
        {
            return Err(Errno::Perm);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        cred: &Cred,
        dir: Ino,
        name: &[u8],
        kind: FileKind,
        perm: u32,
        rdev: u64,
        target: Vec<u8>,
        now: Timespec,
    ) -> VfsResult<Ino> {
        if is_dot(name) {
            return Err(Errno::Exist);
        }
        valid_name(name)?;
        let parent = self.may_modify_dir(cred, dir)?;
        if parent.entries()?.contains_key(name) {
            return Err(Errno::Exist);
        }
        if kind == FileKind::Directory && parent.meta.nlink >= LINK_MAX {
            return Err(Errno::MLink);
        }
        let setgid_dir = parent.meta.perm & S_ISGID != 0;
        let gid = if setgid_dir {
            parent.meta.gid
        } else {
            cred.gid
        };
        let mut perm = perm;
        if kind == FileKind::Directory && setgid_dir {
            perm |= S_ISGID;
        }
        let ino = Ino(self.superblock.next_ino);
        self.superblock.next_ino += 1;
        let (nlink, content, parent_ino) = match kind {
            FileKind::Directory => (2, Content::Dir(BTreeMap::new()), Some(dir)),
            FileKind::Regular => (1, Content::File(BTreeMap::new()), None),
            _ => (1, Content::Meta, None),
        };
        let size = target.len() as u64;
        self.nodes.insert(
            ino,
            Node {
                meta: InodeRecord {
                    kind,
                    perm,
                    uid: cred.uid,
                    gid,
                    nlink,
                    rdev,
                    size,
                    atime: now,
                    mtime: now,
                    ctime: now,
                    version: 1,
                    parent: parent_ino,
                    target,
                    base: None,
                },
                content,
            },
        );
        self.dirty.inodes.insert(ino);
        let parent = self.node_mut(dir)?;
        parent.entries_mut()?.insert(name.to_vec(), ino);
        if kind == FileKind::Directory {
            parent.meta.nlink += 1;
        }
        self.dirty.dirents.insert((dir, name.to_vec()));
        self.touch(dir, now, true);
        Ok(ino)
    }

    fn link(
        &mut self,
        cred: &Cred,
        ino: Ino,
        dir: Ino,
        name: &[u8],
        now: Timespec,
    ) -> VfsResult<()> {
        if is_dot(name) {
            return Err(Errno::Exist);
        }
        valid_name(name)?;
        let parent = self.may_modify_dir(cred, dir)?;
        if parent.entries()?.contains_key(name) {
            return Err(Errno::Exist);
        }
        let target = self.node(ino)?;
        if target.meta.kind == FileKind::Directory {
            return Err(Errno::Perm);
        }
        if target.meta.nlink == 0 {
            return Err(Errno::NoEnt);
        }
        if target.meta.nlink >= LINK_MAX {
            return Err(Errno::MLink);
        }
        self.node_mut(dir)?
            .entries_mut()?
            .insert(name.to_vec(), ino);
        self.dirty.dirents.insert((dir, name.to_vec()));
        self.node_mut(ino)?.meta.nlink += 1;
        self.touch(ino, now, false);
        self.touch(dir, now, true);
        Ok(())
    }

    /// Drops one name of `victim` (found in `dir` under `name`); the inode goes
    /// when no name and no handle is left.
    fn drop_name(&mut self, dir: Ino, name: &[u8], victim: Ino, now: Timespec) -> VfsResult<()> {
        self.node_mut(dir)?.entries_mut()?.remove(name);
        self.dirty.dirents.insert((dir, name.to_vec()));
        let is_dir = self.node(victim)?.meta.kind == FileKind::Directory;
        if is_dir {
            self.node_mut(dir)?.meta.nlink -= 1;
            self.node_mut(victim)?.meta.nlink = 0;
        } else {
            self.node_mut(victim)?.meta.nlink -= 1;
        }
        self.touch(victim, now, false);
        self.touch(dir, now, true);
        self.free_if_unused(victim);
        Ok(())
    }

    fn remove(
        &mut self,
        cred: &Cred,
        dir: Ino,
        name: &[u8],
        want_dir: bool,
        now: Timespec,
    ) -> VfsResult<()> {
        if want_dir {
            match name {
                b"." => return Err(Errno::Inval),
                b".." => return Err(Errno::NotEmpty),
                _ => {}
            }
        } else if is_dot(name) {
            return Err(Errno::IsDir);
        }
        let victim = self.lookup(cred, dir, name)?;
        self.may_modify_dir(cred, dir)?;
        let node = self.node(victim)?;
        match (want_dir, node.meta.kind == FileKind::Directory) {
            (false, true) => return Err(Errno::IsDir),
            (true, false) => return Err(Errno::NotDir),
            (true, true) => {
                if victim == Ino::ROOT {
                    return Err(Errno::Busy);
                }
                if !node.entries()?.is_empty() {
                    return Err(Errno::NotEmpty);
                }
            }
            (false, false) => {}
        }
        self.sticky_allows(cred, dir, victim)?;
        self.drop_name(dir, name, victim, now)
    }

    /// Whether `dir` is `ancestor` or lies below it.
    fn is_within(&self, mut dir: Ino, ancestor: Ino) -> VfsResult<bool> {
        loop {
            if dir == ancestor {
                return Ok(true);
            }
            if dir == Ino::ROOT {
                return Ok(false);
            }
            dir = self.node(dir)?.meta.parent.ok_or(Errno::Io)?;
        }
    }

    fn rename(
        &mut self,
        cred: &Cred,
        from_dir: Ino,
        from_name: &[u8],
        to_dir: Ino,
        to_name: &[u8],
        now: Timespec,
    ) -> VfsResult<()> {
        if is_dot(from_name) || is_dot(to_name) || from_name.is_empty() || to_name.is_empty() {
            return Err(Errno::Busy);
        }
        valid_name(to_name)?;
        let source = self.lookup(cred, from_dir, from_name)?;
        self.may_modify_dir(cred, from_dir)?;
        self.may_modify_dir(cred, to_dir)?;
        let target = match self.lookup(cred, to_dir, to_name) {
            Ok(ino) => Some(ino),
            Err(Errno::NoEnt) => None,
            Err(e) => return Err(e),
        };
        let source_is_dir = self.node(source)?.meta.kind == FileKind::Directory;
        // Linux checks ancestry before kinds: a directory cannot move below
        // itself, and an ancestor of the source cannot be replaced.
        if source_is_dir && self.is_within(to_dir, source)? {
            return Err(Errno::Inval);
        }
        if let Some(target) = target {
            if target != source && self.is_within(from_dir, target)? {
                return Err(Errno::NotEmpty);
            }
        }
        if target == Some(source) {
            return Ok(());
        }
        if let Some(target) = target {
            let target_node = self.node(target)?;
            let target_is_dir = target_node.meta.kind == FileKind::Directory;
            match (source_is_dir, target_is_dir) {
                (true, false) => return Err(Errno::NotDir),
                (false, true) => return Err(Errno::IsDir),
                (true, true) if !target_node.entries()?.is_empty() => return Err(Errno::NotEmpty),
                _ => {}
            }
        }
        // Moving a directory to another parent rewrites its `..`.
        if source_is_dir
            && from_dir != to_dir
            && !permitted(cred, &self.node(source)?.meta, Access::WRITE)
        {
            return Err(Errno::Acces);
        }
        self.sticky_allows(cred, from_dir, source)?;
        if let Some(target) = target {
            self.sticky_allows(cred, to_dir, target)?;
            self.drop_name(to_dir, to_name, target, now)?;
        }
        self.node_mut(from_dir)?.entries_mut()?.remove(from_name);
        self.dirty.dirents.insert((from_dir, from_name.to_vec()));
        self.node_mut(to_dir)?
            .entries_mut()?
            .insert(to_name.to_vec(), source);
        self.dirty.dirents.insert((to_dir, to_name.to_vec()));
        if source_is_dir && from_dir != to_dir {
            self.node_mut(from_dir)?.meta.nlink -= 1;
            self.node_mut(to_dir)?.meta.nlink += 1;
            self.node_mut(source)?.meta.parent = Some(to_dir);
        }
        self.touch(source, now, false);
        self.touch(from_dir, now, true);
        self.touch(to_dir, now, true);
        Ok(())
    }

    fn setattr(
        &mut self,
        cred: &Cred,
        ino: Ino,
        attr: &SetAttr,
        now: Timespec,
        check_size_permission: bool,
    ) -> VfsResult<Stat> {
        self.writable()?;
        let meta = &self.node(ino)?.meta;
        let owner = cred.is_root() || cred.uid == meta.uid;
        let mut perm = meta.perm;
        let (mut uid, mut gid) = (meta.uid, meta.gid);
        if let Some(new_perm) = attr.perm {
            if !owner {
                return Err(Errno::Perm);
            }
            perm = new_perm & 0o7777;
            if !cred.is_root() && !cred.in_group(meta.gid) {
                perm &= !S_ISGID;
            }
        }
        if attr.uid.is_some() || attr.gid.is_some() {
            let new_uid = attr.uid.unwrap_or(meta.uid);
            let new_gid = attr.gid.unwrap_or(meta.gid);
            if !cred.is_root() {
                let uid_ok = new_uid == meta.uid && cred.uid == meta.uid;
                let gid_ok = new_gid == meta.gid || cred.in_group(new_gid);
                if !uid_ok || !gid_ok {
                    return Err(Errno::Perm);
                }
            }
            uid = new_uid;
            gid = new_gid;
            if meta.kind != FileKind::Directory {
                // As Linux does on chown: drop set-user-ID, and set-group-ID where it
                // means "execute as group" rather than mandatory locking.
                perm &= !S_ISUID;
                if perm & GROUP_EXEC != 0 {
                    perm &= !S_ISGID;
                }
            }
        }
        let mut times = [(attr.atime, meta.atime), (attr.mtime, meta.mtime)];
        for (set, current) in &mut times {
            match set {
                None | Some(SetTime::Omit) => {}
                Some(SetTime::Now) => {
                    if !owner && !permitted(cred, meta, Access::WRITE) {
                        return Err(Errno::Acces);
                    }
                    *current = now;
                }
                Some(SetTime::At(t)) => {
                    if !owner {
                        return Err(Errno::Perm);
                    }
                    *current = *t;
                }
            }
        }
        if let Some(size) = attr.size {
            match meta.kind {
                FileKind::Regular => {}
                FileKind::Directory => return Err(Errno::IsDir),
                _ => return Err(Errno::Inval),
            }
            if check_size_permission && !permitted(cred, meta, Access::WRITE) {
                return Err(Errno::Acces);
            }
            self.truncate(ino, size, now)?;
        }
        let node = self.node_mut(ino)?;
        node.meta.perm = perm;
        node.meta.uid = uid;
        node.meta.gid = gid;
        node.meta.atime = times[0].1;
        node.meta.mtime = times[1].1;
        self.touch(ino, now, false);
        Ok(self.nodes[&ino].stat(ino))
    }

    fn truncate(&mut self, ino: Ino, size: u64, now: Timespec) -> VfsResult<()> {
        if size > MAX_FILE_SIZE {
            return Err(Errno::FBig);
        }
        self.copy_up(ino);
        let node = self.nodes.get_mut(&ino).ok_or(Errno::NoEnt)?;
        let chunks = match &mut node.content {
            Content::File(chunks) => chunks,
            Content::Dir(_) => return Err(Errno::IsDir),
            Content::Meta => return Err(Errno::Inval),
            Content::Base(_) => return Err(Errno::Io),
        };
        let old_size = node.meta.size;
        node.meta.size = size;
        if size < old_size {
            let chunk = CHUNK_SIZE as u64;
            let first_gone = size.div_ceil(chunk);
            let doomed: Vec<u64> = chunks.range(first_gone..).map(|(&i, _)| i).collect();
            for index in doomed {
                chunks.remove(&index);
            }
            self.dirty.truncate(ino, first_gone);
            if !size.is_multiple_of(chunk) {
                let last = size / chunk;
                let keep = (size % chunk) as usize;
                if let Some(data) = chunks.get_mut(&last) {
                    if data.len() > keep {
                        Arc::make_mut(data).truncate(keep);
                        self.dirty.chunks.insert((ino, last));
                    }
                }
            }
        }
        self.touch(ino, now, true);
        Ok(())
    }

    fn read(&mut self, ino: Ino, offset: u64, buf: &mut [u8], now: Timespec) -> VfsResult<usize> {
        let read_only = self.read_only;
        let node = self.node_mut(ino)?;
        let chunks = match &node.content {
            Content::File(chunks) => chunks,
            Content::Dir(_) => return Err(Errno::IsDir),
            Content::Meta => return Err(Errno::Inval),
            Content::Base(_) => return Err(Errno::Io),
        };
        let size = node.meta.size;
        if offset >= size || buf.is_empty() {
            return Ok(0);
        }
        let len = buf.len().min((size - offset) as usize);
        let chunk = CHUNK_SIZE as u64;
        let mut done = 0;
        while done < len {
            let pos = offset + done as u64;
            let index = pos / chunk;
            let within = (pos % chunk) as usize;
            let step = (len - done).min(CHUNK_SIZE - within);
            let dest = &mut buf[done..done + step];
            match chunks.get(&index) {
                Some(data) if within < data.len() => {
                    let avail = step.min(data.len() - within);
                    dest[..avail].copy_from_slice(&data[within..within + avail]);
                    dest[avail..].fill(0);
                }
                _ => dest.fill(0),
            }
            done += step;
        }
        let meta = &mut node.meta;
        let stale = meta.atime <= meta.mtime
            || meta.atime <= meta.ctime
            || now.sec - meta.atime.sec > RELATIME_WINDOW_SECS;
        if stale && !read_only {
            meta.atime = now;
            self.dirty.inodes.insert(ino);
        }
        Ok(len)
    }

    fn write(
        &mut self,
        ino: Ino,
        offset: Option<u64>,
        data: &[u8],
        now: Timespec,
    ) -> VfsResult<(usize, u64)> {
        self.writable()?;
        self.copy_up(ino);
        let node = self.nodes.get_mut(&ino).ok_or(Errno::NoEnt)?;
        let chunks = match &mut node.content {
            Content::File(chunks) => chunks,
            Content::Dir(_) => return Err(Errno::IsDir),
            Content::Meta => return Err(Errno::Inval),
            Content::Base(_) => return Err(Errno::Io),
        };
        let offset = offset.unwrap_or(node.meta.size);
        if data.is_empty() {
            // Linux: a zero-length write to a regular file has no other effect.
            return Ok((0, offset));
        }
        let end = offset
            .checked_add(data.len() as u64)
            .filter(|&end| end <= MAX_FILE_SIZE)
            .ok_or(Errno::FBig)?;
        let chunk = CHUNK_SIZE as u64;
        let mut done = 0;
        while done < data.len() {
            let pos = offset + done as u64;
            let index = pos / chunk;
            let within = (pos % chunk) as usize;
            let step = (data.len() - done).min(CHUNK_SIZE - within);
            let stored = Arc::make_mut(chunks.entry(index).or_default());
            if stored.len() < within + step {
                stored.resize(within + step, 0);
            }
            stored[within..within + step].copy_from_slice(&data[done..done + step]);
            self.dirty.chunks.insert((ino, index));
            done += step;
        }
        if end > node.meta.size {
            node.meta.size = end;
        }
        node.meta.version += 1;
        node.meta.mtime = now;
        node.meta.ctime = now;
        self.dirty.inodes.insert(ino);
        Ok((data.len(), end))
    }

    fn open_target(
        &mut self,
        cred: &Cred,
        start: Ino,
        path: &[u8],
        flags: OpenFlags,
        perm: u32,
        now: Timespec,
    ) -> VfsResult<(Ino, bool)> {
        if !flags.create {
            let ino = self.resolve(cred, start, path, !flags.nofollow)?;
            if flags.nofollow && self.node(ino)?.meta.kind == FileKind::Symlink {
                return Err(Errno::Loop);
            }
            return Ok((ino, false));
        }
        let parent = self.resolve_parent(cred, start, path)?;
        if parent.trailing_slash || parent.name.is_empty() {
            return Err(Errno::IsDir);
        }
        match self.lookup(cred, parent.dir, &parent.name) {
            Ok(_) if flags.exclusive => Err(Errno::Exist),
            Ok(ino) => {
                if self.node(ino)?.meta.kind == FileKind::Symlink {
                    if flags.nofollow {
                        return Err(Errno::Loop);
                    }
                    return Ok((self.resolve(cred, start, path, true)?, false));
                }
                Ok((ino, false))
            }
            Err(Errno::NoEnt) => {
                let perm = perm & 0o7777 & !cred.umask;
                let ino = self.create(
                    cred,
                    parent.dir,
                    &parent.name,
                    FileKind::Regular,
                    perm,
                    0,
                    Vec::new(),
                    now,
                )?;
                Ok((ino, true))
            }
            Err(e) => Err(e),
        }
    }

    fn is_persisted(&self, ino: Ino) -> bool {
        self.nodes.get(&ino).is_some_and(|n| n.meta.nlink > 0)
    }

    fn take_batch(&mut self) -> Batch {
        let dirty = std::mem::take(&mut self.dirty);
        self.superblock.generation += 1;
        let mut batch = Batch {
            superblock: self.superblock.clone(),
            ..Batch::default()
        };
        for ino in dirty.inodes {
            if self.is_persisted(ino) {
                batch
                    .inodes
                    .push((ino, Some(self.nodes[&ino].meta.clone())));
            } else {
                batch.inodes.push((ino, None));
                batch.truncations.push((ino, 0));
            }
        }
        for key in dirty.dirents {
            let child = self
                .nodes
                .get(&key.0)
                .and_then(|n| n.entries().ok())
                .and_then(|entries| entries.get(&key.1).copied());
            batch.dirents.push((key, child));
        }
        for (ino, from) in dirty.truncations {
            if self.is_persisted(ino) {
                batch.truncations.push((ino, from));
            }
        }
        for (ino, index) in dirty.chunks {
            if !self.is_persisted(ino) {
                continue; // deleted whole by the inode's truncation above
            }
            let data = match &self.nodes[&ino].content {
                Content::File(chunks) => chunks.get(&index).cloned(),
                _ => None,
            };
            batch.chunks.push(((ino, index), data));
        }
        batch
    }

    fn to_image(&self) -> Image {
        let mut image = Image {
            superblock: self.superblock.clone(),
            ..Image::default()
        };
        for (&ino, node) in &self.nodes {
            if node.meta.nlink == 0 {
                continue;
            }
            image.inodes.insert(ino, node.meta.clone());
            match &node.content {
                Content::Dir(entries) => {
                    for (name, &child) in entries {
                        image.dirents.insert((ino, name.clone()), child);
                    }
                }
                // A base layer's file keeps its chunks out of the store.
                Content::File(chunks) if node.meta.base.is_none() => {
                    for (&index, data) in chunks {
                        image.chunks.insert((ino, index), data.clone());
                    }
                }
                Content::File(_) | Content::Base(_) | Content::Meta => {}
            }
        }
        image
    }
}
