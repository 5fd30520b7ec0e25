//! The HTTP surface: `/ws` (signaling), `GET /healthz`, and the built client at `/` with an
//! `index.html` fallback so client-side routes load the app.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use shared::limits::MAX_FRAME_BYTES;
use tower_http::services::{ServeDir, ServeFile};

use crate::session;
use crate::state::AppState;

/// The application's router. It needs `ConnectInfo<SocketAddr>` (serve it with
/// `into_make_service_with_connect_info`, as [`crate::run`] does).
pub fn app(state: AppState) -> Router {
    let dist = &state.settings.dist;
    let client = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .route("/ws", get(signaling))
        .route("/healthz", get(healthz))
        .fallback_service(client)
        .with_state(state)
}

async fn healthz() -> StatusCode {
    StatusCode::OK
}

async fn signaling(
    upgrade: WebSocketUpgrade,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<AppState>,
) -> Response {
    // Taken before the upgrade completes, so shutdown also waits for sessions still starting.
    let in_flight = state.tracker.token();
    let limits = &state.settings.limits;
    upgrade
        // MDN's client asks for `json` and Chrome fails the handshake unless it is answered;
        // clients that ask for nothing are accepted too.
        .protocols(["json"])
        .read_buffer_size(limits.read_buffer_bytes)
        .write_buffer_size(limits.write_buffer_bytes)
        // Frames over the protocol limit (but under twice it) are read whole and refused by
        // the session with a clean close; only larger ones are cut off by tungstenite.
        .max_message_size(2 * MAX_FRAME_BYTES)
        .max_frame_size(2 * MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            session::run(socket, state, peer).await;
            drop(in_flight);
        })
}
