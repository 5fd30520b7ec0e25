//! Unit tests of admission: origins, the client address through trusted proxies, the counts and
//! buckets (with the clock passed in), and whole decisions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use super::client::resolve;
use super::table::{Full, Table};
use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|n| n.parse().unwrap()).collect()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn origins_compare_as_browsers_mean_them() {
    let o = |t: &str| Origin::parse(t);
    assert_eq!(o("https://Example.ORG"), o("https://example.org:443"));
    assert_eq!(o("https://example.org/"), o("https://example.org"));
    assert_eq!(
        o("http://127.0.0.1:8080"),
        Origin::from_parts("http", "127.0.0.1:8080")
    );
    assert_eq!(
        o("http://[::1]:8080"),
        Origin::from_parts("http", "[::1]:8080")
    );
    assert_ne!(o("http://example.org"), o("https://example.org"));
    assert_ne!(o("http://example.org"), o("http://example.org:8080"));
    assert_ne!(o("http://example.org.evil.test"), o("http://example.org"));
    for bad in [
        "null",
        "example.org",
        "https://",
        "https://a/b",
        "https://u@a",
        "://a",
    ] {
        assert_eq!(o(bad), None, "{bad}");
    }
    assert_eq!(
        o("https://EXAMPLE.org:443").unwrap().to_string(),
        "https://example.org"
    );
    assert_eq!(
        o("http://a.test:8081").unwrap().to_string(),
        "http://a.test:8081"
    );
}

#[test]
fn forwarding_headers_are_believed_only_from_trusted_proxies() {
    let trusted = nets(&["10.0.0.0/8"]);
    let xff = headers(&[
        ("x-forwarded-for", "6.6.6.6, 1.2.3.4"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "parley.test"),
    ]);
    // From an untrusted peer: the peer, whatever it says.
    let seen = resolve(ip("5.5.5.5"), &xff, &trusted);
    assert_eq!(
        (seen.client, seen.proto, seen.host),
        (ip("5.5.5.5"), None, None)
    );
    // From the proxy: the first address from the right that is not a proxy; the client's own
    // claim (6.6.6.6, left of it) is not believed.
    let seen = resolve(ip("10.0.0.1"), &xff, &trusted);
    assert_eq!(seen.client, ip("1.2.3.4"));
    assert_eq!(seen.proto.as_deref(), Some("https"));
    assert_eq!(seen.host.as_deref(), Some("parley.test"));
    // A chain of proxies is walked through.
    let chain = headers(&[
        ("x-forwarded-for", "1.2.3.4, 10.1.1.1"),
        ("x-forwarded-for", "10.2.2.2"),
    ]);
    assert_eq!(
        resolve(ip("10.0.0.1"), &chain, &trusted).client,
        ip("1.2.3.4")
    );
    // RFC 7239, with an IPv6 node and port; IPv4-mapped addresses count as IPv4.
    let forwarded = headers(&[(
        "forwarded",
        r#"for=9.9.9.9, for="[2001:db8::17]:4711";proto=https;host=a.test"#,
    )]);
    let seen = resolve(ip("::ffff:10.0.0.1"), &forwarded, &trusted);
    assert_eq!(seen.client, ip("2001:db8::17"));
    assert_eq!(seen.proto.as_deref(), Some("https"));
    assert_eq!(seen.host.as_deref(), Some("a.test"));
    // An unknown hop: the proxy that reported it is as far as we see.
    let unknown = headers(&[("forwarded", "for=unknown")]);
    assert_eq!(
        resolve(ip("10.0.0.1"), &unknown, &trusted).client,
        ip("10.0.0.1")
    );
    // Nothing forwarded: the peer.
    assert_eq!(
        resolve(ip("10.0.0.1"), &HeaderMap::new(), &trusted).client,
        ip("10.0.0.1")
    );
}

fn limits(
    global: Option<usize>,
    per_ip: Option<usize>,
    rate: Option<(u32, f64)>,
) -> AdmissionSettings {
    AdmissionSettings {
        max_connections: global,
        max_per_ip: per_ip,
        upgrade_rate: rate.map(|(burst, per_sec)| UpgradeRate { burst, per_sec }),
        ..AdmissionSettings::default()
    }
}

#[test]
fn caps_count_open_connections_and_give_them_back() {
    let limits = limits(Some(3), Some(2), None);
    let now = Instant::now();
    let mut table = Table::default();
    let (a, b) = (Some(ip("1.1.1.1")), Some(ip("2.2.2.2")));
    assert_eq!(table.admit(a, &limits, now), Ok(()));
    assert_eq!(table.admit(a, &limits, now), Ok(()));
    assert_eq!(table.admit(a, &limits, now), Err(Full::PerIp));
    assert_eq!(table.admit(b, &limits, now), Ok(()));
    // Full in all, even for an exempt client.
    assert_eq!(table.admit(None, &limits, now), Err(Full::Global));
    assert_eq!(table.total(), 3);
    table.release(a);
    assert_eq!(table.admit(None, &limits, now), Ok(()));
    table.release(None);
    assert_eq!(table.admit(a, &limits, now), Ok(()));
    for key in [a, a, b] {
        table.release(key);
    }
    assert_eq!((table.total(), table.addresses()), (0, 0));
}

#[test]
fn upgrade_rate_is_a_bucket_per_address_and_says_when_to_retry() {
    // 3 at once, then one every 2 s.
    let limits = limits(None, None, Some((3, 0.5)));
    let start = Instant::now();
    let mut table = Table::default();
    let a = Some(ip("1.1.1.1"));
    for _ in 0..3 {
        assert_eq!(table.admit(a, &limits, start), Ok(()));
    }
    match table.admit(a, &limits, start) {
        Err(Full::Rate(wait)) => {
            assert!(wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2))
        }
        other => panic!("{other:?}"),
    }
    // Another address has its own bucket; the exempt have none.
    assert_eq!(table.admit(Some(ip("2.2.2.2")), &limits, start), Ok(()));
    assert_eq!(table.admit(None, &limits, start), Ok(()));
    assert!(
        table
            .admit(a, &limits, start + Duration::from_millis(1900))
            .is_err()
    );
    assert_eq!(
        table.admit(a, &limits, start + Duration::from_millis(2001)),
        Ok(())
    );
}

#[test]
fn addresses_that_came_and_went_are_swept() {
    let limits = limits(None, Some(5), Some((2, 1.0)));
    let start = Instant::now();
    let mut table = Table::default();
    for i in 0..3000u32 {
        let key = Some(IpAddr::from(i.to_be_bytes()));
        table.admit(key, &limits, start).unwrap();
        table.release(key);
    }
    // Their buckets still matter (forgetting them would hand out fresh ones): kept.
    assert_eq!(table.addresses(), 3000);
    // Once refilled they are the same as no entry: the next sweep (when the map has doubled
    // since the last, at 4096 entries) drops them all.
    let later = start + Duration::from_secs(10);
    for i in 0..1100u32 {
        let key = Some(IpAddr::from((i + 100_000).to_be_bytes()));
        table.admit(key, &limits, later).unwrap();
        table.release(key);
    }
    assert_eq!(table.addresses(), 1100);
}

fn request<'a>(headers: &'a HeaderMap, peer: &str) -> Request<'a> {
    Request {
        headers,
        authority: None,
        peer: SocketAddr::new(ip(peer), 50000),
        scheme: Scheme::Http,
    }
}

#[test]
fn decisions_origin_then_caps() {
    let now = Instant::now();
    let settings = AdmissionSettings {
        allowed_origins: vec![Origin::parse("https://app.test").unwrap()],
        per_ip_exempt: Vec::new(),
        max_per_ip: Some(1),
        ..AdmissionSettings::default()
    };
    let admission = Arc::new(Admission::new(settings));
    let own = headers(&[
        ("host", "chat.test:8080"),
        ("origin", "http://chat.test:8080"),
    ]);
    let allowed = headers(&[("host", "chat.test:8080"), ("origin", "https://app.test")]);
    let foreign = headers(&[("host", "chat.test:8080"), ("origin", "https://evil.test")]);
    let wrong_scheme = headers(&[
        ("host", "chat.test:8080"),
        ("origin", "https://chat.test:8080"),
    ]);
    let none = headers(&[("host", "chat.test:8080")]);
    let bad = headers(&[("host", "chat.test:8080"), ("origin", "null")]);
    for refused in [&foreign, &wrong_scheme, &bad] {
        let err = admission
            .decide(&request(refused, "1.1.1.1"), now)
            .unwrap_err();
        assert_eq!(err, Refused::Origin);
    }
    let permit = admission.decide(&request(&own, "1.1.1.1"), now).unwrap();
    assert_eq!(permit.client, ip("1.1.1.1"));
    // The per-address cap counts whatever the origin.
    let err = admission
        .decide(&request(&allowed, "1.1.1.1"), now)
        .unwrap_err();
    assert_eq!(err, Refused::PerIp);
    assert!(admission.decide(&request(&allowed, "2.2.2.2"), now).is_ok());
    drop(permit);
    assert!(admission.decide(&request(&none, "1.1.1.1"), now).is_ok());
    assert_eq!(admission.open(), 0);

    // Served over TLS, the own origin is https.
    let tls = Request {
        scheme: Scheme::Https,
        ..request(&wrong_scheme, "3.3.3.3")
    };
    assert!(admission.decide(&tls, now).is_ok());
    // HTTP/2: no Host, the authority instead.
    let h2_headers = headers(&[("origin", "http://chat.test:8080")]);
    let h2 = Request {
        authority: Some("chat.test:8080"),
        ..request(&h2_headers, "4.4.4.4")
    };
    assert!(admission.decide(&h2, now).is_ok());
}

#[test]
fn a_trusted_proxy_says_what_the_page_was_served_as() {
    let now = Instant::now();
    let admission = Arc::new(Admission::new(AdmissionSettings::default()));
    // `trunk serve` (loopback, trusted by default): Host rewritten to the backend, the page's
    // host in X-Forwarded-Host.
    let trunk = headers(&[
        ("host", "127.0.0.1"),
        ("origin", "http://127.0.0.1:8081"),
        ("x-forwarded-host", "127.0.0.1:8081"),
        ("x-forwarded-proto", "http"),
    ]);
    assert!(admission.decide(&request(&trunk, "127.0.0.1"), now).is_ok());
    // The same from an untrusted peer: Host alone counts, and it is not the page's.
    assert_eq!(
        admission
            .decide(&request(&trunk, "8.8.8.8"), now)
            .unwrap_err(),
        Refused::Origin
    );
    // nginx with TLS in front of plain HTTP.
    let nginx = headers(&[
        ("host", "parley.test"),
        ("origin", "https://parley.test"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-for", "203.0.113.9"),
    ]);
    let permit = admission.decide(&request(&nginx, "::1"), now).unwrap();
    assert_eq!(permit.client, ip("203.0.113.9"));
}

#[test]
fn no_origin_is_a_setting() {
    let now = Instant::now();
    let strict = Arc::new(Admission::new(AdmissionSettings {
        allow_no_origin: false,
        ..AdmissionSettings::default()
    }));
    let none = headers(&[("host", "chat.test")]);
    assert_eq!(
        strict.decide(&request(&none, "1.1.1.1"), now).unwrap_err(),
        Refused::NoOrigin
    );
}

#[test]
fn ipv6_clients_count_by_their_64() {
    let now = Instant::now();
    let admission = Arc::new(Admission::new(AdmissionSettings {
        per_ip_exempt: Vec::new(),
        max_per_ip: Some(1),
        ..AdmissionSettings::default()
    }));
    let none = HeaderMap::new();
    let _first = admission
        .decide(&request(&none, "2001:db8:1:2::1"), now)
        .unwrap();
    let same_64 = admission.decide(&request(&none, "2001:db8:1:2:ffff::9"), now);
    assert_eq!(same_64.unwrap_err(), Refused::PerIp);
    assert!(
        admission
            .decide(&request(&none, "2001:db8:1:3::1"), now)
            .is_ok()
    );
}

#[test]
fn refusals_answer_with_the_right_status() {
    use axum::http::StatusCode;
    let status = |r: Refused| r.into_response().status();
    assert_eq!(status(Refused::Origin), StatusCode::FORBIDDEN);
    assert_eq!(status(Refused::NoOrigin), StatusCode::FORBIDDEN);
    assert_eq!(status(Refused::Full), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(status(Refused::PerIp), StatusCode::TOO_MANY_REQUESTS);
    let rate = Refused::Rate(Duration::from_millis(1500)).into_response();
    assert_eq!(rate.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(rate.headers()["retry-after"], "2");
}

#[test]
fn flags_make_the_settings() {
    use clap::Parser;
    let config = crate::Config::try_parse_from(["server"])
        .unwrap()
        .settings();
    let a = &config.admission;
    assert_eq!(a.max_connections, Some(10_000));
    assert_eq!(a.max_per_ip, Some(20));
    assert_eq!(
        a.upgrade_rate,
        Some(UpgradeRate {
            burst: 10,
            per_sec: 1.0
        })
    );
    assert!(a.allow_no_origin);
    assert_eq!(a.trusted_proxies, nets(&["127.0.0.0/8", "::1/128"]));
    let config = crate::Config::try_parse_from([
        "server",
        "--allowed-origin",
        "https://a.test",
        "--allowed-origin=http://localhost:3000",
        "--allow-no-origin=false",
        "--trusted-proxy",
        "10.0.0.1",
        "--trusted-proxy",
        "192.168.0.0/16",
        "--per-ip-exempt",
        "none",
        "--max-connections",
        "0",
        "--upgrades-per-ip",
        "0",
    ])
    .unwrap()
    .settings();
    let a = &config.admission;
    assert_eq!(a.allowed_origins.len(), 2);
    assert!(!a.allow_no_origin);
    assert_eq!(a.trusted_proxies, nets(&["10.0.0.1/32", "192.168.0.0/16"]));
    assert!(a.per_ip_exempt.is_empty());
    assert_eq!((a.max_connections, a.upgrade_rate), (None, None));
    assert!(crate::Config::try_parse_from(["server", "--allowed-origin", "evil.test"]).is_err());
    assert!(crate::Config::try_parse_from(["server", "--trusted-proxy", "10.0.0.0/33"]).is_err());
}
