//! The skeleton a fresh root filesystem gets on first boot: the standard
//! directories, the user's home, and `/etc` (passwd, group, hostname, hosts,
//! services, os-release, resolv.conf, profile). Later boots leave everything as the user
//! left it — except when the kernel was given a different userland build:
//! then `/bin/busybox` is replaced and missing applet links are made again.
//! A link or file the user removed stays removed while the build is the
//! same.

use wasmux_vfs::record::BlobId;
use wasmux_vfs::{Cred, Errno, FileKind, Ino, SetAttr, Vfs, VfsResult};

/// The unprivileged user programs run as by default.
pub const USER_UID: u32 = 1000;
pub const USER_GID: u32 = 1000;
pub const USER_NAME: &str = "user";
pub const USER_HOME: &str = "/home/user";

const DIRS: &[(&str, u32)] = &[
    ("/bin", 0o755),
    ("/dev", 0o755),
    ("/etc", 0o755),
    ("/home", 0o755),
    ("/proc", 0o555),
    ("/root", 0o700),
    ("/sbin", 0o755),
    ("/tmp", 0o1777),
    ("/usr", 0o755),
    ("/usr/bin", 0o755),
    ("/usr/local", 0o755),
    ("/usr/local/bin", 0o755),
    ("/usr/sbin", 0o755),
    ("/var", 0o755),
];

fn etc_files() -> Vec<(&'static str, String)> {
    vec![
        (
            "/etc/passwd",
            format!(
                "root:x:0:0:root:/root:/bin/sh\n{USER_NAME}:x:{USER_UID}:{USER_GID}:{USER_NAME}:{USER_HOME}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            ),
        ),
        (
            "/etc/group",
            format!("root:x:0:\n{USER_NAME}:x:{USER_GID}:\nnogroup:x:65534:\n"),
        ),
        ("/etc/hostname", "wasmux\n".into()),
        (
            "/etc/hosts",
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\twasmux\n"
                .into(),
        ),
        (
            "/etc/services",
            [
                ("ftp", 21), ("ssh", 22), ("telnet", 23), ("smtp", 25), ("domain", 53),
                ("http", 80), ("pop3", 110), ("ntp", 123), ("imap", 143), ("https", 443),
                ("submission", 587), ("imaps", 993), ("pop3s", 995), ("rsync", 873),
                ("http-alt", 8080),
            ]
            .iter()
            .map(|(name, port)| format!("{name}\t\t{port}/tcp\n{name}\t\t{port}/udp\n"))
            .collect(),
        ),
        (
            "/etc/os-release",
            "NAME=\"wasmux\"\nID=wasmux\nPRETTY_NAME=\"wasmux (WebAssembly Linux personality)\"\nVERSION_ID=\"0.1\"\n".into(),
        ),
        (
            "/etc/resolv.conf",
            "# Names are resolved by the wasmux host, not by a nameserver here.\n".into(),
        ),
        (
            "/etc/profile",
            "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport HOME=\"${HOME:-/home/user}\"\nexport PS1='\\u@\\h:\\w\\$ '\nexport PAGER=less EDITOR=vi\nalias ll='ls -l'\n".into(),
        ),
    ]
}

/// Creates what a fresh root lacks. A root that already has `/etc` is left alone.
pub fn populate(vfs: &Vfs) -> VfsResult<()> {
    let root = Cred::root();
    match vfs.lookup(&root, Ino::ROOT, b"etc") {
        Ok(_) => return Ok(()),
        Err(Errno::NoEnt) => {}
        Err(e) => return Err(e),
    }
    let mut cred = root.clone();
    cred.umask = 0;
    for (path, perm) in DIRS {
        let at = vfs.resolve_parent(&cred, Ino::ROOT, path.as_bytes())?;
        vfs.mknod(&cred, at.dir, &at.name, FileKind::Directory, *perm, 0)?;
    }
    let home = vfs.resolve_parent(&cred, Ino::ROOT, USER_HOME.as_bytes())?;
    let home = vfs.mkdir(&cred, home.dir, &home.name, 0o755)?;
    let owned = SetAttr {
        uid: Some(USER_UID),
        gid: Some(USER_GID),
        ..SetAttr::default()
    };
    vfs.setattr(&cred, home, &owned)?;
    for (path, content) in etc_files() {
        vfs.write_file(&cred, path.as_bytes(), content.as_bytes(), 0o644)?;
    }
    Ok(())
}

/// The userland a kernel installs into its root: one busybox binary and the
/// paths of its applet links (busybox's `busybox.links`).
#[derive(Debug, Clone)]
pub struct Userland {
    pub busybox: Vec<u8>,
    pub links: Vec<String>,
    /// Whether the binary is the root's read-only base layer, given again
    /// at every boot (the browser's image), rather than bytes the root keeps
    /// (the CLI, which may later run without its userland directory).
    pub base_layer: bool,
}

impl Userland {
    /// A busybox build: the binary, and its `busybox.links` (one applet path
    /// per line).
    pub fn from_build(busybox: Vec<u8>, links: &str, base_layer: bool) -> Userland {
        Userland {
            busybox,
            links: links
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            base_layer,
        }
    }
}

/// Where the busybox binary lives; every applet link points here.
pub const BUSYBOX_PATH: &str = "/bin/busybox";

/// Installs `userland` unless `/bin/busybox` already holds it: the binary,
/// and a symbolic link for every applet path that does not exist (a user's
/// own file at such a path is left alone).
///
/// As a base layer ([`Userland::base_layer`]), the store keeps the binary's
/// record but not its bytes, which are given at every boot under their
/// SHA-256; a user who changes the file gets a copy of their own.
pub fn install_userland(vfs: &Vfs, userland: &Userland) -> VfsResult<()> {
    let blob: Option<BlobId> = userland.base_layer.then(|| {
        wasmer_types::ModuleHash::new(&userland.busybox)
            .as_bytes()
            .try_into()
            .expect("a SHA-256 is 32 bytes")
    });
    if let Some(blob) = blob {
        vfs.attach_base(blob, &userland.busybox);
    }
    let root = Cred::root();
    match vfs.resolve(&root, Ino::ROOT, BUSYBOX_PATH.as_bytes(), false) {
        Ok(ino) => match vfs.base_of(ino)? {
            Some(have) if Some(have) == blob => return Ok(()),
            // An earlier build's blob, given no more: replaced below.
            Some(_) => {}
            // A root from before the base layer, holding the same bytes.
            None if same_content(vfs, BUSYBOX_PATH, &userland.busybox)? => return Ok(()),
            None => {}
        },
        Err(Errno::NoEnt) => {}
        Err(e) => return Err(e),
    }
    let mut cred = root.clone();
    cred.umask = 0o022;
    let path = BUSYBOX_PATH.as_bytes();
    let ino = match blob {
        Some(blob) => vfs.write_base_file(&cred, path, blob, &userland.busybox, 0o755)?,
        None => vfs.write_file(&cred, path, &userland.busybox, 0o755)?,
    };
    let exec = SetAttr {
        perm: Some(0o755),
        ..SetAttr::default()
    };
    vfs.setattr(&cred, ino, &exec)?;
    for link in &userland.links {
        if link == BUSYBOX_PATH || !link.starts_with('/') {
            continue;
        }
        let at = match vfs.resolve_parent(&cred, Ino::ROOT, link.as_bytes()) {
            Ok(at) => at,
            // A link into a directory the user removed: skip it.
            Err(Errno::NoEnt) | Err(Errno::NotDir) => continue,
            Err(e) => return Err(e),
        };
        match vfs.lookup(&cred, at.dir, &at.name) {
            Ok(_) => continue,
            Err(Errno::NoEnt) => {}
            Err(e) => return Err(e),
        }
        vfs.symlink(&cred, at.dir, &at.name, BUSYBOX_PATH.as_bytes())?;
    }
    Ok(())
}

/// Whether the regular file at `path` holds exactly `bytes`.
fn same_content(vfs: &Vfs, path: &str, bytes: &[u8]) -> VfsResult<bool> {
    let ino = match vfs.resolve(&Cred::root(), Ino::ROOT, path.as_bytes(), false) {
        Ok(ino) => ino,
        Err(Errno::NoEnt) => return Ok(false),
        Err(e) => return Err(e),
    };
    let stat = vfs.stat(ino)?;
    if stat.kind != FileKind::Regular || stat.size != bytes.len() as u64 {
        return Ok(false);
    }
    let mut have = vec![0; bytes.len()];
    let mut at = 0;
    while at < have.len() {
        match vfs.read(ino, at as u64, &mut have[at..])? {
            0 => return Ok(false),
            n => at += n,
        }
    }
    Ok(have == bytes)
}
