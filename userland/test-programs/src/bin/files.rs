//! Exercises the filesystem through WASI: directories, files, rename,
//! symlinks, metadata. Prints one line per check; exits 1 on the first failure.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};

fn check(what: &str, ok: bool) {
    if ok {
        println!("ok {what}");
    } else {
        println!("FAIL {what}");
        std::process::exit(1);
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: files DIR");
    fs::create_dir_all(format!("{dir}/sub/deeper")).unwrap();
    let path = format!("{dir}/sub/data.txt");
    fs::write(&path, b"hello, filesystem").unwrap();
    check("read back", fs::read(&path).unwrap() == b"hello, filesystem");

    let mut f = fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
    f.seek(SeekFrom::Start(7)).unwrap();
    f.write_all(b"FILESYSTEM").unwrap();
    f.seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    check("overwrite in place", s == "hello, FILESYSTEM");
    f.set_len(5).unwrap();
    check("truncate", fs::metadata(&path).unwrap().len() == 5);

    let mut a = fs::OpenOptions::new().append(true).open(&path).unwrap();
    a.write_all(b"!!").unwrap();
    check("append", fs::read(&path).unwrap() == b"hello!!");

    let big = vec![7u8; 200_000];
    fs::write(format!("{dir}/big"), &big).unwrap();
    check("multi-chunk file", fs::read(format!("{dir}/big")).unwrap() == big);

    fs::rename(&path, format!("{dir}/sub/deeper/moved.txt")).unwrap();
    check("rename", fs::metadata(&path).is_err());
    fs::rename(format!("{dir}/sub"), format!("{dir}/renamed")).unwrap();
    check(
        "rename directory",
        fs::read(format!("{dir}/renamed/deeper/moved.txt")).unwrap() == b"hello!!",
    );

    // std has no stable symlink on WASI: call path_symlink relative to the directory.
    let base = fs::File::open(&dir).unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&base) as u32;
    unsafe { wasix::wasi::path_symlink("renamed/deeper/moved.txt", fd, "link") }.expect("path_symlink");
    check(
        "symlink",
        fs::read_link(format!("{dir}/link")).unwrap().to_str() == Some("renamed/deeper/moved.txt"),
    );
    check("through symlink", fs::read(format!("{dir}/link")).unwrap() == b"hello!!");

    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    check("readdir", names == ["big", "link", "renamed"]);

    fs::remove_file(format!("{dir}/link")).unwrap();
    check("create_new refuses existing", fs::OpenOptions::new().write(true).create_new(true).open(format!("{dir}/big")).is_err());
    check("rmdir refuses non-empty", fs::remove_dir(format!("{dir}/renamed")).is_err());
    println!("files ok");
}
