//! User names: trimmed, 1..=[`MAX_NAME_CHARS`] characters, and nothing that lets one name pass
//! for another: no control, format or invisible characters, no line or paragraph separators, no
//! mixed scripts (Unicode TR39). Two names that look alike share a [`NameKey`] (NFKC, case fold,
//! TR39 confusable skeleton); the server keeps names unique on their keys.
//!
//! The server and the page both validate with [`UserName::parse`]. The page (wasm32) leaves out
//! the two checks that need Unicode's script tables — mixed scripts, and a name made only of
//! combining marks — because those tables would add ~15 KB gzip to the page; the server makes
//! them and refuses such a name with `bad-name`, which the page shows.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
#[cfg(not(target_arch = "wasm32"))]
use unicode_script::{Script, UnicodeScript};
#[cfg(not(target_arch = "wasm32"))]
use unicode_security::mixed_script::AugmentedScriptSet;

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
    /// U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR.
    #[error("the name contains a line or paragraph separator")]
    LineBreak,
    /// General category Cf: bidi controls, zero-width characters, BOM, soft hyphen, ...
    #[error("the name contains invisible formatting characters (such as direction marks)")]
    FormatCharacter,
    /// Default-ignorable code points that are not format characters, and blank fillers such as
    /// U+3164 HANGUL FILLER or U+2800 BRAILLE PATTERN BLANK; also a name with nothing visible.
    #[error("the name contains invisible characters")]
    Invisible,
    /// Not "highly restrictive" per TR39: letters of more than one script, except Latin with
    /// Chinese, Japanese or Korean.
    #[error("the name mixes letters of different scripts")]
    MixedScripts,
}

/// A validated user name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserName(String);

/// What two names are compared on for uniqueness: names with the same key look alike
/// (`Alice`, `alice`, `ＡＬＩＣＥ`, `аlice` with a Cyrillic а).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

impl NameKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl UserName {
    /// Trims `raw` and checks it against the name rules.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        for c in trimmed.chars() {
            check_char(c)?;
        }
        if !trimmed.chars().any(is_visible) {
            return Err(NameError::Invisible);
        }
        #[cfg(not(target_arch = "wasm32"))]
        if !is_highly_restrictive(trimmed) {
            return Err(NameError::MixedScripts);
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

    /// The keys this name is unique on; two names that share any key look alike. Both start
    /// from NFKC; one then folds case and takes the TR39 confusable skeleton (`Alice`, `аlice`
    /// with a Cyrillic а), the other takes the skeleton first and then folds case, because the
    /// skeleton is case-sensitive (`aIice` with a capital I is `alice`, but `aiice` is not).
    pub fn keys(&self) -> [NameKey; 2] {
        let compat: String = self.0.nfkc().collect();
        let folded_first: String = unicode_security::skeleton(&fold_case(&compat)).collect();
        let skeleton_first = fold_case(&unicode_security::skeleton(&compat).collect::<String>());
        [NameKey(folded_first), NameKey(skeleton_first)]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Full case folding, approximated with std alone (upper then lower: `ß` → `SS` → `ss`, final
/// `ς` → `Σ` → `σ`), then NFKC again since case mapping can denormalise.
fn fold_case(text: &str) -> String {
    text.to_uppercase().to_lowercase().nfkc().collect()
}

/// Refuses one character of a name.
/// General_Category Cf (Unicode 16), written out: the full category table of a crate would
/// add ~40 KB to the page for these twenty ranges. `format_table_matches_the_category` (in
/// `name/tests.rs`) checks it against `unicode-properties`.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

fn check_char(c: char) -> Result<(), NameError> {
    if c.is_control() {
        return Err(NameError::ControlCharacter);
    }
    // The only characters of General_Category Zl and Zp.
    if matches!(c, '\u{2028}' | '\u{2029}') {
        return Err(NameError::LineBreak);
    }
    if is_format(c) {
        return Err(NameError::FormatCharacter);
    }
    if is_invisible(c) {
        return Err(NameError::Invisible);
    }
    Ok(())
}

/// Default-ignorable code points (DerivedCoreProperties.txt) that are not `Cf`, and blank
/// symbols that render as nothing. The emoji presentation selectors U+FE0E/U+FE0F are allowed
/// (phone keyboards add them to emoji; the skeleton drops them, so they can't make a twin).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{034F}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{2065}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0D}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D159}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Something a reader sees: not white space, not a presentation selector, not a combining
/// mark.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '\u{FE0E}' | '\u{FE0F}') && !is_inherited(c)
}

/// Inherited: combining marks that take the script of what they sit on (a mark alone shows
/// nothing of its own). Not in the page (see the module doc): the server checks it.
#[cfg(not(target_arch = "wasm32"))]
fn is_inherited(c: char) -> bool {
    c.script() == Script::Inherited
}

#[cfg(target_arch = "wasm32")]
fn is_inherited(_: char) -> bool {
    false
}

/// TR39 "highly restrictive": all letters of one script (Common and Inherited characters such
/// as digits, spaces, punctuation and emoji go with any), or Latin together with Han + Bopomofo,
/// Han + Hiragana + Katakana, or Han + Hangul. Same computation as
/// `unicode_security::RestrictionLevelDetection`, which we can't call because it also refuses
/// every character outside identifiers (spaces, punctuation).
#[cfg(not(target_arch = "wasm32"))]
fn is_highly_restrictive(name: &str) -> bool {
    let mut all = AugmentedScriptSet::default();
    let mut without_latin = AugmentedScriptSet::default();
    for c in name.chars() {
        let set = AugmentedScriptSet::for_char(c);
        all.intersect_with(set);
        if !set.base.contains_script(Script::Latin) {
            without_latin.intersect_with(set);
        }
    }
    !all.is_empty() || without_latin.kore || without_latin.hanb || without_latin.jpan
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
mod tests;
