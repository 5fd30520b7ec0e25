//! Room passcodes: checked by the server, never kept in clear (not in memory past the check,
//! not in the state file, never logged). A room keeps a salted Argon2id hash in a PHC string
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so a later change of parameters still verifies
//! the hashes a state file brought back.
//!
//! Brute force is bounded twice: a connection may send [`TRIES_PER_CONNECTION`] wrong passcodes
//! (then it is closed), and a room takes [`ROOM_FAILURES_BURST`] wrong passcodes from all
//! sockets together, then one per [`ROOM_FAILURE_REFILL`] (past that every try is refused
//! unchecked until the budget refills). Hashing is slow on purpose, so it runs on tokio's
//! blocking threads, at most [`HASHING_AT_ONCE`] at a time: a flood of logins waits for a
//! permit instead of occupying a blocking thread (and 19 MiB) each.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use shared::ErrorCode;
use shared::limits::MAX_PASSCODE_CHARS;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::inbound::Refusal;

/// Wrong passcodes one connection may send; the next one closes it.
pub const TRIES_PER_CONNECTION: u32 = 5;
/// Wrong passcodes a room takes at once from all sockets together.
pub const ROOM_FAILURES_BURST: u32 = 20;
/// Then one more wrong passcode per this long (120 an hour).
pub const ROOM_FAILURE_REFILL: Duration = Duration::from_secs(30);
/// Hashes computed at once, server-wide.
pub const HASHING_AT_ONCE: usize = 2;

/// Argon2id memory in KiB, passes and lanes: OWASP's recommended minimum (19 MiB, 2 passes,
/// 1 lane), about 20–30 ms on one core. Enough because the passcode is a second secret: a
/// private room's name already has 100 random bits, and online guessing is bounded by the
/// budgets above; the hash only has to make an offline attack on a stolen state file slow,
/// while logins into a busy room stay quick and a flood of them cannot exhaust memory
/// (at most [`HASHING_AT_ONCE`] × 19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Salt bytes (128 bits, from the OS).
const SALT_BYTES: usize = 16;

static HASHING: Semaphore = Semaphore::const_new(HASHING_AT_ONCE);

/// A passcode as a login gave it: 1 to [`MAX_PASSCODE_CHARS`] characters. Never printed.
#[derive(Clone)]
pub struct Passcode(String);

impl Passcode {
    /// Checks the login's `passcode` member (an empty one counts as none).
    pub fn parse(raw: Option<String>) -> Result<Option<Self>, Refusal> {
        match raw {
            None => Ok(None),
            Some(raw) if raw.is_empty() => Ok(None),
            Some(raw) if raw.chars().count() > MAX_PASSCODE_CHARS => Err(Refusal::new(
                ErrorCode::BadMessage,
                format!("bad `username`: a passcode has at most {MAX_PASSCODE_CHARS} characters"),
            )),
            Some(raw) => Ok(Some(Self(raw))),
        }
    }
}

impl fmt::Debug for Passcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passcode(..)")
    }
}

/// A passcode's hash, as a PHC string.
#[derive(Clone, PartialEq, Eq)]
pub struct PasscodeHash(String);

impl fmt::Debug for PasscodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasscodeHash(..)")
    }
}

impl PasscodeHash {
    /// A hash from the state file: `None` unless it is a PHC string of an Argon2 hash.
    pub fn from_phc(text: &str) -> Option<Self> {
        let parsed = PasswordHash::new(text).ok()?;
        Algorithm::try_from(parsed.algorithm).ok()?;
        Some(Self(text.to_owned()))
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

fn hasher() -> Option<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).ok()?;
    Some(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes `passcode` with a new salt (off the async threads). `None` only if the OS has no
/// randomness or the blocking pool is gone.
pub async fn hash(passcode: Passcode) -> Option<PasscodeHash> {
    let _permit = HASHING.acquire().await.ok()?;
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).ok()?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).ok()?;
        let hash = hasher()?.hash_password(passcode.0.as_bytes(), &salt).ok()?;
        Some(PasscodeHash(hash.to_string()))
    })
    .await
    .ok()
    .flatten()
}

/// Whether `passcode` is the one `hash` was made from (off the async threads).
pub async fn verify(hash: &PasscodeHash, passcode: Passcode) -> bool {
    let Ok(_permit) = HASHING.acquire().await else {
        return false;
    };
    let phc = hash.0.clone();
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        // The parameters and salt are those in the PHC string.
        Argon2::default()
            .verify_password(passcode.0.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// A room's budget of wrong passcodes from all sockets: each check reserves one (so checks
/// running at once cannot overspend it), given back when the passcode was right.
#[derive(Debug)]
pub struct FailureBudget(Mutex<(f64, Instant)>);

impl Default for FailureBudget {
    fn default() -> Self {
        Self(Mutex::new((f64::from(ROOM_FAILURES_BURST), Instant::now())))
    }
}

impl FailureBudget {
    fn with<T>(&self, f: impl FnOnce(&mut f64) -> T) -> T {
        let mut state = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, last) = &mut *state;
        let now = Instant::now();
        let refilled =
            now.saturating_duration_since(*last).as_secs_f64() / ROOM_FAILURE_REFILL.as_secs_f64();
        *tokens = (*tokens + refilled).min(f64::from(ROOM_FAILURES_BURST));
        *last = now;
        f(tokens)
    }

    /// Reserves one wrong passcode before a check; `false` (refuse unchecked) when spent.
    pub fn reserve(&self) -> bool {
        self.with(|tokens| {
            let ok = *tokens >= 1.0;
            if ok {
                *tokens -= 1.0;
            }
            ok
        })
    }

    /// The checked passcode was right: its reservation is given back.
    pub fn refund(&self) {
        self.with(|tokens| *tokens = (*tokens + 1.0).min(f64::from(ROOM_FAILURES_BURST)));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_passcode_only_and_never_holds_it() {
        let secret = || {
            Passcode::parse(Some("open sesame".into()))
                .unwrap()
                .unwrap()
        };
        let hash = hash(secret()).await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!hash.as_phc().contains("open sesame"));
        assert_eq!(
            format!("{hash:?} {:?}", secret()),
            "PasscodeHash(..) Passcode(..)"
        );
        assert!(verify(&hash, secret()).await);
        let wrong = Passcode::parse(Some("open sesame!".into()))
            .unwrap()
            .unwrap();
        assert!(!verify(&hash, wrong).await);
        assert_eq!(PasscodeHash::from_phc(hash.as_phc()), Some(hash.clone()));
        assert_eq!(PasscodeHash::from_phc("open sesame"), None);
        // Salted: the same passcode hashes differently each time.
        assert_ne!(super::hash(secret()).await.unwrap(), hash);
    }

    #[test]
    fn passcodes_have_a_length_limit_and_empty_is_none() {
        assert!(Passcode::parse(None).unwrap().is_none());
        assert!(Passcode::parse(Some(String::new())).unwrap().is_none());
        assert!(Passcode::parse(Some("é".repeat(64))).unwrap().is_some());
        let refused = Passcode::parse(Some("a".repeat(65))).unwrap_err();
        assert_eq!(refused.code, ErrorCode::BadMessage);
    }

    #[test]
    fn the_room_budget_runs_out() {
        let budget = FailureBudget::default();
        assert!(budget.reserve());
        budget.refund();
        for _ in 0..ROOM_FAILURES_BURST {
            assert!(budget.reserve());
        }
        assert!(!budget.reserve());
    }
}
