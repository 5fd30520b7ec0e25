//! Call quality from `RTCPeerConnection.getStats()`, as plain Rust (no web-sys, host-tested).
//!
//! Three steps, each pure:
//! 1. [`Sample::from_entries`]: one `getStats()` report (its entries copied into [`Entry`]s by
//!    the driver) reduced to the counters and figures quality needs: bytes and packets per
//!    direction and kind, packets lost (ours, from `inbound-rtp`; the peer's report of ours,
//!    from `remote-inbound-rtp`), jitter, round-trip time, resolution, frame rate, codecs and the
//!    selected candidate pair.
//! 2. [`Figures::between`] two samples: the rates over the interval (bitrate in and out, packet
//!    loss in and out as percentages), and the latest instantaneous figures.
//! 3. [`assess`]: figures to a [`Level`] (good / fair / poor) and the [`Problem`]s behind it,
//!    which [`sentence`] words for the person, naming the side ("Your upload is losing packets —
//!    your video may freeze for bob").
//!
//! The thresholds are the constants in `assess` (documented in docs/ui-contract.md).

mod assess;
#[cfg(test)]
mod tests;

pub use assess::{
    Figures, JITTER_FAIR_MS, JITTER_POOR_MS, LOSS_FAIR_PCT, LOSS_POOR_PCT, Level, Problem,
    RTT_FAIR_MS, RTT_POOR_MS, Verdict, assess, sentence,
};

/// One property of a stats entry, as read from the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Num(f64),
    Text(String),
    Bool(bool),
}

/// One entry of a `getStats()` report: its properties by name (`id` and `type` among them).
/// A list, not a map: an entry has a few dozen fields, and a map type would cost the bundle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry(pub Vec<(String, Field)>);

impl Entry {
    fn get(&self, key: &str) -> Option<&Field> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Field::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn num(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Field::Num(n)) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Field::Bool(true)))
    }

    fn is(&self, kind: &str) -> bool {
        self.str("type") == Some(kind)
    }
}

/// Packets of one kind (audio or video) in one direction, cumulative since the call started.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Packets {
    /// Received (inbound) or sent (outbound).
    pub count: f64,
    /// Lost on the way: counted by us (inbound) or reported by the peer (outbound).
    pub lost: f64,
    /// Outbound only: the share lost over the peer's last report interval (`fractionLost` of
    /// `remote-inbound-rtp`, 0 to 1). Preferred to counting: audio reports come only every
    /// few seconds, so counters move in jumps that a two-second window cuts badly.
    pub fraction: Option<f64>,
}

/// A video's size and frame rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoShape {
    pub width: u32,
    pub height: u32,
    pub fps: Option<f64>,
}

/// One direction of the media, cumulative counters plus what it looks like now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    pub bytes: f64,
    pub audio: Packets,
    pub video: Packets,
    pub shape: Option<VideoShape>,
    /// Codec names without their `audio/` or `video/` prefix, video first ("VP8", "opus").
    pub codecs: Vec<String>,
}

/// The selected candidate pair: which way the media goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDetail {
    /// Either end is a TURN `relay` candidate.
    pub relayed: bool,
    /// Candidate types: `host`, `srflx`, `prflx`, `relay`.
    pub local: String,
    pub remote: String,
    /// `udp` or `tcp` (the local candidate's).
    pub protocol: String,
}

/// One reading of the stats, reduced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// The report's time (ms, the entries' `timestamp`).
    pub at_ms: f64,
    pub inbound: Flow,
    pub outbound: Flow,
    pub rtt_ms: Option<f64>,
    /// The worst jitter of what we receive.
    pub jitter_ms: Option<f64>,
    pub route: Option<RouteDetail>,
}

impl Sample {
    /// Reduces one `getStats()` report.
    pub fn from_entries(entries: &[Entry]) -> Self {
        let by_id = |id: &str| entries.iter().find(|e| e.str("id") == Some(id));
        let mut sample = Sample {
            at_ms: entries
                .iter()
                .filter_map(|e| e.num("timestamp"))
                .fold(0.0, f64::max),
            ..Sample::default()
        };
        let codec = |e: &Entry| {
            e.str("codecId")
                .and_then(by_id)
                .and_then(|c| c.str("mimeType"))
                .map(|m| m.split_once('/').map_or(m, |(_, name)| name).to_owned())
        };
        for e in entries {
            let video = e.str("kind") == Some("video");
            if e.is("inbound-rtp") {
                add(
                    &mut sample.inbound,
                    e,
                    video,
                    "bytesReceived",
                    "packetsReceived",
                );
                if let Some(lost) = e.num("packetsLost") {
                    packets(&mut sample.inbound, video).lost += lost.max(0.0);
                }
                if let Some(jitter) = e.num("jitter") {
                    let ms = jitter * 1000.0;
                    sample.jitter_ms = Some(sample.jitter_ms.map_or(ms, |j| j.max(ms)));
                }
                push_codec(&mut sample.inbound, codec(e), video);
            } else if e.is("outbound-rtp") {
                add(&mut sample.outbound, e, video, "bytesSent", "packetsSent");
                push_codec(&mut sample.outbound, codec(e), video);
            } else if e.is("remote-inbound-rtp") {
                let packets = packets(&mut sample.outbound, video);
                packets.lost += e.num("packetsLost").unwrap_or(0.0).max(0.0);
                if let Some(fraction) = e.num("fractionLost") {
                    packets.fraction = Some(packets.fraction.map_or(fraction, |f| f.max(fraction)));
                }
                if sample.rtt_ms.is_none() {
                    sample.rtt_ms = e.num("roundTripTime").map(|s| s * 1000.0);
                }
            }
        }
        if let Some(pair) = selected_pair(entries) {
            if let Some(rtt) = pair.num("currentRoundTripTime") {
                sample.rtt_ms = Some(rtt * 1000.0);
            }
            let candidate = |key: &str| pair.str(key).and_then(by_id);
            let kind = |c: Option<&Entry>| {
                c.and_then(|c| c.str("candidateType"))
                    .unwrap_or("unknown")
                    .to_owned()
            };
            let (local, remote) = (
                candidate("localCandidateId"),
                candidate("remoteCandidateId"),
            );
            let (local_type, remote_type) = (kind(local), kind(remote));
            sample.route = Some(RouteDetail {
                relayed: local_type == "relay" || remote_type == "relay",
                local: local_type,
                remote: remote_type,
                protocol: local
                    .and_then(|c| c.str("protocol"))
                    .unwrap_or("unknown")
                    .to_owned(),
            });
        }
        sample
    }
}

/// The transport's `selectedCandidatePairId`, or else a `selected` (Firefox) or nominated and
/// succeeded pair.
fn selected_pair(entries: &[Entry]) -> Option<&Entry> {
    let of_type = |kind: &'static str| entries.iter().filter(move |e| e.is(kind));
    of_type("transport")
        .find_map(|t| t.str("selectedCandidatePairId"))
        .and_then(|id| entries.iter().find(|e| e.str("id") == Some(id)))
        .or_else(|| {
            of_type("candidate-pair").find(|p| {
                p.flag("selected") || (p.flag("nominated") && p.str("state") == Some("succeeded"))
            })
        })
}

fn packets(flow: &mut Flow, video: bool) -> &mut Packets {
    if video {
        &mut flow.video
    } else {
        &mut flow.audio
    }
}

/// Adds one RTP stream's counters to `flow`; a video stream also gives the shape.
fn add(flow: &mut Flow, e: &Entry, video: bool, bytes: &str, count: &str) {
    flow.bytes += e.num(bytes).unwrap_or(0.0);
    packets(flow, video).count += e.num(count).unwrap_or(0.0);
    if let (true, Some(width), Some(height)) = (video, e.num("frameWidth"), e.num("frameHeight")) {
        flow.shape = Some(VideoShape {
            width: width as u32,
            height: height as u32,
            fps: e.num("framesPerSecond"),
        });
    }
}

fn push_codec(flow: &mut Flow, codec: Option<String>, video: bool) {
    if let Some(codec) = codec.filter(|c| !flow.codecs.contains(c)) {
        if video {
            flow.codecs.insert(0, codec);
        } else {
            flow.codecs.push(codec);
        }
    }
}

/// `value` with `digits` decimals (at most 3), by integer arithmetic: the client formats no
/// float otherwise, and float formatting would add kilobytes to the bundle.
pub fn fixed(value: f64, digits: u32) -> String {
    let digits = digits.min(3);
    let scale = 10i64.pow(digits);
    let scaled = (value * scale as f64).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, part) = (scaled.abs() / scale, scaled.abs() % scale);
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{part:0width$}", width = digits as usize)
    }
}
