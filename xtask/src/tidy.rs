//! The house rules as ordinary tests (rust-analyzer's "tidy"), run by `cargo xtask test` (suite
//! "tidy") or alone with `cargo test -p xtask --bins tidy::`. Each rule is a `#[test]` below that
//! reads the working tree (every file but `target/`, `.git/`, `dist/`, `.tools/` and
//! `node_modules/`) and fails with one `file:line: rule: what` line per finding:
//!
//! - `file-doc`: every `.rs` file opens with a `//!` doc saying what it owns.
//! - `file-size`: no non-test source file is over [`source::MAX_LINES`] lines. Test files are
//!   those under a `tests/` folder and those named `tests.rs` or `*_tests.rs` (a module's tests
//!   moved out of it); everything else counts, inline `#[cfg(test)]` modules included.
//! - `pure-core`: the pure client modules ([`source::PURE`]: the call machine, the page state,
//!   the text, ICE settings, the group call; and all of `shared/`) never name `web_sys`, `js_sys`,
//!   `wasm_bindgen(_futures)` or a `gloo_*` crate in code.
//! - `driver-loop`: the call driver (`client/src/call/driver.rs` and `driver/`) names no `Cell`
//!   or `RefCell` in code: one message loop owns its objects by value.
//! - `doc-path`: every repository path that a doc (`README.md`, `docs/*.md`) or a comment (in `.rs`,
//!   `.toml` and `.ci/run`) names exists; what counts as a path is said in [`paths`].
//! - `unused-dep`: every dependency in a `Cargo.toml` is named in the code of its crate where that
//!   kind of dependency is visible (see [`deps`]).
//! - `import-circle`: no two files of a crate lean on each other through `use crate::…`,
//!   `super::…` or paths in code (see [`circles`]).
//!
//! The rules themselves are unit-tested on small inputs in `tidy/tests.rs`, so each can fail.

mod circles;
mod deps;
mod imports;
mod lex;
mod paths;
mod source;
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

/// One broken rule at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Repository-relative, with `/`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    pub rule: &'static str,
    pub message: String,
}

impl Finding {
    pub fn new(file: &str, line: usize, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line,
            rule,
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.rule, self.message
        )
    }
}

/// The working tree: every file's repository-relative path (with `/`) and text (`None` when not
/// UTF-8, e.g. a PNG).
pub struct Repo {
    pub files: Vec<(String, Option<String>)>,
}

/// Folders that hold what builds and tools make, never sources.
const SKIPPED_DIRS: [&str; 5] = ["target", ".git", "dist", ".tools", "node_modules"];

impl Repo {
    pub fn read(root: &Path) -> Self {
        let mut files = Vec::new();
        walk(root, root, &mut files);
        files.sort();
        Self { files }
    }

    /// Every file and folder, for checking that a path exists.
    pub fn entries(&self) -> std::collections::BTreeSet<String> {
        let mut set = std::collections::BTreeSet::new();
        for (file, _) in &self.files {
            let mut dir = file.as_str();
            set.insert(dir.to_owned());
            while let Some((parent, _)) = dir.rsplit_once('/') {
                set.insert(parent.to_owned());
                dir = parent;
            }
        }
        set
    }

    /// The text files whose name ends with `suffix`.
    pub fn texts<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.files.iter().filter_map(move |(path, text)| {
            let text = text.as_deref()?;
            path.ends_with(suffix).then_some((path.as_str(), text))
        })
    }
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, Option<String>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("tidy: cannot read {}", dir.display());
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(root, &path, files);
            }
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            files.push((rel, std::fs::read_to_string(&path).ok()));
        }
    }
}

/// Fails with every finding, one per line.
fn assert_clean(rule: &str, findings: &[Finding]) {
    if !findings.is_empty() {
        let list: Vec<String> = findings.iter().map(ToString::to_string).collect();
        panic!(
            "{} finding(s) of the house rule `{rule}` (see xtask/src/tidy.rs):\n{}\n",
            findings.len(),
            list.join("\n")
        );
    }
}

fn repo() -> Repo {
    Repo::read(&crate::shell::root())
}

#[test]
fn file_doc() {
    let repo = repo();
    let findings: Vec<Finding> = repo
        .texts(".rs")
        .filter_map(|(path, text)| source::doc_opening(path, text))
        .collect();
    assert_clean("file-doc", &findings);
}

#[test]
fn file_size() {
    let repo = repo();
    let findings: Vec<Finding> = repo
        .texts(".rs")
        .filter_map(|(path, text)| source::size(path, text))
        .collect();
    assert_clean("file-size", &findings);
}

#[test]
fn pure_core() {
    let repo = repo();
    let findings: Vec<Finding> = repo
        .texts(".rs")
        .flat_map(|(path, text)| source::browser_names(path, text))
        .collect();
    assert_clean("pure-core", &findings);
}

#[test]
fn driver_loop() {
    let repo = repo();
    let findings: Vec<Finding> = repo
        .texts(".rs")
        .flat_map(|(path, text)| source::driver_cells(path, text))
        .collect();
    assert_clean("driver-loop", &findings);
}

#[test]
fn doc_path() {
    let repo = repo();
    let entries = repo.entries();
    let findings: Vec<Finding> = repo
        .files
        .iter()
        .filter_map(|(path, text)| Some((path.as_str(), text.as_deref()?)))
        .flat_map(|(path, text)| paths::missing(path, text, &entries))
        .collect();
    assert_clean("doc-path", &findings);
}

#[test]
fn unused_dep() {
    let repo = repo();
    let findings = deps::unused(&repo);
    assert_clean("unused-dep", &findings);
}

#[test]
fn import_circle() {
    let repo = repo();
    let findings = circles::circles(&repo);
    assert_clean("import-circle", &findings);
}
