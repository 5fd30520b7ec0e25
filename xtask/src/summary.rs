//! Reads libtest's `test result:` lines (cargo test and wasm-bindgen-test-runner print the same
//! shape) and prints the closing summary, whose last line is `N passed, N failed`.

use std::time::Duration;

/// Counts from one or more `test result:` lines.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub ignored: u64,
}

impl Counts {
    /// Adds the counts of `line` when it is a `test result:` line.
    pub fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(number)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

/// How one suite (or build step) ended.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    pub ok: bool,
    pub counts: Counts,
    pub took: Duration,
    /// Why it did not run or what failed outside the tests themselves.
    pub note: Option<String>,
}

impl Suite {
    /// Failures this suite contributes to the total: its failed tests, or 1 when the suite failed
    /// without a failing test (a build error, a crash) so that a broken step is never "0 failed".
    pub fn failures(&self) -> u64 {
        if self.ok {
            self.counts.failed
        } else {
            self.counts.failed.max(1)
        }
    }
}

/// The closing report, one line per suite and the total last.
pub fn render(suites: &[Suite]) -> String {
    let mut out = String::from("\n==> Summary\n");
    for suite in suites {
        let status = if suite.ok { "ok    " } else { "FAILED" };
        let tests = if suite.counts == Counts::default() {
            String::new()
        } else {
            format!(
                " {} passed, {} failed, {} ignored",
                suite.counts.passed, suite.counts.failed, suite.counts.ignored
            )
        };
        let note = suite
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "    {status} {:<28}{tests} ({:.1} s){note}\n",
            suite.name,
            suite.took.as_secs_f64()
        ));
    }
    let passed: u64 = suites.iter().map(|s| s.counts.passed).sum();
    let failed: u64 = suites.iter().map(Suite::failures).sum();
    out.push_str(&format!("{passed} passed, {failed} failed\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_and_wasm_runner_lines() {
        let mut counts = Counts::default();
        counts.add_line("test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        counts.add_line("test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 2.50s");
        counts.add_line("test tools::tests::x ... ok");
        counts.add_line("running 4 tests");
        assert_eq!(
            counts,
            Counts {
                passed: 15,
                failed: 1,
                ignored: 2
            }
        );
    }

    #[test]
    fn a_failed_step_without_tests_counts_as_a_failure() {
        let suites = [
            Suite {
                name: "native".into(),
                ok: true,
                counts: Counts {
                    passed: 5,
                    failed: 0,
                    ignored: 0,
                },
                took: Duration::from_secs(1),
                note: None,
            },
            Suite {
                name: "trunk build".into(),
                ok: false,
                counts: Counts::default(),
                took: Duration::from_secs(1),
                note: Some("exit 1".into()),
            },
        ];
        let text = render(&suites);
        assert!(text.ends_with("5 passed, 1 failed\n"), "{text}");
        assert!(text.contains("FAILED trunk build"), "{text}");
    }
}
