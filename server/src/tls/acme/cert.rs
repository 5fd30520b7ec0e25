//! An issued certificate as the cache keeps it (the private key's PEM followed by the chain's)
//! and as rustls serves it ([`CertifiedKey`]), with its validity period.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use super::renew::Validity;

/// Why a PEM text is not a usable certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("no private key in the PEM text")]
    NoKey,
    #[error("no certificate in the PEM text")]
    NoCertificate,
    #[error("a PEM block is malformed: {0}")]
    Pem(#[from] rustls::pki_types::pem::Error),
    #[error("the certificate's validity cannot be read")]
    Validity,
    #[error("the key does not fit the certificate: {0}")]
    Key(#[from] rustls::Error),
}

/// A certificate ready to serve.
pub struct Issued {
    pub key: Arc<CertifiedKey>,
    pub validity: Validity,
}

impl Issued {
    /// Reads the key and chain (leaf first) from `pem` and checks that they belong together.
    pub fn from_pem(pem: &str, provider: &CryptoProvider) -> Result<Self, CertError> {
        let key = match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
            Ok(key) => key,
            Err(rustls::pki_types::pem::Error::NoItemsFound) => return Err(CertError::NoKey),
            Err(e) => return Err(e.into()),
        };
        let chain =
            CertificateDer::pem_slice_iter(pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
        let leaf = chain.first().ok_or(CertError::NoCertificate)?;
        let validity = validity(leaf).ok_or(CertError::Validity)?;
        let key = CertifiedKey::from_der(chain, key, provider)?;
        Ok(Self {
            key: Arc::new(key),
            validity,
        })
    }
}

/// The validity period of a DER certificate.
pub fn validity(der: &[u8]) -> Option<Validity> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let time = |seconds: i64| -> Option<SystemTime> {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(seconds).ok()?))
    };
    Some(Validity {
        not_before: time(cert.validity().not_before.timestamp())?,
        not_after: time(cert.validity().not_after.timestamp())?,
    })
}
