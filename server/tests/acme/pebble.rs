//! Debian's `pebble` ACME test server and `pebble-challtestsrv` (as its DNS server, answering
//! 127.0.0.1 for every name) on free loopback ports, killed on drop; pebble's own HTTPS
//! certificate is made here (rcgen) and its CA handed to the ACME client.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, SanType};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout};
use tokio_rustls::TlsConnector;

/// How long pebble and the DNS server may take to start.
const START: Duration = Duration::from_secs(20);

/// A port nobody listens on right now (the OS's choice for port 0).
pub fn free_port() -> u16 {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A child process killed (SIGKILL, that pid only) and reaped on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// pebble and its DNS server.
pub struct Pebble {
    /// The ACME directory URL.
    pub directory: String,
    /// The CA of pebble's HTTPS certificate (PEM file), for `--acme-directory-ca`.
    pub api_ca: PathBuf,
    management: SocketAddr,
    log: PathBuf,
    // Dropped in this order: pebble first.
    _pebble: Process,
    _dns: Process,
}

impl Pebble {
    /// Starts both in `dir`; pebble validates TLS-ALPN-01 on `tls_port` of whatever the DNS
    /// server answers (127.0.0.1).
    pub async fn start(dir: &Path, tls_port: u16) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let api_ca = write_api_certificate(dir);

        let dns_port = free_port();
        let dns = spawn(
            Command::new("pebble-challtestsrv")
                .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
                .args(["-dns01", &format!("127.0.0.1:{dns_port}")])
                .args(["-management", &format!("127.0.0.1:{}", free_port())])
                .args(["-http01", "", "-https01", "", "-tlsalpn01", ""]),
            &dir.join("challtestsrv.log"),
        );

        let listen = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let management = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": listen.to_string(),
                "managementListenAddress": management.to_string(),
                "certificate": dir.join("api.pem"),
                "privateKey": dir.join("api.key"),
                "httpPort": free_port(),
                "tlsPort": tls_port,
                "ocspResponderURL": "",
                "externalAccountBindingRequired": false,
            }
        });
        let config_path = dir.join("pebble.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let log = dir.join("pebble.log");
        let pebble = spawn(
            Command::new("pebble")
                .arg("-config")
                .arg(&config_path)
                .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
                // No random validation delays; no nonces refused on purpose.
                .env("PEBBLE_VA_NOSLEEP", "1")
                .env("PEBBLE_WFE_NONCEREJECT", "0"),
            &log,
        );

        let pebble = Self {
            directory: format!("https://{listen}/dir"),
            api_ca,
            management,
            log,
            _pebble: pebble,
            _dns: dns,
        };
        wait_for_dns(dns_port).await;
        pebble.wait_for_https(listen).await;
        pebble.wait_for_https(management).await;
        pebble
    }

    /// pebble's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The root that signs pebble's issued certificates (random per run), from the management
    /// API's `/roots/0`.
    pub async fn issuing_root(&self) -> CertificateDer<'static> {
        let response = self.get(self.management, "/roots/0").await.unwrap();
        CertificateDer::from_pem_slice(&response)
            .unwrap_or_else(|e| panic!("no root in {:?}: {e}", String::from_utf8_lossy(&response)))
    }

    /// Waits until `addr` answers an HTTPS request.
    async fn wait_for_https(&self, addr: SocketAddr) {
        let deadline = Instant::now() + START;
        loop {
            if self.get(addr, "/").await.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "pebble does not answer on {addr}; its log:\n{}",
                self.log()
            );
            // Nothing notifies us when a port starts listening: look again shortly.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// An HTTP/1.0 GET over TLS trusting only pebble's API CA; the whole response.
    async fn get(&self, addr: SocketAddr, path: &str) -> std::io::Result<Vec<u8>> {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(&self.api_ca).unwrap())
            .unwrap();
        let config =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
        let tcp = TcpStream::connect(addr).await?;
        let name = ServerName::IpAddress(addr.ip().into());
        let mut tls = TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await?;
        tls.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await?;
        let mut response = Vec::new();
        timeout(Duration::from_secs(5), tls.read_to_end(&mut response))
            .await
            .map_err(|_| std::io::ErrorKind::TimedOut)??;
        Ok(response)
    }
}

fn spawn(command: &mut Command, log: &Path) -> Process {
    let out = std::fs::File::create(log).unwrap();
    let err = out.try_clone().unwrap();
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {command:?} (Debian package `pebble`; `cargo xtask test` installs it): {e}")
        });
    Process(child)
}

/// A CA and a certificate for 127.0.0.1 signed by it, for pebble's HTTPS (`api.pem`,
/// `api.key`); returns the CA's PEM file.
fn write_api_certificate(dir: &Path) -> PathBuf {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    std::fs::write(dir.join("api.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("api.key"), key.serialize_pem()).unwrap();
    let ca_path = dir.join("api-ca.pem");
    std::fs::write(&ca_path, ca.pem()).unwrap();
    ca_path
}

/// Waits until the DNS server answers an A query over UDP.
async fn wait_for_dns(port: u16) {
    // ID 0x5eb1, recursion desired, one question: ready.example.com A IN.
    let mut query = vec![0x5e, 0xb1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in ["ready", "example", "com"] {
        query.push(label.len() as u8);
        query.extend_from_slice(label.as_bytes());
    }
    query.extend_from_slice(&[0, 0, 1, 0, 1]);
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let deadline = Instant::now() + START;
    let mut answer = [0u8; 512];
    loop {
        socket.send_to(&query, ("127.0.0.1", port)).await.unwrap();
        // A refused datagram makes the next receive fail at once: wait before asking again.
        match timeout(Duration::from_millis(200), socket.recv(&mut answer)).await {
            Ok(Ok(n)) if n >= 2 && answer[..2] == query[..2] => return,
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => {}
        }
        assert!(
            Instant::now() < deadline,
            "pebble-challtestsrv's DNS does not answer"
        );
    }
}
