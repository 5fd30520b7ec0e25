//! `cargo xtask bench-call [--calls N]`: the call-setup benchmark. Builds what the end-to-end
//! tests need, runs the ignored `bench::call_setup` test of `tests/e2e` in a loopback-only
//! namespace (two real Chromiums, ≥ 20 calls, timings taken inside the pages) and prints the
//! client bundle size.

use crate::shell::{self, Error, step};
use crate::test::{build_e2e_tests, e2e_tests};
use crate::tools::{self, Needs};
use crate::{bundle, netns, run};

const DEFAULT_CALLS: u32 = 20;

pub fn bench_call(args: &[String]) -> Result<(), Error> {
    let calls = match args {
        [] => DEFAULT_CALLS,
        [flag, n] if flag == "--calls" => n
            .parse()
            .map_err(|_| Error::Usage(format!("--calls wants a number, got `{n}`")))?,
        _ => {
            return Err(Error::Usage(
                "usage: cargo xtask bench-call [--calls N]".to_owned(),
            ));
        }
    };
    tools::ensure(Needs::Browsers)?;
    run::build_release()?;
    step("Building the end-to-end harness");
    shell::run(&mut build_e2e_tests())?;

    step(&format!(
        "Call-setup benchmark: {calls} calls between two headless Chromiums"
    ));
    let mut bench = e2e_tests(&[
        "--ignored",
        "--exact",
        "bench::call_setup",
        "--nocapture",
        "--test-threads",
        "1",
    ]);
    bench.env("E2E_BENCH_CALLS", calls.to_string());
    shell::run(&mut netns::loopback_only(&bench)?)?;

    step("Client bundle");
    print!(
        "{}",
        bundle::render(&bundle::measure(&shell::root().join("dist"))?)
    );
    Ok(())
}
