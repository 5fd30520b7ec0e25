//! HTTPS: the `rustls::ServerConfig` the accept loop (`serve.rs`) takes, from any source.
//!
//! - [`CurrentCert`]: a `ResolvesServerCert` holding the current certificate, which can be
//!   swapped while the server runs (new handshakes get the new one; open connections keep
//!   theirs).
//! - `tls/files.rs`: PEM certificate and key files, reloaded when they change.
//! - `tls/self_signed.rs`: a self-signed certificate for a LAN (rcgen), its key kept in a file.
//! - [`acme`]: automatic certificates over ACME (TLS-ALPN-01); it hands over its own
//!   `ServerConfig` (ALPN `acme-tls/1` among its protocols); the accept loop closes `acme-tls/1` connections after their handshake.
//!
//! Every config uses the `ring` provider and offers ALPN `http/1.1` (WebSocket runs over it).

pub mod acme;
pub mod files;
pub mod self_signed;

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest, Sha256};

/// ALPN of ACME's TLS-ALPN-01 validation (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";
/// The only application protocol we speak.
pub const HTTP1_ALPN: &[u8] = b"http/1.1";

/// Why a TLS configuration could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("{path}: {reason}")]
    Pem { path: PathBuf, reason: String },
    #[error("no certificate in {0}")]
    NoCertificate(PathBuf),
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// The certificate handed to every new handshake; [`CurrentCert::set`] replaces it.
#[derive(Debug)]
pub struct CurrentCert {
    /// A std lock: read (an `Arc` clone) per handshake, written on reload; never held across
    /// an await.
    current: RwLock<Arc<CertifiedKey>>,
}

impl CurrentCert {
    pub fn new(key: CertifiedKey) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Arc::new(key)),
        })
    }

    pub fn get(&self) -> Arc<CertifiedKey> {
        match self.current.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn set(&self, key: CertifiedKey) {
        match self.current.write() {
            Ok(mut current) => *current = Arc::new(key),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(key),
        }
    }
}

impl ResolvesServerCert for CurrentCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.get())
    }
}

/// The `ring` provider, which every config and key here uses.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server config (TLS 1.2 and 1.3, no client certificates, ALPN `http/1.1`) whose
/// certificate comes from `resolver`.
pub fn server_config(resolver: Arc<dyn ResolvesServerCert>) -> Result<Arc<ServerConfig>, TlsError> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![HTTP1_ALPN.to_vec()];
    Ok(Arc::new(config))
}

/// SHA-256 of a certificate (DER) as browsers show it: colon-separated upper-case hex.
pub fn fingerprint(cert_der: &[u8]) -> String {
    let digest = Sha256::digest(cert_der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{byte:02X}");
    }
    out
}

/// Base64 of the SHA-256 of a SubjectPublicKeyInfo (DER): what Chromium's
/// `--ignore-certificate-errors-spki-list` takes.
pub fn spki_hash(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki_der))
}
