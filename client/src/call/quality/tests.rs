//! Fixed `getStats()` snapshots (shaped as Chromium reports them) to samples, figures, levels
//! and sentences.

#![allow(clippy::unwrap_used)]

use super::*;

/// Builds an entry from `(key, value)` pairs; numbers, strings and booleans as in the browser.
fn entry(fields: &[(&str, Field)]) -> Entry {
    Entry(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn n(v: f64) -> Field {
    Field::Num(v)
}

fn t(v: &str) -> Field {
    Field::Text(v.to_owned())
}

/// Counters of one moment of a call; everything else as Chromium on loopback reports it.
struct Moment {
    at_ms: f64,
    bytes_in: f64,
    audio_in: (f64, f64),
    video_in: (f64, f64),
    bytes_out: f64,
    audio_out_sent: f64,
    video_out_sent: f64,
    audio_out_lost: f64,
    video_out_lost: f64,
    rtt_s: f64,
    jitter_s: f64,
}

impl Default for Moment {
    fn default() -> Self {
        Self {
            at_ms: 10_000.0,
            bytes_in: 1_000_000.0,
            audio_in: (500.0, 0.0),
            video_in: (1000.0, 0.0),
            bytes_out: 1_000_000.0,
            audio_out_sent: 500.0,
            video_out_sent: 1000.0,
            audio_out_lost: 0.0,
            video_out_lost: 0.0,
            rtt_s: 0.001,
            jitter_s: 0.002,
        }
    }
}

fn snapshot(m: &Moment) -> Vec<Entry> {
    let ts = ("timestamp", n(m.at_ms));
    vec![
        entry(&[
            ("id", t("T01")),
            ("type", t("transport")),
            ts.clone(),
            ("selectedCandidatePairId", t("CP1")),
        ]),
        entry(&[
            ("id", t("CP1")),
            ("type", t("candidate-pair")),
            ts.clone(),
            ("localCandidateId", t("IL1")),
            ("remoteCandidateId", t("IR1")),
            ("currentRoundTripTime", n(m.rtt_s)),
            ("state", t("succeeded")),
        ]),
        // Another pair, not selected: a relay one, to show it is not taken.
        entry(&[
            ("id", t("CP2")),
            ("type", t("candidate-pair")),
            ts.clone(),
            ("localCandidateId", t("IL2")),
            ("remoteCandidateId", t("IR1")),
        ]),
        entry(&[
            ("id", t("IL1")),
            ("type", t("local-candidate")),
            ("candidateType", t("host")),
            ("protocol", t("udp")),
            ts.clone(),
        ]),
        entry(&[
            ("id", t("IL2")),
            ("type", t("local-candidate")),
            ("candidateType", t("relay")),
            ("protocol", t("udp")),
        ]),
        entry(&[
            ("id", t("IR1")),
            ("type", t("remote-candidate")),
            ("candidateType", t("host")),
            ("protocol", t("udp")),
        ]),
        entry(&[
            ("id", t("CV")),
            ("type", t("codec")),
            ("mimeType", t("video/VP8")),
        ]),
        entry(&[
            ("id", t("CA")),
            ("type", t("codec")),
            ("mimeType", t("audio/opus")),
        ]),
        entry(&[
            ("id", t("IA")),
            ("type", t("inbound-rtp")),
            ("kind", t("audio")),
            ts.clone(),
            ("codecId", t("CA")),
            ("bytesReceived", n(m.bytes_in * 0.1)),
            ("packetsReceived", n(m.audio_in.0)),
            ("packetsLost", n(m.audio_in.1)),
            ("jitter", n(m.jitter_s)),
        ]),
        entry(&[
            ("id", t("IV")),
            ("type", t("inbound-rtp")),
            ("kind", t("video")),
            ts.clone(),
            ("codecId", t("CV")),
            ("bytesReceived", n(m.bytes_in * 0.9)),
            ("packetsReceived", n(m.video_in.0)),
            ("packetsLost", n(m.video_in.1)),
            ("jitter", n(m.jitter_s / 2.0)),
            ("frameWidth", n(640.0)),
            ("frameHeight", n(480.0)),
            ("framesPerSecond", n(30.0)),
        ]),
        entry(&[
            ("id", t("OA")),
            ("type", t("outbound-rtp")),
            ("kind", t("audio")),
            ts.clone(),
            ("codecId", t("CA")),
            ("bytesSent", n(m.bytes_out * 0.1)),
            ("packetsSent", n(m.audio_out_sent)),
        ]),
        entry(&[
            ("id", t("OV")),
            ("type", t("outbound-rtp")),
            ("kind", t("video")),
            ts.clone(),
            ("codecId", t("CV")),
            ("bytesSent", n(m.bytes_out * 0.9)),
            ("packetsSent", n(m.video_out_sent)),
            ("frameWidth", n(320.0)),
            ("frameHeight", n(240.0)),
            ("framesPerSecond", n(29.0)),
        ]),
        entry(&[
            ("id", t("RA")),
            ("type", t("remote-inbound-rtp")),
            ("kind", t("audio")),
            ts.clone(),
            ("packetsLost", n(m.audio_out_lost)),
            ("roundTripTime", n(m.rtt_s)),
        ]),
        entry(&[
            ("id", t("RV")),
            ("type", t("remote-inbound-rtp")),
            ("kind", t("video")),
            ts,
            ("packetsLost", n(m.video_out_lost)),
            ("roundTripTime", n(m.rtt_s)),
        ]),
    ]
}

fn sample(m: &Moment) -> Sample {
    Sample::from_entries(&snapshot(m))
}

/// Two seconds later, with `change` applied to the second moment.
fn pair(change: impl FnOnce(&mut Moment)) -> (Sample, Sample) {
    let before = Moment::default();
    let mut after = Moment {
        at_ms: before.at_ms + 2000.0,
        // 500 kbit/s each way over the two seconds.
        bytes_in: before.bytes_in + 125_000.0,
        bytes_out: before.bytes_out + 125_000.0,
        audio_in: (before.audio_in.0 + 100.0, 0.0),
        video_in: (before.video_in.0 + 200.0, 0.0),
        audio_out_sent: before.audio_out_sent + 100.0,
        video_out_sent: before.video_out_sent + 200.0,
        ..Moment::default()
    };
    change(&mut after);
    (sample(&before), sample(&after))
}

fn verdict(change: impl FnOnce(&mut Moment)) -> (Figures, Verdict) {
    let (a, b) = pair(change);
    let figures = Figures::between(&a, &b);
    let verdict = assess(&figures);
    (figures, verdict)
}

#[test]
fn a_snapshot_reduces_to_its_counters_route_and_shape() {
    let s = sample(&Moment::default());
    assert_eq!(s.at_ms, 10_000.0);
    assert_eq!(s.inbound.bytes, 1_000_000.0);
    assert_eq!(s.inbound.video.count, 1000.0);
    assert_eq!(s.outbound.audio.count, 500.0);
    assert_eq!(s.rtt_ms, Some(1.0));
    assert_eq!(s.jitter_ms, Some(2.0), "the worse of audio and video");
    assert_eq!(
        s.inbound.codecs,
        ["VP8", "opus"],
        "video first, prefix dropped"
    );
    assert_eq!(
        s.inbound.shape,
        Some(VideoShape {
            width: 640,
            height: 480,
            fps: Some(30.0)
        })
    );
    assert_eq!(
        s.outbound.shape.map(|v| (v.width, v.height)),
        Some((320, 240))
    );
    assert_eq!(
        s.route,
        Some(RouteDetail {
            relayed: false,
            local: "host".into(),
            remote: "host".into(),
            protocol: "udp".into()
        }),
        "the transport's selected pair, not the relay one"
    );
}

#[test]
fn without_a_transport_the_nominated_succeeded_pair_is_taken() {
    let mut entries = snapshot(&Moment::default());
    entries.retain(|e| e.str("type") != Some("transport"));
    for e in &mut entries {
        if e.str("id") == Some("CP2") {
            e.0.push(("nominated".into(), Field::Bool(true)));
            e.0.push(("state".into(), t("succeeded")));
        }
    }
    let s = Sample::from_entries(&entries);
    let route = s.route.unwrap();
    assert!(route.relayed);
    assert_eq!(route.local, "relay");
    // Without a pair's RTT, the peer's report gives it.
    assert_eq!(s.rtt_ms, Some(1.0));
}

#[test]
fn an_empty_report_gives_nothing() {
    let s = Sample::from_entries(&[]);
    assert_eq!(s, Sample::default());
    let f = Figures::between(&s, &s);
    assert_eq!(f.kbps_in, None, "no interval, no rate");
    assert_eq!(assess(&f).level, Level::Good);
}

#[test]
fn a_clean_call_is_good_with_live_figures() {
    let (f, v) = verdict(|_| {});
    assert_eq!(
        v,
        Verdict {
            level: Level::Good,
            problems: vec![]
        }
    );
    assert_eq!(f.kbps_in, Some(500.0));
    assert_eq!(f.kbps_out, Some(500.0));
    assert_eq!(f.loss_in_pct, Some(0.0));
    assert_eq!(f.loss_out_pct, Some(0.0));
    assert_eq!(sentence(&v.problems, "bob"), None);
}

#[test]
fn our_packets_lost_on_the_way_are_an_upload_problem() {
    // bob reports 30 of our 100 audio packets lost: 30 %.
    let (f, v) = verdict(|m| m.audio_out_lost = 30.0);
    assert_eq!(f.loss_out_pct, Some(30.0));
    assert_eq!(v.level, Level::Poor);
    assert_eq!(v.problems, [Problem::UploadLoss]);
    assert_eq!(
        sentence(&v.problems, "bob").unwrap(),
        "Your upload is losing packets — your video may freeze for bob."
    );
}

#[test]
fn the_peers_reported_fraction_lost_wins_over_counting() {
    // bob's last audio report says 30 % lost; the counters did not move within the window
    // (audio reports come every five seconds).
    let (before, mut after) = pair(|_| {});
    after.outbound.audio.fraction = Some(0.3);
    after.outbound.video.fraction = Some(0.0);
    let f = Figures::between(&before, &after);
    assert_eq!(f.loss_out_pct, Some(30.0));
    assert_eq!(assess(&f).problems, [Problem::UploadLoss]);
    // Read from the report itself.
    let mut entries = snapshot(&Moment::default());
    for e in &mut entries {
        if e.str("id") == Some("RA") {
            e.0.push(("fractionLost".into(), n(0.25)));
        }
    }
    assert_eq!(
        Sample::from_entries(&entries).outbound.audio.fraction,
        Some(0.25)
    );
}

#[test]
fn loss_of_what_arrives_is_the_peers_side() {
    // Video repaired by retransmissions shows little loss; audio shows the network's.
    let (f, v) = verdict(|m| {
        m.audio_in = (570.0, 30.0);
        m.video_in = (1198.0, 2.0);
    });
    let loss = f.loss_in_pct.unwrap();
    assert!((loss - 30.0).abs() < 1e-9, "{loss}");
    assert_eq!(v.problems, [Problem::DownloadLoss]);
    assert_eq!(
        sentence(&v.problems, "alice").unwrap(),
        "alice's connection is losing packets — their video may freeze for you."
    );
}

#[test]
fn thresholds_make_fair_and_poor() {
    let fair = verdict(|m| m.video_out_lost = 200.0 * LOSS_FAIR_PCT / 100.0).1;
    assert_eq!(
        fair,
        Verdict {
            level: Level::Fair,
            problems: vec![]
        },
        "no sentence when fair"
    );
    let below = verdict(|m| m.video_out_lost = 200.0 * LOSS_FAIR_PCT / 100.0 - 1.0).1;
    assert_eq!(below.level, Level::Good);
    let delay = verdict(|m| m.rtt_s = RTT_POOR_MS / 1000.0).1;
    assert_eq!(delay.problems, [Problem::HighDelay]);
    assert!(
        sentence(&delay.problems, "bob")
            .unwrap()
            .starts_with("High delay")
    );
    assert_eq!(
        verdict(|m| m.rtt_s = RTT_FAIR_MS / 1000.0).1.level,
        Level::Fair
    );
    assert_eq!(
        verdict(|m| m.jitter_s = JITTER_FAIR_MS / 1000.0).1.level,
        Level::Fair
    );
    assert_eq!(
        verdict(|m| m.jitter_s = JITTER_POOR_MS / 1000.0).1.problems,
        [Problem::Jitter]
    );
}

#[test]
fn nothing_arriving_is_poor() {
    let (f, v) = verdict(|m| {
        m.bytes_in = 1_000_000.0;
        m.audio_in = (500.0, 0.0);
        m.video_in = (1000.0, 0.0);
    });
    assert_eq!(f.kbps_in, Some(0.0));
    assert_eq!(f.loss_in_pct, None, "nothing expected, no loss figure");
    assert_eq!(v.problems, [Problem::NothingArrives]);
}

#[test]
fn several_problems_make_one_sentence_upload_first() {
    let v = verdict(|m| {
        m.audio_out_lost = 50.0;
        m.rtt_s = 0.9;
    })
    .1;
    assert_eq!(v.problems, [Problem::UploadLoss, Problem::HighDelay]);
    assert_eq!(
        sentence(&v.problems, "bob").unwrap(),
        "Your upload is losing packets — your video may freeze for bob. High delay — you and bob may talk over each other."
    );
}

#[test]
fn counters_going_backwards_give_no_rates() {
    // A new peer connection (ICE restart keeps it; a rebuilt call does not).
    let (a, b) = pair(|m| {
        m.bytes_in = 10.0;
        m.bytes_out = 10.0;
        m.audio_in = (1.0, 0.0);
        m.video_in = (1.0, 0.0);
        m.audio_out_sent = 1.0;
        m.video_out_sent = 1.0;
    });
    let f = Figures::between(&a, &b);
    assert_eq!(
        (f.kbps_in, f.kbps_out, f.loss_in_pct, f.loss_out_pct),
        (None, None, None, None)
    );
    assert_eq!(assess(&f).level, Level::Good);
}

#[test]
fn level_names_and_bars() {
    assert_eq!(
        [Level::Good, Level::Fair, Level::Poor].map(|l| (l.name(), l.bars())),
        [("good", 3), ("fair", 2), ("poor", 1)]
    );
    assert_eq!(Problem::UploadLoss.name(), "upload-loss");
}

#[test]
fn fixed_formats_without_float_formatting() {
    assert_eq!(fixed(512.349, 0), "512");
    assert_eq!(fixed(2.25, 1), "2.3");
    assert_eq!(fixed(0.04, 1), "0.0");
    assert_eq!(fixed(30.0, 3), "30.000");
    assert_eq!(fixed(-1.5, 1), "-1.5");
    assert_eq!(fixed(7.0, 9), "7.000", "at most three decimals");
}
