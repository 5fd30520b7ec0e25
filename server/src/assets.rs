//! The client built into the binary (see `build.rs`): a table of files, each kept as is and
//! precompressed with brotli and gzip, served with content negotiation on `Accept-Encoding`
//! (`Vary: Accept-Encoding`), a strong `ETag` per representation (`If-None-Match` → 304), and
//! caching that fits the name: `public, max-age=31536000, immutable` for trunk's hashed files,
//! `no-cache` for `index.html`, which also answers every unknown path (client-side routes).

use axum::body::Body;
use axum::http::header::{
    ACCEPT_ENCODING, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

/// One file of the client.
#[derive(Debug)]
pub struct Asset {
    /// Path under `/`, without the leading slash (`index.html`, `client-….js`).
    pub path: &'static str,
    pub content_type: &'static str,
    /// Hex digest of the file; the `ETag` is this plus the encoding.
    pub etag: &'static str,
    /// The name carries trunk's content hash: cached for a year, never revalidated.
    pub immutable: bool,
    pub identity: &'static [u8],
    /// Present only when smaller than the file itself.
    pub brotli: Option<&'static [u8]>,
    pub gzip: Option<&'static [u8]>,
}

/// What `build.rs` embedded (empty unless built with `PARLEY_EMBED_DIST`).
static EMBEDDED: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const NO_CACHE: &str = "no-cache";

/// A table of client files with an `index.html`.
#[derive(Debug, Clone, Copy)]
pub struct Assets {
    files: &'static [Asset],
    index: &'static Asset,
}

/// The three forms a file is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Assets {
    /// The client built into this binary, if any.
    pub fn embedded() -> Option<Self> {
        Self::new(EMBEDDED)
    }

    /// A table (tests build their own); `None` without an `index.html`.
    pub fn new(files: &'static [Asset]) -> Option<Self> {
        let index = files.iter().find(|f| f.path == "index.html")?;
        Some(Self { files, index })
    }

    /// The page itself, as built (its inline scripts give the CSP's hashes).
    pub fn index_html(&self) -> &'static [u8] {
        self.index.identity
    }

    /// The file at `path`, or `index.html` for any other path (the app routes in the page).
    pub fn find(&self, path: &str) -> &'static Asset {
        let path = path.trim_start_matches('/');
        self.files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or(self.index)
    }

    /// The answer to `method path` with the request's `headers`.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Response {
        if method != Method::GET && method != Method::HEAD {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(ALLOW, HeaderValue::from_static("GET, HEAD"))],
            )
                .into_response();
        }
        let asset = self.find(path);
        let encoding = negotiate(headers, asset);
        let (body, coding, suffix) = match encoding {
            Encoding::Brotli => (asset.brotli.unwrap_or(asset.identity), Some("br"), "-br"),
            Encoding::Gzip => (asset.gzip.unwrap_or(asset.identity), Some("gzip"), "-gz"),
            Encoding::Identity => (asset.identity, None, ""),
        };
        let etag = format!("\"{}{suffix}\"", asset.etag);
        let cache = if asset.immutable { IMMUTABLE } else { NO_CACHE };
        let mut response = if none_match(headers, &etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = Body::from(body).into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
            if let Some(coding) = coding {
                response
                    .headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            response
        };
        let out = response.headers_mut();
        out.insert(VARY, HeaderValue::from_static("accept-encoding"));
        out.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
        if let Ok(etag) = HeaderValue::from_str(&etag) {
            out.insert(ETAG, etag);
        }
        response
    }
}

/// The best form of `asset` the client accepts: brotli, then gzip, then the file as is.
pub fn negotiate(headers: &HeaderMap, asset: &Asset) -> Encoding {
    let accepts = |wanted: &str| {
        headers
            .get_all(ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                (coding.eq_ignore_ascii_case(wanted) || coding == "*") && !refused
            })
    };
    if asset.brotli.is_some() && accepts("br") {
        Encoding::Brotli
    } else if asset.gzip.is_some() && accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Whether `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks for it) or is `*`.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim())
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}
