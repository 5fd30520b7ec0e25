//! Scenario "tls" (issue 10): what HTTPS costs. The throughput scenario's closed loop runs in
//! the same run against a plain server (`ws://`) and against one serving a certificate file
//! (`wss://`, rustls with ring, TLS 1.3), in alternating rounds, and prints relay throughput
//! and server CPU per relayed message side by side (medians of the rounds), their ratio
//! (target: TLS at most 1.3× plain), and the release binary's size. The certificate is made here (rcgen) and is the clients' only trusted root.

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
        "\n== tls: {} pairs, closed loop, plain ws:// and wss:// (rustls, ring) alternated {ROUNDS} times ==",
        config.pairs
    );
    // Both servers run side by side and are measured in turns, so that other work on the
    // machine weighs on both alike; each figure is the median of its rounds.
    let plain_server = ServerProcess::start(spec, "tls-plain", &crate::UNLIMITED_RATE).await?;
    let mut args = crate::UNLIMITED_RATE.to_vec();
    let (cert_arg, key_arg) = (path_arg(&cert_file)?, path_arg(&key_file)?);
    args.extend(["--tls-cert", cert_arg, "--tls-key", key_arg]);
    let tls_server = ServerProcess::start(spec, "tls", &args).await?;
    let mut plains = Vec::new();
    let mut tlss = Vec::new();
    for round in 1..=ROUNDS {
        println!("-- round {round}: plain ws://");
        let pairs = login_pairs(&plain_server.url(), config.pairs).await?;
        plains.push(measure(&plain_server, config, pairs, true).await?);
        println!("-- round {round}: TLS wss://");
        let pairs = login_tls_pairs(tls_server.addr, config.pairs, &client_tls).await?;
        tlss.push(measure(&tls_server, config, pairs, true).await?);
    }
    let ratios: Vec<f64> = plains
        .iter()
        .zip(&tlss)
        .map(|(p, t)| t.cpu_per_msg_us / p.cpu_per_msg_us)
        .collect();
    println!(
        "TLS/plain CPU per message by round: {}",
        ratios
            .iter()
            .map(|r| format!("{r:.2}×"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let plain = median_of(plains);
    let tls = median_of(tlss);
    let ratio = median(ratios);
    let size = std::fs::metadata(&spec.bin)?.len();
    println!(
        "plain: {:.0} msg/s, {:.2} µs CPU/msg; TLS: {:.0} msg/s, {:.2} µs CPU/msg; TLS/plain CPU {ratio:.2}×",
        plain.rate, plain.cpu_per_msg_us, tls.rate, tls.cpu_per_msg_us
    );
    println!(
        "cipher suite: {}",
        NEGOTIATED.get().map_or("?", String::as_str)
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

/// Plain and TLS rounds each.
const ROUNDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The round with the median CPU per message (its latency and memory with it), with the
/// median rate of all rounds; a caveat of any round is kept.
fn median_of(mut rounds: Vec<Measured>) -> Measured {
    let caveat = rounds.iter().find_map(|m| m.caveat.clone());
    let rate = median(rounds.iter().map(|m| m.rate).collect());
    rounds.sort_by(|a, b| a.cpu_per_msg_us.total_cmp(&b.cpu_per_msg_us));
    let mut middle = rounds.swap_remove(rounds.len() / 2);
    middle.caveat = caveat;
    middle.rate = rate;
    middle
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
    // Chromium's order: AES-128-GCM first (ring's default puts AES-256 first), so the server
    // is measured with the cipher suite browsers negotiate.
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites.sort_by_key(|suite| {
        use rustls::CipherSuite::{TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384};
        match suite.suite() {
            TLS13_AES_128_GCM_SHA256 => 0,
            TLS13_AES_256_GCM_SHA384 => 1,
            _ => 2,
        }
    });
    let provider = Arc::new(provider);
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BenchError::Server(format!("client config: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The cipher suite the first connection negotiated, printed with the figures.
static NEGOTIATED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// `wss://` with Nagle off and the relay clients' read buffer (as `client::connect`).
async fn connect_tls(addr: SocketAddr, tls: &Arc<ClientConfig>) -> Result<Ws> {
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let url = format!("wss://localhost:{}/ws", addr.port());
    let connector = Some(Connector::Rustls(tls.clone()));
    let (ws, _response) = client_async_tls_with_config(url, tcp, Some(config), connector).await?;
    if let tokio_tungstenite::MaybeTlsStream::Rustls(tls) = ws.get_ref() {
        let suite = tls.get_ref().1.negotiated_cipher_suite();
        NEGOTIATED.get_or_init(|| format!("{:?}", suite.map(|s| s.suite())));
    }
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
