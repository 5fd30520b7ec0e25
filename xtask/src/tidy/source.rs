//! The per-file rules on Rust sources: the opening `//!` doc, the size limit for non-test files,
//! and the browser crates the pure client modules must not name.

use super::Finding;
use super::lex;

/// The most lines a non-test source file may have.
pub const MAX_LINES: usize = 400;

/// Modules that must run on the host without a browser: a path equal to an entry, or under an
/// entry that ends with `/`.
pub const PURE: [&str; 19] = [
    "client/src/call/machine.rs",
    "client/src/call/machine/",
    "client/src/call/link.rs",
    "client/src/call/link/",
    "client/src/call/notice.rs",
    "client/src/call/ice.rs",
    "client/src/call/ring.rs",
    "client/src/call/sas.rs",
    "client/src/call/quality.rs",
    "client/src/call/quality/",
    "client/src/call/devices.rs",
    "client/src/call/devices/",
    "client/src/call/peer_media.rs",
    "client/src/group/",
    "client/src/announce.rs",
    "client/src/roster.rs",
    "client/src/state/",
    "client/src/text.rs",
    "shared/",
];

/// Crates that only exist in a browser (`gloo_*` by prefix).
const BROWSER_CRATES: [&str; 4] = ["web_sys", "js_sys", "wasm_bindgen", "wasm_bindgen_futures"];

/// A test file: under a `tests/` folder, or named `tests.rs` or `*_tests.rs`.
pub fn is_test_file(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    parts.contains(&"tests") || name == "tests.rs" || name.ends_with("_tests.rs")
}

/// `file-doc`: the file's first line is a `//!` doc.
pub fn doc_opening(path: &str, text: &str) -> Option<Finding> {
    let first = text.lines().next().unwrap_or_default();
    (!first.starts_with("//!")).then(|| {
        Finding::new(
            path,
            1,
            "file-doc",
            "the file must open with a `//!` doc saying what it owns",
        )
    })
}

/// `file-size`: a non-test file has at most [`MAX_LINES`] lines.
pub fn size(path: &str, text: &str) -> Option<Finding> {
    let lines = text.lines().count();
    (lines > MAX_LINES && !is_test_file(path)).then(|| {
        Finding::new(
            path,
            MAX_LINES + 1,
            "file-size",
            format!(
                "{lines} lines; a non-test source file has at most {MAX_LINES} (split it by \
                 concept; tests go to `tests.rs` or a `tests/` folder)"
            ),
        )
    })
}

/// Whether `path` is one of the [`PURE`] modules.
pub fn is_pure(path: &str) -> bool {
    PURE.iter().any(|entry| {
        if entry.ends_with('/') {
            path.starts_with(entry)
        } else {
            path == *entry
        }
    })
}

/// `pure-core`: every place a pure module names a browser crate in code.
pub fn browser_names(path: &str, text: &str) -> Vec<Finding> {
    if !is_pure(path) || !path.ends_with(".rs") {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for line in lex::lines(text) {
        for (_, ident) in lex::idents(&line.code) {
            if BROWSER_CRATES.contains(&ident) || ident.starts_with("gloo_") {
                findings.push(Finding::new(
                    path,
                    line.number,
                    "pure-core",
                    format!(
                        "`{ident}` in a pure module: it must build and test on the host without \
                         a browser; do this in the driver or a component"
                    ),
                ));
            }
        }
    }
    findings
}

/// The call driver: one message loop that owns its objects by value (issue 8), so nothing in it
/// may be shared-mutable.
const DRIVER: [&str; 2] = ["client/src/call/driver.rs", "client/src/call/driver/"];

/// Interior mutability that would let the driver's state be reached outside its loop.
const CELLS: [&str; 4] = ["RefCell", "Cell", "OnceCell", "UnsafeCell"];

/// `driver-loop`: every place the call driver names a cell type in code.
pub fn driver_cells(path: &str, text: &str) -> Vec<Finding> {
    let in_driver = DRIVER
        .iter()
        .any(|entry| path == *entry || (entry.ends_with('/') && path.starts_with(entry)));
    if !in_driver || !path.ends_with(".rs") {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for line in lex::lines(text) {
        for (_, ident) in lex::idents(&line.code) {
            if CELLS.contains(&ident) {
                findings.push(Finding::new(
                    path,
                    line.number,
                    "driver-loop",
                    format!(
                        "`{ident}` in the call driver: its message loop owns the machine and the \
                         browser objects by value; send an input instead of sharing state"
                    ),
                ));
            }
        }
    }
    findings
}
