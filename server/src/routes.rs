//! The HTTP surface: `/ws` (signaling, admitted by [`crate::admission`] before the upgrade;
//! `/ws?room=<room>` for a room, issue 13), `/r/<room>` (the page, for room names only), the
//! operations endpoints of [`crate::ops`] (`/healthz`, `/readyz`, `/metrics`), and the client at
//! `/` with an `index.html` fallback so client-side routes load the app: the one built into the
//! binary ([`crate::assets`]) or, with `--dist DIR`, a folder. A path with a component starting
//! with `.` (`/.env`, `/.git/config`, also percent-encoded) is never served: 404. Every response
//! carries the security headers of [`crate::headers`], pages also the Content-Security-Policy.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::RoomName;
use shared::limits::MAX_FRAME_BYTES;
use tower_http::services::{ServeDir, ServeFile};

use crate::admission::Scheme;
use crate::assets::{Assets, NO_CACHE};
use crate::headers::{self, PolicySource};
use crate::state::AppState;
use crate::{session, socket};

/// The application's router. It needs `ConnectInfo<SocketAddr>` (serve it with
/// `into_make_service_with_connect_info`, as [`crate::run`] does).
pub fn app(state: AppState) -> Router {
    let client = match state.settings.assets {
        Some(assets) => embedded(assets),
        None => folder(&state.settings.dist),
    };
    Router::new()
        .route("/ws", get(signaling))
        .merge(crate::ops::router(&state))
        .merge(client)
        .layer(middleware::from_fn(room_pages))
        .layer(middleware::from_fn(no_dotfiles))
        .layer(middleware::from_fn(headers::security_headers))
        .with_state(state)
}

/// The client built into the binary, pages with their policy computed once.
fn embedded(assets: Assets) -> Router<AppState> {
    let policy = PolicySource::fixed(assets.index_html());
    Router::new()
        .fallback(move |request: Request| async move {
            assets.respond(request.method(), request.uri().path(), request.headers())
        })
        .layer(middleware::from_fn(move |request, next| {
            headers::page_policy(policy.clone(), request, next)
        }))
}

/// A folder (development): files as they are now, the page never cached.
fn folder(dist: &std::path::Path) -> Router<AppState> {
    let client = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
    let policy = PolicySource::Folder(dist.to_path_buf());
    Router::new()
        .fallback_service(client)
        .layer(middleware::from_fn(move |request, next| {
            headers::page_policy(policy.clone(), request, next)
        }))
        .layer(middleware::map_response(page_not_cached))
}

/// `no-cache` on the folder's pages: a rebuilt client is picked up at the next load.
async fn page_not_cached(mut response: Response) -> Response {
    let is_page = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_page {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    }
    response
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

/// The `room` of `/ws?room=<room>` (`None`: the lobby); why not (a `400`'s text) when it is
/// no room name or the query cannot be read.
fn room_of(uri: &Uri) -> Result<Option<RoomName>, String> {
    #[derive(serde::Deserialize)]
    struct RoomQuery {
        room: Option<String>,
    }
    let query = Query::<RoomQuery>::try_from_uri(uri).map_err(|_| "bad query".to_owned())?;
    match query.0.room {
        None => Ok(None),
        Some(raw) => RoomName::parse(&raw).map(Some).map_err(|e| e.to_string()),
    }
}

/// `/r/<room>`: the page, but only for a room name (else 404, before the client files).
async fn room_pages(request: Request, next: Next) -> Response {
    if let Some(room) = request.uri().path().strip_prefix("/r/")
        && RoomName::parse(room).is_err()
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// `/ws`: the room first (`?room=`, checked: 400), then admission (origin, caps, rate: refused before the upgrade), then the session,
/// which holds the admission permit for its whole life.
async fn signaling(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    let room = match room_of(request.uri()) {
        Ok(room) => room,
        Err(why) => return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
    };
    // Set by the accept loop on its TLS listener.
    let scheme = request
        .extensions()
        .get::<Scheme>()
        .copied()
        .unwrap_or(Scheme::Http);
    let permit = match state
        .admission
        .admit(request.headers(), request.uri(), peer, scheme)
    {
        Ok(permit) => permit,
        Err(refused) => return refused.into_response(),
    };
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
        session::run(socket, state, peer, room).await;
        drop(permit);
        drop(in_flight);
    })
}
