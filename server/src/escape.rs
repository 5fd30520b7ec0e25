//! HTML escaping of chat for legacy clients.
//!
//! MDN's client inserts chat lines (`name` and `text`) with `innerHTML`, so markup that reaches
//! it is live HTML. Clients that do not announce the `plain-text` feature therefore get `&`, `<`,
//! `>`, `"` and `'` replaced by entities, which such a client renders as the original
//! characters; clients that render text as text get it untouched.

use std::borrow::Cow;

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
}
