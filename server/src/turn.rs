//! ICE servers handed to clients, with ephemeral TURN credentials.
//!
//! TURN credentials follow the "TURN REST API" scheme that coturn's `use-auth-secret` accepts:
//! username `<expiry-unix-time>:<user>`, password `base64(HMAC-SHA1(secret, username))`. The TURN
//! server recomputes the password from the shared secret and refuses usernames whose expiry has
//! passed, so the secret itself never leaves this server.
//!
//! Who gets them (issue 11): only logged-in clients (dispatch refuses `get-ice-servers` before
//! login, and the `ice-servers` feature sends them only after it), valid 10 minutes by default
//! (the client asks again at four fifths of their life), and at most [`IceConfig::turn_per_minute`]
//! per connection and minute, counted by each session's [`TurnQuota`]. The flags are in
//! `turn/flags.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shared::ErrorCode;
use tokio::time::Instant;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use shared::{FromServer, IceServer};

use crate::inbound::Refusal;

pub mod flags;

/// Default lifetime of minted credentials: long enough for a call to set up and for the
/// client's refresh (at four fifths of it) to arrive, short enough that credentials copied out
/// of a page, or kept by someone who left, are useless soon.
pub const DEFAULT_TTL: Duration = Duration::from_secs(600);

/// Default number of credential sets one connection may get per minute: the login's, a
/// refresh, and room for a few retries.
pub const DEFAULT_PER_MINUTE: u32 = 6;

/// The window of [`IceConfig::turn_per_minute`].
const MINUTE: Duration = Duration::from_secs(60);

/// The STUN/TURN configuration given on the command line.
#[derive(Clone)]
pub struct IceConfig {
    pub stun: Vec<String>,
    pub turn: Vec<String>,
    /// The secret shared with the TURN server (`static-auth-secret` in coturn).
    pub turn_secret: Option<String>,
    /// How long minted TURN credentials stay valid.
    pub turn_ttl: Duration,
    /// Credential sets one connection may get per minute; more are refused.
    pub turn_per_minute: u32,
}

impl Default for IceConfig {
    fn default() -> Self {
        Self {
            stun: Vec::new(),
            turn: Vec::new(),
            turn_secret: None,
            turn_ttl: DEFAULT_TTL,
            turn_per_minute: DEFAULT_PER_MINUTE,
        }
    }
}

// Written by hand so that the secret never ends up in a log line.
impl std::fmt::Debug for IceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceConfig")
            .field("stun", &self.stun)
            .field("turn", &self.turn)
            .field(
                "turn_secret",
                &self.turn_secret.as_ref().map(|_| "<hidden>"),
            )
            .field("turn_ttl", &self.turn_ttl)
            .field("turn_per_minute", &self.turn_per_minute)
            .finish()
    }
}

/// One minted TURN login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnCredential {
    pub username: String,
    pub password: String,
    /// Unix time (seconds) after which the TURN server refuses it.
    pub expires: u64,
}

/// The TURN REST password for `username`: `base64(HMAC-SHA1(secret, username))`.
pub fn turn_password(secret: &[u8], username: &str) -> String {
    // HMAC accepts keys of any length, so this constructor cannot fail.
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Mints a credential for `user` valid for `ttl` from `now`.
pub fn mint(secret: &[u8], user: &str, ttl: Duration, now: SystemTime) -> TurnCredential {
    let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let expires = now_secs.saturating_add(ttl.as_secs());
    let username = format!("{expires}:{user}");
    let password = turn_password(secret, &username);
    TurnCredential {
        username,
        password,
        expires,
    }
}

/// The credential sets one connection has been given in the current minute (a fixed window
/// that opens at the first one): a few bytes per session.
#[derive(Debug, Default)]
pub struct TurnQuota {
    window: Option<Instant>,
    used: u32,
}

impl TurnQuota {
    /// Counts one more set at `now`, or says how long until the next one is allowed.
    pub fn take(&mut self, per_minute: u32, now: Instant) -> Result<(), Duration> {
        match self.window {
            Some(start) if now.saturating_duration_since(start) < MINUTE => {
                if self.used >= per_minute {
                    return Err(MINUTE.saturating_sub(now.saturating_duration_since(start)));
                }
                self.used += 1;
            }
            _ if per_minute == 0 => return Err(MINUTE),
            _ => {
                self.window = Some(now);
                self.used = 1;
            }
        }
        Ok(())
    }
}

impl IceConfig {
    /// Whether the `ice-servers` frame carries minted credentials (TURN URLs and a secret).
    pub fn mints(&self) -> bool {
        !self.turn.is_empty() && self.turn_secret.is_some()
    }

    /// The `ice-servers` frame for one connection, counted against its `quota` when it holds
    /// credentials; over the quota, the refusal its client gets instead (nothing is minted).
    pub fn grant(
        &self,
        user: &str,
        quota: &mut TurnQuota,
        now: Instant,
        wall: SystemTime,
    ) -> Result<FromServer, Refusal> {
        if self.mints()
            && let Err(wait) = quota.take(self.turn_per_minute, now)
        {
            return Err(Refusal::new(
                ErrorCode::RateLimited,
                format!(
                    "TURN credentials are limited to {} per minute per connection; ask again in \
                     {} s (the ones you have stay valid until their `expires`)",
                    self.turn_per_minute,
                    wait.as_secs().max(1)
                ),
            ));
        }
        Ok(self.frame_for(user, wall))
    }

    /// The `ice-servers` frame for one user. `user` should be ASCII without `:` (we use the
    /// connection id): names may hold characters that STUN usernames handle badly.
    pub fn frame_for(&self, user: &str, now: SystemTime) -> FromServer {
        let mut ice_servers = Vec::new();
        let mut expires = None;
        if !self.stun.is_empty() {
            ice_servers.push(IceServer {
                urls: self.stun.clone(),
                username: None,
                credential: None,
            });
        }
        if !self.turn.is_empty() {
            match &self.turn_secret {
                Some(secret) => {
                    let cred = mint(secret.as_bytes(), user, self.turn_ttl, now);
                    crate::metrics::turn_minted();
                    expires = Some(cred.expires);
                    ice_servers.push(IceServer {
                        urls: self.turn.clone(),
                        username: Some(cred.username),
                        credential: Some(cred.password),
                    });
                }
                // A TURN server without authentication: hand out the URLs alone.
                None => ice_servers.push(IceServer {
                    urls: self.turn.clone(),
                    username: None,
                    credential: None,
                }),
            }
        }
        FromServer::IceServers {
            ice_servers,
            expires,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
