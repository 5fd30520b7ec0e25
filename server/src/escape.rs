//! Escaping of client text: HTML escaping of chat for legacy clients, and the form client
//! strings take in log lines.
//!
//! MDN's client inserts chat lines (`name` and `text`) with `innerHTML`, so markup that reaches
//! it is live HTML. Clients that do not announce the `plain-text` feature therefore get `&`, `<`,
//! `>`, `"` and `'` replaced by entities, which such a client renders as the original
//! characters; clients that render text as text get it untouched.

use std::borrow::Cow;

use shared::ErrorCode;

/// At most this many characters of a client string reach a log line.
pub const LOG_TEXT_MAX_CHARS: usize = 120;

/// `text` as it may appear in a log line: control, format and other non-printing characters
/// escaped (`\n`, `\u{202e}`: Rust's `escape_debug`), so a client cannot forge or hide log
/// lines, and cut to [`LOG_TEXT_MAX_CHARS`] characters (then ending in `…`).
pub fn for_log(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * LOG_TEXT_MAX_CHARS) + 4);
    for (i, c) in text.chars().enumerate() {
        if i == LOG_TEXT_MAX_CHARS {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out
}

/// An error code as it is on the wire (`not-in-call`), for log lines.
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{code:?}"),
    }
}

/// `text` with `& < > " '` replaced by HTML entities; borrowed when there is nothing to replace.
pub fn html_escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters_and_borrows_plain_text() {
        assert_eq!(
            html_escape(r#"<img src=x onerror="alert('1')">&"#),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
        assert!(matches!(html_escape("hello, world"), Cow::Borrowed(_)));
    }

    #[test]
    fn log_text_is_escaped_and_bounded() {
        assert_eq!(
            for_log("x\nINFO forged line\u{202e}"),
            "x\\nINFO forged line\\u{202e}"
        );
        let long = for_log(&"a".repeat(10_000));
        assert_eq!(long.chars().count(), LOG_TEXT_MAX_CHARS + 1);
        assert!(long.ends_with('…'));
        assert_eq!(code_name(ErrorCode::NotInCall), "not-in-call");
    }

    /// What a refusal's log line is made of (`session::write`): no client newline gets through.
    #[test]
    fn refusals_of_client_strings_log_no_newline() {
        let frames = [
            r#"{"type":"x\nINFO server: forged","target":"b"}"#,
            r#"{"type":"hang-up","target":"b","reason":"x\nINFO server: forged"}"#,
            r#"{"type":"username","name":"a","features":["x\nINFO forged"],"date":"x\ny"}"#,
        ];
        for frame in frames {
            let refusal = crate::inbound::decode(frame).unwrap_err();
            let line = format!("{} {}", code_name(refusal.code), for_log(&refusal.message));
            assert!(!line.contains('\n'), "{line}");
        }
        let refusal = crate::inbound::decode(frames[1]).unwrap_err();
        assert!(
            refusal.message.contains('\n'),
            "the raw message has it: {refusal:?}"
        );
        assert!(for_log(&refusal.message).contains("x\\nINFO"));
    }
}
