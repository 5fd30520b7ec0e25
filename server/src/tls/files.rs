//! Certificate and key from PEM files (`--tls-cert`, `--tls-key`), reloaded when either file
//! changes: a task looks at both files' modification time and length every few seconds and,
//! when they changed and the pair loads (the key matching the certificate), swaps the
//! [`CurrentCert`]. A pair that does not load (half-written, mismatched) is logged once and the
//! previous certificate stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{CurrentCert, TlsError, server_config};

/// A server config serving the pair in `cert` and `key`, and (on `tracker`, until `shutdown`)
/// the task that reloads it every `poll` when the files change.
pub fn from_files(
    cert: PathBuf,
    key: PathBuf,
    poll: Duration,
    shutdown: CancellationToken,
    tracker: &TaskTracker,
) -> Result<Arc<ServerConfig>, TlsError> {
    let seen = stamps(&cert, &key);
    let current = CurrentCert::new(load(&cert, &key)?);
    let config = server_config(current.clone())?;
    tracker.spawn(watch(current, cert, key, seen, poll, shutdown));
    Ok(config)
}

/// The certificate chain in `cert` and the private key in `key`, checked to belong together.
pub fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let pem = |path: &Path, e: rustls::pki_types::pem::Error| match e {
        rustls::pki_types::pem::Error::Io(source) => TlsError::Read {
            path: path.to_owned(),
            source,
        },
        other => TlsError::Pem {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| pem(cert, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem(cert, e))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_owned()));
    }
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| pem(key, e))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&private)?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match()?;
    Ok(certified)
}

/// What tells a file changed: modification time and length (`None` when unreadable).
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn stamps(cert: &Path, key: &Path) -> (Stamp, Stamp) {
    (stamp(cert), stamp(key))
}

async fn watch(
    current: Arc<CurrentCert>,
    cert: PathBuf,
    key: PathBuf,
    mut seen: (Stamp, Stamp),
    poll: Duration,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(poll.max(Duration::from_millis(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The stamps of the last pair that failed to load, so it is logged once.
    let mut failed = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = stamps(&cert, &key);
        if now == seen || failed == Some(now) {
            continue;
        }
        match load(&cert, &key) {
            Ok(certified) => {
                current.set(certified);
                seen = now;
                failed = None;
                tracing::info!(cert = %cert.display(), "TLS certificate reloaded");
            }
            Err(e) => {
                failed = Some(now);
                tracing::warn!(error = %e, "cannot reload the TLS certificate; keeping the current one");
            }
        }
    }
}
