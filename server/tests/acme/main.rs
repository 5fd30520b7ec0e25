//! ACME for real, against Debian's `pebble` on loopback: pebble validates TLS-ALPN-01 on our
//! TLS listener (the resolver's challenge certificate), issues, and the listener then serves the
//! issued certificate; validation handshakes never get it; a cached certificate due for renewal
//! is served, then replaced by a new one; a restart serves the cached certificate at once with
//! pebble gone (so without a new order).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod pebble;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pebble::Pebble;
use rcgen::{CertificateParams, KeyPair, date_time_ymd};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use server::tls::acme::{ACME_TLS_ALPN, AcmeSettings, acme_config};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, timeout};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use x509_parser::extensions::GeneralName;

const DOMAIN: &str = "parley.example.com";
/// How long pebble may take from our first order to a served certificate.
const ISSUE: Duration = Duration::from_secs(60);

/// The test's TLS listener (the real accept loop lives in `server::tls`): answers a line and
/// closes; closes `acme-tls/1` connections right after the handshake.
async fn serve(listener: TcpListener, config: Arc<ServerConfig>, stop: CancellationToken) {
    let acceptor = TlsAcceptor::from(config);
    loop {
        let tcp = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted.unwrap().0,
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                return;
            };
            if tls.get_ref().1.alpn_protocol() == Some(ACME_TLS_ALPN) {
                let _ = tls.shutdown().await;
                return;
            }
            let _ = tls.write_all(b"ok\n").await;
            let _ = tls.shutdown().await;
        });
    }
}

/// Serves `settings` over ACME on a fresh loopback listener; returns the port and what stops it.
async fn start_server(
    listener: TcpListener,
    settings: &AcmeSettings,
) -> (CancellationToken, TaskTracker) {
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let config = acme_config(settings, shutdown.clone(), &tracker)
        .await
        .unwrap();
    assert_eq!(
        config.alpn_protocols,
        vec![ACME_TLS_ALPN.to_vec(), b"http/1.1".to_vec()]
    );
    tracker.spawn(serve(listener, config, shutdown.clone()));
    (shutdown, tracker)
}

async fn stop_server(shutdown: CancellationToken, tracker: TaskTracker) {
    shutdown.cancel();
    tracker.close();
    timeout(Duration::from_secs(5), tracker.wait())
        .await
        .expect("the ACME task and the listener end with the shutdown");
}

/// A TLS handshake with `DOMAIN` on `port` offering `alpn`; the served chain and the protocol.
async fn handshake(
    port: u16,
    roots: &RootCertStore,
    alpn: &[u8],
) -> std::io::Result<(Vec<CertificateDer<'static>>, Option<Vec<u8>>)> {
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots.clone())
            .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = TcpStream::connect(("127.0.0.1", port)).await?;
    let name = ServerName::try_from(DOMAIN).unwrap();
    let tls = timeout(
        Duration::from_secs(5),
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .map_err(|_| std::io::ErrorKind::TimedOut)??;
    let connection = tls.get_ref().1;
    let chain = connection.peer_certificates().unwrap_or_default().to_vec();
    Ok((chain, connection.alpn_protocol().map(<[u8]>::to_vec)))
}

/// Waits until the listener on `port` serves a certificate from pebble (`roots`): until then
/// handshakes find no certificate, or one pebble did not issue.
async fn wait_for_pebble_certificate(
    port: u16,
    roots: &RootCertStore,
    pebble: &Pebble,
) -> (Vec<CertificateDer<'static>>, Option<Vec<u8>>) {
    let deadline = Instant::now() + ISSUE;
    loop {
        match handshake(port, roots, b"http/1.1").await {
            Ok(served) => return served,
            Err(e) => assert!(
                Instant::now() < deadline,
                "no certificate from pebble served ({e}); pebble's log:\n{}",
                pebble.log()
            ),
        }
        // Issuance has no notification the client can see: try again shortly.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A self-signed certificate for `DOMAIN` (key and certificate PEM, as the cache keeps them)
/// that has not expired but has less than a third of its lifetime left: valid from 2000 to
/// the start of next year.
fn due_for_renewal() -> (String, CertificateDer<'static>) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let next_year = 1970 + i32::try_from(now.as_secs() / 31_556_952).unwrap() + 1;
    let mut params = CertificateParams::new(vec![DOMAIN.to_owned()]).unwrap();
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after = date_time_ymd(next_year, 1, 1);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (
        format!("{}{}", key.serialize_pem(), cert.pem()),
        cert.der().clone(),
    )
}

fn test_dir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("acme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn pebble_issues_a_certificate_that_is_served_renewed_and_reused_from_the_cache() {
    // The ACME task's log (orders, failures) in the test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("server=debug")
        .try_init();
    let dir = test_dir();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let pebble = Pebble::start(&dir.join("pebble"), port).await;
    let settings = AcmeSettings {
        domains: vec![DOMAIN.to_owned()],
        contact: vec!["mailto:admin@example.com".to_owned()],
        cache_dir: dir.join("cache"),
        directory_url: pebble.directory.clone(),
        directory_ca: Some(pebble.api_ca.clone()),
    };
    let (shutdown, tracker) = start_server(listener, &settings).await;

    let mut roots = RootCertStore::empty();
    roots.add(pebble.issuing_root().await).unwrap();
    let (chain, alpn) = wait_for_pebble_certificate(port, &roots, &pebble).await;
    // Verified against pebble's issuing root by the handshake; and it names the domain.
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
    let (_, leaf) = x509_parser::parse_x509_certificate(&chain[0]).unwrap();
    let names: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(dns) => (*dns).to_owned(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(names, vec![DOMAIN.to_owned()]);
    assert!(
        leaf.issuer().to_string().contains("Pebble"),
        "issuer: {}",
        leaf.issuer()
    );

    // A validation handshake (acme-tls/1) with no pending challenge gets no certificate at all.
    assert!(handshake(port, &roots, ACME_TLS_ALPN).await.is_err());

    // The cache holds the account key and the certificate, for the owner only.
    let cache: Vec<PathBuf> = std::fs::read_dir(&settings.cache_dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(cache.len(), 2, "account and certificate: {cache:?}");
    assert_eq!(mode(&settings.cache_dir), 0o700);
    for file in &cache {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    stop_server(shutdown, tracker).await;

    // A cached certificate that is still valid but due for renewal is served at once, then
    // replaced by a new one from pebble (with the cached account).
    let cached = cache
        .iter()
        .find(|path| path.extension().is_some_and(|ext| ext == "pem"))
        .unwrap();
    let (due_pem, due_cert) = due_for_renewal();
    std::fs::write(cached, due_pem).unwrap();
    // The same port: pebble validates there.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let (shutdown, tracker) = start_server(listener, &settings).await;
    let mut due_root = RootCertStore::empty();
    due_root.add(due_cert.clone()).unwrap();
    let (served, _) = handshake(port, &due_root, b"http/1.1").await.unwrap();
    assert_eq!(served, vec![due_cert]);
    let (renewed, _) = wait_for_pebble_certificate(port, &roots, &pebble).await;
    assert_ne!(renewed, chain);
    stop_server(shutdown, tracker).await;
    let chain = renewed;

    // Restart with pebble gone: no order can succeed, yet the first handshake gets the same
    // certificate, from the cache.
    drop(pebble);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (shutdown, tracker) = start_server(listener, &settings).await;
    let (again, _) = handshake(port, &roots, b"http/1.1").await.unwrap();
    assert_eq!(again, chain);
    stop_server(shutdown, tracker).await;
    let _ = std::fs::remove_dir_all(&dir);
}
