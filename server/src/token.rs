//! Resume tokens: `<session id>.<secret>`, the secret 128 random bits from the OS in base64url
//! (no padding). The server keeps only a SHA-256 of the secret ([`SecretHash`]) and compares
//! hashes in constant time; neither the token nor its hash is ever logged (their `Debug` is
//! redacted).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a secret (128 bits).
const SECRET_BYTES: usize = 16;

/// The SHA-256 of a token's secret: all the server keeps of it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash([u8; 32]);

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHash(…)")
    }
}

impl SecretHash {
    fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether `secret` hashes to this, in time that does not depend on where they differ.
    pub fn matches(&self, secret: &str) -> bool {
        self.0.ct_eq(&Self::of(secret).0).into()
    }

    /// For the state file.
    pub fn to_base64(self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// A freshly minted token for session `id`: the text to hand to the client, and the hash to
/// keep. `None` only if the OS has no randomness to give (then the client gets no token).
pub fn mint(id: u64) -> Option<(String, SecretHash)> {
    let mut secret = [0u8; SECRET_BYTES];
    if let Err(e) = getrandom::fill(&mut secret) {
        tracing::error!(error = %e, "no randomness for a resume token");
        return None;
    }
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let hash = SecretHash::of(&secret);
    Some((format!("{id}.{secret}"), hash))
}

/// Splits a token into its session id and secret; `None` when it has not that shape.
pub fn parse(token: &str) -> Option<(u64, &str)> {
    let (id, secret) = token.split_once('.')?;
    if secret.is_empty() || secret.len() > 64 {
        return None;
    }
    Some((id.parse().ok()?, secret))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_parses_and_matches_only_its_own_hash() {
        let (token, hash) = mint(17).unwrap();
        let (id, secret) = parse(&token).unwrap();
        assert_eq!(id, 17);
        // 128 bits in base64url without padding: 22 characters.
        assert_eq!(secret.len(), 22);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(hash.matches(secret));
        let (other, other_hash) = mint(17).unwrap();
        assert_ne!(token, other);
        assert!(!other_hash.matches(secret));
        assert!(!hash.matches("q2v8TfJc0w9yZl1mXb4sAA"));
        assert_eq!(SecretHash::from_base64(&hash.to_base64()), Some(hash));
        assert_eq!(format!("{hash:?}"), "SecretHash(…)");
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in [
            "",
            "17",
            "17.",
            ".abc",
            "x.abc",
            "-1.abc",
            &format!("1.{}", "a".repeat(65)),
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
