//! Room names (issue 13): the part after `/r/` in a page's address and the `room` query of the
//! WebSocket (`/ws?room=<name>`). Shared so the page checks a link exactly as the server does.
//!
//! A room name is 1 to [`MAX_ROOM_CHARS`] ASCII letters, digits, `-` or `_`, compared without
//! case (kept lowercase). The public lobby (`/`, `/ws` without `room`) is no room name at all.
//! A private room's name is [`PRIVATE_ROOM_CHARS`] characters of lowercase base32 (`a`–`z`,
//! `2`–`7`): 100 random bits, so it cannot be guessed.

use std::fmt;

/// Longest room name.
pub const MAX_ROOM_CHARS: usize = 64;
/// Length of a private room's generated name: 20 base32 characters, 5 bits each.
pub const PRIVATE_ROOM_CHARS: usize = 20;
/// The alphabet of generated names (RFC 4648 base32, lowercase).
pub const PRIVATE_ROOM_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A checked, lowercase room name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomName(String);

/// Why a room name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    #[error("a room name cannot be empty")]
    Empty,
    #[error("a room name has at most 64 characters")]
    TooLong,
    #[error("a room name has only letters, digits, - and _")]
    BadChar,
}

impl RoomName {
    /// Checks `raw` (not trimmed: a link has no spaces) and lowercases it.
    pub fn parse(raw: &str) -> Result<Self, RoomError> {
        if raw.is_empty() {
            return Err(RoomError::Empty);
        }
        if raw.len() > MAX_ROOM_CHARS {
            return Err(RoomError::TooLong);
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(RoomError::BadChar);
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    /// A private room's name from [`PRIVATE_ROOM_CHARS`] random bytes (only the low 5 bits of
    /// each are used, so each byte gives one character of 5 random bits).
    pub fn private_from(random: &[u8; PRIVATE_ROOM_CHARS]) -> Self {
        let name = random
            .iter()
            .map(|b| char::from(PRIVATE_ROOM_ALPHABET[usize::from(b & 31)]))
            .collect();
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RoomName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_lowercased() {
        assert_eq!(RoomName::parse("Family").unwrap().as_str(), "family");
        assert_eq!(RoomName::parse("team-2_a").unwrap().as_str(), "team-2_a");
        assert_eq!(RoomName::parse(""), Err(RoomError::Empty));
        assert_eq!(RoomName::parse(&"a".repeat(65)), Err(RoomError::TooLong));
        assert!(RoomName::parse(&"a".repeat(64)).is_ok());
        for bad in ["a b", "a/b", "a.b", "é", "a%20", "../x", "a?b"] {
            assert_eq!(RoomName::parse(bad), Err(RoomError::BadChar), "{bad}");
        }
    }

    #[test]
    fn private_names_use_five_bits_per_byte() {
        let name = RoomName::private_from(&[0xff; PRIVATE_ROOM_CHARS]);
        assert_eq!(name.as_str(), "7".repeat(PRIVATE_ROOM_CHARS));
        let name = RoomName::private_from(&std::array::from_fn(|i| i as u8));
        assert_eq!(name.as_str(), "abcdefghijklmnopqrst");
        assert_eq!(RoomName::parse(name.as_str()), Ok(name));
    }
}
