//! Fuzz target: any text as a user name, through `shared::UserName::parse` and its look-alike
//! keys. It must never panic; a name it accepts must be trimmed, within the length limit, parse
//! again to itself, and its numbered variants must be valid names too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::UserName;
use shared::limits::MAX_NAME_CHARS;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(name) = UserName::parse(raw) else {
        return;
    };
    let text = name.as_str();
    assert_eq!(text, text.trim());
    assert!(text.chars().count() <= MAX_NAME_CHARS);
    assert_eq!(UserName::parse(text).as_ref(), Ok(&name));
    let _keys = name.keys();
    let numbered = name.numbered(12);
    assert!(
        numbered.as_str().chars().count() <= MAX_NAME_CHARS,
        "{numbered:?}"
    );
    assert!(
        UserName::parse(numbered.as_str()).is_ok(),
        "{numbered:?} from {raw:?}"
    );
});
