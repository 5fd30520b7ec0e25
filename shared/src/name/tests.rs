//! Unit tests of the name rules and the folded key.

#![allow(clippy::unwrap_used)]

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

#[test]
fn refuses_format_characters() {
    for raw in [
        "\u{202E}ecila",  // right-to-left override
        "alice\u{200B}",  // zero-width space
        "al\u{200D}ice",  // zero-width joiner
        "\u{FEFF}alice",  // byte order mark
        "ali\u{00AD}ce",  // soft hyphen
        "alice\u{2066}",  // left-to-right isolate
        "\u{061C}alice",  // Arabic letter mark
        "alice\u{E0041}", // tag character
    ] {
        assert_eq!(
            UserName::parse(raw),
            Err(NameError::FormatCharacter),
            "{raw:?}"
        );
    }
}

#[test]
fn refuses_invisible_fillers() {
    for raw in [
        "\u{3164}",
        "\u{2800}",
        "\u{115F}",
        "\u{1160}",
        "\u{FFA0}",
        "bob\u{3164}",
        "a\u{034F}b",
        "a\u{FE00}b",
    ] {
        assert_eq!(UserName::parse(raw), Err(NameError::Invisible), "{raw:?}");
    }
    // Nothing visible at all, though every character on its own is allowed.
    assert_eq!(UserName::parse("\u{FE0F}"), Err(NameError::Invisible));
    assert_eq!(UserName::parse("\u{0301}"), Err(NameError::Invisible));
}

#[test]
fn refuses_line_and_paragraph_separators() {
    assert_eq!(UserName::parse("a\u{2028}b"), Err(NameError::LineBreak));
    assert_eq!(UserName::parse("a\u{2029}b"), Err(NameError::LineBreak));
    assert_eq!(
        UserName::parse("a\u{85}b"),
        Err(NameError::ControlCharacter)
    );
}

#[test]
fn refuses_mixed_scripts_but_not_one_script_or_latin_with_cjk() {
    assert_eq!(UserName::parse("\u{430}lice"), Err(NameError::MixedScripts));
    assert_eq!(
        UserName::parse("p\u{430}ypal"),
        Err(NameError::MixedScripts)
    );
    assert_eq!(UserName::parse("ab\u{3B1}"), Err(NameError::MixedScripts));
    for ok in [
        "алиса",
        "Αλίκη",
        "日本語 ok",
        "Bob 李",
        "ひらがなカタカナ漢字",
        "김철수 Kim",
        "שרה",
        "ＡＬＩＣＥ",
        "Zoë 2",
        "❤️ bob",
        "alice_99!",
        "e\u{301}lodie",
    ] {
        assert!(UserName::parse(ok).is_ok(), "{ok:?}");
    }
}

#[test]
fn look_alikes_share_a_key() {
    // Two names collide when they share any key.
    let same = |a: &str, b: &str| {
        let (a, b) = (UserName::parse(a).unwrap(), UserName::parse(b).unwrap());
        a.keys().iter().any(|k| b.keys().contains(k))
    };
    for twin in ["Alice", "ALICE", "ＡＬＩＣＥ", "aIice", "AIice", "ａlice"] {
        assert!(same("alice", twin), "{twin:?}");
    }
    assert!(same("é", "e\u{301}")); // NFC and NFD
    assert!(same("straße", "STRASSE"));
    // Whole-script look-alikes: Cyrillic "асе" and Latin "ace".
    assert!(same("\u{430}\u{441}\u{435}", "ace"));
    assert!(same("rn", "m"));
    assert!(!same("alice", "alicia"));
    assert!(!same("alice2", "alice3"));
    assert!(!same("алиса", "alice"));
}

#[test]
fn numbered_names_pass_the_rules() {
    for raw in ["alice", "алиса", "日本", &"é".repeat(32)] {
        let name = UserName::parse(raw).unwrap();
        let n = name.numbered(7);
        assert_eq!(UserName::parse(n.as_str()), Ok(n.clone()));
        assert!(n.keys().iter().all(|k| !name.keys().contains(k)));
    }
}

#[test]
fn format_table_matches_the_category() {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let category = c.general_category();
        assert_eq!(
            is_format(c),
            category == GeneralCategory::Format,
            "U+{:04X}",
            c as u32
        );
        let separator = matches!(
            category,
            GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator
        );
        assert_eq!(separator, matches!(c, '\u{2028}' | '\u{2029}'));
    }
}
