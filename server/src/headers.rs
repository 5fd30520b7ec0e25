//! Security headers: on every response `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer` and a `Permissions-Policy` that lets only this origin use the camera, the
//! microphone and screen capture; on the page (`text/html`) a Content-Security-Policy that allows
//! exactly what the page needs.
//!
//! The policy: scripts from this origin only, plus trunk's inline module loader by its SHA-256
//! (computed from the `index.html` served, so a rebuilt client needs no change here) and
//! `'wasm-unsafe-eval'` to compile the wasm; no `'unsafe-inline'` anywhere. `connect-src 'self'`
//! covers the WebSocket: CSP level 3 matches `ws:`/`wss:` of the page's own host for `'self'`
//! (Chromium since 2022, Firefox long before), checked by the end-to-end test. The favicon is a
//! `data:` URL (`img-src`). Nothing may frame the page, set a `<base>`, or embed plugins.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

pub const PERMISSIONS_POLICY: &str = "camera=(self), microphone=(self), display-capture=(self)";

/// The Content-Security-Policy for a page whose HTML is `html`.
pub fn content_security_policy(html: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in inline_script_hashes(html) {
        script_src.push_str(" '");
        script_src.push_str(&hash);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// `sha256-<base64>` of the body of every inline `<script>` (one without `src`), as CSP hashes
/// it: the exact text between `>` and `</script>`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let tag = &lower[start..open_end];
        if !has_src(tag) {
            let body = &html[open_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!("sha256-{}", STANDARD.encode(digest)));
        }
        at = close;
    }
    hashes
}

/// Whether an opening `<script …` tag (lower-cased) has a `src` attribute.
fn has_src(tag: &str) -> bool {
    tag.split(|c: char| c.is_ascii_whitespace())
        .any(|attr| attr == "src" || attr.starts_with("src="))
}

/// What a page gets when its HTML cannot be read: nothing runs.
const STRICTEST: &str = "default-src 'none'";

fn policy_header(html: &[u8]) -> HeaderValue {
    let policy = content_security_policy(&String::from_utf8_lossy(html));
    // The policy is ASCII (hashes are base64), so this never falls back.
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static(STRICTEST))
}

/// Where the page's HTML comes from, to compute its policy.
#[derive(Debug, Clone)]
pub enum PolicySource {
    /// Built in: computed once.
    Fixed(HeaderValue),
    /// `--dist DIR`: read from the folder's `index.html` with each page served, so a client rebuilt
    /// while the server runs keeps working.
    Folder(std::path::PathBuf),
}

impl PolicySource {
    pub fn fixed(html: &[u8]) -> Self {
        Self::Fixed(policy_header(html))
    }

    async fn policy(&self) -> HeaderValue {
        match self {
            Self::Fixed(value) => value.clone(),
            Self::Folder(dir) => match tokio::fs::read(dir.join("index.html")).await {
                Ok(html) => policy_header(&html),
                Err(_) => HeaderValue::from_static(STRICTEST),
            },
        }
    }
}

/// Adds the headers every response carries.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    response
}

/// Adds the Content-Security-Policy to pages (`text/html` responses) of the client service.
pub async fn page_policy(source: PolicySource, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A 304 has no Content-Type but revalidates a page: it must carry the same policy.
    let revalidated = response.status() == axum::http::StatusCode::NOT_MODIFIED;
    if is_page || revalidated {
        let policy = source.policy().await;
        response
            .headers_mut()
            .insert(CONTENT_SECURITY_POLICY, policy);
    }
    response
}
