//! The tidy rules on small inputs: each finds what it must and only that, so the repository-wide
//! tests in `tidy.rs` can fail.

use std::collections::BTreeSet;

use super::{Repo, circles, deps, imports, lex, paths, source};

fn repo(files: &[(&str, &str)]) -> Repo {
    Repo {
        files: files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), Some((*text).to_owned())))
            .collect(),
    }
}

fn set(items: &[&str]) -> BTreeSet<String> {
    let files = repo(&items.iter().map(|i| (*i, "")).collect::<Vec<_>>());
    files.entries()
}

#[test]
fn the_lexer_tells_code_from_comments_and_literals() {
    let source = "let a = \"// not a comment\"; // a comment\n\
                  let c = '\"'; let l: &'static str = r#\"raw \"quoted\" // no\"#;\n\
                  /* block /* nested */ still */ let web_sys = '\\''; x /* end */";
    let lines = lex::lines(source);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].comments, ["// a comment"]);
    assert!(lines[0].code.starts_with("let a = "));
    assert!(!lines[0].code.contains("not"));
    assert!(lines[1].comments.is_empty(), "{:?}", lines[1]);
    assert!(lines[1].code.contains("'static"), "{:?}", lines[1].code);
    assert!(!lines[1].code.contains("raw"));
    assert_eq!(
        lines[2].comments,
        ["/* block /* nested */ still */", "/* end */"]
    );
    let idents: Vec<&str> = lex::idents(&lines[2].code).map(|(_, i)| i).collect();
    assert_eq!(idents, ["let", "web_sys", "x"]);
}

#[test]
fn a_file_must_open_with_a_module_doc() {
    assert_eq!(
        source::doc_opening("a.rs", "//! What this owns.\nfn f() {}\n"),
        None
    );
    for text in [
        "",
        "\n//! late\n",
        "/// an item doc\nfn f() {}\n",
        "use std::io;\n",
    ] {
        let finding = source::doc_opening("x/a.rs", text).map(|f| f.to_string());
        assert_eq!(
            finding.as_deref(),
            Some("x/a.rs:1: file-doc: the file must open with a `//!` doc saying what it owns"),
            "{text:?}"
        );
    }
}

#[test]
fn only_non_test_files_are_limited_in_size() {
    let at_limit = "x\n".repeat(source::MAX_LINES);
    let over = "x\n".repeat(source::MAX_LINES + 1);
    assert_eq!(source::size("client/src/state.rs", &at_limit), None);
    let finding = source::size("client/src/state.rs", &over);
    assert!(finding.is_some_and(|f| f.rule == "file-size" && f.message.starts_with("401 lines")));
    for test_file in [
        "client/tests/ui.rs",
        "xtask/tests/e2e/page.rs",
        "client/src/call/machine/tests.rs",
        "server/src/registry_tests.rs",
    ] {
        assert!(source::is_test_file(test_file), "{test_file}");
        assert_eq!(source::size(test_file, &over), None, "{test_file}");
    }
    for source_file in [
        "server/src/tests_helper.rs",
        "xtask/src/test.rs",
        "latest.rs",
    ] {
        assert!(!source::is_test_file(source_file), "{source_file}");
    }
}

#[test]
fn pure_modules_never_name_browser_crates_in_code() {
    let text = "//! The machine; no web_sys here (comments may say so).\n\
                use crate::io;\n\
                fn f() -> web_sys::Window { let s = \"js_sys\"; todo!() }\n\
                use gloo_timers::Timeout; use wasm_bindgen::JsValue;\n";
    let findings = source::browser_names("client/src/call/machine/negotiate.rs", text);
    let found: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with(
        "client/src/call/machine/negotiate.rs:3: pure-core: `web_sys` in a pure module"
    ));
    assert!(found[1].contains(":4: pure-core: `gloo_timers`"));
    assert!(found[2].contains(":4: pure-core: `wasm_bindgen`"));
    for pure in [
        "client/src/call/machine.rs",
        "client/src/state/roster.rs",
        "shared/src/lib.rs",
    ] {
        assert!(source::is_pure(pure), "{pure}");
    }
    assert!(source::browser_names("client/src/call/driver.rs", text).is_empty());
    assert!(!source::is_pure("client/src/call/machine_glue.rs"));
}

#[test]
fn the_call_driver_names_no_cell_in_code() {
    let text = "//! The driver; no RefCell here (comments may say so).\n\
                use std::cell::{Cell, RefCell};\n\
                struct Core { machine: Machine, name: &'static str }\n\
                const S: &str = \"RefCell\";\n";
    let found: Vec<String> = source::driver_cells("client/src/call/driver/effects.rs", text)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with(
        "client/src/call/driver/effects.rs:2: driver-loop: `Cell` in the call driver"
    ));
    assert!(found[1].contains(":2: driver-loop: `RefCell`"));
    assert_eq!(
        source::driver_cells("client/src/call/driver.rs", text).len(),
        2
    );
    assert!(source::driver_cells("client/src/hooks/use_socket.rs", text).is_empty());
}

#[test]
fn words_that_count_as_paths() {
    let top = set(&["client/Cargo.toml", "docs/A.md", ".ci/run"]);
    let top = paths::top_dirs(&top);
    let words = |text: &str| paths::references(text, &top);
    assert_eq!(
        words(
            "See `docs/A.md#the-part`, [the guide](../shared/HOUSE_STYLE.md) and client/src/x.rs."
        ),
        ["docs/A.md", "../shared/HOUSE_STYLE.md", "client/src/x.rs"]
    );
    assert_eq!(
        words("call/machine.rs, Trunk.toml: and .ci/run"),
        ["call/machine.rs", "Trunk.toml", ".ci/run"]
    );
    // Not paths: prose with slashes, URLs, system paths, placeholders, globs, generated output,
    // versions and flags.
    let not_paths = "offer/answer I/O p50/p99 https://yew.rs/docs/x.md /proc/self/net/dev \
                     target/e2e/<test>/ server/tests/*.rs target/release/server dist/index.html \
                     0.2.130 --rate/--burst tokio-rs/axum#3003 127.0.0.1:8080/ws client/fuzz/corpus/relay";
    assert_eq!(words(not_paths), Vec::<String>::new());
}

#[test]
fn named_paths_must_exist() {
    let entries = set(&[
        "README.md",
        "Trunk.toml",
        "docs/A.md",
        "client/src/call/machine.rs",
        "client/src/call/driver.rs",
        "xtask/src/tidy.rs",
    ]);
    let exists = |file: &str, word: &str| paths::exists(file, word, &entries);
    assert!(exists("README.md", "docs/A.md"));
    assert!(exists("docs/B.md", "A.md"), "a sibling");
    assert!(exists("docs/B.md", "../Trunk.toml"));
    assert!(
        exists("docs/B.md", "call/machine.rs"),
        "a short path of a real file"
    );
    assert!(exists("client/src/call/driver.rs", "machine.rs"));
    assert!(exists("xtask/src/tidy.rs", "client/src/"), "a folder");
    assert!(!exists("README.md", "docs/Z.md"));
    assert!(
        !exists("README.md", "client/src/state.rs"),
        "a rooted path is not searched for"
    );
    assert!(!exists("docs/B.md", "../../outside.md"));
    assert!(!exists("docs/B.md", "scan.rs"));

    let text = "//! Reads `client/src/call/machine.rs` and `client/src/gone.rs`.\n\
                let s = \"docs/not-a-comment.md\"; // see docs/Z.md\n";
    let found: Vec<String> = paths::missing("xtask/src/tidy.rs", text, &entries)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "xtask/src/tidy.rs:1: doc-path: `client/src/gone.rs` names a file or folder that does not exist",
            "xtask/src/tidy.rs:2: doc-path: `docs/Z.md` names a file or folder that does not exist",
        ]
    );
    let toml = "[dependencies]\nx = \"1\" # see docs/A.md and docs/Q.md\nurl = \"docs/Y.md#\"\n";
    let found = paths::missing("client/Cargo.toml", toml, &entries);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].line, found[0].message.contains("docs/Q.md")),
        (2, true)
    );
}

const MANIFEST: &str = r#"[package]
name = "demo"

[dependencies]
serde.workspace = true
used-here = "1"
only-in-a-comment = "1"
renamed = { package = "some-crate", version = "1" }

[target.'cfg(target_arch = "wasm32")'.dependencies]
web-sys = { version = "0.3", features = [
  "Window",
] }

[dev-dependencies]
only-in-tests = "1"
only-in-examples = "1"

[build-dependencies]
cc = "1"
"#;

#[test]
fn every_dependency_is_named_where_it_can_be_used() {
    let root = "[workspace]\nmembers = [\"demo\"]\n[workspace.dependencies]\nserde = \"1\"\nunclaimed = \"1\"\n";
    let repo = repo(&[
        ("Cargo.toml", root),
        ("demo/Cargo.toml", MANIFEST),
        (
            "demo/src/lib.rs",
            "//! Demo.\nuse serde::Serialize;\nuse used_here as _;\n// only_in_a_comment\nfn f() { renamed::go(); web_sys::window(); }\n",
        ),
        (
            "demo/src/bin/tool.rs",
            "//! Tool.\nfn main() { let s = \"only_in_tests\"; }\n",
        ),
        ("demo/tests/it.rs", "//! It.\nuse only_in_tests::x;\n"),
        ("demo/examples/ex.rs", "//! Ex.\nuse only_in_examples::x;\n"),
        ("demo/build.rs", "//! Build.\nfn main() {}\n"),
    ]);
    let found: Vec<String> = deps::unused(&repo)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("demo/Cargo.toml:7: unused-dep: `only-in-a-comment` (dependencies)"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("demo/Cargo.toml:20: unused-dep: `cc` (build-dependencies)"),
        "{found:#?}"
    );
    assert!(
        found[2].starts_with("Cargo.toml:5: unused-dep: `unclaimed` in [workspace.dependencies]"),
        "{found:#?}"
    );

    // A dev-dependency named only in src/ is fine (unit tests); a normal one only in tests is not.
    let moved = MANIFEST.replace("only-in-a-comment = \"1\"\n", "");
    let repo = super::Repo {
        files: vec![
            ("demo/Cargo.toml".into(), Some(moved)),
            (
                "demo/src/lib.rs".into(),
                Some("//! D.\nuse only_in_tests; use only_in_examples; use cc;\n".into()),
            ),
            (
                "demo/tests/t.rs".into(),
                Some("//! T.\nuse serde; use used_here; use renamed; use web_sys;\n".into()),
            ),
        ],
    };
    let found: Vec<String> = deps::unused(&repo)
        .iter()
        .map(|f| f.message.clone())
        .collect();
    let keys: Vec<&str> = found.iter().filter_map(|m| m.split('`').nth(1)).collect();
    assert_eq!(
        keys,
        ["renamed", "serde", "used-here", "web-sys", "cc"],
        "{found:#?}"
    );
}

#[test]
fn explicit_target_paths_see_their_dependencies() {
    let manifest = "[package]\nname = \"fuzz\"\n[dependencies]\nlibfuzzer-sys = \"0.4\"\n\
                    [[bin]]\nname = \"relay\"\npath = \"fuzz_targets/relay.rs\"\n";
    let target = "//! Fuzz.\nlibfuzzer_sys::fuzz_target!(|data: &[u8]| {});\n";
    let found = deps::unused(&repo(&[
        ("fuzz/Cargo.toml", manifest),
        ("fuzz/fuzz_targets/relay.rs", target),
    ]));
    assert_eq!(found, []);
    let found = deps::unused(&repo(&[
        ("fuzz/Cargo.toml", manifest),
        ("fuzz/other/relay.rs", target),
    ]));
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn files_of_a_crate_map_to_modules() {
    let entries = set(&[
        "server/Cargo.toml",
        "server/src/main.rs",
        "server/src/registry.rs",
        "server/src/registry/tests.rs",
        "server/tests/login.rs",
        "server/tests/common/mod.rs",
        "xtask/Cargo.toml",
        "xtask/tests/e2e/main.rs",
        "xtask/tests/e2e/harness/process.rs",
    ]);
    let module = |path: &str| circles::module_of(path, &entries);
    let owned =
        |dir: &str, m: &[&str]| Some((dir.to_owned(), m.iter().map(|s| (*s).to_owned()).collect()));
    assert_eq!(module("server/src/main.rs"), owned("server/src", &[]));
    assert_eq!(
        module("server/src/registry/tests.rs"),
        owned("server/src", &["registry", "tests"])
    );
    assert_eq!(
        module("server/tests/common/mod.rs"),
        owned("server/tests", &["common"])
    );
    assert_eq!(
        module("xtask/tests/e2e/harness/process.rs"),
        owned("xtask/tests/e2e", &["harness", "process"])
    );
    assert_eq!(
        module("xtask/tests/e2e/main.rs"),
        owned("xtask/tests/e2e", &[])
    );
}

#[test]
fn use_trees_and_code_paths_are_read() {
    let text = "//! X.\nuse crate::a::{b::{self, C}, d as e};\nuse super::*;\nuse std::io;\n\
                mod tests {\n    use super::f;\n}\nfn g() { crate::h::i(); x::crate_y(); }\n";
    let named = imports::named_paths(text);
    let shown: Vec<String> = named
        .iter()
        .map(|n| {
            format!(
                "{}:{}:{}",
                n.line,
                n.segments.join("::"),
                n.inline.join("/")
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "2:crate::a::b::self:",
            "2:crate::a::b::C:",
            "2:crate::a::d:",
            "3:super:",
            "4:std::io:",
            "6:super::f:tests",
            "8:crate::h::i:",
        ]
    );
}

#[test]
fn files_leaning_on_each_other_are_a_circle() {
    let files = [
        ("c/Cargo.toml", "[package]\nname = \"c\"\n"),
        (
            "c/src/lib.rs",
            "//! Root.\nmod state; mod text; mod call;\nuse crate::state::S;\n",
        ),
        (
            "c/src/state.rs",
            "//! S.\nuse crate::text::words;\nmod roster;\n",
        ),
        ("c/src/state/roster.rs", "//! R.\nuse super::S;\n"),
        ("c/src/text.rs", "//! T.\n\nfn f(s: &crate::state::S) {}\n"),
        (
            "c/src/call.rs",
            "//! C.\nmod machine;\npub use machine::M;\n",
        ),
        (
            "c/src/call/machine.rs",
            "//! M.\nuse super::Other;\nmod tests { use super::*; }\n",
        ),
    ];
    let found: Vec<String> = circles::circles(&repo(&files))
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "c/src/state.rs:2: import-circle: files that lean on each other (c/src/state.rs, \
          c/src/text.rs): c/src/state.rs:2 uses `crate::text::words` (c/src/text.rs); \
          c/src/text.rs:3 uses `crate::state::S` (c/src/state.rs)"
        ],
        "parent and child (call ↔ call/machine, state ↔ state/roster) are not circles"
    );
    // Three files in a loop are one circle.
    let files = [
        ("c/Cargo.toml", "[package]\nname = \"c\"\n"),
        ("c/src/main.rs", "//! Root.\n"),
        ("c/src/a.rs", "//! A.\nuse crate::b::X;\n"),
        ("c/src/b.rs", "//! B.\nfn f() { super::c::y(); }\n"),
        ("c/src/c.rs", "//! C.\nuse crate::a;\n"),
    ];
    let found = circles::circles(&repo(&files));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("c/src/b.rs:2 uses `super::c::y`"),
        "{found:?}"
    );
}
