//! From two [`Sample`]s to figures, a level and the problems behind it, and their words.
//!
//! Loss is taken per kind (audio, video) and the worse of the two counts: audio is never
//! retransmitted, so its loss is the network's, while video repairs some loss with
//! retransmissions (NACK) and shows less of it.

use super::{Flow, Packets, RouteDetail, Sample, VideoShape};

/// Packet loss (either direction, over the interval) from which the call is `fair`.
pub const LOSS_FAIR_PCT: f64 = 2.0;
/// … and `poor`: video freezes, words drop out.
pub const LOSS_POOR_PCT: f64 = 8.0;
/// Round-trip time from which the call is `fair` (people start to talk over each other).
pub const RTT_FAIR_MS: f64 = 250.0;
/// … and `poor` (conversation is hard).
pub const RTT_POOR_MS: f64 = 500.0;
/// Jitter of what we receive from which the call is `fair`.
pub const JITTER_FAIR_MS: f64 = 30.0;
/// … and `poor` (the jitter buffer grows: delay, or audio cut up).
pub const JITTER_POOR_MS: f64 = 100.0;

/// How good the call is, as the indicator's bars show it (`data-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Good,
    Fair,
    Poor,
}

impl Level {
    /// The `data-level` value.
    pub fn name(self) -> &'static str {
        match self {
            Level::Good => "good",
            Level::Fair => "fair",
            Level::Poor => "poor",
        }
    }

    /// Bars lit out of three.
    pub fn bars(self) -> u8 {
        match self {
            Level::Good => 3,
            Level::Fair => 2,
            Level::Poor => 1,
        }
    }
}

/// What makes a call poor, and on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// What we send is lost on its way (the peer's reports say so).
    UploadLoss,
    /// What the peer sends is lost on its way to us.
    DownloadLoss,
    /// A long round trip.
    HighDelay,
    /// What we receive arrives unevenly.
    Jitter,
    /// Nothing at all arrived over the interval.
    NothingArrives,
}

impl Problem {
    /// `data-problem` values, for tests.
    pub fn name(self) -> &'static str {
        match self {
            Problem::UploadLoss => "upload-loss",
            Problem::DownloadLoss => "download-loss",
            Problem::HighDelay => "high-delay",
            Problem::Jitter => "jitter",
            Problem::NothingArrives => "nothing-arrives",
        }
    }
}

/// The figures of the details panel: rates over the interval between two samples, the rest as
/// of the newer one. `None` where the browser gave nothing to compute it from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub rtt_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    pub loss_in_pct: Option<f64>,
    pub loss_out_pct: Option<f64>,
    pub kbps_in: Option<f64>,
    pub kbps_out: Option<f64>,
    pub video_in: Option<VideoShape>,
    pub video_out: Option<VideoShape>,
    pub codecs_in: Vec<String>,
    pub codecs_out: Vec<String>,
    pub route: Option<RouteDetail>,
}

impl Figures {
    /// The figures over the interval from `older` to `newer` (rates are `None` when the
    /// interval is empty or the counters went backwards, e.g. a new peer connection).
    pub fn between(older: &Sample, newer: &Sample) -> Self {
        let seconds = (newer.at_ms - older.at_ms) / 1000.0;
        let rate = |now: f64, before: f64| {
            (seconds > 0.0 && now >= before).then(|| (now - before) * 8.0 / seconds / 1000.0)
        };
        let (rin, rout) = (&newer.inbound, &newer.outbound);
        let (oin, oout) = (&older.inbound, &older.outbound);
        Self {
            rtt_ms: newer.rtt_ms,
            jitter_ms: newer.jitter_ms,
            loss_in_pct: worst(rin, oin, inbound_loss),
            loss_out_pct: worst(rout, oout, outbound_loss),
            kbps_in: rate(rin.bytes, oin.bytes),
            kbps_out: rate(rout.bytes, oout.bytes),
            video_in: rin.shape,
            video_out: rout.shape,
            codecs_in: rin.codecs.clone(),
            codecs_out: rout.codecs.clone(),
            route: newer.route.clone(),
        }
    }
}

/// The worse loss of audio and video between two readings of one direction.
fn worst(now: &Flow, before: &Flow, loss: fn(&Packets, &Packets) -> Option<f64>) -> Option<f64> {
    match (
        loss(&now.audio, &before.audio),
        loss(&now.video, &before.video),
    ) {
        (Some(a), Some(v)) => Some(a.max(v)),
        (a, v) => a.or(v),
    }
}

/// Lost out of expected (received + lost), in percent.
fn inbound_loss(now: &Packets, before: &Packets) -> Option<f64> {
    let (count, lost) = (now.count - before.count, now.lost - before.lost);
    (count >= 0.0 && lost >= 0.0 && count + lost > 0.0).then(|| lost / (count + lost) * 100.0)
}

/// The peer's last reported fraction lost, in percent; without one, reported lost out of sent
/// over the interval (the reports lag the sending: capped).
fn outbound_loss(now: &Packets, before: &Packets) -> Option<f64> {
    if let Some(fraction) = now.fraction {
        return Some(fraction * 100.0);
    }
    let (count, lost) = (now.count - before.count, now.lost - before.lost);
    (count > 0.0 && lost >= 0.0).then(|| (lost / count * 100.0).min(100.0))
}

/// A level and the problems that make the call poor (what the sentence says).
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub level: Level,
    pub problems: Vec<Problem>,
}

/// Grades each figure against its thresholds; the call is as good as its worst figure.
pub fn assess(figures: &Figures) -> Verdict {
    let grade = |value: Option<f64>, fair: f64, poor: f64| match value {
        Some(v) if v >= poor => Level::Poor,
        Some(v) if v >= fair => Level::Fair,
        _ => Level::Good,
    };
    let graded = [
        (
            Problem::UploadLoss,
            grade(figures.loss_out_pct, LOSS_FAIR_PCT, LOSS_POOR_PCT),
        ),
        (
            Problem::DownloadLoss,
            grade(figures.loss_in_pct, LOSS_FAIR_PCT, LOSS_POOR_PCT),
        ),
        (
            Problem::HighDelay,
            grade(figures.rtt_ms, RTT_FAIR_MS, RTT_POOR_MS),
        ),
        (
            Problem::Jitter,
            grade(figures.jitter_ms, JITTER_FAIR_MS, JITTER_POOR_MS),
        ),
        (
            Problem::NothingArrives,
            if figures.kbps_in == Some(0.0) {
                Level::Poor
            } else {
                Level::Good
            },
        ),
    ];
    let level = graded
        .iter()
        .map(|(_, level)| *level)
        .max()
        .unwrap_or(Level::Good);
    let problems = graded
        .iter()
        .filter(|(_, level)| *level == Level::Poor)
        .map(|(problem, _)| *problem)
        .collect();
    Verdict { level, problems }
}

/// The plain sentence for a poor call with `peer`: what is wrong and on which side.
pub fn sentence(problems: &[Problem], peer: &str) -> Option<String> {
    let words: Vec<String> = problems
        .iter()
        .map(|problem| {
            let template = match problem {
                Problem::UploadLoss => {
                    "Your upload is losing packets — your video may freeze for {peer}."
                }
                Problem::DownloadLoss => {
                    "{peer}'s connection is losing packets — their video may freeze for you."
                }
                Problem::HighDelay => "High delay — you and {peer} may talk over each other.",
                Problem::Jitter => "{peer}'s sound and picture arrive unevenly.",
                Problem::NothingArrives => "Nothing is arriving from {peer}.",
            };
            template.replace("{peer}", peer)
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}
