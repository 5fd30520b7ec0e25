//! Scenario "tls" (issue 10): what HTTPS costs. The throughput scenario's closed loop runs twice
//! in the same run, against a plain server (`ws://`) and against one serving a certificate file
//! (`wss://`, rustls with ring, TLS 1.3), and prints relay throughput and server CPU per relayed
//! message side by side, their ratio (target: TLS at most 1.3× plain), and the release
//! binary's size. The certificate is made here (rcgen) and is the clients' only trusted root.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::try_join_all;
use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, client_async_tls_with_config};

use crate::client::{self, OUR_FEATURES, Roster, Track, Ws};
use crate::error::{BenchError, Result};
use crate::frames::PairFrames;
use crate::harness::{ServerProcess, ServerSpec, target_dir};
use crate::pairs::{Pair, login_pairs};
use crate::report::{Figure, Goal};
use crate::throughput::{Config, Measured, measure};

/// Runs both halves; a failure is one MISS row.
pub async fn run(spec: &ServerSpec, config: &Config) -> Vec<Figure> {
    compare(spec, config).await.unwrap_or_else(|e| {
        println!("tls: failed: {e}");
        vec![Figure::failed("tls", &e.to_string())]
    })
}

async fn compare(spec: &ServerSpec, config: &Config) -> Result<Vec<Figure>> {
    let dir = target_dir().join("loadgen").join("tls");
    std::fs::create_dir_all(&dir)?;
    let (cert, cert_file, key_file) = certificate(&dir)?;
    let client_tls = client_config(cert)?;

    println!(
        "\n== tls: {} pairs, closed loop, plain ws:// then wss:// (rustls, ring) ==",
        config.pairs
    );
    let plain = {
        let server = ServerProcess::start(spec, "tls-plain", &crate::UNLIMITED_RATE).await?;
        let pairs = login_pairs(&server.url(), config.pairs).await?;
        measure(&server, config, pairs, true).await?
    };
    let mut args = crate::UNLIMITED_RATE.to_vec();
    let (cert_arg, key_arg) = (path_arg(&cert_file)?, path_arg(&key_file)?);
    args.extend(["--tls-cert", cert_arg, "--tls-key", key_arg]);
    let tls = {
        let server = ServerProcess::start(spec, "tls", &args).await?;
        let pairs = login_tls_pairs(server.addr, config.pairs, &client_tls).await?;
        measure(&server, config, pairs, true).await?
    };
    let ratio = tls.cpu_per_msg_us / plain.cpu_per_msg_us;
    let size = std::fs::metadata(&spec.bin)?.len();
    println!(
        "plain: {:.0} msg/s, {:.2} µs CPU/msg; TLS: {:.0} msg/s, {:.2} µs CPU/msg; TLS/plain CPU {ratio:.2}×",
        plain.rate, plain.cpu_per_msg_us, tls.rate, tls.cpu_per_msg_us
    );
    println!("release binary {}: {} KiB", spec.bin.display(), size / 1024);
    let caveat = caveat(&plain, &tls);
    Ok(vec![
        Figure::new("plain ws:// throughput", plain.rate, "msg/s", Goal::Info),
        Figure::new("TLS wss:// throughput", tls.rate, "msg/s", Goal::Info),
        Figure::new(
            "plain server CPU per message",
            plain.cpu_per_msg_us,
            "µs",
            Goal::Info,
        ),
        Figure::new(
            "TLS server CPU per message",
            tls.cpu_per_msg_us,
            "µs",
            Goal::Info,
        ),
        Figure::new("TLS/plain CPU per message", ratio, "×", Goal::AtMost(1.3)).with_caveat(caveat),
        Figure::new(
            "release server binary",
            (size / 1024) as f64,
            "KiB",
            Goal::Info,
        ),
    ])
}

fn caveat(plain: &Measured, tls: &Measured) -> Option<String> {
    match (&plain.caveat, &tls.caveat) {
        (None, None) => None,
        (a, b) => Some(format!(
            "plain: {}; tls: {}",
            a.as_deref().unwrap_or("ok"),
            b.as_deref().unwrap_or("ok")
        )),
    }
}

fn path_arg(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| BenchError::Server(format!("not UTF-8: {}", path.display())))
}

/// A certificate for `localhost` and its key, written as PEM files in `dir`.
fn certificate(
    dir: &Path,
) -> Result<(
    CertificateDer<'static>,
    std::path::PathBuf,
    std::path::PathBuf,
)> {
    let made = (|| {
        let key = KeyPair::generate()?;
        let cert = CertificateParams::new(vec!["localhost".to_owned()])?.self_signed(&key)?;
        Ok::<_, rcgen::Error>((cert, key))
    })()
    .map_err(|e| BenchError::Server(format!("certificate: {e}")))?;
    let (cert, key) = made;
    let cert_file = dir.join("cert.pem");
    let key_file = dir.join("key.pem");
    std::fs::write(&cert_file, cert.pem())?;
    std::fs::write(&key_file, key.serialize_pem())?;
    Ok((cert.der().clone(), cert_file, key_file))
}

/// A client config trusting exactly `cert`, over ring.
fn client_config(cert: CertificateDer<'static>) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    roots
        .add(cert)
        .map_err(|e| BenchError::Server(format!("root: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BenchError::Server(format!("client config: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `wss://` with Nagle off and the relay clients' read buffer (as `client::connect`).
async fn connect_tls(addr: SocketAddr, tls: &Arc<ClientConfig>) -> Result<Ws> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let url = format!("wss://localhost:{}/ws", addr.port());
    let connector = Some(Connector::Rustls(tls.clone()));
    let (ws, _response) = client_async_tls_with_config(url, tcp, Some(config), connector).await?;
    Ok(ws)
}

/// As `pairs::login_pairs`, over `wss://`.
async fn login_tls_pairs(
    addr: SocketAddr,
    pairs: usize,
    tls: &Arc<ClientConfig>,
) -> Result<Vec<Pair>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let total = pairs * 2;
    let names: Vec<String> = (0..pairs)
        .flat_map(|p| [format!("caller{p:03}"), format!("callee{p:03}")])
        .collect();
    let clients = try_join_all(names.iter().map(|name| async move {
        let mut ws = connect_tls(addr, tls).await?;
        let id = client::read_id(&mut ws, deadline).await?;
        client::send_login(&mut ws, id, name, &OUR_FEATURES).await?;
        let mut roster = Roster::new(Track::Count, true);
        client::read_until_complete(&mut ws, &mut roster, total, None, deadline).await?;
        Ok::<_, BenchError>(ws)
    }))
    .await?;
    let mut clients = clients.into_iter();
    let mut out = Vec::with_capacity(pairs);
    for p in 0..pairs {
        if let (Some(caller), Some(callee)) = (clients.next(), clients.next()) {
            let frames = PairFrames::new(&names[2 * p], &names[2 * p + 1]);
            out.push(Pair {
                caller,
                callee,
                frames,
            });
        }
    }
    Ok(out)
}
