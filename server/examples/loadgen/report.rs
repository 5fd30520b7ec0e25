//! The summary table: each figure against its target, PASS or MISS.

use std::fmt::Write as _;

/// Which way a target points.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    AtLeast(f64),
    AtMost(f64),
    /// Printed for information; the issue sets no target for it.
    Info,
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    pub goal: Goal,
    /// Why the figure cannot be trusted, if it cannot (errors, lost messages…): then it is a
    /// MISS whatever its value.
    pub caveat: Option<String>,
}

impl Figure {
    pub fn new(name: &str, value: f64, unit: &'static str, goal: Goal) -> Self {
        Self {
            name: name.to_owned(),
            value,
            unit,
            goal,
            caveat: None,
        }
    }

    /// A duration printed for information only (the issue sets no target for it).
    pub fn info_micros(name: &str, d: std::time::Duration) -> Self {
        Self::new(name, d.as_secs_f64() * 1e6, "µs", Goal::Info)
    }

    /// A row for a scenario that could not run.
    pub fn failed(label: &str, error: &str) -> Self {
        let mut error = error.to_owned();
        error.truncate(60);
        Self::new(
            &format!("{label} scenario"),
            f64::NAN,
            "-",
            Goal::AtLeast(0.0),
        )
        .with_caveat(Some(format!("failed: {error}")))
    }

    pub fn with_caveat(mut self, caveat: Option<String>) -> Self {
        self.caveat = caveat;
        self
    }

    pub fn pass(&self) -> bool {
        self.caveat.is_none()
            && match self.goal {
                Goal::AtLeast(t) => self.value >= t,
                Goal::AtMost(t) => self.value <= t,
                Goal::Info => true,
            }
    }
}

fn number(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The table as text.
pub fn table(figures: &[Figure]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<58} {:>12} {:>12}  result",
        "figure", "measured", "target"
    );
    for f in figures {
        let target = match f.goal {
            Goal::AtLeast(t) => format!(">= {}", number(t)),
            Goal::AtMost(t) => format!("<= {}", number(t)),
            Goal::Info => "-".to_owned(),
        };
        let verdict = match (f.goal, f.pass()) {
            (Goal::Info, _) => "info",
            (_, true) => "PASS",
            (_, false) => "MISS",
        };
        let _ = writeln!(
            out,
            "{:<58} {:>12} {:>12}  {verdict}{}",
            format!("{} ({})", f.name, f.unit),
            number(f.value),
            target,
            f.caveat
                .as_ref()
                .map(|c| format!("  ({c})"))
                .unwrap_or_default()
        );
    }
    out
}
