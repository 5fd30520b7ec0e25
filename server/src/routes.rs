//! The HTTP surface: `/ws` (signaling), `GET /healthz`, and the built client at `/` with an
//! `index.html` fallback so client-side routes load the app. A path with a component starting
//! with `.` (`/.env`, `/.git/config`, also percent-encoded) is never served: 404.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::limits::MAX_FRAME_BYTES;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;
use crate::{session, socket};

/// The application's router. It needs `ConnectInfo<SocketAddr>` (serve it with
/// `into_make_service_with_connect_info`, as [`crate::run`] does).
pub fn app(state: AppState) -> Router {
    let dist = &state.settings.dist;
    let client = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/ws", get(signaling))
        .route("/healthz", get(healthz))
        .fallback_service(client)
        .layer(middleware::from_fn(no_dotfiles))
        .with_state(state)
}

/// Refuses (404) any path with a hidden component, before the folder is looked at.
async fn no_dotfiles(request: Request, next: Next) -> Response {
    if has_hidden_component(request.uri().path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// Whether a component of `path`, once percent-decoded as the folder service decodes it (so
/// `%2e` and `%2f` count), starts with `.`.
pub fn has_hidden_component(path: &str) -> bool {
    let raw = path.as_bytes();
    let mut decoded = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = raw
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (raw[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    decoded
        .split(|&b| b == b'/' || b == b'\\')
        .any(|component| component.first() == Some(&b'.'))
}
async fn healthz() -> StatusCode {
    StatusCode::OK
}

async fn signaling(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    // Taken before the upgrade completes, so shutdown also waits for sessions still starting.
    let in_flight = state.tracker.token();
    let limits = &state.settings.limits;
    let config = tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(limits.write_buffer_bytes)
        // Frames over the protocol limit (but under twice it) are read whole and refused by
        // the session with a clean close; only larger ones are cut off by tungstenite.
        .max_message_size(Some(2 * MAX_FRAME_BYTES))
        .max_frame_size(Some(2 * MAX_FRAME_BYTES));
    // Our own handshake and socket (not axum's), so tungstenite's buffers stay small.
    socket::upgrade(request, config, move |socket| async move {
        session::run(socket, state, peer).await;
        drop(in_flight);
    })
}
