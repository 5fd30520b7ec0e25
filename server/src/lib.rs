//! The signaling server: MDN's "Signaling and video calling" JSON protocol (plus the extensions
//! in `docs/PROTOCOL.md`) over WebSocket, and the built client over HTTP.
//!
//! Layout, one concept per file:
//! - [`config`]: command-line/environment flags and the [`Settings`] built from them.
//! - [`limits`]: operating limits and the per-connection token bucket.
//! - [`state`]: [`AppState`], shared by handlers and sessions (registry, settings, shutdown).
//! - [`routes`]: `fn app(state) -> Router`: `/ws`, `/healthz`, the client files.
//! - [`session`]: one task per connection, one `select!` loop.
//! - [`inbound`]: decoding client frames and naming what is wrong with bad ones.
//! - [`relay`]: the relay hot path (parse borrowing, payload kept raw, serialise once).
//! - [`scan`]: the strict partial JSON scanner behind the relay path's fast parse.
//! - [`registry`]: who is online, call pairs, delivery into bounded outboxes.
//! - [`outbox`]: one client's bounded queue of frames to write.
//! - [`presence`]: coalesced user-list broadcasting.
//! - [`escape`]: HTML escaping of chat for legacy clients.
//! - [`turn`]: ICE servers and ephemeral TURN credentials.
//!
//! [`run`] serves until its `shutdown` future resolves, then closes every session and waits
//! for them.

pub mod config;
pub mod escape;
pub mod inbound;
pub mod limits;
pub mod outbox;
pub mod presence;
pub mod registry;
pub mod relay;
pub mod routes;
pub mod scan;
pub mod session;
pub mod state;
pub mod turn;

use std::future::Future;
use std::net::SocketAddr;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use config::{Config, Settings};
pub use routes::app;
pub use state::AppState;

/// Serves `state` on `listener` until `shutdown` resolves; then every session gets a Close frame
/// and this returns once all of them (and the presence task) have ended.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let presence = presence::run(
        state.registry.clone(),
        state.settings.limits.presence_interval,
        state.shutdown.clone(),
    );
    state.tracker.spawn(presence);

    let token = state.shutdown.clone();
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    // Signaling is many small frames, each answered by the peer: Nagle's algorithm (with the
    // peer's delayed ACK) would hold them back for up to 40 ms each.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Sessions are upgraded connections, which axum's graceful shutdown does not wait
            // for: cancel them ourselves.
            token.cancel();
        })
        .await;
    // Also when serving failed: close the sessions that exist.
    state.shutdown.cancel();
    state.tracker.close();
    state.tracker.wait().await;
    served
}
