//! `cargo xtask test`: every test in the repository, built once and run suite by suite.
//!
//! Order: the house rules (`cargo fmt --check`; clippy with `-D warnings` on the host for the
//! workspace and on `wasm32-unknown-unknown` for the client; the tidy test of `xtask/src/tidy.rs`),
//! native tests (all crates but xtask's e2e), xtask's own unit tests, the client's browser tests
//! (wasm-bindgen-test in headless Chromium), the release build of the client (`dist/`) and of the
//! server, then the two-browser end-to-end tests. Browser suites are compiled outside and run
//! inside a loopback-only network namespace (see [`crate::netns`]). A failing suite does not stop
//! independent ones; the summary lists them all and ends with `N passed, N failed`, and any
//! failed suite (a rule included) makes the command exit non-zero.
//!
//! `--only rules|native|wasm|e2e` runs one group (for development); `E2E_TEST_THREADS` sets how
//! many end-to-end tests run at once (default 1: each drives two or three Chromiums on 2 cores).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::netns;
use crate::shell::{self, Error, step};
use crate::summary::{self, Counts, Suite};
use crate::tools::{self, Needs};

const WASM: &str = "wasm32-unknown-unknown";
/// The groups `--only` accepts, in the order they run.
const GROUPS: [&str; 4] = ["rules", "native", "wasm", "e2e"];

pub fn test(args: &[String]) -> Result<(), Error> {
    let only = match args {
        [] => None,
        [flag, group] if flag == "--only" && GROUPS.contains(&group.as_str()) => {
            Some(group.as_str())
        }
        _ => {
            return Err(Error::Usage(
                "usage: cargo xtask test [--only rules|native|wasm|e2e]".into(),
            ));
        }
    };
    let wants = |group: &str| only.is_none_or(|o| o == group);
    let started = Instant::now();
    // The rules and the native tests need only cargo (rust-toolchain.toml brings the wasm target,
    // clippy and rustfmt); the browser suites need the installed tools.
    if wants("wasm") || wants("e2e") {
        tools::ensure(Needs::Browsers)?;
    }
    let mut suites = Suites::default();

    if wants("rules") {
        house_rules(&mut suites);
    }
    if wants("native") {
        let native = shell::cargo_with(&["test", "--workspace", "--exclude", "xtask"]);
        suites.tests("native (workspace)", native, false);
        suites.tests(
            "xtask unit",
            shell::cargo_with(&["test", "-p", "xtask", "--bins", "--", "--skip", "tidy::"]),
            false,
        );
    }
    if wants("wasm") {
        let mut build = shell::cargo();
        build.args(["test", "-p", "client", "--target", WASM, "--no-run"]);
        if suites.step("build browser tests (wasm)", &mut build) {
            let mut run = browser_env(shell::cargo());
            run.args(["test", "-p", "client", "--target", WASM, "--offline"]);
            suites.tests("browser (wasm-bindgen-test)", run, true);
        }
    }
    if wants("e2e") {
        let dist = suites.step(
            "client release (trunk build)",
            shell::trunk().args(["build", "--release"]),
        );
        let server = suites.step(
            "server release build",
            shell::cargo().args(["build", "--release", "-p", "server"]),
        );
        let e2e = suites.step("build e2e tests", &mut build_e2e_tests());
        if dist && server && e2e {
            let threads = std::env::var("E2E_TEST_THREADS").unwrap_or_else(|_| "1".to_owned());
            let run = e2e_tests(&["--test-threads", &threads]);
            suites.tests("end-to-end (two browsers)", run, true);
        } else {
            suites.not_run("end-to-end (two browsers)", "not run: a build above failed");
        }
    }

    println!(
        "\n(all suites took {:.0} s)",
        started.elapsed().as_secs_f64()
    );
    // Last, so that CI's closing line is the total.
    print!("{}", summary::render(&suites.done));
    let failed = suites.done.iter().filter(|s| !s.ok).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::TestsFailed {
            failed_suites: failed,
        })
    }
}

/// The house rules, each its own suite so the summary names the one that failed: formatting,
/// clippy (host workspace, then the client on wasm, where its browser half compiles), and the
/// tidy test (file docs, file sizes, the pure call machine, paths in docs, unused dependencies,
/// import circles; see `xtask/src/tidy.rs`).
fn house_rules(suites: &mut Suites) {
    suites.step(
        "format (cargo fmt --check)",
        &mut shell::cargo_with(&["fmt", "--all", "--check"]),
    );
    suites.step(
        "clippy (workspace, host)",
        &mut shell::cargo_with(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    );
    suites.step(
        "clippy (client, wasm32)",
        &mut shell::cargo_with(&[
            "clippy",
            "-p",
            "client",
            "--all-targets",
            "--target",
            WASM,
            "--",
            "-D",
            "warnings",
        ]),
    );
    // Findings are the message; a backtrace under each would bury them.
    let mut tidy = shell::cargo_with(&["test", "-p", "xtask", "--bins", "tidy::"]);
    tidy.env("RUST_BACKTRACE", "0");
    suites.tests("tidy (house rules)", tidy, false);
}

/// `cargo test -p xtask --test e2e --no-run`: builds the end-to-end tests (outside the namespace,
/// which has no network for cargo).
pub fn build_e2e_tests() -> Command {
    shell::cargo_with(&["test", "-p", "xtask", "--test", "e2e", "--no-run"])
}

/// The end-to-end tests, already built, with the browser environment and these libtest arguments.
pub fn e2e_tests(libtest_args: &[&str]) -> Command {
    let mut cmd = browser_env(shell::cargo_with(&[
        "test",
        "-p",
        "xtask",
        "--test",
        "e2e",
        "--offline",
        "--",
    ]));
    cmd.args(libtest_args);
    cmd
}

/// The environment browser suites share: chromedriver for wasm-bindgen-test-runner, and a TMPDIR
/// under target/ (Chromium writes scratch files there).
pub fn browser_env(mut cmd: Command) -> Command {
    if let Some(driver) = tools::find_program("chromedriver") {
        cmd.env("CHROMEDRIVER", driver);
    }
    let tmp = shell::root().join("target").join("tmp");
    // If this fails the browsers report it themselves; nothing useful to add here.
    let _ = std::fs::create_dir_all(&tmp);
    cmd.env("TMPDIR", tmp);
    cmd
}

/// The suites run so far.
#[derive(Default)]
struct Suites {
    done: Vec<Suite>,
}

impl Suites {
    /// A build step: output shown as it comes, recorded as ok or failed.
    fn step(&mut self, name: &str, cmd: &mut Command) -> bool {
        step(name);
        let started = Instant::now();
        let result = shell::run(cmd);
        let ok = result.is_ok();
        self.done.push(Suite {
            name: name.to_owned(),
            ok,
            counts: Counts::default(),
            took: started.elapsed(),
            note: result.err().map(|e| e.to_string()),
        });
        ok
    }

    /// A test suite: stdout streamed through while its `test result:` lines are counted.
    fn tests(&mut self, name: &str, cmd: Command, loopback_only: bool) {
        step(name);
        let started = Instant::now();
        let mut cmd = if loopback_only {
            match netns::loopback_only(&cmd) {
                Ok(wrapped) => wrapped,
                Err(error) => {
                    self.not_run(name, &error.to_string());
                    return;
                }
            }
        } else {
            cmd
        };
        shell::note(&format!("$ {}", shell::describe(&cmd)));
        let mut counts = Counts::default();
        let outcome = cmd.stdout(Stdio::piped()).spawn().and_then(|mut child| {
            if let Some(stdout) = child.stdout.take() {
                let mut reader = BufReader::new(stdout);
                let mut line = Vec::new();
                let mut out = std::io::stdout();
                while reader.read_until(b'\n', &mut line)? > 0 {
                    out.write_all(&line)?;
                    out.flush()?;
                    counts.add_line(&String::from_utf8_lossy(&line));
                    line.clear();
                }
            }
            child.wait()
        });
        let (ok, note) = match outcome {
            Ok(status) if status.success() => (true, None),
            Ok(status) => (false, Some(status.to_string())),
            Err(error) => (false, Some(format!("could not run: {error}"))),
        };
        self.done.push(Suite {
            name: name.to_owned(),
            ok,
            counts,
            took: started.elapsed(),
            note,
        });
    }

    /// A suite that could not run: recorded as failed, with why.
    fn not_run(&mut self, name: &str, why: &str) {
        self.done.push(Suite {
            name: name.to_owned(),
            ok: false,
            counts: Counts::default(),
            took: std::time::Duration::ZERO,
            note: Some(why.to_owned()),
        });
    }
}
