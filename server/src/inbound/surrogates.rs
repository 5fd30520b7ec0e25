//! Lone UTF-16 surrogate escapes (`"\ud800"`) in the SDP text, which is forwarded as received. JSON's grammar allows them and JavaScript's `JSON.parse` takes them, but they
//! are no Unicode text: serde_json, which our own client parses frames with, refuses the whole
//! frame. The server does not decode the SDP text, so it is scanned here (a candidate, small, is
//! parsed whole instead). Found by the `decode_frame` fuzz target (`fuzz/`).

/// Whether `json` (valid JSON text) escapes a UTF-16 surrogate that is not half of a pair.
pub fn has_lone_surrogate(json: &str) -> bool {
    let bytes = json.as_bytes();
    let mut i = 0;
    // After a high surrogate, the very next bytes must escape a low one.
    let mut want_low = false;
    while i < bytes.len() {
        if !want_low {
            // Outside a pair only escapes matter: skip to the next backslash.
            match bytes[i..].iter().position(|&b| b == b'\\') {
                Some(offset) => i += offset,
                None => return false,
            }
        }
        if bytes[i] != b'\\' {
            return true;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            if want_low {
                return true;
            }
            i += 2;
            continue;
        }
        let unit = bytes
            .get(i + 2..i + 6)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u16::from_str_radix(hex, 16).ok());
        let Some(unit) = unit else {
            // Not valid JSON after all; the caller's parser has refused it already.
            return true;
        };
        match unit {
            0xD800..=0xDBFF if want_low => return true,
            0xD800..=0xDBFF => want_low = true,
            0xDC00..=0xDFFF if !want_low => return true,
            0xDC00..=0xDFFF => want_low = false,
            _ if want_low => return true,
            _ => {}
        }
        i += 6;
    }
    want_low
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_plain_escapes_pass_lone_halves_do_not() {
        for ok in [
            r#""plain""#,
            r#""v=0\r\n""#,
            r#""\ud83d\ude00 smile""#,
            r#"{"a":"\u00e9","b":"\\ud800"}"#,
            r#""\\\ud83d\ude00""#,
        ] {
            assert!(!has_lone_surrogate(ok), "{ok}");
        }
        for bad in [
            r#""\ud800""#,
            r#""\ud800x""#,
            r#""\ud800\n""#,
            r#""\udc00""#,
            r#""\ud800\ud800\udc00""#,
            r#""a\ude00b""#,
            r#"{"x":"\ud83d\u0041"}"#,
        ] {
            assert!(has_lone_surrogate(bad), "{bad}");
        }
    }
}
