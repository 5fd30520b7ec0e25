//! The client files over HTTP: the table built into the binary (here a table made the way
//! `build.rs` makes it) answers with the encoding the request accepts (`Vary: Accept-Encoding`),
//! a strong `ETag` that turns a revalidation into 304, a year of immutable caching for hashed
//! names and `no-cache` for `index.html` (also for client-side routes), and the right content
//! types; `--dist DIR` serves a folder with the page uncached. Both carry the security headers,
//! and the page a Content-Security-Policy with the hash of its inline loader.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use common::{DEADLINE, TestServer};
use server::Settings;
use server::assets::{Asset, Assets};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LOADER: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init('/app-0123456789abcdef_bg.wasm');\n";
/// `'sha256-…'` of [`LOADER`].
fn loader_hash() -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(LOADER.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn index_html() -> String {
    format!(
        "<!doctype html><html><head><title>app</title><link rel=\"stylesheet\" \
         href=\"/style-00112233aabbccdd.css\"><script type=\"module\">{LOADER}</script></head>\
         <body><p>Loading the page the app replaces, long enough to be worth compressing, \
         long enough to be worth compressing.</p></body></html>"
    )
}

fn wasm() -> Vec<u8> {
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend((0..4000u32).map(|i| (i % 7) as u8));
    bytes
}

fn leak(bytes: Vec<u8>) -> &'static [u8] {
    Box::leak(bytes.into_boxed_slice())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &Default::default()).unwrap();
    out
}

fn asset(path: &'static str, content_type: &'static str, bytes: Vec<u8>) -> Asset {
    Asset {
        path,
        content_type,
        etag: Box::leak(format!("{:016x}", bytes.len()).into_boxed_str()),
        immutable: path != "index.html",
        brotli: Some(leak(brotli(&bytes))),
        gzip: Some(leak(gzip(&bytes))),
        identity: leak(bytes),
    }
}

fn table() -> Assets {
    let files = vec![
        asset(
            "index.html",
            "text/html; charset=utf-8",
            index_html().into_bytes(),
        ),
        asset(
            "app-0123456789abcdef.js",
            "text/javascript; charset=utf-8",
            "export default function init() { return 1; }\n"
                .repeat(20)
                .into_bytes(),
        ),
        asset("app-0123456789abcdef_bg.wasm", "application/wasm", wasm()),
    ];
    Assets::new(Box::leak(files.into_boxed_slice())).unwrap()
}

/// One HTTP/1.1 exchange on a fresh connection: status, headers (lower-case names), body.
struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header("content-encoding") {
            "br" => {
                brotli::Decompressor::new(&self.body[..], 4096)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            "gzip" => {
                flate2::read::GzDecoder::new(&self.body[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            "" => out.clone_from(&self.body),
            other => panic!("unexpected encoding {other}"),
        }
        out
    }
}

async fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(DEADLINE, stream.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn assert_security_headers(reply: &Reply) {
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
    assert_eq!(reply.header("referrer-policy"), "no-referrer");
    assert_eq!(
        reply.header("permissions-policy"),
        "camera=(self), microphone=(self), display-capture=(self)"
    );
}

fn assert_page_policy(reply: &Reply) {
    let csp = reply.header("content-security-policy");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp:?}"));
    assert_eq!(
        script_src,
        format!("'self' 'wasm-unsafe-eval' {}", loader_hash())
    );
    for directive in [
        "default-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn the_built_in_client_is_served_compressed_cached_and_revalidated() {
    let settings = Settings {
        assets: Some(table()),
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;
    let addr = server.addr;

    // The page: brotli preferred, never cached without revalidation, with its policy.
    let page = request(
        addr,
        "GET",
        "/",
        &[("Accept-Encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-encoding"), "br");
    assert_eq!(page.decoded(), index_html().as_bytes());
    assert!(page.body.len() < index_html().len());
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(page.header("cache-control"), "no-cache");
    assert_eq!(page.header("vary"), "accept-encoding");
    assert_security_headers(&page);
    assert_page_policy(&page);

    // A client-side route is the page too; with no Accept-Encoding, as is.
    let route = request(addr, "GET", "/some/route", &[]).await;
    assert_eq!(route.status, 200);
    assert_eq!(route.header("content-encoding"), "");
    assert_eq!(route.body, index_html().as_bytes());
    assert_eq!(route.header("cache-control"), "no-cache");
    assert_page_policy(&route);

    // The wasm: gzip when brotli is refused, its content type, a year of caching.
    let wasm_path = "/app-0123456789abcdef_bg.wasm";
    let gz = request(
        addr,
        "GET",
        wasm_path,
        &[("Accept-Encoding", "br;q=0, gzip")],
    )
    .await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_eq!(gz.decoded(), wasm());
    assert_eq!(gz.header("content-type"), "application/wasm");
    assert_eq!(
        gz.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(gz.header("vary"), "accept-encoding");
    assert_security_headers(&gz);
    let js = request(
        addr,
        "GET",
        "/app-0123456789abcdef.js",
        &[("Accept-Encoding", "br")],
    )
    .await;
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(js.header("content-encoding"), "br");

    // ETags: one per representation; a match is 304 without a body, a stale one a full answer.
    let etag = gz.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let br = request(addr, "GET", wasm_path, &[("Accept-Encoding", "br")]).await;
    assert_ne!(br.header("etag"), etag);
    let revalidated = request(
        addr,
        "GET",
        wasm_path,
        &[
            ("Accept-Encoding", "gzip"),
            ("If-None-Match", &format!("\"stale\", W/{etag}")),
        ],
    )
    .await;
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.body.is_empty());
    assert_eq!(revalidated.header("etag"), etag);
    assert_eq!(
        revalidated.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let page_etag = page.header("etag").to_owned();
    let page_again = request(
        addr,
        "GET",
        "/",
        &[("Accept-Encoding", "br"), ("If-None-Match", &page_etag)],
    )
    .await;
    assert_eq!(page_again.status, 304);
    assert_page_policy(&page_again);
    let stale = request(
        addr,
        "GET",
        wasm_path,
        &[("Accept-Encoding", "gzip"), ("If-None-Match", "\"stale\"")],
    )
    .await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.decoded(), wasm());

    // HEAD answers like GET without a body; other methods are refused; dotfiles stay hidden.
    let head = request(addr, "HEAD", wasm_path, &[("Accept-Encoding", "br")]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), br.body.len().to_string());
    assert_eq!(request(addr, "POST", "/", &[]).await.status, 405);
    assert_eq!(request(addr, "GET", "/.trunk-lock", &[]).await.status, 404);
    // Other routes carry the headers too.
    let health = request(addr, "GET", "/healthz", &[]).await;
    assert_eq!(health.status, 200);
    assert_security_headers(&health);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_dist_folder_is_served_with_the_page_uncached_and_its_policy() {
    let dist = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("client-files-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), index_html()).unwrap();
    std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), wasm()).unwrap();
    let settings = Settings {
        dist: dist.clone(),
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;
    let addr = server.addr;

    let page = request(addr, "GET", "/", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, index_html().as_bytes());
    assert_eq!(page.header("cache-control"), "no-cache");
    assert_security_headers(&page);
    assert_page_policy(&page);
    let route = request(addr, "GET", "/some/route", &[]).await;
    assert_page_policy(&route);

    let wasm_file = request(addr, "GET", "/app-0123456789abcdef_bg.wasm", &[]).await;
    assert_eq!(wasm_file.status, 200);
    assert_eq!(wasm_file.header("content-type"), "application/wasm");
    assert_eq!(wasm_file.body, wasm());
    assert_security_headers(&wasm_file);
    assert!(!wasm_file.headers.contains_key("content-security-policy"));

    // A client rebuilt while the server runs: the policy follows the new loader.
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><script>alert(1)</script>",
    )
    .unwrap();
    let rebuilt = request(addr, "GET", "/", &[]).await;
    assert!(
        rebuilt
            .header("content-security-policy")
            .contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
        "{}",
        rebuilt.header("content-security-policy")
    );
    server.stop().await.unwrap();
    std::fs::remove_dir_all(&dist).unwrap();
}

#[test]
fn only_inline_scripts_are_hashed_exactly_as_written() {
    let html = "<script src=\"/a.js\"></script><SCRIPT type=module>alert(1)</SCRIPT>\
                <script></script>";
    assert_eq!(
        server::headers::inline_script_hashes(html),
        [
            "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=",
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        ]
    );
}
