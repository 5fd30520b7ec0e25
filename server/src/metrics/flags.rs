//! The operations flags (`--metrics-addr`, `--log-format`), flattened into [`crate::Config`],
//! and the [`OpsSettings`] the server runs with.

use std::net::SocketAddr;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

/// Metrics and logging.
#[derive(Debug, Clone, clap::Args)]
pub struct OpsFlags {
    /// Serve `/metrics` on this address instead of the main one (e.g. `127.0.0.1:9090`, so that
    /// only the local Prometheus can read it).
    #[arg(long, env = "SERVER_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Log line format.
    #[arg(long, env = "SERVER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// What the running server needs of the operations flags (logging is set up by `main`).
#[derive(Debug, Clone, Default)]
pub struct OpsSettings {
    /// `/metrics` on its own listener; `None`: on the main one.
    pub metrics_addr: Option<SocketAddr>,
}

impl OpsFlags {
    pub fn settings(&self) -> OpsSettings {
        OpsSettings {
            metrics_addr: self.metrics_addr,
        }
    }
}
