//! The module paths a Rust file names in code, for the `import-circle` rule (see
//! `tidy/circles.rs`): the expanded trees of its `use` declarations and its `crate::`,
//! `super::` and `self::` paths, each with its line and the inline `mod x { … }` blocks around
//! it.

use super::lex;

/// A token of code: an identifier or one punctuation mark (`::` is one token).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    line: usize,
}

fn tokens(source: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for line in lex::lines(source) {
        let code = line.code.as_str();
        let bytes = code.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_alphanumeric() || c == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    text: code[start..i].to_owned(),
                    line: line.number,
                });
            } else if c == b':' && bytes.get(i + 1) == Some(&b':') {
                out.push(Token {
                    text: "::".to_owned(),
                    line: line.number,
                });
                i += 2;
            } else if c.is_ascii_punctuation() {
                out.push(Token {
                    text: (c as char).to_string(),
                    line: line.number,
                });
                i += 1;
            } else {
                i += 1;
            }
        }
    }
    out
}

/// One path named in code: its segments and line, and whether it came from a `use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub segments: Vec<String>,
    pub line: usize,
    pub in_use: bool,
    /// The inline `mod x { … }` blocks around it.
    pub inline: Vec<String>,
}

/// Every path of `source` that starts with an identifier: the expanded trees of `use`
/// declarations, and `crate::`/`super::`/`self::` paths elsewhere.
pub fn named_paths(source: &str) -> Vec<Named> {
    let tokens = tokens(source);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].text.as_str();
        let names: Vec<String> = inline.iter().map(|(name, _)| name.clone()).collect();
        match t {
            "mod" if tokens.get(i + 2).is_some_and(|t| t.text == "{") => {
                inline.push((tokens[i + 1].text.clone(), depth));
            }
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
            }
            "use" => {
                let mut trees = Vec::new();
                let end = use_tree(&tokens, i + 1, Vec::new(), &mut trees);
                for (segments, line) in trees {
                    out.push(Named {
                        segments,
                        line,
                        in_use: true,
                        inline: names.clone(),
                    });
                }
                i = end;
                continue;
            }
            "crate" | "super" | "self" if tokens.get(i + 1).is_some_and(|t| t.text == "::") => {
                let before = i.checked_sub(1).map(|b| tokens[b].text.as_str());
                if before != Some("::") {
                    let (segments, end) = path_at(&tokens, i);
                    out.push(Named {
                        segments,
                        line: tokens[i].line,
                        in_use: false,
                        inline: names,
                    });
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The path `a::b::c` starting at `i`, and the index after it.
fn path_at(tokens: &[Token], mut i: usize) -> (Vec<String>, usize) {
    let mut segments = Vec::new();
    while let Some(t) = tokens.get(i) {
        if !is_word(&t.text) {
            break;
        }
        segments.push(t.text.clone());
        if tokens.get(i + 1).is_some_and(|t| t.text == "::")
            && tokens.get(i + 2).is_some_and(|t| is_word(&t.text))
        {
            i += 2;
        } else {
            i += 1;
            break;
        }
    }
    (segments, i)
}

fn is_word(text: &str) -> bool {
    text.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
}

/// Expands the use tree at `i` under `prefix` into `out`; returns the index after it (after the
/// `;` at the top level).
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    let mut path = prefix;
    let mut line = tokens.get(i).map_or(0, |t| t.line);
    while let Some(t) = tokens.get(i) {
        match t.text.as_str() {
            "::" => i += 1,
            "{" => {
                i += 1;
                loop {
                    i = use_tree(tokens, i, path.clone(), out);
                    match tokens.get(i).map(|t| t.text.as_str()) {
                        Some(",") => i += 1,
                        Some("}") => return i + 1,
                        _ => return i,
                    }
                    if tokens.get(i).is_some_and(|t| t.text == "}") {
                        return i + 1;
                    }
                }
            }
            "}" | "," => break,
            ";" => {
                i += 1;
                break;
            }
            "*" => i += 1,
            "as" => i += 2,
            word if is_word(word) => {
                line = t.line;
                path.push(word.to_owned());
                i += 1;
            }
            _ => i += 1,
        }
    }
    if !path.is_empty() {
        out.push((path, line));
    }
    i
}
