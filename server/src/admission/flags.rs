//! The admission flags (`--allowed-origin`, `--allow-no-origin`, `--trusted-proxy`, the caps and
//! the upgrade rate), flattened into [`crate::Config`], and the [`AdmissionSettings`] they make.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::origin::Origin;
use super::{AdmissionSettings, UpgradeRate};

/// Who may open the WebSocket, and how many.
#[derive(Debug, Clone, clap::Args)]
pub struct AdmissionFlags {
    /// A web origin, besides the page's own, whose pages may use the WebSocket, e.g.
    /// `https://parley.example.org` or `http://localhost:3000` (repeatable; in the environment,
    /// comma-separated).
    #[arg(long = "allowed-origin", env = "SERVER_ALLOWED_ORIGIN", value_delimiter = ',', value_parser = parse_origin)]
    pub allowed_origins: Vec<Origin>,

    /// Accept WebSocket requests without an `Origin` header (non-browser clients; browsers
    /// always send one, so this does not let other sites' pages in).
    #[arg(long, env = "SERVER_ALLOW_NO_ORIGIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub allow_no_origin: bool,

    /// Address or CIDR range of a reverse proxy whose `X-Forwarded-For`/`Forwarded` (client
    /// address) and `X-Forwarded-Proto`/`-Host` are believed (repeatable; in the environment,
    /// comma-separated; `none` for no proxy).
    #[arg(long = "trusted-proxy", env = "SERVER_TRUSTED_PROXY", value_delimiter = ',',
          default_values = ["127.0.0.0/8", "::1/128"], value_parser = parse_range)]
    pub trusted_proxies: Vec<Range>,

    /// Address or CIDR range of clients the per-address limits do not apply to (repeatable;
    /// `none` for nobody). Loopback by default: local tools, and a local proxy that does not
    /// say who its clients are, would otherwise share one address's allowance.
    #[arg(long = "per-ip-exempt", env = "SERVER_PER_IP_EXEMPT", value_delimiter = ',',
          default_values = ["127.0.0.0/8", "::1/128"], value_parser = parse_range)]
    pub per_ip_exempt: Vec<Range>,

    /// Open WebSocket connections, in all (0: no limit).
    #[arg(long, env = "SERVER_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// Open WebSocket connections from one client address (an IPv6 client's /64) (0: no limit).
    #[arg(long, env = "SERVER_MAX_CONNECTIONS_PER_IP", default_value_t = 20)]
    pub max_connections_per_ip: usize,

    /// WebSocket upgrades one client address may make in a burst, refilled evenly over
    /// `--upgrade-window` (0: no limit).
    #[arg(long, env = "SERVER_UPGRADES_PER_IP", default_value_t = 10)]
    pub upgrades_per_ip: u32,

    /// Seconds (fractions allowed) over which `--upgrades-per-ip` upgrades are allowed.
    #[arg(long, env = "SERVER_UPGRADE_WINDOW", default_value_t = 10.0)]
    pub upgrade_window: f64,
}

/// An address range, or `none` (no range: an empty list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range(pub Option<IpNet>);

fn parse_range(text: &str) -> Result<Range, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(Range(None));
    }
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(Range(Some(net.trunc())));
    }
    text.parse::<IpAddr>()
        .map(|ip| Range(Some(IpNet::from(ip.to_canonical()))))
        .map_err(|_| format!("`{text}` is neither an address nor a CIDR range (e.g. 10.0.0.0/8)"))
}

fn parse_origin(text: &str) -> Result<Origin, String> {
    Origin::parse(text.trim()).ok_or_else(|| {
        format!("`{text}` is not a web origin (scheme://host[:port], e.g. https://example.org)")
    })
}

fn ranges(list: &[Range]) -> Vec<IpNet> {
    list.iter().filter_map(|r| r.0).collect()
}

impl AdmissionFlags {
    pub fn settings(&self) -> AdmissionSettings {
        let window = Duration::try_from_secs_f64(self.upgrade_window).unwrap_or(Duration::ZERO);
        let rate = (self.upgrades_per_ip > 0 && !window.is_zero()).then(|| UpgradeRate {
            burst: self.upgrades_per_ip,
            per_sec: f64::from(self.upgrades_per_ip) / window.as_secs_f64(),
        });
        AdmissionSettings {
            allowed_origins: self.allowed_origins.clone(),
            allow_no_origin: self.allow_no_origin,
            trusted_proxies: ranges(&self.trusted_proxies),
            per_ip_exempt: ranges(&self.per_ip_exempt),
            max_connections: (self.max_connections > 0).then_some(self.max_connections),
            max_per_ip: (self.max_connections_per_ip > 0).then_some(self.max_connections_per_ip),
            upgrade_rate: rate,
        }
    }
}
