//! The ICE flags (`--stun`, `--turn`, the TURN secret, its lifetime and quota), flattened into
//! [`crate::Config`], and the [`IceConfig`] made from them. The secret may come from a file
//! (`--turn-secret-file`), so that it never has to be written on a command line.

use std::path::PathBuf;
use std::time::Duration;

use super::{DEFAULT_PER_MINUTE, DEFAULT_TTL, IceConfig};

/// STUN/TURN servers handed to clients and the TURN credentials minted for them.
#[derive(Clone, clap::Args)]
pub struct IceFlags {
    /// STUN server URL handed to clients, e.g. `stun:stun.example.org:3478` (repeatable; in the
    /// environment, comma-separated).
    #[arg(long = "stun", env = "SERVER_STUN", value_delimiter = ',')]
    pub stun: Vec<String>,

    /// TURN server URL handed to clients, e.g. `turn:turn.example.org:3478?transport=udp`
    /// (repeatable; in the environment, comma-separated).
    #[arg(long = "turn", env = "SERVER_TURN", value_delimiter = ',')]
    pub turn: Vec<String>,

    /// Secret shared with the TURN server (coturn `static-auth-secret`); used to mint short-lived
    /// credentials, never sent to clients. Prefer `--turn-secret-file` or the environment: a
    /// command line is visible to every user of the machine.
    #[arg(long, env = "SERVER_TURN_SECRET", hide_env_values = true)]
    pub turn_secret: Option<String>,

    /// File holding the TURN secret (read once at start, surrounding whitespace trimmed).
    #[arg(long, env = "SERVER_TURN_SECRET_FILE")]
    pub turn_secret_file: Option<PathBuf>,

    /// Lifetime of minted TURN credentials, in seconds (clients ask for fresh ones before).
    #[arg(long, env = "SERVER_TURN_TTL", default_value_t = DEFAULT_TTL.as_secs())]
    pub turn_ttl: u64,

    /// TURN credential sets one connection may get per minute; more are refused with an error.
    #[arg(long, env = "SERVER_TURN_PER_MINUTE", default_value_t = DEFAULT_PER_MINUTE)]
    pub turn_per_minute: u32,
}

// Written by hand so that the secret never ends up in a log line.
impl std::fmt::Debug for IceFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceFlags")
            .field("stun", &self.stun)
            .field("turn", &self.turn)
            .field(
                "turn_secret",
                &self.turn_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("turn_secret_file", &self.turn_secret_file)
            .field("turn_ttl", &self.turn_ttl)
            .field("turn_per_minute", &self.turn_per_minute)
            .finish()
    }
}

/// Why the TURN secret could not be had.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("--turn-secret and --turn-secret-file both given; keep one")]
    Both,
    #[error("cannot read the TURN secret file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the TURN secret file {0} is empty")]
    Empty(PathBuf),
}

impl IceFlags {
    /// Reads `--turn-secret-file` into `turn_secret` (once, at start).
    pub fn read_secret_file(&mut self) -> Result<(), SecretError> {
        let Some(path) = &self.turn_secret_file else {
            return Ok(());
        };
        if self.turn_secret.is_some() {
            return Err(SecretError::Both);
        }
        let text = std::fs::read_to_string(path).map_err(|source| SecretError::Read {
            path: path.clone(),
            source,
        })?;
        let secret = text.trim();
        if secret.is_empty() {
            return Err(SecretError::Empty(path.clone()));
        }
        self.turn_secret = Some(secret.to_owned());
        Ok(())
    }

    pub fn ice_config(&self) -> IceConfig {
        IceConfig {
            stun: self.stun.clone(),
            turn: self.turn.clone(),
            turn_secret: self.turn_secret.clone(),
            turn_ttl: Duration::from_secs(self.turn_ttl),
            turn_per_minute: self.turn_per_minute,
        }
    }
}
