//! `cargo xtask <command>`: the project's automation, std only so it builds in seconds.
//!
//! - `run [server args…]`: install what is missing, build the client and the server, start it.
//! - `test`: check the house rules (fmt, clippy, tidy), install what is missing, build once, run
//!   every suite (native, browser, end-to-end) and print a summary ending with `N passed, N
//!   failed`.
//! - `bench-call`: the call-setup benchmark with two real browsers, plus the bundle size.
//! - `dist`: the single release binary, with the client built in.
//! - `lighthouse`: Lighthouse's mobile audit of the page served by that binary.
//!
//! Layout: [`shell`] runs commands and logs them; [`tools`] installs missing tools; [`netns`]
//! wraps a command in a loopback-only network namespace; [`summary`] reads libtest output;
//! [`bundle`] measures the built client; [`imports`] shortens its import names (a trunk hook); one file per subcommand. The house rules are the tidy
//! test (`tidy`, compiled only for tests).

mod bench_call;
mod bundle;
mod dist;
mod imports;
mod lighthouse;
mod netns;
mod run;
mod shell;
mod summary;
mod test;
#[cfg(test)]
mod tidy;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run [server args…]   build the client and start the server (default http://127.0.0.1:8080/)
  test [--only G]      the house rules (fmt, clippy, tidy), then every test: native, browser
                       (wasm) and two-browser end-to-end; G = rules|native|wasm|e2e
  bench-call           call-setup benchmark with two real browsers, and the bundle size
  shorten-imports      short import names in the built wasm and its JS glue (the trunk
                       post_build hook; in TRUNK_STAGING_DIR, else dist/)
  dist                 build the single release binary (client built in); print its path and size
  lighthouse [--runs N] [--no-build]
                       Lighthouse mobile audit of the page: performance, LCP, accessibility,
                       best practices (npm lighthouse 12.2.3, Debian's Chromium)
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("run") => run::run(&rest),
        Some("test") => test::test(&rest),
        Some("bench-call") => bench_call::bench_call(&rest),
        Some("dist") => dist::dist(),
        Some("shorten-imports") => imports::shorten_imports(),
        Some("lighthouse") => lighthouse::lighthouse(&rest),
        Some(lighthouse::INNER) => lighthouse::inner(&rest),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(shell::Error::Usage(format!(
            "unknown command `{other}`\n\n{USAGE}"
        ))),
        None => Err(shell::Error::Usage(USAGE.to_owned())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The summary, already printed, says which suites failed; its total stays the last line.
        Err(shell::Error::TestsFailed { .. }) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}
