//! Who is asking: the client's address, and the scheme and host its page was served with, from
//! the TCP peer and, only when that peer is a trusted proxy, its forwarding headers
//! (`Forwarded` (RFC 7239) or else `X-Forwarded-For`; `X-Forwarded-Proto`, `X-Forwarded-Host`).
//!
//! The client address is found from the right: each proxy appends the address it got the
//! request from, so the first address (from the right) that is not a trusted proxy is the
//! client; anything left of it was written by the client itself and is ignored.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;
use ipnet::IpNet;

/// What the forwarding headers (if believed) say about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The client's address.
    pub client: IpAddr,
    /// The scheme the client used, as the proxy reports it.
    pub proto: Option<String>,
    /// The host the client asked for, as the proxy reports it.
    pub host: Option<String>,
}

/// One `Forwarded` element (one proxy's report).
#[derive(Debug, Default)]
struct Element {
    /// `None` when absent, `unknown` or obfuscated.
    for_ip: Option<IpAddr>,
    proto: Option<String>,
    host: Option<String>,
}

fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&ip))
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `[::1]`, `[::1]:80`, `::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    inner.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// Every value of header `name`, split at commas (several lines count as one list).
fn list<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The `Forwarded` elements, in order. Quoted values holding `,` or `;` are not expected (hosts
/// and addresses have none), so plain splitting is enough.
fn forwarded(headers: &HeaderMap) -> Vec<Element> {
    list(headers, FORWARDED.as_str())
        .map(|element| {
            let mut out = Element::default();
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => out.for_ip = parse_node(value),
                    "proto" => out.proto = Some(value.to_ascii_lowercase()),
                    "host" => out.host = Some(value.to_owned()),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

/// The client walking `hops` (nearest last) back from `peer` through trusted proxies; with the
/// index of the hop where the walk stopped.
fn walk(peer: IpAddr, hops: &[Option<IpAddr>], trusted: &[IpNet]) -> (IpAddr, Option<usize>) {
    let mut client = peer;
    let mut stopped = None;
    for (i, hop) in hops.iter().enumerate().rev() {
        stopped = Some(i);
        match hop {
            Some(ip) => {
                client = *ip;
                if !is_trusted(*ip, trusted) {
                    break;
                }
            }
            // An unknown or obfuscated hop: the proxy that reported it is as far as we can see.
            None => break,
        }
    }
    (client, stopped)
}

/// Who is asking, seen through trusted proxies only.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Seen {
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return Seen {
            client: peer,
            proto: None,
            host: None,
        };
    }
    let elements = forwarded(headers);
    if !elements.is_empty() {
        let hops: Vec<Option<IpAddr>> = elements.iter().map(|e| e.for_ip).collect();
        let (client, stopped) = walk(peer, &hops, trusted);
        let element = stopped.and_then(|i| elements.get(i));
        return Seen {
            client,
            proto: element.and_then(|e| e.proto.clone()),
            host: element.and_then(|e| e.host.clone()),
        };
    }
    let hops: Vec<Option<IpAddr>> = list(headers, "x-forwarded-for").map(parse_node).collect();
    let (client, _) = walk(peer, &hops, trusted);
    // Set (not appended) by the proxy facing the client: its first value.
    let first = |name| list(headers, name).next().map(str::to_owned);
    Seen {
        client,
        proto: first("x-forwarded-proto").map(|p| p.to_ascii_lowercase()),
        host: first("x-forwarded-host"),
    }
}
