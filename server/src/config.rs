//! Command-line and environment configuration, turned into the [`Settings`] the server runs with.
//!
//! Every flag can also be set by an environment variable (`SERVER_ADDR`, `SERVER_DIST`, …), which
//! suits containers and systemd units, and in a TOML config file (`--config FILE`, keys are the
//! long flag names); flags win over the environment, which wins over the file (`config/file.rs`,
//! which also prints the effective configuration for `--print-config`, secrets redacted).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::admission::{AdmissionFlags, AdmissionSettings};
use crate::limits::Limits;
use crate::metrics::{OpsFlags, OpsSettings};

pub mod file;
use crate::turn::IceConfig;
use crate::turn::flags::IceFlags;

/// Signaling server for the video-calling app: MDN "Signaling and video calling" protocol over
/// WebSocket at `/ws`, the built client at `/`.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Config {
    /// TOML file holding any of these flags, by long name (`turn-ttl = 600`); flags and
    /// environment variables win over it.
    #[arg(long, env = "SERVER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print the effective configuration (as a config file, secrets redacted) and exit.
    #[arg(long)]
    pub print_config: bool,

    /// Address to listen on.
    #[arg(long, env = "SERVER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Folder of the built client (trunk's `dist/`), served at `/` with an `index.html` fallback,
    /// instead of the client built into the binary (`cargo xtask dist`); needed by a binary
    /// built without one.
    #[arg(long, env = "SERVER_DIST")]
    pub dist: Option<PathBuf>,

    #[command(flatten)]
    pub ice: IceFlags,

    /// Tokio worker threads (default: one per core the process may run on). With one, the runtime
    /// is tokio's current-thread scheduler.
    #[arg(long, env = "SERVER_WORKERS")]
    pub workers: Option<usize>,

    /// Sustained frames per second one client may send.
    #[arg(long, env = "SERVER_RATE", default_value_t = Limits::default().rate_per_sec)]
    pub rate: u32,

    /// Frames one client may send in a burst.
    #[arg(long, env = "SERVER_BURST", default_value_t = Limits::default().rate_burst)]
    pub burst: u32,

    /// Seconds allowed between connecting and logging in.
    #[arg(long, env = "SERVER_LOGIN_TIMEOUT", default_value_t = Limits::default().login_timeout.as_secs())]
    pub login_timeout: u64,

    /// WebSocket read buffer per connection, in bytes (tungstenite's default is 128 KiB).
    #[arg(long, env = "SERVER_WS_READ_BUFFER", default_value_t = Limits::default().read_buffer_bytes)]
    pub ws_read_buffer: usize,

    /// WebSocket write buffering per connection, in bytes (0: write every frame at once).
    #[arg(long, env = "SERVER_WS_WRITE_BUFFER", default_value_t = Limits::default().write_buffer_bytes)]
    pub ws_write_buffer: usize,

    /// Frames that may wait for one client before it is disconnected as too slow.
    #[arg(long, env = "SERVER_OUTBOX", default_value_t = Limits::default().outbox_frames)]
    pub outbox: usize,

    /// Seconds between keep-alive pings.
    #[arg(long, env = "SERVER_PING_INTERVAL", default_value_t = Limits::default().ping_interval.as_secs())]
    pub ping_interval: u64,

    /// Seconds (fractions allowed) without any frame after which a client with the `heartbeat`
    /// feature is dropped.
    #[arg(long, env = "SERVER_HEARTBEAT_TIMEOUT", default_value_t = Limits::default().heartbeat_timeout.as_secs_f64())]
    pub heartbeat_timeout: f64,

    /// Seconds (fractions allowed) a `resume` session is kept after its socket is lost.
    #[arg(long, env = "SERVER_RESUME_GRACE", default_value_t = Limits::default().resume_grace.as_secs_f64())]
    pub resume_grace: f64,

    /// Seconds (fractions allowed) a `resume` session is kept after its page sent `leaving`.
    #[arg(long, env = "SERVER_LEAVE_GRACE", default_value_t = Limits::default().leave_grace.as_secs_f64())]
    pub leave_grace: f64,

    /// Frames a `resume` session may have unacknowledged (its byte bound is 1 MiB).
    #[arg(long, env = "SERVER_RESUME_BUFFER", default_value_t = Limits::default().resume_frames)]
    pub resume_buffer: usize,

    /// Seconds (fractions allowed) a caller whose call was declined may not ring the same
    /// person again.
    #[arg(long, env = "SERVER_DECLINE_COOLDOWN", default_value_t = Limits::default().decline_cooldown.as_secs_f64())]
    pub decline_cooldown: f64,

    /// File keeping the `resume` sessions across a restart (empty: none).
    #[arg(long, env = "SERVER_STATE_FILE", default_value = "parley-state.json")]
    pub state_file: String,

    #[command(flatten)]
    pub admission: AdmissionFlags,

    #[command(flatten)]
    pub ops: OpsFlags,

    #[command(flatten)]
    pub flood: crate::limits::flags::FloodFlags,

    #[command(flatten)]
    pub serve: crate::serve::flags::ServeFlags,

    #[command(flatten)]
    pub acme: crate::tls::acme::AcmeFlags,
}

/// Everything a running server needs to know, built from [`Config`] or directly by tests.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub limits: Limits,
    pub ice: IceConfig,
    /// Folder served at `/` when `assets` is `None`.
    pub dist: PathBuf,
    /// The client built into the binary, served at `/` instead of `dist`.
    pub assets: Option<crate::assets::Assets>,
    /// Where the `resume` sessions are kept across restarts; `None` (tests' default): nowhere.
    pub state_file: Option<PathBuf>,
    /// Origin check and connection caps (tests' default: own origin or none, no caps).
    pub admission: AdmissionSettings,
    /// `/metrics` on its own address or not.
    pub ops: OpsSettings,
    /// Chat rate, chat fan-out budget, slow readers.
    pub flood: crate::limits::FloodLimits,
}

/// Seconds from a flag, never negative or NaN.
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::ZERO)
}

impl Config {
    pub fn settings(&self) -> Settings {
        let limits = Limits {
            rate_per_sec: self.rate,
            rate_burst: self.burst,
            login_timeout: Duration::from_secs(self.login_timeout),
            ping_interval: Duration::from_secs(self.ping_interval.max(1)),
            read_buffer_bytes: self.ws_read_buffer.max(256),
            write_buffer_bytes: self.ws_write_buffer,
            outbox_frames: self.outbox.max(1),
            heartbeat_timeout: seconds(self.heartbeat_timeout),
            resume_grace: seconds(self.resume_grace),
            leave_grace: seconds(self.leave_grace),
            resume_frames: self.resume_buffer.max(1),
            decline_cooldown: seconds(self.decline_cooldown),
            ..Limits::default()
        };
        let ice = self.ice.ice_config();
        Settings {
            limits,
            ice,
            dist: self.dist.clone().unwrap_or_default(),
            assets: self
                .dist
                .is_none()
                .then(crate::assets::Assets::embedded)
                .flatten(),
            state_file: (!self.state_file.is_empty()).then(|| PathBuf::from(&self.state_file)),
            admission: self.admission.settings(),
            ops: self.ops.settings(),
            flood: self.flood.limits(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
