//! The mount table: which filesystem a path lies in.
//!
//! Every syscall that names a path goes through here first, so this is on
//! the hot path of `stat`, `open` and friends. virtual-fs's own
//! `MountFileSystem` rebuilds each path component by component, with several
//! allocations per call; it cost about half of a guest `stat`. Mounts here are
//! fixed at boot, so a lookup is a scan of a handful of prefixes over the
//! path's bytes, and a path that is already clean (absolute, without `.`,
//! `..` or doubled slashes — what wasmer-wasix passes) is never copied.
//!
//! [`MountTable`] is generic over what is mounted; the kernel's table is
//! [`Mounts`]: at each point a [`Mount`], which is the `virtual_fs`
//! filesystem wasmer-wasix sees, the kernel's own volume behind it (which
//! the `wasmux` import module acts on), and how `/proc/mounts` names it —
//! one list, written once (`Kernel::assemble`).

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use virtual_fs::{
    DirEntry, FileOpener, FileSystem, FsError, Metadata, OpenOptions, OpenOptionsConfig, ReadDir,
    VirtualFile,
};

use wasmux_vfs::Vfs;

use crate::vfs_adapter::path_bytes;

/// Filesystems by mount point.
pub struct MountTable<T> {
    /// Longest mount point first, so the first match is the deepest.
    mounts: Vec<(Vec<u8>, T)>,
}

impl<T> MountTable<T> {
    /// A table of `(mount point, filesystem)`; points are absolute and clean.
    pub fn new(mounts: Vec<(String, T)>) -> MountTable<T> {
        let mut mounts: Vec<(Vec<u8>, T)> = mounts
            .into_iter()
            .map(|(point, fs)| (point.into_bytes(), fs))
            .collect();
        mounts.sort_by_key(|(point, _)| std::cmp::Reverse(point.len()));
        MountTable { mounts }
    }

    /// Where `path` lies once made clean (see [`normalize`]): the mount
    /// point, what is mounted there, and the path inside it (`/` for the
    /// mount point itself); borrowed from `path` when it was clean. `None`
    /// when nothing is mounted at `/`.
    pub fn split<'p>(&self, path: &'p [u8]) -> Option<Located<'_, 'p, T>> {
        let clean = normalize(path);
        let (index, point, mounted, at) = self.locate(&clean)?;
        let inner = match clean {
            _ if at == clean.len() => Cow::Borrowed(&b"/"[..]),
            Cow::Borrowed(p) => Cow::Borrowed(&p[at..]),
            Cow::Owned(p) => Cow::Owned(p[at..].to_vec()),
        };
        Some(Located {
            index,
            point,
            mounted,
            inner,
        })
    }

    /// What is mounted at `index` (a [`Located::index`]).
    pub fn get(&self, index: usize) -> Option<&T> {
        self.mounts.get(index).map(|(_, fs)| fs)
    }

    /// The mount point `path` (absolute and clean) lies under (its index
    /// and its path), what is mounted there, and where the path inside it starts in `path` (at
    /// `path.len()` for the mount point itself, whose inside path is `/`).
    /// `None` for a relative path or when nothing is mounted at `/`.
    fn locate(&self, path: &[u8]) -> Option<(usize, &[u8], &T, usize)> {
        if !path.starts_with(b"/") {
            return None;
        }
        self.mounts
            .iter()
            .enumerate()
            .find_map(|(index, (point, fs))| {
                if point == b"/" {
                    Some((index, point.as_slice(), fs, 0))
                } else if path.starts_with(point)
                    && matches!(path.get(point.len()), None | Some(b'/'))
                {
                    Some((index, point.as_slice(), fs, point.len()))
                } else {
                    None
                }
            })
    }

    /// The mount points directly inside directory `dir`, with what is
    /// mounted there.
    fn children_of<'t>(&'t self, dir: &'t [u8]) -> impl Iterator<Item = (&'t [u8], &'t T)> + 't {
        self.mounts.iter().filter_map(move |(point, fs)| {
            let cut = point.iter().rposition(|&b| b == b'/')?;
            let parent = if cut == 0 {
                b"/".as_slice()
            } else {
                &point[..cut]
            };
            (point.as_slice() != b"/" && parent == dir).then(|| (&point[cut + 1..], fs))
        })
    }
}

/// Where a path lies (see [`MountTable::split`]).
pub struct Located<'t, 'p, T> {
    /// Which mount of the table, for [`MountTable::get`]: the same for
    /// every path under one mount point, as long as the table lives.
    pub index: usize,
    pub point: &'t [u8],
    pub mounted: &'t T,
    pub inner: Cow<'p, [u8]>,
}

/// `path` made absolute, without `.`, `..` or repeated and trailing slashes
/// (`..` at the root stays at the root, as on Linux); borrowed when it
/// already is.
pub fn normalize(path: &[u8]) -> Cow<'_, [u8]> {
    let clean = path == b"/"
        || path.starts_with(b"/")
            && path
                .split(|&b| b == b'/')
                .skip(1)
                .all(|c| !c.is_empty() && c != b"." && c != b"..");
    if clean {
        return Cow::Borrowed(path);
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    for component in path.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    let mut out = Vec::with_capacity(path.len() + 1);
    for part in &parts {
        out.push(b'/');
        out.extend_from_slice(part);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Cow::Owned(out)
}

/// A mounted `virtual_fs` filesystem.
pub type Mounted = Arc<dyn FileSystem + Send + Sync>;

/// What is mounted at one point of the kernel's table.
pub struct Mount {
    /// The filesystem programs see there (through wasmer-wasix).
    pub fs: Mounted,
    /// The kernel's own volume behind it, if it is one: the `wasmux`
    /// imports act only on these (devices and `/proc` are not).
    pub volume: Option<Vfs>,
    /// Its source and type as `/proc/mounts` lists them; `None` for a mount
    /// Linux has no entry for (`/dev/fd`, a symlink there).
    pub listed_as: Option<(&'static str, &'static str)>,
}

/// The kernel's mount table.
pub type Mounts = MountTable<Mount>;

impl MountTable<Mount> {
    /// The table as `/proc/mounts` shows it: one `source point type` line
    /// per listed mount, shallowest first.
    pub fn listing(&self) -> String {
        let mut lines: Vec<(&[u8], &str, &str)> = self
            .mounts
            .iter()
            .filter_map(|(point, m)| {
                m.listed_as
                    .map(|(source, kind)| (point.as_slice(), source, kind))
            })
            .collect();
        lines.sort_by_key(|(point, _, _)| point.len());
        lines
            .into_iter()
            .map(|(point, source, kind)| {
                format!(
                    "{source} {} {kind} rw 0 0\n",
                    String::from_utf8_lossy(point)
                )
            })
            .collect()
    }
}

impl<T> std::fmt::Debug for MountTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let points: Vec<_> = self
            .mounts
            .iter()
            .map(|(point, _)| String::from_utf8_lossy(point))
            .collect();
        f.debug_struct("MountTable")
            .field("points", &points)
            .finish()
    }
}

/// Where a path lies: the filesystem, the path inside it, and whether the
/// path is a mount point itself (which cannot be removed or renamed).
struct Place<'p, 't> {
    fs: &'t Mounted,
    inner: Cow<'p, str>,
    point: &'t [u8],
}

impl Place<'_, '_> {
    fn inner(&self) -> &Path {
        Path::new(self.inner.as_ref())
    }

    fn is_mount_point(&self) -> bool {
        self.inner == "/"
    }

    fn busy(&self) -> virtual_fs::Result<()> {
        if self.is_mount_point() {
            Err(FsError::PermissionDenied)
        } else {
            Ok(())
        }
    }
}

impl MountTable<Mount> {
    /// Finds where `path` lies, without copying a clean UTF-8 path.
    fn place<'p>(&self, path: &'p Path) -> virtual_fs::Result<Place<'p, '_>> {
        let Located {
            point,
            mounted,
            inner,
            ..
        } = match path_bytes(path) {
            Cow::Borrowed(bytes) => self.split(bytes),
            Cow::Owned(bytes) => self.split(&bytes).map(|l| Located {
                inner: Cow::Owned(l.inner.into_owned()),
                ..l
            }),
        }
        .ok_or(FsError::EntryNotFound)?;
        // Cut at a '/' of a path that came from a `str`: still UTF-8.
        let inner = match inner {
            Cow::Borrowed(b) => {
                Cow::Borrowed(std::str::from_utf8(b).map_err(|_| FsError::InvalidInput)?)
            }
            Cow::Owned(v) => Cow::Owned(String::from_utf8(v).map_err(|_| FsError::InvalidInput)?),
        };
        Ok(Place {
            fs: &mounted.fs,
            inner,
            point,
        })
    }
}

impl FileSystem for MountTable<Mount> {
    fn readlink(&self, path: &Path) -> virtual_fs::Result<std::path::PathBuf> {
        let place = self.place(path)?;
        place.fs.readlink(place.inner())
    }

    fn read_dir(&self, path: &Path) -> virtual_fs::Result<ReadDir> {
        let place = self.place(path)?;
        let mut listing: Vec<DirEntry> = place.fs.read_dir(place.inner())?.flatten().collect();
        let visible = if place.point == b"/" {
            place.inner.to_string()
        } else {
            let mut v = String::from_utf8_lossy(place.point).into_owned();
            if !place.is_mount_point() {
                v.push_str(&place.inner);
            }
            v
        };
        let visible = Path::new(&visible);
        for entry in &mut listing {
            if let Some(name) = entry.path.file_name() {
                entry.path = visible.join(name);
            }
        }
        // Mount points show in their parent even where the parent has no
        // directory of that name.
        let dir = path_bytes(visible);
        for (name, fs) in self.children_of(&dir) {
            let name = String::from_utf8_lossy(name);
            let listed = listing
                .iter()
                .any(|e| e.path.file_name().is_some_and(|n| *n == *name));
            if !listed {
                listing.push(DirEntry {
                    path: visible.join(name.as_ref()),
                    metadata: fs.fs.metadata(Path::new("/")),
                });
            }
        }
        Ok(ReadDir::new(listing))
    }

    fn create_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        let place = self.place(path)?;
        if place.is_mount_point() {
            return Err(FsError::AlreadyExists);
        }
        place.fs.create_dir(place.inner())
    }

    fn remove_dir(&self, path: &Path) -> virtual_fs::Result<()> {
        let place = self.place(path)?;
        place.busy()?;
        place.fs.remove_dir(place.inner())
    }

    fn rename<'a>(&'a self, from: &'a Path, to: &'a Path) -> BoxFuture<'a, virtual_fs::Result<()>> {
        Box::pin(async move {
            let from = self.place(from)?;
            let to = self.place(to)?;
            from.busy()?;
            to.busy()?;
            if std::ptr::eq(from.point, to.point) {
                return from.fs.rename(from.inner(), to.inner()).await;
            }
            // Across filesystems a file is copied, then removed; Linux
            // would answer EXDEV, which virtual-fs cannot express.
            if from.fs.metadata(from.inner())?.is_dir() {
                return Err(FsError::InvalidInput);
            }
            virtual_fs::copy_reference_ext(
                from.fs.as_ref(),
                to.fs.as_ref(),
                from.inner(),
                to.inner(),
            )
            .await
            .map_err(FsError::from)?;
            from.fs.remove_file(from.inner())
        })
    }

    fn metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        let place = self.place(path)?;
        place.fs.metadata(place.inner())
    }

    fn symlink_metadata(&self, path: &Path) -> virtual_fs::Result<Metadata> {
        let place = self.place(path)?;
        place.fs.symlink_metadata(place.inner())
    }

    fn remove_file(&self, path: &Path) -> virtual_fs::Result<()> {
        let place = self.place(path)?;
        place.busy()?;
        place.fs.remove_file(place.inner())
    }

    fn create_symlink(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        let place = self.place(target)?;
        if place.is_mount_point() {
            return Err(FsError::AlreadyExists);
        }
        place.fs.create_symlink(source, place.inner())
    }

    fn hard_link(&self, source: &Path, target: &Path) -> virtual_fs::Result<()> {
        let from = self.place(source)?;
        let to = self.place(target)?;
        if !std::ptr::eq(from.point, to.point) {
            return Err(FsError::Unsupported);
        }
        from.fs.hard_link(from.inner(), to.inner())
    }

    fn new_open_options(&self) -> OpenOptions<'_> {
        OpenOptions::new(self)
    }
}

impl FileOpener for MountTable<Mount> {
    fn open(
        &self,
        path: &Path,
        conf: &OpenOptionsConfig,
    ) -> virtual_fs::Result<Box<dyn VirtualFile + Send + Sync + 'static>> {
        let place = self.place(path)?;
        place
            .fs
            .new_open_options()
            .options(conf.clone())
            .open(place.inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths_are_borrowed_and_others_normalized() {
        for clean in ["/", "/etc/passwd", "/a.b/..c"] {
            assert!(
                matches!(normalize(clean.as_bytes()), Cow::Borrowed(_)),
                "{clean}"
            );
        }
        for (messy, clean) in [
            ("/etc/", "/etc"),
            ("//etc//passwd", "/etc/passwd"),
            ("/tmp/../etc/./passwd", "/etc/passwd"),
            ("/..", "/"),
            ("/../../x", "/x"),
            ("/a/b/..", "/a"),
            ("/.", "/"),
        ] {
            assert_eq!(
                normalize(messy.as_bytes()).as_ref(),
                clean.as_bytes(),
                "{messy}"
            );
        }
    }

    #[test]
    fn the_deepest_mount_point_wins_and_prefixes_must_end_at_a_slash() {
        let table = MountTable::new(vec![
            ("/".into(), 'r'),
            ("/dev".into(), 'd'),
            ("/dev/fd".into(), 'f'),
            ("/tmp".into(), 't'),
        ]);
        let at = |p: &'static str| {
            let (_, _, fs, i) = table.locate(p.as_bytes()).unwrap();
            (*fs, &p[i..])
        };
        assert_eq!(at("/etc/passwd"), ('r', "/etc/passwd"));
        assert_eq!(at("/dev/null"), ('d', "/null"));
        assert_eq!(at("/dev/fd/3"), ('f', "/3"));
        assert_eq!(at("/dev/fd"), ('f', ""));
        assert_eq!(at("/devices"), ('r', "/devices"));
        assert_eq!(at("/tmpx/y"), ('r', "/tmpx/y"));
        assert!(table.locate(b"relative").is_none());
        let children: Vec<_> = table.children_of(b"/").map(|(n, _)| n.to_vec()).collect();
        assert_eq!(children, [b"dev".to_vec(), b"tmp".to_vec()]);
        let children: Vec<_> = table
            .children_of(b"/dev")
            .map(|(n, _)| n.to_vec())
            .collect();
        assert_eq!(children, [b"fd".to_vec()]);
    }
}
