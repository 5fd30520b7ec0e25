//! The flags of the accept loop and HTTPS ([`ServeFlags`], flattened into `Config`), and what
//! they make: the [`Timeouts`] and the TLS config (certificate files or self-signed).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::timeouts::Timeouts;
use crate::tls::{self, TlsError};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeFlags {
    /// PEM certificate chain to serve HTTPS with (with `--tls-key`); reloaded when it changes.
    #[arg(
        long,
        env = "SERVER_TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of `--tls-cert`; reloaded when it changes.
    #[arg(long, env = "SERVER_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS with a self-signed certificate (for a LAN); its SHA-256 fingerprint and the
    /// SPKI hash for Chromium's `--ignore-certificate-errors-spki-list` are logged at start.
    #[arg(long, env = "SERVER_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,

    /// Name (DNS name or IP address) in the self-signed certificate (repeatable; in the
    /// environment, comma-separated). Default: the listen address (and `localhost`).
    #[arg(long = "tls-name", env = "SERVER_TLS_NAME", value_delimiter = ',')]
    pub tls_name: Vec<String>,

    /// File keeping the self-signed certificate's key across restarts, made on first start
    /// (empty: a new key at every start).
    #[arg(
        long,
        env = "SERVER_TLS_SELF_SIGNED_KEY",
        default_value = "parley-self-signed-key.pem"
    )]
    pub tls_self_signed_key: String,

    /// Seconds (fractions allowed) between looks at the certificate files for changes.
    #[arg(long, env = "SERVER_TLS_RELOAD_INTERVAL", default_value_t = 5.0)]
    pub tls_reload_interval: f64,

    /// Also listen for plain HTTP here (e.g. `0.0.0.0:80`) and redirect every request to HTTPS.
    #[arg(long, env = "SERVER_HTTP_REDIRECT_ADDR")]
    pub http_redirect_addr: Option<SocketAddr>,

    /// Seconds (fractions allowed) a client has to send a whole request header; also how long
    /// a keep-alive connection may wait for its next request.
    #[arg(long, env = "SERVER_HEADER_READ_TIMEOUT", default_value_t = Timeouts::default().header_read.as_secs_f64())]
    pub header_read_timeout: f64,

    /// Seconds (fractions allowed) an HTTP connection (not a WebSocket) may move no byte
    /// before it is closed.
    #[arg(long, env = "SERVER_STALL_TIMEOUT", default_value_t = Timeouts::default().stall.as_secs_f64())]
    pub stall_timeout: f64,

    /// Seconds (fractions allowed) a TLS handshake may take.
    #[arg(long, env = "SERVER_TLS_HANDSHAKE_TIMEOUT", default_value_t = Timeouts::default().tls_handshake.as_secs_f64())]
    pub tls_handshake_timeout: f64,

    /// Seconds (fractions allowed) from SIGTERM until the connections still open are dropped.
    #[arg(long, env = "SERVER_SHUTDOWN_TIMEOUT", default_value_t = Timeouts::default().shutdown.as_secs_f64())]
    pub shutdown_timeout: f64,
}

/// Seconds from a flag, at least a millisecond (a zero timeout would close everything).
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value)
        .unwrap_or(Duration::ZERO)
        .max(Duration::from_millis(1))
}

impl ServeFlags {
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            header_read: seconds(self.header_read_timeout),
            stall: seconds(self.stall_timeout),
            tls_handshake: seconds(self.tls_handshake_timeout),
            shutdown: seconds(self.shutdown_timeout),
        }
    }

    /// Whether these flags ask for HTTPS.
    pub fn wants_tls(&self) -> bool {
        self.tls_self_signed || self.tls_cert.is_some()
    }

    /// The TLS config the flags ask for (`None`: plain HTTP), for a server listening on
    /// `addr`. Certificate files get their reload task on `tracker`, ending with `shutdown`.
    pub fn tls_config(
        &self,
        addr: SocketAddr,
        shutdown: CancellationToken,
        tracker: &TaskTracker,
    ) -> Result<Option<Arc<rustls::ServerConfig>>, TlsError> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            let poll = seconds(self.tls_reload_interval);
            let config =
                tls::files::from_files(cert.clone(), key.clone(), poll, shutdown, tracker)?;
            tracing::info!(cert = %cert.display(), "serving HTTPS with the certificate files");
            return Ok(Some(config));
        }
        if !self.tls_self_signed {
            return Ok(None);
        }
        let names = if self.tls_name.is_empty() {
            tls::self_signed::default_names(addr)
        } else {
            self.tls_name.clone()
        };
        let key_file = (!self.tls_self_signed_key.is_empty())
            .then(|| PathBuf::from(&self.tls_self_signed_key));
        let made = tls::self_signed::generate(&names, key_file.as_deref())?;
        tracing::info!(
            names = ?made.names,
            fingerprint = %made.fingerprint,
            spki = %made.spki_hash,
            key_file = key_file.as_ref().map_or("none (new key each start)".to_owned(), |p| p.display().to_string()),
            "serving HTTPS with a self-signed certificate; Chromium can trust exactly it with \
             --ignore-certificate-errors-spki-list={}",
            made.spki_hash
        );
        Ok(Some(made.config))
    }
}
