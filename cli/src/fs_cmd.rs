//! `wasmux fs`: the root filesystem seen from the host, acting as root.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Subcommand;
use wasmux_vfs::{
    fsck, Cred, Errno, FileKind, Ino, OpenFlags, RedbStore, SetAttr, Stat, Store, SystemClock, Vfs,
    Volume,
};

#[derive(Subcommand)]
pub enum FsCommand {
    /// Copy a host file or directory tree into the filesystem.
    Import {
        host: PathBuf,
        guest: String,
        /// Owner of what is imported, as UID[:GID] (default: root).
        #[arg(long, value_name = "UID[:GID]")]
        owner: Option<String>,
    },
    /// Copy a file or directory tree out of the filesystem.
    Export { guest: String, host: PathBuf },
    /// List a directory (or describe a file), like `ls -la`.
    Ls {
        #[arg(default_value = "/")]
        guest: String,
    },
    /// Check every invariant of the store without mounting it.
    Fsck,
}

pub fn run(command: FsCommand, store_path: &Path) -> anyhow::Result<ExitCode> {
    if let FsCommand::Fsck = command {
        return check(store_path);
    }
    let volume = mount(store_path)?;
    let vfs = volume.vfs().clone();
    let result = match command {
        FsCommand::Import { host, guest, owner } => {
            let owner = owner.as_deref().map(parse_owner).transpose()?;
            import(&vfs, &host, &guest, owner)
        }
        FsCommand::Export { guest, host } => export(&vfs, &guest, &host),
        FsCommand::Ls { guest } => list(&vfs, &guest),
        FsCommand::Fsck => unreachable!("handled above"),
    };
    pollster::block_on(volume.unmount()).context("committing the filesystem")?;
    result.map(|()| ExitCode::SUCCESS)
}

fn mount(store_path: &Path) -> anyhow::Result<Volume<RedbStore>> {
    if let Some(dir) = store_path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let store =
        RedbStore::open(store_path).with_context(|| format!("opening {}", store_path.display()))?;
    let volume = pollster::block_on(Volume::mount(store, Arc::new(SystemClock)))
        .with_context(|| format!("mounting {}", store_path.display()))?;
    wasmux_kernel_shim::image::populate(volume.vfs()).map_err(|e| errno(e, "first boot"))?;
    Ok(volume)
}

fn check(store_path: &Path) -> anyhow::Result<ExitCode> {
    if !store_path.exists() {
        bail!("no filesystem at {}", store_path.display());
    }
    let store =
        RedbStore::open(store_path).with_context(|| format!("opening {}", store_path.display()))?;
    let Some(image) = pollster::block_on(store.load())? else {
        bail!("{} holds no filesystem yet", store_path.display());
    };
    match fsck(&image) {
        Ok(summary) => {
            println!(
                "clean: {} inodes ({} directories), {} entries, {} chunks, {} bytes of content, generation {}",
                summary.inodes,
                summary.directories,
                summary.dirents,
                summary.chunks,
                summary.content_bytes,
                image.superblock.generation
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("damaged: {} problem(s)", e.problems.len());
            for p in &e.problems {
                println!("  {p}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn parse_owner(text: &str) -> anyhow::Result<(u32, u32)> {
    let (uid, gid) = match text.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (text, None),
    };
    let uid: u32 = uid
        .parse()
        .with_context(|| format!("bad uid in {text:?}"))?;
    let gid: u32 = match gid {
        Some(g) => g.parse().with_context(|| format!("bad gid in {text:?}"))?,
        None => uid,
    };
    Ok((uid, gid))
}

fn errno(e: Errno, what: &str) -> anyhow::Error {
    anyhow::anyhow!("{what}: {e}")
}

fn import(vfs: &Vfs, host: &Path, guest: &str, owner: Option<(u32, u32)>) -> anyhow::Result<()> {
    let cred = Cred::root();
    let meta = std::fs::symlink_metadata(host).with_context(|| format!("{}", host.display()))?;
    // Like cp: into an existing directory, under the source's own name.
    let target = match vfs.resolve(&cred, Ino::ROOT, guest.as_bytes(), true) {
        Ok(ino) if vfs.stat(ino).map(|s| s.kind) == Ok(FileKind::Directory) => {
            let name = host
                .file_name()
                .with_context(|| format!("{} has no name to import under", host.display()))?;
            format!("{}/{}", guest.trim_end_matches('/'), name.to_string_lossy())
        }
        _ => guest.to_string(),
    };
    import_one(vfs, &cred, host, &meta, &target, owner)
}

fn import_one(
    vfs: &Vfs,
    cred: &Cred,
    host: &Path,
    meta: &std::fs::Metadata,
    guest: &str,
    owner: Option<(u32, u32)>,
) -> anyhow::Result<()> {
    let perm = meta.permissions().mode() & 0o7777;
    let at = vfs
        .resolve_parent(cred, Ino::ROOT, guest.as_bytes())
        .map_err(|e| errno(e, guest))?;
    let ino = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(host)?;
        let _ = vfs.unlink(cred, at.dir, &at.name);
        vfs.symlink(cred, at.dir, &at.name, target.to_string_lossy().as_bytes())
            .map_err(|e| errno(e, guest))?
    } else if meta.is_dir() {
        let ino = match vfs.mkdir(cred, at.dir, &at.name, perm) {
            Ok(ino) => ino,
            Err(Errno::Exist) => vfs
                .lookup(cred, at.dir, &at.name)
                .map_err(|e| errno(e, guest))?,
            Err(e) => return Err(errno(e, guest)),
        };
        let mut entries: Vec<_> = std::fs::read_dir(host)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let child = format!(
                "{}/{}",
                guest.trim_end_matches('/'),
                entry.file_name().to_string_lossy()
            );
            import_one(
                vfs,
                cred,
                &entry.path(),
                &entry.path().symlink_metadata()?,
                &child,
                owner,
            )?;
        }
        ino
    } else if meta.is_file() {
        let flags = OpenFlags {
            write: true,
            create: true,
            truncate: true,
            ..OpenFlags::default()
        };
        let handle = vfs
            .open(cred, at.dir, &at.name, flags, perm)
            .map_err(|e| errno(e, guest))?;
        let data = std::fs::read(host).with_context(|| format!("{}", host.display()))?;
        vfs.write(handle.ino(), 0, &data)
            .map_err(|e| errno(e, guest))?;
        handle.ino()
    } else {
        bail!(
            "{}: only files, directories and symlinks can be imported",
            host.display()
        );
    };
    if !meta.file_type().is_symlink() {
        let attr = SetAttr {
            perm: Some(perm),
            ..SetAttr::default()
        };
        vfs.setattr(cred, ino, &attr).map_err(|e| errno(e, guest))?;
    }
    if let Some((uid, gid)) = owner {
        let attr = SetAttr {
            uid: Some(uid),
            gid: Some(gid),
            ..SetAttr::default()
        };
        vfs.setattr(cred, ino, &attr).map_err(|e| errno(e, guest))?;
        if !meta.file_type().is_symlink() {
            // chown drops set-id bits; the import keeps what the host had.
            let attr = SetAttr {
                perm: Some(perm),
                ..SetAttr::default()
            };
            vfs.setattr(cred, ino, &attr).map_err(|e| errno(e, guest))?;
        }
    }
    Ok(())
}

fn export(vfs: &Vfs, guest: &str, host: &Path) -> anyhow::Result<()> {
    let cred = Cred::root();
    let ino = vfs
        .resolve(&cred, Ino::ROOT, guest.as_bytes(), false)
        .map_err(|e| errno(e, guest))?;
    let st = vfs.stat(ino).map_err(|e| errno(e, guest))?;
    match st.kind {
        FileKind::Directory => {
            std::fs::create_dir_all(host)?;
            for e in vfs.readdir(&cred, ino).map_err(|e| errno(e, guest))? {
                let name = String::from_utf8_lossy(&e.name).into_owned();
                export(
                    vfs,
                    &format!("{}/{name}", guest.trim_end_matches('/')),
                    &host.join(&name),
                )?;
            }
        }
        FileKind::Regular => {
            let mut data = vec![0; st.size as usize];
            let n = vfs.read(ino, 0, &mut data).map_err(|e| errno(e, guest))?;
            data.truncate(n);
            std::fs::write(host, data).with_context(|| format!("{}", host.display()))?;
        }
        FileKind::Symlink => {
            let target = vfs.readlink(ino).map_err(|e| errno(e, guest))?;
            std::os::unix::fs::symlink(String::from_utf8_lossy(&target).as_ref(), host)?;
            return Ok(());
        }
        other => bail!("{guest}: a {other:?} cannot be exported"),
    }
    std::fs::set_permissions(host, std::fs::Permissions::from_mode(st.perm))?;
    Ok(())
}

fn mode_string(st: &Stat) -> String {
    let kind = match st.kind {
        FileKind::Directory => 'd',
        FileKind::Symlink => 'l',
        FileKind::Fifo => 'p',
        FileKind::CharDevice => 'c',
        FileKind::Regular => '-',
    };
    let mut s = String::from(kind);
    for shift in [6, 3, 0] {
        let bits = (st.perm >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let special = match shift {
            6 => st.perm & 0o4000 != 0,
            3 => st.perm & 0o2000 != 0,
            _ => st.perm & 0o1000 != 0,
        };
        let exec = bits & 1 != 0;
        s.push(match (special, exec, shift) {
            (true, true, 0) => 't',
            (true, false, 0) => 'T',
            (true, true, _) => 's',
            (true, false, _) => 'S',
            (false, true, _) => 'x',
            (false, false, _) => '-',
        });
    }
    s
}

fn list(vfs: &Vfs, guest: &str) -> anyhow::Result<()> {
    let cred = Cred::root();
    let ino = vfs
        .resolve(&cred, Ino::ROOT, guest.as_bytes(), true)
        .map_err(|e| errno(e, guest))?;
    let st = vfs.stat(ino).map_err(|e| errno(e, guest))?;
    let rows: Vec<(String, Ino)> = if st.kind == FileKind::Directory {
        vfs.readdir(&cred, ino)
            .map_err(|e| errno(e, guest))?
            .into_iter()
            .map(|e| (String::from_utf8_lossy(&e.name).into_owned(), e.ino))
            .collect()
    } else {
        vec![(guest.to_string(), ino)]
    };
    for (name, ino) in rows {
        let st = vfs.stat(ino).map_err(|e| errno(e, &name))?;
        let link = match st.kind {
            FileKind::Symlink => format!(
                " -> {}",
                String::from_utf8_lossy(&vfs.readlink(ino).unwrap_or_default())
            ),
            _ => String::new(),
        };
        println!(
            "{} {:>3} {:>5} {:>5} {:>10} {name}{link}",
            mode_string(&st),
            st.nlink,
            st.uid,
            st.gid,
            st.size
        );
    }
    Ok(())
}
