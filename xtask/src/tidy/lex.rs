//! Just enough of a Rust lexer for the tidy rules: it tells code from comments and from string
//! and character literals, line by line, so a rule can read names and imports in code only, or
//! paths in comments only. It knows line and (nested) block comments, escaped and raw strings,
//! character literals versus lifetimes; nothing else.

/// What a stretch of source text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Code,
    Comment,
    Literal,
}

/// One source line split by kind: `code` has comments and literals blanked out (same columns),
/// `comments` holds the text of every comment on the line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    pub code: String,
    pub comments: Vec<String>,
}

/// The lines of `source`, each split into code and comments.
pub fn lines(source: &str) -> Vec<Line> {
    let mut out: Vec<Line> = source
        .split('\n')
        .enumerate()
        .map(|(i, _)| Line {
            number: i + 1,
            ..Line::default()
        })
        .collect();
    let mut line = 0;
    for (kind, text) in spans(source) {
        let mut parts = text.split('\n').peekable();
        while let Some(part) = parts.next() {
            if let Some(current) = out.get_mut(line) {
                match kind {
                    Kind::Code => current.code.push_str(part),
                    Kind::Comment => {
                        current.code.push_str(&" ".repeat(part.len()));
                        current.comments.push(part.to_owned());
                    }
                    Kind::Literal => current.code.push_str(&" ".repeat(part.len())),
                }
            }
            if parts.peek().is_some() {
                line += 1;
            }
        }
    }
    out
}

/// `source` cut into consecutive spans of one kind each.
pub fn spans<'a>(source: &'a str) -> Vec<(Kind, &'a str)> {
    let bytes = source.as_bytes();
    let mut spans = Vec::new();
    let (mut start, mut i) = (0, 0);
    let push = |kind: Kind, from: usize, to: usize, spans: &mut Vec<(Kind, &'a str)>| {
        if to > from {
            spans.push((kind, &source[from..to]));
        }
    };
    while i < bytes.len() {
        let end = match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => Some((
                Kind::Comment,
                find_from(bytes, i, b"\n").unwrap_or(bytes.len()),
            )),
            b'/' if bytes.get(i + 1) == Some(&b'*') => Some((Kind::Comment, block_end(bytes, i))),
            b'"' => Some((Kind::Literal, string_end(bytes, i + 1))),
            b'r' if !ident_before(bytes, i) || raw_prefix(bytes, i) => {
                raw_string_end(bytes, i).map(|end| (Kind::Literal, end))
            }
            b'\'' => char_end(source, i).map(|end| (Kind::Literal, end)),
            _ => None,
        };
        match end {
            Some((kind, end)) => {
                push(Kind::Code, start, i, &mut spans);
                push(kind, i, end, &mut spans);
                start = end;
                i = end;
            }
            None => i += 1,
        }
    }
    push(Kind::Code, start, bytes.len(), &mut spans);
    spans
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && is_ident(bytes[i - 1])
}

/// `br"…"` and `cr"…"`: the `r` follows a one-letter prefix that starts a token.
fn raw_prefix(bytes: &[u8], i: usize) -> bool {
    i > 0 && matches!(bytes[i - 1], b'b' | b'c') && !ident_before(bytes, i - 1)
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The end of a (nested) block comment starting at `i`.
fn block_end(bytes: &[u8], i: usize) -> usize {
    let (mut depth, mut j) = (0usize, i);
    while j < bytes.len() {
        if bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'*') {
            depth += 1;
            j += 2;
        } else if bytes[j] == b'*' && bytes.get(j + 1) == Some(&b'/') {
            depth -= 1;
            j += 2;
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    bytes.len()
}

/// The end (after the closing quote) of a string whose text starts at `from`.
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The end of a raw string `r#"…"#` starting at `i` (the `r`), if one starts there.
fn raw_string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
    if bytes.get(i + 1 + hashes) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.extend(std::iter::repeat_n(b'#', hashes));
    let from = i + 2 + hashes;
    Some(find_from(bytes, from, &closing).map_or(bytes.len(), |p| p + closing.len()))
}

/// The end of a character literal starting at `i`, or `None` for a lifetime or label.
fn char_end(source: &str, i: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    if *bytes.get(i + 1)? == b'\\' {
        // The escaped character sits at `i + 2`; the closing quote comes after it (`'\''`,
        // `'\\'`, `'\n'`, `'\u{1F600}'`).
        return find_from(bytes, i + 3, b"'").map(|close| close + 1);
    }
    let width = source.get(i + 1..)?.chars().next()?.len_utf8();
    (bytes.get(i + 1 + width) == Some(&b'\'')).then_some(i + 2 + width)
}

/// The identifiers in `code` (runs of letters, digits and `_` not starting with a digit).
pub fn idents(code: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            if !bytes[start].is_ascii_digit() {
                out.push((start, &code[start..i]));
            }
        } else {
            i += 1;
        }
    }
    out.into_iter()
}
