//! Our own accept loop, in place of `axum::serve`: plain HTTP or HTTPS (rustls) on the main
//! listener, an optional plain listener that redirects to HTTPS, timeouts for clients that
//! trickle or stall, and a shutdown that finishes within a deadline.
//!
//! - [`Serve`]: what to serve on (listeners, an optional `rustls::ServerConfig` from any source:
//!   certificate files, self-signed, ACME) and the [`Timeouts`].
//! - [`run_with`]: accepts until `shutdown` resolves; then stops accepting, cancels the sessions
//!   (`state.shutdown`), lets in-flight HTTP requests finish, and once `timeouts.shutdown` has
//!   passed ends every socket still open (`serve/guard.rs`), upgraded ones included.
//! - `serve/conn.rs`: one connection (TLS handshake, hyper's HTTP/1.1 with upgrades, the header
//!   and stall timers); `serve/redirect.rs`: the redirect to HTTPS; `serve/flags.rs`: the flags;
//!   `serve/timeouts.rs`: the [`Timeouts`].

pub mod conn;
pub mod flags;
pub mod guard;
pub mod redirect;
pub mod timeouts;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admission::Scheme;
use crate::routes::app;
use crate::state::AppState;
use conn::Kind;
use guard::Connections;
pub use timeouts::Timeouts;

/// What [`run_with`] serves on.
pub struct Serve {
    /// The application: plain HTTP, or HTTPS when `tls` is set.
    pub listener: TcpListener,
    /// HTTPS on `listener`. ALPN `acme-tls/1` connections are closed after their handshake
    /// (the handshake answered the ACME challenge).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// A plain-HTTP listener answering every request with a 301 to the same host and path on
    /// HTTPS (on `listener`'s port).
    pub redirect_listener: Option<TcpListener>,
    pub timeouts: Timeouts,
}

impl Serve {
    /// Plain HTTP on `listener` with the default timeouts (what [`crate::run`] serves).
    pub fn plain(listener: TcpListener) -> Self {
        Self {
            listener,
            tls: None,
            redirect_listener: None,
            timeouts: Timeouts::default(),
        }
    }
}

/// What every connection task shares.
pub(crate) struct Shared {
    pub timeouts: Timeouts,
    pub connections: Connections,
    pub tasks: TaskTracker,
    /// Cancelled when shutdown starts: connections finish their request and close.
    pub graceful: CancellationToken,
    /// Cancelled when the shutdown deadline passes: connections are dropped.
    pub hard: CancellationToken,
}

/// After the deadline every socket is killed; its tasks then end at their next poll, which this
/// much time more allows for.
const AFTER_KILL: Duration = Duration::from_secs(1);

/// Serves `state` as `serve` says until `shutdown` resolves; then shuts down as the module
/// doc says and returns once every connection and session has ended (or been dropped).
pub async fn run_with(
    serve: Serve,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    crate::ops::serve_metrics(&state).await?;
    crate::spawn_background(&state);
    let shared = Arc::new(Shared {
        timeouts: serve.timeouts,
        connections: Connections::default(),
        tasks: TaskTracker::new(),
        graceful: CancellationToken::new(),
        hard: CancellationToken::new(),
    });
    let https_port = serve.listener.local_addr()?.port();
    // The origin check compares a WebSocket's `Origin` with the scheme the page was served over.
    let router = match serve.tls {
        Some(_) => app(state.clone()).layer(Extension(Scheme::Https)),
        None => app(state.clone()),
    };
    let main = Arc::new(Kind::App {
        router,
        tls: serve.tls.map(TlsAcceptor::from),
    });
    let redirect = async {
        match serve.redirect_listener {
            Some(listener) => {
                let kind = Arc::new(Kind::Redirect { https_port });
                accept_loop(listener, kind, &shared).await
            }
            None => std::future::pending().await,
        }
    };
    let served = tokio::select! {
        () = shutdown => Ok(()),
        result = accept_loop(serve.listener, main, &shared) => result,
        result = redirect => result,
    };
    // The listeners are closed here (their loops were dropped): nothing new is accepted.
    state.shutdown.cancel();
    shared.graceful.cancel();
    shared.tasks.close();
    state.tracker.close();
    let everything = async {
        shared.tasks.wait().await;
        state.tracker.wait().await;
    };
    if tokio::time::timeout(shared.timeouts.shutdown, everything)
        .await
        .is_err()
    {
        tracing::warn!(
            open = shared.connections.open(),
            "shutdown deadline passed: dropping the connections still open"
        );
        shared.hard.cancel();
        shared.connections.kill_all();
        let everything = async {
            shared.tasks.wait().await;
            state.tracker.wait().await;
        };
        if tokio::time::timeout(AFTER_KILL, everything).await.is_err() {
            tracing::error!("tasks still running after every socket was dropped");
        }
    }
    served
}

/// Accepts on `listener` and spawns one task per connection, until dropped.
async fn accept_loop(
    listener: TcpListener,
    kind: Arc<Kind>,
    shared: &Arc<Shared>,
) -> io::Result<()> {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_error(&e).await;
                continue;
            }
        };
        // Signaling is many small frames, each answered by the peer: Nagle's algorithm (with
        // the peer's delayed ACK) would hold them back for up to 40 ms each.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let io = shared.connections.guard(tcp);
        let task = conn::run(io, peer, kind.clone(), shared.clone());
        shared.tasks.spawn(task);
    }
}

/// An accept error: one connection's own failure is skipped; running out of descriptors (or
/// another error of the listener) is waited out briefly rather than spun on.
async fn accept_error(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %e, "accept failed; retrying shortly");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
