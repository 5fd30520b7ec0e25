//! Prometheus metrics (`prometheus-client`): the process's counters, incremented by one-line
//! calls where things happen (`metrics::relayed(kind)` in dispatch, …), and the text exposition
//! served at `/metrics` (see [`crate::ops`]).
//!
//! The counters are process-wide (one server per process; a counter call needs no handle, so
//! the code that counts stays as it is). What is a state rather than an event (connections,
//! logged-in users, calls) is read from the server's state at each scrape ([`Sample`]) and
//! never drifts. Every name starts with `parley_`; counters end in `_total` as OpenMetrics
//! requires. This file leans on nothing of the server but `escape` (names of codes), so any
//! file may count.

use std::sync::LazyLock;

use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use shared::ErrorCode;

pub mod flags;

pub use flags::{LogFormat, OpsFlags, OpsSettings};

/// The content type of the exposition (OpenMetrics text, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

const PREFIX: &str = "parley";

type Labelled<V> = Family<[(&'static str, V); 1], Counter>;

struct Metrics {
    registry: Registry,
    relayed: Labelled<&'static str>,
    refused_frames: Labelled<String>,
    rate_limited: Counter,
    slow_drops: Counter,
    turn_minted: Counter,
    upgrades: Counter,
    upgrades_refused: Labelled<&'static str>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix(PREFIX);
    let relayed = Labelled::default();
    registry.register(
        "relayed_frames",
        "Signaling frames relayed to their target, by type",
        relayed.clone(),
    );
    let refused_frames = Labelled::default();
    registry.register(
        "refused_frames",
        "Client frames refused with an error frame, by error code",
        refused_frames.clone(),
    );
    let rate_limited = Counter::default();
    registry.register(
        "rate_limited_frames",
        "Client frames dropped by the per-connection rate limit",
        rate_limited.clone(),
    );
    let slow_drops = Counter::default();
    registry.register(
        "slow_client_drops",
        "Clients disconnected for not reading their frames fast enough",
        slow_drops.clone(),
    );
    let turn_minted = Counter::default();
    registry.register(
        "turn_credentials",
        "Ephemeral TURN credentials minted",
        turn_minted.clone(),
    );
    let upgrades = Counter::default();
    registry.register("upgrades", "WebSocket upgrades admitted", upgrades.clone());
    let upgrades_refused = Labelled::default();
    registry.register(
        "upgrades_refused",
        "WebSocket upgrades refused before the upgrade, by reason",
        upgrades_refused.clone(),
    );
    registry.register(
        "build",
        "The running server's version",
        Info::new([("version", env!("CARGO_PKG_VERSION"))]),
    );
    Metrics {
        registry,
        relayed,
        refused_frames,
        rate_limited,
        slow_drops,
        turn_minted,
        upgrades,
        upgrades_refused,
    }
});

/// A relay frame (`type`: `video-offer`, `video-answer`, `new-ice-candidate`, `hang-up`)
/// went to its target.
pub fn relayed(kind: &'static str) {
    METRICS.relayed.get_or_create(&[("type", kind)]).inc();
}

/// A client frame was refused with an error frame carrying `code`.
pub fn refused(code: ErrorCode) {
    let code = crate::escape::code_name(code);
    METRICS
        .refused_frames
        .get_or_create(&[("code", code)])
        .inc();
}

/// A client frame was dropped by the rate limit.
pub fn rate_limited() {
    METRICS.rate_limited.inc();
}

/// A client was disconnected as too slow to read.
pub fn slow_client_dropped() {
    METRICS.slow_drops.inc();
}

/// A TURN credential was minted.
pub fn turn_minted() {
    METRICS.turn_minted.inc();
}

/// A WebSocket upgrade was admitted.
pub fn upgrade_admitted() {
    METRICS.upgrades.inc();
}

/// A WebSocket upgrade was refused (`reason` as [`crate::admission::Refused::reason`]).
pub fn upgrade_refused(reason: &'static str) {
    METRICS
        .upgrades_refused
        .get_or_create(&[("reason", reason)])
        .inc();
}

/// What a scrape reads from the server's state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// Open WebSocket connections.
    pub connections: usize,
    /// Logged-in users (away `resume` sessions included).
    pub users: usize,
    /// Calls ringing or in progress.
    pub calls: usize,
    /// Rooms (issue 13) with someone in them; never their names.
    pub rooms: usize,
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: usize) {
    let gauge: Gauge = Gauge::default();
    gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
    registry.register(name, help, gauge);
}

/// The text exposition: the counters, then `sample`'s gauges.
pub fn render(sample: Sample) -> String {
    let mut now = Registry::with_prefix(PREFIX);
    gauge(
        &mut now,
        "connections",
        "Open WebSocket connections",
        sample.connections,
    );
    gauge(&mut now, "users", "Logged-in users", sample.users);
    gauge(
        &mut now,
        "calls",
        "Calls ringing or in progress (pairs of clients paired with each other)",
        sample.calls,
    );
    gauge(
        &mut now,
        "rooms",
        "Rooms with at least one member (the public lobby is none)",
        sample.rooms,
    );
    let mut out = String::with_capacity(4096);
    // Writing into a String cannot fail.
    let _ = encode_registry(&mut out, &METRICS.registry)
        .and_then(|()| encode_registry(&mut out, &now))
        .and_then(|()| encode_eof(&mut out));
    out
}
