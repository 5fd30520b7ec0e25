//! `--tls-self-signed`: HTTPS on a LAN without a certificate authority. A certificate for the
//! given names (DNS names or IP addresses) is made at start with rcgen, signed by a key kept in
//! a file (`--tls-self-signed-key`), so the key, and with it the SPKI hash a browser can be told
//! to trust (Chromium's `--ignore-certificate-errors-spki-list`), survives restarts; the
//! certificate itself, and so its fingerprint, is new at every start. With no key file, the key
//! is new too.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, DnType, KeyPair, PublicKeyData as _};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;

use super::{CurrentCert, TlsError, fingerprint, server_config, spki_hash};

/// A self-signed certificate ready to serve, and what a client needs to trust exactly it.
pub struct SelfSigned {
    pub config: Arc<ServerConfig>,
    /// The certificate (DER), for clients that trust it as their only root.
    pub cert: CertificateDer<'static>,
    /// SHA-256 of the certificate, colon-separated hex.
    pub fingerprint: String,
    /// Base64 SHA-256 of the public key (SubjectPublicKeyInfo).
    pub spki_hash: String,
    pub names: Vec<String>,
}

/// The names a certificate for `addr` covers when none are given: its IP address, and
/// `localhost` and `127.0.0.1` for a loopback or unspecified (all interfaces) address.
pub fn default_names(addr: SocketAddr) -> Vec<String> {
    let ip = addr.ip();
    let mut names = Vec::new();
    if ip.is_loopback() || ip.is_unspecified() {
        names.push("localhost".to_owned());
        names.push("127.0.0.1".to_owned());
    }
    if !ip.is_unspecified() && !names.contains(&ip.to_string()) {
        names.push(ip.to_string());
    }
    names
}

/// A certificate for `names` signed by the key in `key_file` (made there, readable by the owner
/// only, when the file does not exist yet); with no file, by a new key.
pub fn generate(names: &[String], key_file: Option<&Path>) -> Result<SelfSigned, TlsError> {
    let key = match key_file {
        Some(path) if path.exists() => {
            let pem = std::fs::read_to_string(path).map_err(|source| TlsError::Read {
                path: path.to_owned(),
                source,
            })?;
            KeyPair::from_pem(&pem)?
        }
        Some(path) => {
            let key = KeyPair::generate()?;
            write_private(path, key.serialize_pem().as_bytes())?;
            key
        }
        None => KeyPair::generate()?,
    };
    let mut params = CertificateParams::new(names.to_vec())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "Parley (self-signed)");
    let cert = params.self_signed(&key)?;
    let der = cert.der().clone();
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_supported_type(&private)?;
    let certified = CertifiedKey::new(vec![der.clone()], signing);
    Ok(SelfSigned {
        config: server_config(CurrentCert::new(certified))?,
        fingerprint: fingerprint(&der),
        spki_hash: spki_hash(&key.subject_public_key_info()),
        cert: der,
        names: names.to_vec(),
    })
}

/// Writes a new file only the owner can read.
fn write_private(path: &Path, contents: &[u8]) -> Result<(), TlsError> {
    let error = |source| TlsError::Write {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(error)?;
    file.write_all(contents).map_err(error)?;
    file.sync_all().map_err(error)
}
