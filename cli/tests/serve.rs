//! `wasmux serve` as a browser meets it, over real HTTP on loopback: the
//! isolation headers shared memories need, MIME types, gzip, revalidation,
//! and refusals.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

/// A running `wasmux serve` on a free loopback port, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmux"))
            .args(["serve", "--addr", "127.0.0.1:0", "--dir"])
            .arg(dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("starting wasmux serve");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("first line is the URL, got {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// One HTTP/1.1 request; the status, the headers (names lowercased)
    /// and the body.
    fn request(&self, method: &str, path: &str, headers: &[&str]) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for h in headers {
            request += &format!("{h}\r\n");
        }
        request += "Connection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete head");
        let head = String::from_utf8(raw[..split].to_vec()).unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>t</title>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    // Compressible and big enough that gzip must shrink it.
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..200_000u32).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(dir.path().join("pkg/runtime.wasm"), &wasm).unwrap();
    std::fs::write(dir.path().join("pkg/main.js"), "export const x = 1;\n").unwrap();
    std::fs::write(dir.path().join(".secret"), "no").unwrap();
    dir
}

#[test]
fn every_answer_is_cross_origin_isolated() {
    let dir = site();
    let server = Server::start(dir.path());
    for path in ["/", "/pkg/main.js", "/missing", "/../x"] {
        let reply = server.request("GET", path, &[]);
        assert_eq!(
            reply.header("cross-origin-opener-policy"),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(
            reply.header("cross-origin-embedder-policy"),
            Some("require-corp"),
            "{path}"
        );
        assert_eq!(
            reply.header("cross-origin-resource-policy"),
            Some("same-origin"),
            "{path}"
        );
    }
}

#[test]
fn files_come_with_their_types_and_directories_with_their_index() {
    let dir = site();
    let server = Server::start(dir.path());
    let index = server.request("GET", "/", &[]);
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.body, b"<!doctype html><title>t</title>");
    let js = server.request("GET", "/pkg/main.js", &[]);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let wasm = server.request("GET", "/pkg/runtime.wasm", &[]);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(
        wasm.body,
        std::fs::read(dir.path().join("pkg/runtime.wasm")).unwrap()
    );
    let head = server.request("HEAD", "/pkg/runtime.wasm", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), wasm.header("content-length"));
    assert!(head.body.is_empty());
}

#[test]
fn gzip_when_accepted_and_the_same_bytes_after_decoding() {
    let dir = site();
    let server = Server::start(dir.path());
    let original = std::fs::read(dir.path().join("pkg/runtime.wasm")).unwrap();
    for accept in [
        "Accept-Encoding: gzip, deflate, br",
        "Accept-Encoding: br;q=1, gzip;q=0.5",
    ] {
        let reply = server.request("GET", "/pkg/runtime.wasm", &[accept]);
        assert_eq!(reply.header("content-encoding"), Some("gzip"), "{accept}");
        assert!(reply.body.len() < original.len() / 10, "gzip shrinks it");
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&reply.body[..])
            .read_to_end(&mut decoded)
            .unwrap();
        assert_eq!(decoded, original);
    }
    for refused in ["Accept-Encoding: gzip;q=0", "Accept-Encoding: identity"] {
        let reply = server.request("GET", "/pkg/runtime.wasm", &[refused]);
        assert_eq!(reply.header("content-encoding"), None, "{refused}");
        assert_eq!(reply.body, original);
    }
}

#[test]
fn a_known_version_is_not_sent_again_and_a_changed_one_is() {
    let dir = site();
    let server = Server::start(dir.path());
    let first = server.request("GET", "/pkg/main.js", &[]);
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    let tag = first.header("etag").expect("an ETag").to_string();
    let again = server.request("GET", "/pkg/main.js", &[&format!("If-None-Match: {tag}")]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    std::fs::write(dir.path().join("pkg/main.js"), "export const x = 22;\n").unwrap();
    let changed = server.request("GET", "/pkg/main.js", &[&format!("If-None-Match: {tag}")]);
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body, b"export const x = 22;\n");
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
}

#[test]
fn escapes_hidden_files_and_other_methods_are_refused() {
    let dir = site();
    let server = Server::start(dir.path());
    for path in [
        "/../index.html",
        "/pkg/%2e%2e/%2e%2e/etc/passwd",
        "/.secret",
        "/missing.js",
        "/%zz",
    ] {
        let reply = server.request("GET", path, &[]);
        assert_eq!(reply.status, 404, "{path}");
    }
    let post = server.request("POST", "/", &["Content-Length: 0"]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn a_missing_directory_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_wasmux"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--dir",
            "/nonexistent/site",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/site"), "{stderr}");
}
