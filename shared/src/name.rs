//! User names: trimmed, 1..=[`MAX_NAME_CHARS`] characters, no control characters.
//!
//! The server and the page both validate with [`UserName::parse`], so a name the page accepts
//! is never refused by the server for its shape (only made unique).

use std::fmt;

use crate::limits::MAX_NAME_CHARS;

/// Why a proposed name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("the name contains control characters")]
    ControlCharacter,
}

/// A validated user name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserName(String);

impl UserName {
    /// Trims `raw` and checks it against the name rules.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The `n`-th variant of this name used to make it unique (`n >= 2`): `alice` → `alice2`.
    /// The base is shortened when needed so the result still fits [`MAX_NAME_CHARS`].
    pub fn numbered(&self, n: u32) -> Self {
        let suffix = n.to_string();
        let room = MAX_NAME_CHARS.saturating_sub(suffix.len());
        let base: String = self.0.chars().take(room).collect();
        Self(format!("{}{suffix}", base.trim_end()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lets maps keyed by `UserName` be searched with a `&str` (same `Hash` and `Eq` as the text).
impl std::borrow::Borrow<str> for UserName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for UserName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_markup_as_plain_characters() {
        let name = UserName::parse("  <img src=x onerror=alert(1)> ").unwrap();
        assert_eq!(name.as_str(), "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn refuses_empty_long_and_control() {
        assert_eq!(UserName::parse("   "), Err(NameError::Empty));
        assert_eq!(UserName::parse(&"a".repeat(33)), Err(NameError::TooLong));
        assert!(UserName::parse(&"é".repeat(32)).is_ok());
        assert_eq!(UserName::parse("a\u{7}b"), Err(NameError::ControlCharacter));
        assert_eq!(UserName::parse("a\nb"), Err(NameError::ControlCharacter));
    }

    #[test]
    fn numbered_fits_the_limit() {
        let name = UserName::parse("alice").unwrap();
        assert_eq!(name.numbered(2).as_str(), "alice2");
        let long = UserName::parse(&"b".repeat(32)).unwrap();
        let n = long.numbered(12);
        assert_eq!(n.as_str().chars().count(), 32);
        assert!(n.as_str().ends_with("12"));
    }
}
