//! ICE servers handed to clients, with ephemeral TURN credentials.
//!
//! TURN credentials follow the "TURN REST API" scheme that coturn's `use-auth-secret` accepts:
//! username `<expiry-unix-time>:<user>`, password `base64(HMAC-SHA1(secret, username))`. The TURN
//! server recomputes the password from the shared secret and refuses usernames whose expiry has
//! passed, so the secret itself never leaves this server.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use shared::{FromServer, IceServer};

/// The STUN/TURN configuration given on the command line.
#[derive(Clone, Default)]
pub struct IceConfig {
    pub stun: Vec<String>,
    pub turn: Vec<String>,
    /// The secret shared with the TURN server (`static-auth-secret` in coturn).
    pub turn_secret: Option<String>,
    /// How long minted TURN credentials stay valid.
    pub turn_ttl: Duration,
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

impl IceConfig {
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
mod tests {
    use super::*;

    #[test]
    fn known_vector_from_the_turn_rest_draft() {
        assert_eq!(
            turn_password(b"foobar", "1599491771"),
            "Tpz/nKkyvX/vMSLKvL4sbtBt8Vs="
        );
    }

    #[test]
    fn username_carries_expiry_and_user_and_password_matches_it() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let cred = mint(b"s3cret", "42", Duration::from_secs(3600), now);
        assert_eq!(cred.expires, 1_003_600);
        assert_eq!(cred.username, "1003600:42");
        assert_eq!(cred.password, turn_password(b"s3cret", "1003600:42"));
        // A different lifetime gives a different, later-expiring login.
        let longer = mint(b"s3cret", "42", Duration::from_secs(7200), now);
        assert_eq!(longer.expires, 1_007_200);
        assert_ne!(longer.password, cred.password);
    }

    #[test]
    fn frame_without_servers_is_empty_and_secret_is_not_in_it() {
        let none = IceConfig::default().frame_for("1", SystemTime::now());
        assert_eq!(
            none,
            FromServer::IceServers {
                ice_servers: vec![],
                expires: None
            }
        );

        let config = IceConfig {
            stun: vec!["stun:127.0.0.1:3478".into()],
            turn: vec!["turn:127.0.0.1:3478?transport=udp".into()],
            turn_secret: Some("topsecret".into()),
            turn_ttl: Duration::from_secs(60),
        };
        let now = UNIX_EPOCH + Duration::from_secs(100);
        let frame = config.frame_for("7", now);
        let json = frame.to_json();
        assert!(!json.contains("topsecret"));
        let FromServer::IceServers {
            ice_servers,
            expires,
        } = frame
        else {
            panic!("not an ice-servers frame");
        };
        assert_eq!(expires, Some(160));
        assert_eq!(ice_servers.len(), 2);
        assert_eq!(ice_servers[0].urls, vec!["stun:127.0.0.1:3478".to_string()]);
        assert_eq!(ice_servers[1].username.as_deref(), Some("160:7"));
        assert_eq!(
            ice_servers[1].credential.as_deref(),
            Some(turn_password(b"topsecret", "160:7").as_str())
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let config = IceConfig {
            turn_secret: Some("topsecret".into()),
            ..IceConfig::default()
        };
        assert!(!format!("{config:?}").contains("topsecret"));
    }
}
