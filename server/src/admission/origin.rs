//! Web origins (`scheme://host[:port]`), compared the way browsers mean them: scheme and host
//! without regard to case, and a missing port read as the scheme's default (so
//! `https://example.org` and `https://EXAMPLE.org:443` are the same origin, and
//! `http://example.org` is not).

use std::fmt;

use axum::http::uri::Authority;

/// The scheme the page was served with, as a request extension: the TLS listener adds
/// `Extension(Scheme::Https)` to its router; without one the scheme is plain `http`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheme {
    #[default]
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A web origin, normalised for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Lower case.
    scheme: String,
    /// Lower case; an IPv6 address keeps its brackets.
    host: String,
    /// The port, or the scheme's default; `None` for a scheme without one and no port given.
    port: Option<u16>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

impl Origin {
    /// An `Origin` header's value or a flag's: `scheme://host[:port]`, a trailing `/` allowed.
    /// `None` for anything else (`null`, a path, user info).
    pub fn parse(text: &str) -> Option<Self> {
        let (scheme, rest) = text.split_once("://")?;
        Self::from_parts(scheme, rest.strip_suffix('/').unwrap_or(rest))
    }

    /// The origin of a page served with `scheme` to a request for `authority` (its `Host`).
    pub fn from_parts(scheme: &str, authority: &str) -> Option<Self> {
        let scheme_ok = scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        if !scheme_ok || authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return None;
        }
        let authority: Authority = authority.parse().ok()?;
        let scheme = scheme.to_ascii_lowercase();
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return None;
        }
        let port = authority.port_u16().or_else(|| default_port(&scheme));
        Some(Self { scheme, host, port })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) if Some(port) != default_port(&self.scheme) => write!(f, ":{port}"),
            _ => Ok(()),
        }
    }
}
