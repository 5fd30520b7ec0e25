//! The certificate resolver rustls asks on every handshake: a handshake that offers the
//! `acme-tls/1` protocol (the ACME server validating TLS-ALPN-01, RFC 8737) gets the challenge
//! certificate for its server name, or nothing; every other handshake gets the issued certificate
//! (nothing before the first one is issued).

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use rcgen::{CertificateParams, CustomExtension, KeyPair};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// The ALPN protocol of TLS-ALPN-01 validation handshakes. The accept loop must close a
/// connection that negotiated it right after the handshake (it carries no HTTP).
pub use crate::tls::ACME_TLS_ALPN;

/// The issued certificate and the pending challenge certificates.
#[derive(Debug, Default)]
pub struct AcmeResolver {
    // A std lock: held only to clone an `Arc` or swap an entry, never across an `.await`.
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    current: Option<Arc<CertifiedKey>>,
    /// Challenge certificates by (lower-case) domain.
    challenges: HashMap<String, Arc<CertifiedKey>>,
}

impl AcmeResolver {
    /// Serves `key` to ordinary handshakes from now on.
    pub fn set_certificate(&self, key: Arc<CertifiedKey>) {
        self.inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .current = Some(key);
    }

    /// Answers `acme-tls/1` handshakes for `domain` with `key` until [`Self::clear_challenges`].
    pub fn add_challenge(&self, domain: &str, key: Arc<CertifiedKey>) {
        self.inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .challenges
            .insert(domain.to_ascii_lowercase(), key);
    }

    pub fn clear_challenges(&self) {
        self.inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .challenges
            .clear();
    }
}

impl ResolvesServerCert for AcmeResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let validation = hello
            .alpn()
            .is_some_and(|mut protocols| protocols.any(|protocol| protocol == ACME_TLS_ALPN));
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        if validation {
            // Never the real certificate: a validation handshake is closed after it anyway.
            let name = hello.server_name()?.to_ascii_lowercase();
            inner.challenges.get(&name).cloned()
        } else {
            inner.current.clone()
        }
    }
}

/// Why a challenge certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChallengeError {
    #[error("making the challenge certificate: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("loading the challenge key: {0}")]
    Key(#[from] rustls::Error),
}

/// The TLS-ALPN-01 certificate for `domain`: self-signed, naming `domain`, with the critical
/// acmeIdentifier extension holding `digest` (SHA-256 of the key authorization, 32 bytes).
pub fn challenge_key(
    domain: &str,
    digest: &[u8; 32],
    provider: &CryptoProvider,
) -> Result<CertifiedKey, ChallengeError> {
    let mut params = CertificateParams::new(vec![domain.to_owned()])?;
    params.custom_extensions = vec![CustomExtension::new_acme_identifier(digest)];
    let key_pair = KeyPair::generate()?;
    let cert = params.self_signed(&key_pair)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    // Not `CertifiedKey::from_der`: its key check parses the certificate with webpki, which
    // refuses the critical acmeIdentifier extension. The pair was just made together.
    let key = provider.key_provider.load_private_key(key)?;
    Ok(CertifiedKey::new(vec![cert.der().clone()], key))
}
