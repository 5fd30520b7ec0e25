//! Embeds the built client (trunk's `dist/`) in the server binary when `PARLEY_EMBED_DIST` names
//! its folder: each file is compressed here, once, with brotli (quality 11) and gzip (level 9),
//! and `assets.rs` in `OUT_DIR` lists them for `src/assets.rs` (`include_bytes!` of the three forms,
//! the content type, a strong `ETag` and whether the name carries trunk's content hash).
//!
//! Without the variable the table is empty: ordinary `cargo build`/`cargo test` stay fast, and the
//! binary then needs `--dist DIR`. `cargo xtask dist` sets it. Files or folders whose name starts
//! with `.` (trunk's `.trunk-lock`) are left out, as the server never serves them.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const ENV: &str = "PARLEY_EMBED_DIST";

fn main() {
    println!("cargo:rerun-if-env-changed={ENV}");
    println!("cargo:rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    let table = match std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        None => "&[]".to_owned(),
        Some(dist) => {
            let dist = PathBuf::from(dist);
            // A directory: cargo rescans all of it for changes.
            println!("cargo:rerun-if-changed={}", dist.display());
            embed(&dist, &out_dir)
        }
    };
    let generated = out_dir.join("assets.rs");
    if let Err(e) = std::fs::write(&generated, table) {
        panic!("cannot write {}: {e}", generated.display());
    }
}

/// Compresses every file of `dist` into `out_dir/embed/` and returns the table's Rust text.
fn embed(dist: &Path, out_dir: &Path) -> String {
    let mut files = Vec::new();
    walk(dist, dist, &mut files);
    files.sort();
    assert!(
        files.iter().any(|(name, _)| name == "index.html"),
        "{ENV}={}: no index.html there (build the client first: trunk build --release)",
        dist.display()
    );
    let store = out_dir.join("embed");
    if let Err(e) = std::fs::create_dir_all(&store) {
        panic!("cannot create {}: {e}", store.display());
    }
    let mut table = String::from("&[\n");
    for (i, (name, path)) in files.iter().enumerate() {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        };
        let content_type = content_type(name);
        let compressible = !matches!(
            extension(name),
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "woff2" | "gz" | "br" | "zip"
        );
        let brotli = compressible
            .then(|| brotli_bytes(&bytes))
            .filter(|c| c.len() < bytes.len());
        let gzip = compressible
            .then(|| gzip_bytes(&bytes))
            .filter(|c| c.len() < bytes.len());
        let digest = Sha256::digest(&bytes);
        let etag: String = digest[..12].iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        // `include_bytes!` of a file written here, as a `&'static [u8]`.
        let include = |suffix: &str, data: &[u8]| -> String {
            let file = store.join(format!("{i}{suffix}"));
            if let Err(e) = std::fs::write(&file, data) {
                panic!("cannot write {}: {e}", file.display());
            }
            format!("include_bytes!({:?}) as &[u8]", file.display().to_string())
        };
        let optional = |suffix: &str, data: Option<Vec<u8>>| -> String {
            data.map_or_else(
                || "None".to_owned(),
                |d| format!("Some({})", include(suffix, &d)),
            )
        };
        let _ = writeln!(
            table,
            "    crate::assets::Asset {{ path: {name:?}, content_type: {content_type:?}, \
             etag: {etag:?}, immutable: {immutable}, identity: {identity}, brotli: {brotli}, \
             gzip: {gzip} }},",
            immutable = is_hashed(name),
            identity = include(".raw", &bytes),
            brotli = optional(".br", brotli),
            gzip = optional(".gz", gzip),
        );
    }
    table.push(']');
    table
}

/// Every file under `dir` as (path relative to `root` with `/`, full path), dotfiles left out.
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => panic!("{ENV}: cannot read {}: {e}", dir.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((name, path));
        }
    }
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("", |(_, ext)| ext)
}

/// The `Content-Type` of a file the client build can produce.
fn content_type(name: &str) -> &'static str {
    match extension(name) {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether the file name carries trunk's content hash (`client-<16 hex>_bg.wasm`,
/// `style-<16 hex>.css`): such a name never changes content, so it may be cached for good.
fn is_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    file.split('-').skip(1).any(|part| {
        let hex: String = part.chars().take_while(char::is_ascii_hexdigit).collect();
        hex.len() == 16
    })
}

fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    if let Err(e) = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params) {
        panic!("brotli: {e}");
    }
    out
}

fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    match encoder.write_all(bytes).and_then(|()| encoder.finish()) {
        Ok(out) => out,
        Err(e) => panic!("gzip: {e}"),
    }
}
