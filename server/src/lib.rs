//! The signaling server: MDN's "Signaling and video calling" JSON protocol (plus the extensions
//! in `docs/PROTOCOL.md`) over WebSocket, and the built client over HTTP.
//!
//! Layout, one concept per file:
//! - [`config`]: command-line/environment flags and the [`Settings`] built from them.
//! - [`limits`]: operating limits and the per-connection token bucket.
//! - [`state`]: [`AppState`], shared by handlers and sessions (registry, settings, shutdown).
//! - [`routes`]: `fn app(state) -> Router`: `/ws`, the client files, `/r/<room>` pages.
//! - [`rooms`]: rooms (issue 13), each a registry of its own with its settings, made by its
//!   first login and forgotten with its last member; `rooms/passcode.rs` (passcodes, hashed),
//!   `rooms/seat.rs` (a connection's lobby or room), `rooms/tasks.rs` (a room's task).
//! - [`assets`]: the client built into the binary (`build.rs`), precompressed, with ETags.
//! - [`headers`]: security headers and the page's Content-Security-Policy.
//! - [`admission`]: who may open the WebSocket (origin check; connection caps and upgrade rate
//!   per client address, through trusted proxies), decided before the upgrade.
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics` (optionally on its own listener).
//! - [`metrics`]: the Prometheus counters, counted where things happen, and their exposition.
//! - [`session`]: one task per connection, one `select!` loop over the socket, the outbox, the
//!   timer (login deadline, keep-alive, heartbeat) and shutdown; writing frames
//!   (`session/write.rs`).
//! - [`socket`]: the WebSocket handshake and socket under the session, with tungstenite's
//!   buffers kept small (long messages sent in 4 KiB fragments; tungstenite replaced by a fresh
//!   one on the same connection after a large frame either way); `socket/boundary.rs` follows
//!   the frames under it, `socket/upgrade.rs` is the handshake.
//! - [`envelope`]: one pass over a client frame, every member kept as raw JSON text.
//! - [`inbound`]: decoding client frames (once) into [`inbound::Inbound`], and naming what is
//!   wrong with bad ones.
//! - [`dispatch`]: one decoded frame applied to the registry, synchronously (no socket).
//! - [`control`]: frames about the connection itself: `resume`, `ping`, `leaving`.
//! - [`media_state`]: `media-state`, what a client sends its call partner (mute, camera,
//!   screen), decoded; the registry delivers it within calls only.
//! - [`relay`]: relays with their payload kept raw, and the outgoing frame serialised once.
//! - [`chat`]: the chat length rule and a chat line in its raw and HTML-escaped forms.
//! - [`registry`]: members and call pairs under one lock; delivery into bounded outboxes;
//!   `registry/resume.rs` (issuing and taking over `resume` sessions, their snapshot and
//!   restore), `registry/away.rs` (sessions whose socket was lost, and the task that ends
//!   them when their grace window runs out) and `registry/user_state.rs` (telling `resume`
//!   clients who is reconnecting or back).
//! - [`resumable`]: what the registry keeps of a `resume` session (token hash, socket, away).
//! - [`replay`]: a `resume` session's numbered frames, kept until acknowledged.
//! - [`token`]: resume tokens (random secret, only its hash kept, constant-time comparison).
//! - [`state_file`]: the `resume` sessions on disk, for a restarted server.
//! - [`members`]: membership: who is logged in, unique names, login order, features, the log
//!   of presence changes.
//! - [`calls`]: call pairing: who is in a call with whom, and the offer/answer/hang-up rules.
//! - [`outbox`]: one client's bounded queue of frames to write.
//! - [`presence`]: the user-list broadcast policy, coalesced, serialised outside the lock.
//! - [`escape`]: HTML escaping of chat for legacy clients.
//! - [`turn`]: ICE servers and ephemeral TURN credentials.
//! - [`serve`]: our accept loop (plain or TLS, a redirect listener, header-read, stall and
//!   handshake timeouts, shutdown within a deadline) and its flags (`serve/flags.rs`).
//! - [`tls`]: HTTPS configs: certificate files reloaded on change, self-signed; the resolver
//!   holding the current certificate; `tls/acme.rs`: automatic certificates over ACME
//!   (TLS-ALPN-01).
//!
//! [`run`] serves plain HTTP until its `shutdown` future resolves, then closes every session and
//! waits for them; [`run_with`] serves what a [`Serve`] says (HTTPS, redirect, timeouts).

pub mod admission;
pub mod assets;
pub mod calls;
pub mod chat;
pub mod config;
pub mod control;
pub mod dispatch;
pub mod envelope;
pub mod escape;
pub mod headers;
pub mod inbound;
pub mod limits;
pub mod media_state;
pub mod members;
pub mod metrics;
pub mod ops;
pub mod outbox;
pub mod presence;
pub mod registry;
pub mod relay;
pub mod replay;
pub mod resumable;
pub mod rooms;
pub mod routes;
pub mod serve;
pub mod session;
pub mod socket;
pub mod state;
pub mod state_file;
pub mod tls;
pub mod token;
pub mod turn;

use std::future::Future;

use tokio::net::TcpListener;

pub use config::{Config, Settings};
pub use routes::app;
pub use serve::{Serve, Timeouts, run_with};
pub use state::AppState;

/// Serves `state` over plain HTTP on `listener` (default timeouts) until `shutdown` resolves;
/// then every session gets a Close frame and this returns once all of them (and the background
/// tasks) have ended, or the shutdown deadline dropped them.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(Serve::plain(listener), state, shutdown).await
}

/// The server's background tasks (the lobby's presence broadcasts and away sessions, each
/// room's task, the state file), on `state.tracker`, ending with `state.shutdown`.
fn spawn_background(state: &AppState) {
    let presence = presence::run(
        state.registry.clone(),
        state.settings.limits.presence_interval,
        state.shutdown.clone(),
    );
    state.tracker.spawn(presence);
    let away = registry::away::run(state.registry.clone(), state.shutdown.clone());
    state.tracker.spawn(away);
    state.rooms.start_all();
    if let Some(path) = &state.settings.state_file {
        let (registry, rooms) = (state.registry.clone(), state.rooms.clone());
        let writer = state_file::run(registry, rooms, path.clone(), state.shutdown.clone());
        state.tracker.spawn(writer);
    }
}
