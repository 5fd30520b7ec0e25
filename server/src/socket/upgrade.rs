//! The WebSocket opening handshake (RFC 6455 §4.2), done here rather than by axum's
//! `WebSocketUpgrade` because that one only hands out axum's own socket type, which keeps
//! tungstenite's buffers out of reach (see [`super::Socket`]).
//!
//! Checks what axum checked (GET, `Connection: upgrade`, `Upgrade: websocket`, version 13, a key)
//! and answers `101` with the accept key and, when the client offers it, the `json` subprotocol
//! (MDN's client asks for it and Chrome fails the handshake unless it is answered; clients that
//! ask for nothing are accepted too).

use std::future::Future;

use axum::extract::Request;
use axum::http::header::{
    CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use tungstenite::protocol::WebSocketConfig;

use super::{Connection, Socket};

/// The subprotocol answered when offered.
const PROTOCOL: &str = "json";

/// Answers the handshake of `request` and, once the connection is upgraded, runs `session` on
/// it (boxed); or refuses a request that is no WebSocket handshake (`400`, `405`, `426`).
pub fn upgrade<F, Fut>(mut request: Request, config: WebSocketConfig, session: F) -> Response
where
    F: FnOnce(Box<Socket<Connection>>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    if request.method() != Method::GET {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let headers = request.headers();
    if !has_token(headers, CONNECTION, "upgrade") || !has_token(headers, UPGRADE, "websocket") {
        return (StatusCode::UPGRADE_REQUIRED, "WebSocket upgrade expected").into_response();
    }
    if headers
        .get(SEC_WEBSOCKET_VERSION)
        .map(HeaderValue::as_bytes)
        != Some(b"13")
    {
        return (StatusCode::BAD_REQUEST, "WebSocket version 13 expected").into_response();
    }
    let Some(key) = headers.get(SEC_WEBSOCKET_KEY) else {
        return (StatusCode::BAD_REQUEST, "Sec-WebSocket-Key missing").into_response();
    };
    let accept = accept_key(key.as_bytes());
    let json = has_token(headers, SEC_WEBSOCKET_PROTOCOL, PROTOCOL);
    let Some(on_upgrade) = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
    else {
        return (
            StatusCode::UPGRADE_REQUIRED,
            "connection cannot be upgraded",
        )
            .into_response();
    };
    tokio::spawn(async move {
        match on_upgrade.await {
            // Boxed: the socket is moved through several futures (this one, the handler's,
            // the session's), each of which would otherwise keep a slot its size.
            Ok(upgraded) => session(Box::new(Socket::new(TokioIo::new(upgraded), config))).await,
            Err(e) => tracing::debug!(error = %e, "upgrade failed"),
        }
    });
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    if json {
        headers.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    }
    response
}

/// Whether a comma-separated header lists `token` (ASCII case-insensitive).
fn has_token(headers: &HeaderMap, name: axum::http::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// `Sec-WebSocket-Accept`: base64 of the SHA-1 of the key and the RFC's GUID.
pub fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn accept_key_is_the_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            super::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
