//! Admission: who may open the WebSocket, decided before the upgrade.
//!
//! - Only our pages: the `Origin` header must be the page's own origin (the scheme the server
//!   serves and the request's `Host`, or what a trusted proxy says they were) or one given with
//!   `--allowed-origin`; requests without `Origin` (not from a browser) are let in or not by
//!   `--allow-no-origin`. Otherwise 403. This is what keeps another site's page, opened by one
//!   of our users, from using their browser to join the lobby, ring people or get TURN
//!   credentials.
//! - Limits nobody can exhaust: open connections in all (503 when full), per client address
//!   (429), and upgrades per client address over time, a token bucket (429 with
//!   `Retry-After`). The client's address comes from forwarding headers only when the TCP peer
//!   is a `--trusted-proxy`; an IPv6 client counts by its /64 (one host usually has a whole
//!   one). Addresses in `--per-ip-exempt` (loopback by default) skip the per-address limits.
//!
//! [`Admission::admit`] is the one call, in the `/ws` handler; the [`Permit`] it returns is held
//! for the session's life and gives the connection back on drop. Files: `admission/origin.rs`
//! (origins compared as browsers mean them), `admission/client.rs` (who is asking, through
//! trusted proxies), `admission/table.rs` (the counts and buckets), `admission/flags.rs`.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::header::{HOST, ORIGIN, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use tokio::time::Instant;

pub mod client;
pub mod flags;
pub mod origin;
mod table;

pub use flags::AdmissionFlags;
pub use origin::{Origin, Scheme};
use table::{Full, Table};

/// Upgrades one address may make: `burst` at once, refilled at `per_sec`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpgradeRate {
    pub burst: u32,
    pub per_sec: f64,
}

/// What admission enforces. The `Default` (tests') keeps the origin check but has no caps.
#[derive(Debug, Clone)]
pub struct AdmissionSettings {
    /// Origins besides the page's own whose pages may connect.
    pub allowed_origins: Vec<Origin>,
    /// Requests without an `Origin` header are let in.
    pub allow_no_origin: bool,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Client addresses the per-address limits do not apply to.
    pub per_ip_exempt: Vec<IpNet>,
    /// Open connections in all; `None`: no cap.
    pub max_connections: Option<usize>,
    /// Open connections per client address; `None`: no cap.
    pub max_per_ip: Option<usize>,
    /// Upgrades per client address; `None`: no limit.
    pub upgrade_rate: Option<UpgradeRate>,
}

impl Default for AdmissionSettings {
    fn default() -> Self {
        let loopback: Vec<IpNet> = ["127.0.0.0/8", "::1/128"]
            .iter()
            .filter_map(|net| net.parse().ok())
            .collect();
        Self {
            allowed_origins: Vec::new(),
            allow_no_origin: true,
            trusted_proxies: loopback.clone(),
            per_ip_exempt: loopback,
            max_connections: None,
            max_per_ip: None,
            upgrade_rate: None,
        }
    }
}

/// Why an upgrade was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The `Origin` is neither the page's own nor an allowed one.
    Origin,
    /// No `Origin` header, and `--allow-no-origin` is off.
    NoOrigin,
    /// The server holds as many connections as it may.
    Full,
    /// The client's address holds as many connections as one may.
    PerIp,
    /// The client's address upgraded too often; a token is back after this long.
    Rate(Duration),
}

impl Refused {
    /// The `reason` label of the refused-upgrades metric.
    pub fn reason(self) -> &'static str {
        match self {
            Refused::Origin => "origin",
            Refused::NoOrigin => "no_origin",
            Refused::Full => "server_full",
            Refused::PerIp => "per_ip_connections",
            Refused::Rate(_) => "per_ip_rate",
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, retry, body) = match self {
            Refused::Origin => (
                StatusCode::FORBIDDEN,
                None,
                "WebSocket refused: pages from this origin may not use this server \
                 (the server's operator can allow it with --allowed-origin)\n",
            ),
            Refused::NoOrigin => (
                StatusCode::FORBIDDEN,
                None,
                "WebSocket refused: no Origin header, and this server requires one \
                 (--allow-no-origin)\n",
            ),
            Refused::Full => (
                StatusCode::SERVICE_UNAVAILABLE,
                Some(5),
                "WebSocket refused: the server has as many connections as it takes; try again later\n",
            ),
            Refused::PerIp => (
                StatusCode::TOO_MANY_REQUESTS,
                Some(5),
                "WebSocket refused: too many connections from your address\n",
            ),
            Refused::Rate(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                Some(wait.as_secs_f64().ceil().max(1.0) as u64),
                "WebSocket refused: too many new connections from your address; try again later\n",
            ),
        };
        let mut response = (status, body).into_response();
        if let Some(secs) = retry {
            response.headers_mut().insert(RETRY_AFTER, secs.into());
        }
        response
    }
}

/// The shared admission state (one per server, in [`crate::AppState`]).
#[derive(Debug)]
pub struct Admission {
    settings: AdmissionSettings,
    /// A `std` mutex: every use is a few map operations, nothing awaits under it.
    table: Mutex<Table>,
}

/// One admitted connection; gives it back when dropped.
#[derive(Debug)]
pub struct Permit {
    admission: Arc<Admission>,
    /// The per-address key, `None` when exempt.
    key: Option<IpAddr>,
    /// The client's address (through trusted proxies).
    pub client: IpAddr,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.admission.lock().release(self.key);
    }
}

/// The key an address is counted under: IPv6 by its /64.
fn ip_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

impl Admission {
    pub fn new(settings: AdmissionSettings) -> Self {
        Self {
            settings,
            table: Mutex::new(Table::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Counts updated by a thread that panicked are still counts: keep admitting.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Open connections admitted and not yet ended.
    pub fn open(&self) -> usize {
        self.lock().total()
    }

    /// Decides on a WebSocket request from `peer` for `uri` with `headers`, served over
    /// `scheme`; counts the refusal (metric, debug log) when there is one.
    pub fn admit(
        self: &Arc<Self>,
        headers: &HeaderMap,
        uri: &Uri,
        peer: SocketAddr,
        scheme: Scheme,
    ) -> Result<Permit, Refused> {
        let request = Request {
            headers,
            authority: uri.authority().map(|a| a.as_str()),
            peer,
            scheme,
        };
        let result = self.decide(&request, Instant::now());
        match &result {
            Ok(_) => crate::metrics::upgrade_admitted(),
            Err(refused) => {
                crate::metrics::upgrade_refused(refused.reason());
                tracing::debug!(%peer, reason = refused.reason(), "WebSocket upgrade refused");
            }
        }
        result
    }

    /// The decision at `now` (tests pass their own clock).
    pub fn decide(
        self: &Arc<Self>,
        request: &Request<'_>,
        now: Instant,
    ) -> Result<Permit, Refused> {
        let settings = &self.settings;
        let headers = request.headers;
        let seen = client::resolve(request.peer.ip(), headers, &settings.trusted_proxies);
        match headers.get(ORIGIN) {
            None if settings.allow_no_origin => {}
            None => return Err(Refused::NoOrigin),
            Some(value) => {
                let origin = value.to_str().ok().and_then(Origin::parse);
                let own = own_origin(request, &seen);
                let allowed = origin.is_some_and(|origin| {
                    own.as_ref() == Some(&origin) || settings.allowed_origins.contains(&origin)
                });
                if !allowed {
                    return Err(Refused::Origin);
                }
            }
        }
        let exempt = settings
            .per_ip_exempt
            .iter()
            .any(|net| net.contains(&seen.client));
        let key = (!exempt).then(|| ip_key(seen.client));
        self.lock()
            .admit(key, settings, now)
            .map_err(|full| match full {
                Full::Global => Refused::Full,
                Full::PerIp => Refused::PerIp,
                Full::Rate(wait) => Refused::Rate(wait),
            })?;
        Ok(Permit {
            admission: self.clone(),
            key,
            client: seen.client,
        })
    }
}

/// What admission looks at in a request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub headers: &'a HeaderMap,
    /// The request target's authority (HTTP/2 has it there rather than in `Host`).
    pub authority: Option<&'a str>,
    pub peer: SocketAddr,
    pub scheme: Scheme,
}

/// The origin of our own page for this request: the scheme and host the client used (as a
/// trusted proxy reports them, or as this server sees them).
fn own_origin(request: &Request<'_>, seen: &client::Seen) -> Option<Origin> {
    let scheme = seen.proto.as_deref().unwrap_or(request.scheme.as_str());
    let host = match (&seen.host, request.headers.get(HOST)) {
        (Some(host), _) => host.as_str(),
        (None, Some(host)) => host.to_str().ok()?,
        (None, None) => request.authority?,
    };
    Origin::from_parts(scheme, host)
}

#[cfg(test)]
mod tests;
