//! What the `rooms` scenario prints about a group's login storm: the members' presence frames
//! and bytes summed and per client, their problems, and the login-time and presence figures.

use crate::report::{Figure, Goal};

use super::member::{Joined, Storm};

/// What a group's members received and got wrong, summed.
#[derive(Default)]
pub struct Tally {
    pub clients: usize,
    pub frames: u64,
    pub bytes: u64,
    pub foreign_frames: u64,
    pub foreign: Vec<String>,
    problems: Vec<String>,
    failed: usize,
}

impl Tally {
    pub fn of(joined: &[Joined]) -> Self {
        let mut t = Self {
            clients: joined.len(),
            ..Self::default()
        };
        for j in joined {
            let r = &j.roster;
            t.frames += u64::from(r.lists + r.deltas);
            t.bytes += r.bytes;
            t.foreign_frames += j.foreign_frames;
            t.foreign
                .extend(j.foreign.iter().take(4 - t.foreign.len().min(4)).cloned());
            t.failed += usize::from(j.error.is_some());
            let faults = r.faults.iter().chain(&j.error);
            t.problems.extend(faults.take(2).cloned());
        }
        t.problems.truncate(6);
        t
    }

    fn per_client(&self, v: u64) -> f64 {
        v as f64 / self.clients.max(1) as f64
    }
}

/// Prints a storm's figures and returns its login-time figure.
pub fn report_storm(label: &str, storm: &Storm, joined: &[Joined], tally: &Tally) -> Figure {
    let n = joined.len();
    let spread = storm.spread(joined);
    println!(
        "{label}: {} of {n} lists complete; last at {:.3} s after the first login (p50 {:.3} s); CPU: server {:.3} s, generator {:.3} s",
        storm.complete,
        spread.max.as_secs_f64(),
        spread.p50.as_secs_f64(),
        storm.server_cpu.as_secs_f64(),
        storm.generator_cpu.as_secs_f64()
    );
    println!(
        "{label}: presence received {} frames, {:.2} MB: {:.1} frames and {:.0} B per client",
        tally.frames,
        tally.bytes as f64 / 1e6,
        tally.per_client(tally.frames),
        tally.per_client(tally.bytes)
    );
    for p in &tally.problems {
        println!("  problem: {p}");
    }
    let value = if storm.complete < n {
        storm.elapsed
    } else {
        spread.max
    };
    let caveat = (storm.complete < n || tally.failed > 0).then(|| {
        format!(
            "{} of {n} complete, {} failed",
            storm.complete, tally.failed
        )
    });
    Figure::new(
        &format!("rooms: {n} {label} logins until every list is full"),
        value.as_secs_f64(),
        "s",
        Goal::Info,
    )
    .with_caveat(caveat)
}

pub fn presence_figure(label: &str, tally: &Tally, bytes: bool) -> Figure {
    let (what, v, unit) = match bytes {
        true => ("bytes", tally.bytes, "B"),
        false => ("frames", tally.frames, "frames"),
    };
    let name = format!("rooms: presence {what} per {label} client");
    Figure::new(&name, tally.per_client(v), unit, Goal::Info)
}
