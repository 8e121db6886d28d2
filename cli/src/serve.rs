//! `wasmux serve`: the browser build over HTTP.
//!
//! The page needs more than a plain file server gives. Shared WebAssembly
//! memories (one per process, seen by several workers) need
//! `SharedArrayBuffer`, which browsers only grant to a cross-origin isolated
//! page: every response carries COOP `same-origin` and COEP `require-corp`,
//! and CORP `same-origin` so the page's own subresources pass that policy.
//! Streaming compilation of the runtime wants `application/wasm`. The runtime
//! and the root image are large and compress well, so text and wasm go out
//! gzipped when the browser accepts it (compressed once per file version and
//! kept). Every answer is revalidated (`no-cache` with an `ETag` from the
//! file's size and modification time): a reload after a rebuild never runs a
//! stale runtime, and a warm reload costs a 304 per file.
//!
//! Files are read at each request, so a rebuild shows up without a restart.
//! Only `GET` and `HEAD` are served; paths that leave the directory (`..`),
//! hidden files, and anything but regular files and directories (with
//! their `index.html`) are refused.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The directory to serve: the browser build (`browser/build.sh` prints it).
    #[arg(long, value_name = "DIR", env = "WASMUX_SITE")]
    dir: PathBuf,
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let meta = std::fs::metadata(&args.dir)
        .with_context(|| format!("the site directory {}", args.dir.display()))?;
    anyhow::ensure!(meta.is_dir(), "{} is not a directory", args.dir.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let local = listener.local_addr()?;
    let site = Arc::new(Site {
        root: args.dir,
        gzipped: Mutex::default(),
    });
    // The first line on stdout is the address, for scripts and tests.
    println!("http://{local}/");
    std::io::stdout().flush().ok();
    tracing::info!(dir = %site.root.display(), %local, "serving");
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: keep serving the others.
                tracing::warn!("accept: {e}");
                continue;
            }
        };
        let site = site.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(site.answer(&request)) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, "connection: {e}");
            }
        });
    }
}

/// A served directory and the compressed copies made so far.
struct Site {
    root: PathBuf,
    /// Gzipped bodies by path, with the tag of the version they were made from.
    gzipped: Mutex<HashMap<PathBuf, (String, Bytes)>>,
}

impl Site {
    fn answer(&self, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let head = request.method() == Method::HEAD;
        let mut response = if request.method() != Method::GET && !head {
            let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            r
        } else {
            match self.file(request) {
                Ok(response) => response,
                Err(status) => plain(status, status.canonical_reason().unwrap_or("error")),
            }
        };
        isolate(response.headers_mut());
        if head {
            *response.body_mut() = Full::default();
        }
        response
    }

    fn file(&self, request: &Request<Incoming>) -> Result<Response<Full<Bytes>>, StatusCode> {
        let mut path = self
            .root
            .join(site_path(request.uri().path()).ok_or(StatusCode::NOT_FOUND)?);
        let mut meta = std::fs::metadata(&path).map_err(not_found)?;
        if meta.is_dir() {
            path.push("index.html");
            meta = std::fs::metadata(&path).map_err(not_found)?;
        }
        if !meta.is_file() {
            return Err(StatusCode::NOT_FOUND);
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let tag = format!("\"{:x}-{:x}\"", meta.len(), modified);
        let mime = mime_type(&path);

        let mut response = Response::builder()
            .header(header::CONTENT_TYPE, mime)
            .header(header::CACHE_CONTROL, "no-cache")
            .header(header::ETAG, &tag)
            .header(header::VARY, "Accept-Encoding");
        if if_none_match(request, &tag) {
            return Ok(response
                .status(StatusCode::NOT_MODIFIED)
                .body(Full::default())
                .expect("static headers are valid"));
        }
        let body = if compressible(mime) && accepts_gzip(request) {
            response = response.header(header::CONTENT_ENCODING, "gzip");
            self.gzip(&path, &tag)?
        } else {
            Bytes::from(std::fs::read(&path).map_err(not_found)?)
        };
        Ok(response
            .header(header::CONTENT_LENGTH, body.len())
            .body(Full::new(body))
            .expect("static headers are valid"))
    }

    /// The gzipped file, made once per version (`tag`).
    fn gzip(&self, path: &Path, tag: &str) -> Result<Bytes, StatusCode> {
        let mut cache = self.gzipped.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached_tag, body)) = cache.get(path) {
            if cached_tag == tag {
                return Ok(body.clone());
            }
        }
        let plain = std::fs::read(path).map_err(not_found)?;
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(plain.len() / 3), Default::default());
        encoder
            .write_all(&plain)
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        let body = Bytes::from(
            encoder
                .finish()
                .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?,
        );
        cache.insert(path.to_path_buf(), (tag.to_string(), body.clone()));
        Ok(body)
    }
}

/// The relative file path a URL path names, or `None` when it would leave
/// the site or name a hidden file. Percent-escapes are decoded.
fn site_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut path = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            s if s.starts_with('.') || s.contains('\\') || s.contains('\0') => return None,
            s => path.push(s),
        }
    }
    Some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "tar" => "application/x-tar",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// Worth gzipping: text, wasm and uncompressed archives; not images or gzip.
fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.starts_with("application/json")
        || mime == "application/wasm"
        || mime == "application/x-tar"
        || mime == "image/svg+xml"
}

fn accepts_gzip(request: &Request<Incoming>) -> bool {
    let Some(value) = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn if_none_match(request: &Request<Incoming>, tag: &str) -> bool {
    request
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == tag || t == "*")
}

/// Cross-origin isolation, on every answer (errors included: a 404 page
/// in the same browsing context must not break isolation either).
fn isolate(headers: &mut hyper::HeaderMap) {
    for (name, value) in [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-embedder-policy", "require-corp"),
        ("cross-origin-resource-policy", "same-origin"),
        ("x-content-type-options", "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{text}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn not_found(_: std::io::Error) -> StatusCode {
    StatusCode::NOT_FOUND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(site_path("/"), Some(PathBuf::new()));
        assert_eq!(site_path("/a/./b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(site_path("/a%20b"), Some(PathBuf::from("a b")));
        for hostile in [
            "/../etc/passwd",
            "/a/%2e%2e/x",
            "/.git/config",
            "/a%5c..",
            "/%zz",
            "/%00",
        ] {
            assert_eq!(site_path(hostile), None, "{hostile}");
        }
    }
}
