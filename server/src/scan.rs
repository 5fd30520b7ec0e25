//! A strict, partial JSON scanner for the envelope of relay frames: it finds the spans of the
//! members of an object without decoding them. Strings are skipped eight bytes at a time until
//! their first special byte and, past a first escape, with whole-string passes (`memchr` for the
//! closing quote, vectorised checks of control bytes and escapes). serde_json instead restarts
//! its search at every escape, and an SDP (the bulk of an offer) has two per line: that was a
//! quarter of the server's instructions per relayed message.
//!
//! It is only a fast path: it answers `None` for anything unusual (escapes in keys or short
//! strings, `\u` escapes, duplicate members, non-string SDP text, …) and the caller then parses
//! the frame with serde_json as before. Whatever it does accept is valid JSON that serde_json
//! would parse to the same members. Arrays and objects it is not asked to enter are measured by
//! serde_json.

use serde::Deserialize;
use serde_json::value::RawValue;

/// Walks a top-level object member by member; a member's value is scanned by [`Scanner::value`]
/// or entered with [`Scanner::enter_object`].
pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    /// Objects entered and not yet closed (the top level included).
    depth: usize,
    /// No member read yet in the innermost open object (so no comma before the next).
    first: bool,
}

/// One member's value, as the scanner found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string: its JSON text (quotes included), and whether it has escapes.
    Str(&'a str, bool),
    /// `null`.
    Null,
    /// Any other value, as JSON text (checked by the scanner or, for arrays and objects, by
    /// serde_json).
    Raw(&'a str),
}

impl<'a> Value<'a> {
    /// The contents of a string without escapes.
    pub fn plain(self) -> Option<&'a str> {
        match self {
            Value::Str(raw, false) => raw.get(1..raw.len() - 1),
            _ => None,
        }
    }
}

impl<'a> Scanner<'a> {
    /// Starts at the opening brace of a top-level object.
    pub fn object(text: &'a str) -> Option<Self> {
        let mut scanner = Self {
            text,
            pos: 0,
            depth: 0,
            first: true,
        };
        scanner.enter_object()?;
        Some(scanner)
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Enters the object that is the next value; returns where it starts (for [`Scanner::since`]).
    pub fn enter_object(&mut self) -> Option<usize> {
        self.skip_ws();
        let start = self.pos;
        self.eat(b'{')?;
        self.depth += 1;
        self.first = true;
        Some(start)
    }

    /// The text from `start` to where the scanner is (e.g. an object just closed).
    pub fn since(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// The next member's name, its colon consumed: `Some(None)` once the innermost object is
    /// closed (for the top level: with nothing but whitespace after it), `None` when the
    /// scanner gives up.
    pub fn next_key(&mut self) -> Option<Option<&'a str>> {
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            self.depth = self.depth.checked_sub(1)?;
            self.first = false;
            if self.depth == 0 {
                self.skip_ws();
                if self.pos != self.text.len() {
                    return None;
                }
            }
            return Some(None);
        }
        if !self.first {
            self.eat(b',')?;
            self.skip_ws();
        }
        self.first = false;
        let key = self.string()?.plain()?;
        self.skip_ws();
        self.eat(b':')?;
        Some(Some(key))
    }

    /// The next value (a member's, after [`Scanner::next_key`]).
    pub fn value(&mut self) -> Option<Value<'a>> {
        self.skip_ws();
        self.scan_value()
    }

    fn string(&mut self) -> Option<Value<'a>> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        let (end, escaped) = string_end(self.bytes(), start + 1)?;
        self.pos = end + 1;
        Some(Value::Str(&self.text[start..self.pos], escaped))
    }

    /// Scans one value starting at `pos`.
    fn scan_value(&mut self) -> Option<Value<'a>> {
        let start = self.pos;
        match self.peek()? {
            b'"' => self.string(),
            b'n' => {
                self.literal("null")?;
                Some(Value::Null)
            }
            b't' => {
                self.literal("true")?;
                Some(Value::Raw(&self.text[start..self.pos]))
            }
            b'f' => {
                self.literal("false")?;
                Some(Value::Raw(&self.text[start..self.pos]))
            }
            b'{' | b'[' => {
                // Small in relays (a candidate): serde_json checks it and says where it ends.
                let mut de = serde_json::Deserializer::from_str(&self.text[start..]);
                let raw = <&RawValue>::deserialize(&mut de).ok()?.get();
                self.pos = start + raw.len();
                // The raw value starts where we are (no leading whitespace was left).
                Some(Value::Raw(&self.text[start..self.pos]))
            }
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Some(Value::Raw(&self.text[start..self.pos]))
            }
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text[self.pos..]
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let digits = |s: &mut Self| {
            let start = s.pos;
            while let Some(b'0'..=b'9') = s.peek() {
                s.pos += 1;
            }
            (s.pos > start).then_some(())
        };
        let _ = self.eat(b'-');
        if self.eat(b'0').is_none() {
            digits(self)?;
        }
        if self.eat(b'.').is_some() {
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            digits(self)?;
        }
        // What follows a number must end it (serde_json would refuse `1x`).
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']') => Some(()),
            _ => None,
        }
    }
}

/// The index of the quote closing the string whose contents start at `from`, and whether the
/// string has escapes. `None` for an unterminated string, a raw control character, or an escape
/// this scanner leaves to serde_json (`\u`, an invalid one, or an escaped backslash followed by
/// a byte that could not start an escape).
///
/// Plain strings (names, types, candidates) end at the first special byte. Past the first
/// escape, whole-string passes rather than a search per escape: an SDP has two escapes per line,
/// and restarting a search at each cost more than these passes, which the compiler vectorises.
fn string_end(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    let rest = bytes.get(from..)?;
    let first = first_special(rest);
    match rest.get(first)? {
        b'"' => return Some((from + first, false)),
        b'\\' => {}
        _ => return None,
    }
    // The first quote preceded by an even run of backslashes.
    let mut at = first;
    let end = loop {
        let quote = at + memchr::memchr(b'"', rest.get(at..)?)?;
        let backslashes = rest[..quote]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            break quote;
        }
        at = quote + 1;
    };
    let tail = &rest[first..end];
    // Raw control characters are not allowed in JSON strings.
    if tail.iter().copied().min().is_some_and(|b| b < 0x20) {
        return None;
    }
    // Quick check: every backslash (but a last one, which the even run before the quote makes
    // the second half of `\\`) is followed by a byte of the usual escapes. It checks every
    // backslash, not only those starting an escape, so it never passes bad JSON, but fails good
    // JSON with a rarer escape, or with `\\` before another byte: then walk the escapes one by
    // one.
    let suspect = tail.iter().zip(&tail[1..]).fold(false, |acc, (&a, &b)| {
        acc | ((a == b'\\') & !usual_escape(b))
    });
    (!suspect || escapes_valid(tail)).then_some((from + end, true))
}

/// The index of the first `"`, `\` or control byte in `bytes` (its length if none), eight bytes
/// at a time (the SWAR search serde_json uses too: in each word, the lowest flagged byte is
/// exact).
fn first_special(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::MAX / 255;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(word);
        let control = word.wrapping_sub(ONES * 0x20) & !word;
        let quote = word ^ (ONES * u64::from(b'"'));
        let quote = quote.wrapping_sub(ONES) & !quote;
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let backslash = backslash.wrapping_sub(ONES) & !backslash;
        let found = (control | quote | backslash) & (ONES << 7);
        if found != 0 {
            return offset + found.trailing_zeros() as usize / 8;
        }
        offset += 8;
    }
    let tail = chunks.remainder();
    offset
        + tail
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(tail.len())
}

/// Whether every escape in `body` (a string's contents) is one [`escapable`] allows.
fn escapes_valid(body: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if b == b'\\' {
            if !body.get(i + 1).is_some_and(|&next| escapable(next)) {
                return false;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    true
}

/// The escapes in SDPs and candidates as browsers' `JSON.stringify` writes them (`\r`, `\n`,
/// `\"`, `\\`): fewer comparisons than [`escapable`] make the quick check cheaper.
fn usual_escape(b: u8) -> bool {
    (b == b'n') | (b == b'r') | (b == b'"') | (b == b'\\')
}

/// Bytes that may follow a backslash in a JSON string, but `u` (left to serde_json).
fn escapable(b: u8) -> bool {
    // Comparisons joined with `|` rather than a `match`: branch-free, so the loop vectorises.
    (b == b'"')
        | (b == b'\\')
        | (b == b'/')
        | (b == b'b')
        | (b == b'f')
        | (b == b'n')
        | (b == b'r')
        | (b == b't')
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn members(text: &str) -> Option<Vec<(&str, Value<'_>)>> {
        let mut scanner = Scanner::object(text)?;
        let mut out = Vec::new();
        while let Some(key) = scanner.next_key()? {
            if key == "nested" {
                scanner.enter_object()?;
                while let Some(key) = scanner.next_key()? {
                    out.push((key, scanner.value()?));
                }
            } else {
                out.push((key, scanner.value()?));
            }
        }
        Some(out)
    }

    #[test]
    fn finds_members_and_agrees_with_serde_json_on_what_it_accepts() {
        let text = r#" { "type" : "video-offer", "n":-1.5e+3,"a":[1,{"b":null}], "t":true,
            "f":false, "z":null, "nested": { "in" : "x" , "e":{} }, "sdp":"v=0\r\n\"x\"\\/" } "#;
        let found = members(text).unwrap();
        assert_eq!(
            found,
            vec![
                ("type", Value::Str(r#""video-offer""#, false)),
                ("n", Value::Raw("-1.5e+3")),
                ("a", Value::Raw(r#"[1,{"b":null}]"#)),
                ("t", Value::Raw("true")),
                ("f", Value::Raw("false")),
                ("z", Value::Null),
                ("in", Value::Str(r#""x""#, false)),
                ("e", Value::Raw("{}")),
                ("sdp", Value::Str(r#""v=0\r\n\"x\"\\/""#, true)),
            ]
        );
        assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        assert_eq!(members("{}").unwrap(), vec![]);
        let text = r#"{"a":"\\","b":"\"","c":"","d":"\\\\\"\\","e":"\\q"}"#;
        assert_eq!(
            members(text).unwrap(),
            vec![
                ("a", Value::Str(r#""\\""#, true)),
                ("b", Value::Str(r#""\"""#, true)),
                ("c", Value::Str(r#""""#, false)),
                ("d", Value::Str(r#""\\\\\"\\""#, true)),
                ("e", Value::Str(r#""\\q""#, true)),
            ]
        );
        assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
    }

    #[test]
    fn every_short_string_it_accepts_is_one_serde_json_accepts_identically() {
        const ALPHABET: [char; 8] = ['a', '\\', '"', 'n', 'u', '\n', 'é', '/'];
        let mut accepted = 0;
        // Padding puts the special bytes in the word-at-a-time search's later words and tails.
        let padding = "x".repeat(13);
        for (len, pad) in (0..=5u32).flat_map(|len| [(len, ""), (len, padding.as_str())]) {
            for mut code in 0..ALPHABET.len().pow(len) {
                let mut body = pad.to_owned();
                for _ in 0..len {
                    body.push(ALPHABET[code % ALPHABET.len()]);
                    code /= ALPHABET.len();
                }
                let text = format!(r#"{{"k":"{body}","z":1}}"#);
                let serde = serde_json::from_str::<serde_json::Value>(&text);
                let Some(found) = members(&text) else {
                    continue;
                };
                accepted += 1;
                let serde = serde.unwrap_or_else(|e| panic!("{text}: {e}"));
                let Value::Str(raw, _) = found[0].1 else {
                    panic!("{text}")
                };
                assert_eq!(
                    serde_json::from_str::<serde_json::Value>(raw).unwrap(),
                    serde["k"]
                );
                assert_eq!(found[1], ("z", Value::Raw("1")));
            }
        }
        assert!(accepted > 2000, "{accepted}");
    }

    #[test]
    fn gives_up_on_anything_invalid_or_unusual() {
        for text in [
            "",
            "[]",
            "{",
            r#"{"a":1"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a" 1}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":1} x"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1x}"#,
            r#"{"a":nul}"#,
            r#"{"a":"x"#,
            "{\"a\":\"x\ny\"}",
            r#"{"a":"\q"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"x\"}"#,
            r#"{"a":"\\\"}"#,
            r#"{"a":"\\\q"}"#,
            r#"{"\"k":1}"#,
            r#"{"a":[1,}"#,
            r#"{"a":'x'}"#,
            r#"{"nested":{"a":1,}}"#,
            r#"{"nested":{"a":1}"#,
            r#"{"nested":{"a":1}}}"#,
            r#"{"nested":[]}"#,
        ] {
            assert!(members(text).is_none(), "{text}");
        }
    }
}
