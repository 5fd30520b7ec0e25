//! HTTPS built in: the self-signed mode (a client trusting exactly that certificate logs in over
//! wss; one trusting another certificate is refused), certificate files replaced while the
//! server runs (new handshakes get the new certificate, an open session stays), HSTS over TLS
//! only, the plain listener redirecting to HTTPS, and ACME's `acme-tls/1` connections closed
//! after their handshake.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod serve_support;

use std::path::Path;
use std::time::Duration;

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::CertificateDer;
use serve_support::{
    Options, Running, client_config, exchange, header, presented, read_to_close, scratch,
    tls_connect, wss_login,
};
use server::tls::{self, self_signed};
use shared::FromServer;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::common::DEADLINE;

const HTTP1: &[u8] = b"http/1.1";

fn names() -> Vec<String> {
    vec!["localhost".to_owned(), "127.0.0.1".to_owned()]
}

async fn self_signed_server() -> (Running, self_signed::SelfSigned) {
    let made = self_signed::generate(&names(), None).unwrap();
    let server = Running::start(Options {
        tls: Some(made.config.clone()),
        ..Options::default()
    })
    .await;
    (server, made)
}

#[tokio::test]
async fn self_signed_serves_wss_to_a_client_trusting_exactly_it() {
    let (server, made) = self_signed_server().await;
    assert_eq!(made.fingerprint.len(), 32 * 3 - 1, "{}", made.fingerprint);
    assert_eq!(made.spki_hash.len(), 44, "{}", made.spki_hash);

    let trusting = client_config(std::slice::from_ref(&made.cert), &[HTTP1]);
    let stream = tls_connect(server.addr, trusting.clone()).await.unwrap();
    assert_eq!(presented(&stream), made.cert);
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(HTTP1));
    assert_eq!(tls::fingerprint(&presented(&stream)), made.fingerprint);

    let mut alice = wss_login(server.addr, trusting.clone(), "alice").await;
    let mut bob = wss_login(server.addr, trusting.clone(), "bob").await;
    alice.wait_for_users(&["alice", "bob"]).await;
    bob.marker("alice", "over wss").await;
    let line = alice.next_non_presence().await;
    assert!(
        matches!(&line, FromServer::Message { text, .. } if text == "over wss"),
        "{line:?}"
    );

    // A client trusting some other certificate does not get through.
    let other = self_signed::generate(&names(), None).unwrap();
    let wary = client_config(&[other.cert], &[HTTP1]);
    assert!(tls_connect(server.addr, wary).await.is_err());
    server.stop_within(DEADLINE).await;
}

#[tokio::test]
async fn self_signed_key_file_keeps_the_spki_hash_across_restarts() {
    let dir = scratch("self-signed-key");
    let key = dir.join("key.pem");
    let first = self_signed::generate(&names(), Some(&key)).unwrap();
    assert!(key.exists());
    let second = self_signed::generate(&names(), Some(&key)).unwrap();
    assert_eq!(first.spki_hash, second.spki_hash);
    let fresh = self_signed::generate(&names(), None).unwrap();
    assert_ne!(first.spki_hash, fresh.spki_hash);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key file is readable by others: {mode:o}"
        );
    }
}

#[tokio::test]
async fn hsts_is_sent_over_tls_and_not_over_plain_http() {
    let (server, made) = self_signed_server().await;
    let config = client_config(&[made.cert], &[HTTP1]);
    let mut stream = tls_connect(server.addr, config).await.unwrap();
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let response = exchange(&mut stream, request).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(
        header(&response, "strict-transport-security"),
        Some("max-age=31536000")
    );
    server.stop_within(DEADLINE).await;

    let plain = Running::start(Options::default()).await;
    let mut tcp = TcpStream::connect(plain.addr).await.unwrap();
    let response = exchange(&mut tcp, request).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(header(&response, "strict-transport-security"), None);
    plain.stop_within(DEADLINE).await;
}

#[tokio::test]
async fn the_plain_listener_redirects_to_the_same_host_and_path_over_https() {
    let (server, _made) = {
        let made = self_signed::generate(&names(), None).unwrap();
        let server = Running::start(Options {
            tls: Some(made.config.clone()),
            redirect: true,
            ..Options::default()
        })
        .await;
        (server, made)
    };
    let redirect = server.redirect.unwrap();
    let port = server.addr.port();
    let mut tcp = TcpStream::connect(redirect).await.unwrap();
    let response = exchange(
        &mut tcp,
        "GET /room/x?y=1 HTTP/1.1\r\nHost: parley.example:8080\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 301"), "{response}");
    assert_eq!(
        header(&response, "location"),
        Some(format!("https://parley.example:{port}/room/x?y=1").as_str())
    );
    // No Host at all: nothing to redirect to.
    let mut tcp = TcpStream::connect(redirect).await.unwrap();
    let response = exchange(&mut tcp, "GET / HTTP/1.0\r\n\r\n").await;
    assert!(response.starts_with("HTTP/1.0 400"), "{response}");
    server.stop_within(DEADLINE).await;
}

/// A certificate and its key for `localhost`, as PEM.
fn pem_pair() -> (CertificateDer<'static>, String, String) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.der().clone(), cert.pem(), key.serialize_pem())
}

fn write_pair(dir: &Path, cert: &str, key: &str) {
    // Written beside and renamed, as a certificate tool would, so no half-written file is seen.
    std::fs::write(dir.join("cert.tmp"), cert).unwrap();
    std::fs::write(dir.join("key.tmp"), key).unwrap();
    std::fs::rename(dir.join("key.tmp"), dir.join("key.pem")).unwrap();
    std::fs::rename(dir.join("cert.tmp"), dir.join("cert.pem")).unwrap();
}

#[tokio::test]
async fn replaced_certificate_files_serve_new_handshakes_and_keep_open_sessions() {
    let dir = scratch("reload");
    let (first, first_cert, first_key) = pem_pair();
    let (second, second_cert, second_key) = pem_pair();
    write_pair(&dir, &first_cert, &first_key);

    let state = server::AppState::new(server::Settings::default());
    let config = tls::files::from_files(
        dir.join("cert.pem"),
        dir.join("key.pem"),
        Duration::from_millis(20),
        state.shutdown.clone(),
        &state.tracker,
    )
    .unwrap();
    let server =
        Running::start_with_state(Some(config), false, server::Timeouts::default(), state).await;
    let trusting_both = client_config(&[first.clone(), second.clone()], &[HTTP1]);
    let stream = tls_connect(server.addr, trusting_both.clone())
        .await
        .unwrap();
    assert_eq!(presented(&stream), first);
    let mut alice = wss_login(server.addr, trusting_both.clone(), "alice").await;

    // A key that does not match the certificate is refused: the first pair stays.
    write_pair(&dir, &second_cert, &first_key);
    // Then the right pair: new handshakes see it, within the deadline.
    write_pair(&dir, &second_cert, &second_key);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let stream = tls_connect(server.addr, trusting_both.clone())
            .await
            .unwrap();
        if presented(&stream) == second {
            break;
        }
        assert_eq!(presented(&stream), first);
        assert!(
            Instant::now() < deadline,
            "the new certificate was never served"
        );
        tokio::task::yield_now().await;
    }

    // Alice's session, opened with the first certificate, is still there.
    let mut bob = wss_login(server.addr, trusting_both, "bob").await;
    alice.wait_for_users(&["alice", "bob"]).await;
    bob.marker("alice", "still here").await;
    let line = alice.next_non_presence().await;
    assert!(
        matches!(&line, FromServer::Message { text, .. } if text == "still here"),
        "{line:?}"
    );
    server.stop_within(DEADLINE).await;
}

#[test]
fn a_certificate_file_that_is_not_a_certificate_is_an_error() {
    let dir = scratch("bad-pem");
    let (_, _, key) = pem_pair();
    std::fs::write(dir.join("cert.pem"), "not a certificate").unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
    let loaded = tls::files::load(&dir.join("cert.pem"), &dir.join("key.pem"));
    assert!(loaded.is_err());
    let missing = tls::files::load(&dir.join("nothing.pem"), &dir.join("key.pem"));
    assert!(missing.is_err());
}

#[tokio::test]
async fn acme_tls_alpn_connections_are_closed_after_the_handshake() {
    // A config as ACME's would be: `acme-tls/1` among its protocols.
    let made = self_signed::generate(&names(), None).unwrap();
    let mut acme_like = (*made.config).clone();
    acme_like.alpn_protocols = vec![tls::ACME_TLS_ALPN.to_vec(), HTTP1.to_vec()];
    let server = Running::start(Options {
        tls: Some(std::sync::Arc::new(acme_like)),
        ..Options::default()
    })
    .await;

    let validator = client_config(std::slice::from_ref(&made.cert), &[tls::ACME_TLS_ALPN]);
    let mut stream = tls_connect(server.addr, validator).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(tls::ACME_TLS_ALPN));
    // Whatever it sends, the server has nothing to say and closes.
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await;
    assert_eq!(read_to_close(&mut stream).await, "");

    // Browsers (http/1.1) on the same config are served.
    let browser = client_config(&[made.cert], &[b"h2", HTTP1]);
    let mut stream = tls_connect(server.addr, browser).await.unwrap();
    let response = exchange(
        &mut stream,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    server.stop_within(DEADLINE).await;
}

#[test]
fn default_names_cover_the_listen_address() {
    let names = self_signed::default_names("0.0.0.0:443".parse().unwrap());
    assert_eq!(names, vec!["localhost", "127.0.0.1"]);
    let names = self_signed::default_names("192.168.1.5:443".parse().unwrap());
    assert_eq!(names, vec!["192.168.1.5"]);
}

#[test]
fn tls_and_timeout_flags() {
    use clap::Parser as _;
    use server::Config;
    let config = Config::try_parse_from(["server"]).unwrap();
    assert!(!config.serve.wants_tls());
    assert_eq!(config.serve.timeouts(), server::Timeouts::default());
    assert_eq!(config.serve.timeouts().header_read, Duration::from_secs(10));
    assert!(Config::try_parse_from(["server", "--tls-cert", "c.pem"]).is_err());
    assert!(
        Config::try_parse_from([
            "server",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--tls-self-signed"
        ])
        .is_err()
    );
    let config = Config::try_parse_from([
        "server",
        "--tls-self-signed",
        "--tls-name",
        "parley.lan",
        "--tls-name",
        "192.168.1.5",
        "--http-redirect-addr",
        "0.0.0.0:80",
        "--header-read-timeout",
        "0.5",
        "--shutdown-timeout",
        "3",
    ])
    .unwrap();
    assert!(config.serve.wants_tls());
    assert_eq!(config.serve.tls_name, vec!["parley.lan", "192.168.1.5"]);
    assert_eq!(
        config.serve.http_redirect_addr,
        Some("0.0.0.0:80".parse().unwrap())
    );
    let timeouts = config.serve.timeouts();
    assert_eq!(timeouts.header_read, Duration::from_millis(500));
    assert_eq!(timeouts.shutdown, Duration::from_secs(3));
}
