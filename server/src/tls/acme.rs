//! Automatic certificates over ACME with the TLS-ALPN-01 challenge, so port 443 alone suffices.
//!
//! [`acme_config`] returns the rustls [`ServerConfig`] the TLS listener serves with: its resolver
//! ([`AcmeResolver`]) answers `acme-tls/1` validation handshakes with a challenge certificate and
//! every other handshake with the issued certificate. A background task orders the certificate,
//! keeps it (with the account key) in the cache folder, reuses it at restart while valid, and
//! renews it when a third of its lifetime is left.
//!
//! Files: `acme/flags.rs` (flags, [`AcmeSettings`]), `acme/resolver.rs` (handshakes, challenge
//! certificates), `acme/order.rs` (one ACME order), `acme/cache.rs` (the cache folder),
//! `acme/cert.rs` (PEM ↔ rustls key, validity), `acme/renew.rs` (when to renew or retry).

mod cache;
mod cert;
pub mod flags;
mod order;
pub mod renew;
pub mod resolver;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use cache::Cache;
use cert::Issued;
pub use flags::{AcmeFlags, AcmeSettings, LETS_ENCRYPT};
use renew::{Validity, retry_delay};
pub use resolver::{ACME_TLS_ALPN, AcmeResolver};

/// Why ACME cannot start (checked before serving; failed orders are retried instead).
#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("ACME needs at least one domain (--acme-domain)")]
    NoDomain,
    #[error("cannot create the ACME cache folder {path}: {source}")]
    CacheDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read a CA certificate from {path} (--acme-directory-ca): {source}")]
    DirectoryCa {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}

/// The TLS configuration for ACME certificates on `settings.domains`: ring provider, ALPN
/// `acme-tls/1` and `http/1.1`. A cached, unexpired certificate is served at once; the task that
/// orders and renews runs on `tracker` until `shutdown`.
pub async fn acme_config(
    settings: &AcmeSettings,
    shutdown: CancellationToken,
    tracker: &TaskTracker,
) -> Result<Arc<ServerConfig>, AcmeError> {
    if settings.domains.is_empty() {
        return Err(AcmeError::NoDomain);
    }
    if let Some(path) = &settings.directory_ca {
        CertificateDer::from_pem_file(path).map_err(|source| AcmeError::DirectoryCa {
            path: path.clone(),
            source,
        })?;
    }
    let cache = Cache::new(settings);
    cache.create_dir().map_err(|source| AcmeError::CacheDir {
        path: settings.cache_dir.clone(),
        source,
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let resolver = Arc::new(AcmeResolver::default());
    let cached = load_cached(&cache, &provider);
    if let Some(issued) = &cached {
        resolver.set_certificate(issued.key.clone());
    }

    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
    config.alpn_protocols = vec![ACME_TLS_ALPN.to_vec(), crate::tls::HTTP1_ALPN.to_vec()];

    let task = Renewal {
        settings: settings.clone(),
        cache,
        resolver,
        provider,
    };
    tracker.spawn(task.run(cached.map(|issued| issued.validity), shutdown));
    Ok(Arc::new(config))
}

/// The cached certificate if it is readable and not expired.
fn load_cached(cache: &Cache, provider: &CryptoProvider) -> Option<Issued> {
    let path = cache.certificate_path().display();
    let pem = match cache.load_certificate() {
        Ok(pem) => pem?,
        Err(e) => {
            tracing::warn!(%path, error = %e, "cannot read the cached ACME certificate");
            return None;
        }
    };
    match Issued::from_pem(&pem, provider) {
        Ok(issued) if issued.validity.serves_at(SystemTime::now()) => {
            tracing::info!(%path, renew_at = ?issued.validity.renew_at(), "ACME certificate from the cache");
            Some(issued)
        }
        Ok(_) => {
            tracing::info!(%path, "the cached ACME certificate has expired");
            None
        }
        Err(e) => {
            tracing::warn!(%path, error = %e, "the cached ACME certificate is unusable");
            None
        }
    }
}

/// Why a renewal attempt failed.
#[derive(Debug, thiserror::Error)]
enum RenewalError {
    #[error(transparent)]
    Order(#[from] order::OrderError),
    #[error("the issued certificate: {0}")]
    Certificate(#[from] cert::CertError),
}

/// The background task: wait until renewal is due, order (retrying with backoff), install.
struct Renewal {
    settings: AcmeSettings,
    cache: Cache,
    resolver: Arc<AcmeResolver>,
    provider: Arc<CryptoProvider>,
}

impl Renewal {
    async fn run(self, mut validity: Option<Validity>, shutdown: CancellationToken) {
        loop {
            while let Some(wait) = validity
                .map(|v| v.wait_before_renewal(SystemTime::now()))
                .filter(|wait| !wait.is_zero())
            {
                if !sleep(wait, &shutdown).await {
                    return;
                }
            }
            let mut failures = 0;
            let issued = loop {
                let ordered = tokio::select! {
                    () = shutdown.cancelled() => return,
                    ordered = self.order() => ordered,
                };
                match ordered {
                    Ok(issued) => break issued,
                    Err(e) => {
                        failures += 1;
                        let retry = retry_delay(failures);
                        tracing::warn!(error = %e, failures, retry_in = ?retry, "ACME order failed");
                        if !sleep(retry, &shutdown).await {
                            return;
                        }
                    }
                }
            };
            tracing::info!(domains = ?self.settings.domains, renew_at = ?issued.validity.renew_at(), "ACME certificate issued");
            self.resolver.set_certificate(issued.key);
            validity = Some(issued.validity);
        }
    }

    /// One order, stored in the cache (a failed store is logged: the certificate still serves).
    async fn order(&self) -> Result<Issued, RenewalError> {
        let pem = order::order(&self.settings, &self.cache, &self.resolver, &self.provider).await?;
        let issued = Issued::from_pem(&pem, &self.provider)?;
        if let Err(e) = self.cache.store_certificate(&pem) {
            tracing::warn!(error = %e, "cannot store the ACME certificate in the cache");
        }
        Ok(issued)
    }
}

/// Sleeps for `wait`; false if `shutdown` came first.
async fn sleep(wait: Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => false,
        () = tokio::time::sleep(wait) => true,
    }
}
