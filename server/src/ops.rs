//! The operations endpoints: `GET /healthz` (the process answers), `GET /readyz` (it wants
//! clients: ready and not shutting down, else 503) and `GET /metrics` (Prometheus), on the main
//! listener, or `/metrics` on its own `--metrics-addr` listener (with the two probes).

use std::net::SocketAddr;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::metrics::{self, Sample};
use crate::state::AppState;

/// The probes, and `/metrics` unless it has its own listener.
pub fn router(state: &AppState) -> Router<AppState> {
    let probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    match state.settings.ops.metrics_addr {
        Some(_) => probes,
        None => probes.route("/metrics", get(scrape)),
    }
}

async fn healthz() -> StatusCode {
    StatusCode::OK
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.shutdown.is_cancelled() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else if !state.ready.get() {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    } else {
        (StatusCode::OK, "ready\n")
    }
}

async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    // Every room counted in, none named.
    let rooms = &state.rooms;
    let sample = Sample {
        connections: state.admission.open(),
        users: state.registry.online_count() + rooms.online_count(),
        calls: state.registry.calls_in_progress() + rooms.calls_in_progress(),
        rooms: rooms.count(),
    };
    (
        [(CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(sample),
    )
}

/// With `--metrics-addr`: binds it and serves `/metrics` (and the probes) there until shutdown,
/// as a tracked task. Returns the bound address.
pub async fn serve_metrics(state: &AppState) -> std::io::Result<Option<SocketAddr>> {
    let Some(addr) = state.settings.ops.metrics_addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "metrics: http://{addr}/metrics");
    let app = Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state.clone());
    let shutdown = state.shutdown.clone();
    state.tracker.spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    Ok(Some(addr))
}
