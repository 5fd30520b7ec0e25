//! `doc-path`: the repository paths that docs and comments name must exist.
//!
//! Where paths are looked for: the whole text of Markdown files; the comments of `.rs` files
//! (string literals are not read); `#` comments of `.toml` files and of `.ci/` scripts.
//!
//! What counts as a path (after cutting text at spaces, quotes, backticks, brackets, `,;:|` and
//! dropping a trailing `.`, `!` or `?` and a `#fragment`): a word with no placeholder or glob
//! characters (`<>{}*…$%@=~`), that is not absolute (`/proc/…` is the system's), not a URL, and
//! - starts with `./` or `../`: resolved from the file's folder; or
//! - contains a `/` and starts with a folder at the repository's top (`client/`, `docs/`,
//!   `.ci/`, …): resolved from the root (or the file's folder); or
//! - ends with a file extension of ours (`.rs`, `.md`, `.toml`, …), like `call/machine.rs` or
//!   `Trunk.toml`: found from the file's folder or any folder above it, or else as the end of
//!   some path in the repository (docs name files by their short paths).
//!
//! Words through what builds make (`target/`, `dist/`, `.tools/`, a fuzz `corpus/`) are never
//! checked.

use std::collections::BTreeSet;

use super::Finding;
use super::lex;

/// Extensions of files we keep in the repository.
const EXTENSIONS: [&str; 9] = [
    "rs", "md", "toml", "html", "css", "json", "png", "lock", "yml",
];

/// Folders that builds and tools create (cargo-fuzz's `corpus/` and `artifacts/` too): a path
/// through one of them is not checked.
const GENERATED: [&str; 6] = [
    "target",
    "dist",
    ".tools",
    "node_modules",
    "corpus",
    "artifacts",
];

/// Files the programs write when they run (the server's state file, by default in the working
/// folder): docs name them, but they are never in the repository.
const RUNTIME: [&str; 1] = ["parley-state.json"];

/// The texts of `path` where paths are looked for, with their line numbers.
pub fn searched_text(path: &str, text: &str) -> Vec<(usize, String)> {
    if path.ends_with(".md") {
        text.lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.to_owned()))
            .collect()
    } else if path.ends_with(".rs") {
        lex::lines(text)
            .into_iter()
            .filter(|line| !line.comments.is_empty())
            .map(|line| (line.number, line.comments.join(" ")))
            .collect()
    } else if path.ends_with(".toml") || path.starts_with(".ci/") {
        text.lines()
            .enumerate()
            .filter_map(|(i, line)| Some((i + 1, hash_comment(line)?.to_owned())))
            .collect()
    } else {
        Vec::new()
    }
}

/// The `#` comment of a TOML or shell line: a `#` at the start or after a space, outside quotes.
fn hash_comment(line: &str) -> Option<&str> {
    let mut quoted = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && previous.is_whitespace() => return Some(&line[i + 1..]),
            _ => {}
        }
        previous = c;
    }
    None
}

/// The folders at the top of the repository, from [`super::Repo::entries`].
pub fn top_dirs(entries: &BTreeSet<String>) -> BTreeSet<String> {
    entries
        .iter()
        .filter_map(|entry| Some(entry.split_once('/')?.0.to_owned()))
        .collect()
}

/// The words of `text` that count as repository paths (`top`: [`top_dirs`]).
pub fn references(text: &str, top: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for word in text.split_whitespace() {
        if word.contains("://") {
            continue;
        }
        let pieces = word.split(|c: char| "`'\"()[],;:|".contains(c));
        for piece in pieces {
            let piece = piece.split('#').next().unwrap_or_default();
            let piece = piece.trim_end_matches(['.', '!', '?']);
            if counts_as_path(piece, top) {
                found.push(piece.to_owned());
            }
        }
    }
    found
}

fn counts_as_path(word: &str, top: &BTreeSet<String>) -> bool {
    if word.is_empty()
        || word.starts_with('/')
        || word.starts_with('-')
        || word.contains(|c: char| "<>{}*…$%@=~\\".contains(c))
    {
        return false;
    }
    if word.split('/').any(|part| GENERATED.contains(&part)) {
        return false;
    }
    if word
        .rsplit('/')
        .next()
        .is_some_and(|name| RUNTIME.contains(&name))
    {
        return false;
    }
    let first = word.split('/').next().unwrap_or_default();
    if word.starts_with("./") || word.starts_with("../") {
        return true;
    }
    let top_level = word.contains('/') && top.contains(first);
    let has_extension = word.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && !stem.ends_with('/') && EXTENSIONS.contains(&ext)
    });
    top_level || has_extension
}

/// `dir/word` with `.` and `..` resolved (`None` when it climbs out of the repository).
fn join(dir: &str, word: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in word.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Whether `word`, named in the file `path`, names something in `entries`.
pub fn exists(path: &str, word: &str, entries: &BTreeSet<String>) -> bool {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let is = |candidate: Option<String>| candidate.is_some_and(|c| entries.contains(&c));
    if word.starts_with("./") || word.starts_with("../") {
        return is(join(dir, word));
    }
    let first = word.split('/').next().unwrap_or_default();
    let top_dir = word.contains('/') && top_dirs(entries).contains(first);
    if top_dir && is(join("", word)) {
        return true;
    }
    // The file's folder and every folder above it.
    let mut base = Some(dir);
    while let Some(at) = base {
        if is(join(at, word)) {
            return true;
        }
        base = (!at.is_empty()).then(|| at.rsplit_once('/').map_or("", |(up, _)| up));
    }
    if top_dir {
        return false;
    }
    let tail = format!("/{}", word.trim_end_matches('/'));
    entries.iter().any(|entry| entry.ends_with(&tail))
}

/// Every path named in `path`'s docs or comments that does not exist.
pub fn missing(path: &str, text: &str, entries: &BTreeSet<String>) -> Vec<Finding> {
    let top = top_dirs(entries);
    let mut findings = Vec::new();
    for (line, searched) in searched_text(path, text) {
        for word in references(&searched, &top) {
            if !exists(path, &word, entries) {
                findings.push(Finding::new(
                    path,
                    line,
                    "doc-path",
                    format!("`{word}` names a file or folder that does not exist"),
                ));
            }
        }
    }
    findings
}
