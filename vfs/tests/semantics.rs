//! POSIX behaviour that random sequences reach rarely: open flags, links and
//! open-but-unlinked files, permissions of an ordinary user, symlink loops,
//! sparse files, and fsck catching each kind of damage.

mod common;

use std::sync::Arc;

use common::new_vfs;
use wasmux_vfs::*;

fn root() -> Cred {
    Cred::root()
}

fn create(v: &Vfs, cred: &Cred, path: &str, perm: u32) -> Handle {
    let flags = OpenFlags {
        read: true,
        write: true,
        create: true,
        ..OpenFlags::default()
    };
    v.open(cred, Ino::ROOT, path.as_bytes(), flags, perm)
        .unwrap()
}

fn read_all(v: &Vfs, ino: Ino) -> Vec<u8> {
    let mut buf = vec![0; v.stat(ino).unwrap().size as usize];
    let n = v.read(ino, 0, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn open_err(v: &Vfs, cred: &Cred, path: &str, flags: OpenFlags) -> Errno {
    v.open(cred, Ino::ROOT, path.as_bytes(), flags, 0o644)
        .unwrap_err()
}

#[test]
fn unlinked_file_stays_readable_through_open_handles_then_vanishes() {
    let v = new_vfs();
    let h = create(&v, &root(), "doomed", 0o644);
    v.write(h.ino(), 0, b"still here").unwrap();
    v.unlink(&root(), Ino::ROOT, b"doomed").unwrap();
    assert_eq!(v.stat(h.ino()).unwrap().nlink, 0);
    assert_eq!(read_all(&v, h.ino()), b"still here");
    v.write(h.ino(), 10, b"!").unwrap();
    assert!(
        !v.to_image().inodes.contains_key(&h.ino()),
        "never persisted while unlinked"
    );
    let ino = h.ino();
    let dup = h.duplicate();
    drop(h);
    assert_eq!(read_all(&v, ino), b"still here!");
    drop(dup);
    assert_eq!(v.stat(ino), Err(Errno::NoEnt));
    fsck(&v.to_image()).unwrap();
}

#[test]
fn open_flags_behave_as_on_linux() {
    let v = new_vfs();
    let excl = OpenFlags {
        write: true,
        create: true,
        exclusive: true,
        ..OpenFlags::default()
    };
    let h = v.open(&root(), Ino::ROOT, b"f", excl, 0o644).unwrap();
    v.write(h.ino(), 0, b"hello").unwrap();
    assert_eq!(open_err(&v, &root(), "f", excl), Errno::Exist);

    let append = OpenFlags {
        write: true,
        append: true,
        ..OpenFlags::default()
    };
    let a = v.open(&root(), Ino::ROOT, b"f", append, 0).unwrap();
    assert_eq!(v.append(a.ino(), b" world").unwrap(), (6, 11));
    assert_eq!(read_all(&v, h.ino()), b"hello world");

    let trunc = OpenFlags {
        write: true,
        truncate: true,
        ..OpenFlags::default()
    };
    v.open(&root(), Ino::ROOT, b"f", trunc, 0).unwrap();
    assert_eq!(v.stat(h.ino()).unwrap().size, 0);

    let dir_only = OpenFlags {
        read: true,
        directory: true,
        ..OpenFlags::default()
    };
    assert_eq!(open_err(&v, &root(), "f", dir_only), Errno::NotDir);
    v.mkdir(&root(), Ino::ROOT, b"d", 0o755).unwrap();
    v.open(&root(), Ino::ROOT, b"d", dir_only, 0).unwrap();
    let write = OpenFlags {
        write: true,
        ..OpenFlags::default()
    };
    assert_eq!(open_err(&v, &root(), "d", write), Errno::IsDir);

    v.symlink(&root(), Ino::ROOT, b"link", b"f").unwrap();
    let nofollow = OpenFlags {
        read: true,
        nofollow: true,
        ..OpenFlags::default()
    };
    assert_eq!(open_err(&v, &root(), "link", nofollow), Errno::Loop);
    assert_eq!(
        open_err(&v, &root(), "f/", OpenFlags::read_only()),
        Errno::NotDir
    );
    assert_eq!(
        open_err(&v, &root(), "missing", OpenFlags::read_only()),
        Errno::NoEnt
    );
}

#[test]
fn symlink_loops_and_long_names_are_refused() {
    let v = new_vfs();
    v.symlink(&root(), Ino::ROOT, b"a", b"b").unwrap();
    v.symlink(&root(), Ino::ROOT, b"b", b"a").unwrap();
    assert_eq!(v.resolve(&root(), Ino::ROOT, b"a", true), Err(Errno::Loop));
    assert_eq!(
        v.resolve(&root(), Ino::ROOT, b"a/x", false),
        Err(Errno::Loop)
    );
    v.symlink(&root(), Ino::ROOT, b"self", b"/self/x").unwrap();
    assert_eq!(
        v.resolve(&root(), Ino::ROOT, b"self", true),
        Err(Errno::Loop)
    );
    let long = "n".repeat(256);
    assert_eq!(
        v.mkdir(&root(), Ino::ROOT, long.as_bytes(), 0o755),
        Err(Errno::NameTooLong)
    );
    let deep = "a/".repeat(2100);
    assert_eq!(
        v.resolve(&root(), Ino::ROOT, deep.as_bytes(), true),
        Err(Errno::NameTooLong)
    );
}

#[test]
fn sparse_files_cost_nothing_for_their_holes() {
    let v = new_vfs();
    let h = create(&v, &root(), "sparse", 0o644);
    v.write(h.ino(), 1 << 30, b"end").unwrap();
    let st = v.stat(h.ino()).unwrap();
    assert_eq!(st.size, (1 << 30) + 3);
    assert!(
        st.blocks <= 8,
        "only the written chunk is stored: {} blocks",
        st.blocks
    );
    let mut buf = [1u8; 16];
    assert_eq!(v.read(h.ino(), 4096, &mut buf).unwrap(), 16);
    assert_eq!(buf, [0; 16]);
    v.truncate(h.ino(), 10).unwrap();
    v.truncate(h.ino(), 1 << 20).unwrap();
    assert!(read_all(&v, h.ino()).iter().all(|&b| b == 0));
}

#[test]
fn renaming_a_directory_keeps_every_descendant_inode() {
    let v = new_vfs();
    let d = v.mkdir(&root(), Ino::ROOT, b"big", 0o755).unwrap();
    let kids: Vec<Ino> = (0..1000)
        .map(|i| {
            v.mknod(
                &root(),
                d,
                format!("f{i}").as_bytes(),
                FileKind::Regular,
                0o644,
                0,
            )
            .unwrap()
        })
        .collect();
    v.take_batch();
    v.rename(&root(), Ino::ROOT, b"big", Ino::ROOT, b"moved")
        .unwrap();
    let batch = v.take_batch();
    assert!(batch.len() <= 4, "rename wrote {} records", batch.len());
    let moved = v.resolve(&root(), Ino::ROOT, b"moved", true).unwrap();
    assert_eq!(moved, d);
    assert_eq!(v.lookup(&root(), moved, b"f999").unwrap(), kids[999]);
    assert_eq!(
        v.rename(&root(), Ino::ROOT, b"moved", d, b"inside"),
        Err(Errno::Inval)
    );
}

#[test]
fn an_ordinary_user_is_held_to_the_permission_bits() {
    let v = new_vfs();
    let alice = Cred::user(1000, 1000);
    let bob = Cred::user(1001, 1001);
    let home = v.mkdir(&root(), Ino::ROOT, b"home", 0o755).unwrap();
    let a = v.mkdir(&root(), home, b"alice", 0o700).unwrap();
    v.setattr(
        &root(),
        a,
        &SetAttr {
            uid: Some(1000),
            gid: Some(1000),
            ..SetAttr::default()
        },
    )
    .unwrap();

    let h = create(&v, &alice, "home/alice/secret", 0o600);
    assert_eq!(v.stat(h.ino()).unwrap().uid, 1000);
    assert_eq!(
        open_err(&v, &bob, "home/alice/secret", OpenFlags::read_only()),
        Errno::Acces
    );
    assert_eq!(v.mkdir(&bob, home, b"bob", 0o755), Err(Errno::Acces));
    assert_eq!(
        v.setattr(
            &bob,
            h.ino(),
            &SetAttr {
                perm: Some(0o777),
                ..SetAttr::default()
            }
        ),
        Err(Errno::Perm)
    );
    assert_eq!(
        v.setattr(
            &alice,
            h.ino(),
            &SetAttr {
                uid: Some(1001),
                ..SetAttr::default()
            }
        ),
        Err(Errno::Perm)
    );
    let st = v
        .setattr(
            &alice,
            h.ino(),
            &SetAttr {
                perm: Some(0o4755),
                ..SetAttr::default()
            },
        )
        .unwrap();
    assert_eq!(st.mode(), 0o104755);
    let st = v
        .setattr(
            &root(),
            h.ino(),
            &SetAttr {
                gid: Some(50),
                ..SetAttr::default()
            },
        )
        .unwrap();
    assert_eq!(st.perm, 0o755, "chown drops set-user-ID");

    // umask applies to what the user creates.
    let mut masked = alice.clone();
    masked.umask = 0o077;
    let h2 = create(&v, &masked, "home/alice/private", 0o666);
    assert_eq!(v.stat(h2.ino()).unwrap().perm, 0o600);

    // The sticky bit: bob may not remove alice's file from a shared /tmp.
    let tmp = v.mkdir(&root(), Ino::ROOT, b"tmp", 0o777).unwrap();
    v.setattr(
        &root(),
        tmp,
        &SetAttr {
            perm: Some(0o1777),
            ..SetAttr::default()
        },
    )
    .unwrap();
    create(&v, &alice, "tmp/mine", 0o644);
    assert_eq!(v.unlink(&bob, tmp, b"mine"), Err(Errno::Perm));
    v.unlink(&alice, tmp, b"mine").unwrap();

    // Executing needs an x bit, even for root.
    let script = create(&v, &root(), "script", 0o644);
    assert_eq!(
        v.access(&root(), script.ino(), Access::EXEC),
        Err(Errno::Acces)
    );
}

#[test]
fn modes_and_owners_round_trip_through_the_redb_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fs.redb");
    let ino = {
        let store = RedbStore::open(&path).unwrap();
        let vol = pollster::block_on(Volume::mount(store, Arc::new(SystemClock))).unwrap();
        let h = create(vol.vfs(), &root(), "f", 0o644);
        let chown = SetAttr {
            uid: Some(7),
            gid: Some(8),
            ..SetAttr::default()
        };
        vol.vfs().setattr(&root(), h.ino(), &chown).unwrap();
        let chmod = SetAttr {
            perm: Some(0o2751),
            ..SetAttr::default()
        };
        vol.vfs().setattr(&root(), h.ino(), &chmod).unwrap();
        vol.vfs().write(h.ino(), 70_000, b"x").unwrap();
        let ino = h.ino();
        drop(h);
        pollster::block_on(vol.unmount()).unwrap();
        ino
    };
    let store = RedbStore::open(&path).unwrap();
    let vol = pollster::block_on(Volume::mount(store, Arc::new(SystemClock))).unwrap();
    let st = vol.vfs().stat(ino).unwrap();
    assert_eq!(
        (st.mode(), st.uid, st.gid, st.size),
        (0o102751, 7, 8, 70_001)
    );
}

#[test]
fn fsck_names_every_kind_of_damage() {
    let v = new_vfs();
    let d = v.mkdir(&root(), Ino::ROOT, b"d", 0o755).unwrap();
    let f = create(&v, &root(), "d/f", 0o644);
    v.write(f.ino(), 0, b"data").unwrap();
    let clean = v.to_image();
    fsck(&clean).unwrap();

    let mut bad = clean.clone();
    bad.inodes.get_mut(&f.ino()).unwrap().nlink = 2;
    assert!(fsck(&bad).unwrap_err().to_string().contains("link count"));

    let mut bad = clean.clone();
    bad.dirents.remove(&(d, b"f".to_vec()));
    bad.inodes.get_mut(&f.ino()).unwrap().nlink = 0;
    assert!(fsck(&bad).is_err());

    let mut bad = clean.clone();
    bad.chunks.insert((d, 0), Arc::new(vec![1]));
    assert!(fsck(&bad)
        .unwrap_err()
        .to_string()
        .contains("not a regular file"));

    let mut bad = clean.clone();
    bad.chunks.insert((f.ino(), 3), Arc::new(vec![1]));
    assert!(fsck(&bad)
        .unwrap_err()
        .to_string()
        .contains("beyond its size"));

    let mut bad = clean.clone();
    bad.dirents.insert((d, b"loop".to_vec()), Ino::ROOT);
    assert!(fsck(&bad).is_err());

    let mut bad = clean;
    bad.superblock.format_version = 99;
    assert!(fsck(&bad)
        .unwrap_err()
        .to_string()
        .contains("format version"));
}

#[test]
fn a_damaged_store_is_refused_at_mount_and_left_untouched() {
    let store = Arc::new(MemoryStore::new());
    let vol = pollster::block_on(Volume::mount(store.clone(), Arc::new(SystemClock))).unwrap();
    create(vol.vfs(), &root(), "f", 0o644);
    pollster::block_on(vol.unmount()).unwrap();
    let mut image = store.snapshot().unwrap();
    let victim = *image.inodes.keys().last().unwrap();
    image.inodes.get_mut(&victim).unwrap().nlink = 9;
    let broken = Arc::new(MemoryStore::new());
    let mut batch = Batch {
        superblock: image.superblock.clone(),
        ..Batch::default()
    };
    batch.inodes = image
        .inodes
        .iter()
        .map(|(k, r)| (*k, Some(r.clone())))
        .collect();
    batch.dirents = image
        .dirents
        .iter()
        .map(|(k, c)| (k.clone(), Some(*c)))
        .collect();
    pollster::block_on(broken.commit(&batch)).unwrap();
    let err = pollster::block_on(Volume::mount(broken.clone(), Arc::new(SystemClock)))
        .err()
        .expect("mount must refuse");
    assert!(matches!(err, MountError::Damaged(_)), "{err}");
    assert_eq!(
        broken.commits(),
        1,
        "nothing was written to the damaged store"
    );
}
