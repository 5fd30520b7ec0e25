//! The relay hot path: `video-offer`, `video-answer`, `new-ice-candidate` and `hang-up` parsed
//! borrowing from the received frame, their payload checked for shape but kept as raw JSON text
//! (the SDP text inside `sdp`, the whole `candidate`), and the outgoing frame serialised once with
//! the sender's name.
//!
//! Why not simply [`shared::ToServer`] → [`shared::FromServer`]: an SDP is ~5 KB of text full of
//! `\r\n` escapes. Parsing it into a `String` (through serde's buffering of internally tagged
//! enums) and escaping it again on the way out cost ~18 µs per offer; copying the raw text costs
//! a small fraction of that. The JSON on the wire is the same (the `shared` types still describe
//! it, and the tests compare against them).
//!
//! Parsing: usual frames are read by [`crate::scan`] (which also checks a candidate's shape);
//! anything it does not take is parsed by serde_json into the same `Probe`, so unusual frames
//! get the same answer as before. The outgoing frame is written by hand into one buffer.

use std::borrow::Cow;

use serde::de::{self, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use shared::{ErrorCode, HangUpReason, SdpType};

use crate::inbound::Refusal;
use crate::registry::CallEvent;
use crate::scan::{Scanner, Value};

/// Which relay a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayKind {
    VideoOffer,
    VideoAnswer,
    NewIceCandidate,
    HangUp,
}

impl RelayKind {
    fn from_type(kind: &str) -> Option<Self> {
        Some(match kind {
            "video-offer" => Self::VideoOffer,
            "video-answer" => Self::VideoAnswer,
            "new-ice-candidate" => Self::NewIceCandidate,
            "hang-up" => Self::HangUp,
            _ => return None,
        })
    }

    fn type_name(self) -> &'static str {
        match self {
            Self::VideoOffer => "video-offer",
            Self::VideoAnswer => "video-answer",
            Self::NewIceCandidate => "new-ice-candidate",
            Self::HangUp => "hang-up",
        }
    }

    pub fn call_event(self) -> CallEvent {
        match self {
            Self::VideoOffer => CallEvent::Offer,
            Self::VideoAnswer => CallEvent::Answer,
            Self::NewIceCandidate => CallEvent::Candidate,
            Self::HangUp => CallEvent::HangUp,
        }
    }
}

/// A validated relay frame, borrowing from the received text.
#[derive(Debug)]
pub struct Relay<'a> {
    pub kind: RelayKind,
    /// `None` only for a `hang-up` without target (MDN's client).
    pub target: Option<Cow<'a, str>>,
    sdp: Option<Sdp<'a>>,
    /// The candidate, as received (JSON text).
    candidate: Option<&'a str>,
    pub reason: Option<HangUpReason>,
}

/// Every field a relay may carry; the others (`name`, `id`, …) are ignored.
#[derive(Debug, PartialEq, Deserialize)]
struct Probe<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    target: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    sdp: Option<Sdp<'a>>,
    #[serde(default, borrow, deserialize_with = "raw_text")]
    candidate: Option<&'a str>,
    #[serde(default)]
    reason: Option<HangUpReason>,
    /// The candidate's shape was already checked (by the scan).
    #[serde(skip)]
    candidate_checked: bool,
}

/// A session description with its SDP text kept raw (JSON text, quotes included): scanned once
/// while the whole frame is parsed, and copied out as is.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
struct Sdp<'a> {
    #[serde(rename = "type")]
    kind: SdpType,
    #[serde(default, borrow, deserialize_with = "raw_text")]
    sdp: Option<&'a str>,
}

/// Any JSON value (or `null`), kept as its text.
fn raw_text<'de, D: de::Deserializer<'de>>(deserializer: D) -> Result<Option<&'de str>, D::Error> {
    Ok(Option::<&'de RawValue>::deserialize(deserializer)?.map(RawValue::get))
}

/// Parses `text` as a relay frame. `None`: not a relay, or not parseable this way (the general
/// decoder then handles it and names the problem); `Some(Err)`: a relay with a bad shape.
pub fn parse(text: &str) -> Option<Result<Relay<'_>, Refusal>> {
    let probe = match scan_probe(text) {
        Some(probe) => probe,
        None => serde_json::from_str(text).ok()?,
    };
    let kind = RelayKind::from_type(&probe.kind)?;
    Some(validate(kind, probe))
}

/// The fast path of [`parse`]: the frame's members found by [`Scanner`], which skips the SDP
/// text far faster than serde_json. `None` when the frame is anything but a plain relay-shaped
/// object (serde_json then decides, so the outcome for unusual frames is unchanged).
fn scan_probe<'a>(text: &'a str) -> Option<Probe<'a>> {
    let mut scanner = Scanner::object(text)?;
    let (mut kind, mut target, mut sdp, mut candidate, mut reason) = (None, None, None, None, None);
    while let Some(key) = scanner.next_key()? {
        // A member given twice is an error for serde_json (`duplicate field`): leave it to it.
        match key {
            "type" => set_once(&mut kind, scanner.value()?.plain()?)?,
            "target" => set_once(&mut target, nullable(scanner.value()?, Value::plain)?)?,
            "sdp" => set_once(&mut sdp, scan_sdp(&mut scanner)?)?,
            "candidate" => set_once(&mut candidate, scan_candidate(&mut scanner)?)?,
            "reason" => {
                let value = scanner.value()?;
                set_once(&mut reason, nullable(value, |v| from_plain(v.plain()?))?)?;
            }
            _ => {
                scanner.value()?;
            }
        }
    }
    Some(Probe {
        kind: Cow::Borrowed(kind?),
        target: target.flatten().map(Cow::Borrowed),
        sdp: sdp.flatten(),
        candidate_checked: candidate.is_some_and(|c| c.is_some()),
        candidate: candidate.flatten(),
        reason: reason.flatten(),
    })
}

/// The `candidate` member: `null`, or an object of the shape of [`shared::IceCandidate`]
/// (`candidate` a string; `sdpMid` and `usernameFragment` strings or `null`; `sdpMLineIndex` a
/// `u16` or `null`; other members accepted), as its JSON text.
fn scan_candidate<'a>(scanner: &mut Scanner<'a>) -> Option<Option<&'a str>> {
    let Some(start) = scanner.enter_object() else {
        return (scanner.value()? == Value::Null).then_some(None);
    };
    let (mut candidate, mut mid, mut index, mut fragment) = (None, None, None, None);
    let string = |value: Value<'a>| matches!(value, Value::Str(..)).then_some(());
    while let Some(key) = scanner.next_key()? {
        match key {
            "candidate" => set_once(&mut candidate, string(scanner.value()?)?)?,
            "sdpMid" => set_once(&mut mid, nullable(scanner.value()?, string)?)?,
            "usernameFragment" => set_once(&mut fragment, nullable(scanner.value()?, string)?)?,
            "sdpMLineIndex" => {
                let index_value = |value: Value<'a>| match value {
                    // A number the scanner checked: serde_json reads it as a u16 only if it is
                    // all digits and in range.
                    Value::Raw(raw) if raw.bytes().all(|b| b.is_ascii_digit()) => {
                        raw.parse::<u16>().ok().map(drop)
                    }
                    _ => None,
                };
                set_once(&mut index, nullable(scanner.value()?, index_value)?)?;
            }
            _ => {
                scanner.value()?;
            }
        }
    }
    candidate?;
    Some(Some(scanner.since(start)))
}

/// The `sdp` member: `null`, or an object with `type` and, optionally, the SDP text.
fn scan_sdp<'a>(scanner: &mut Scanner<'a>) -> Option<Option<Sdp<'a>>> {
    if scanner.enter_object().is_none() {
        return (scanner.value()? == Value::Null).then_some(None);
    }
    let (mut kind, mut sdp) = (None, None);
    while let Some(key) = scanner.next_key()? {
        match key {
            "type" => set_once(&mut kind, from_plain::<SdpType>(scanner.value()?.plain()?)?)?,
            "sdp" => {
                let string = |value: Value<'a>| match value {
                    Value::Str(raw, _) => Some(raw),
                    _ => None,
                };
                let value = scanner.value()?;
                set_once(&mut sdp, nullable(value, string)?)?;
            }
            _ => {
                scanner.value()?;
            }
        }
    }
    Some(Some(Sdp {
        kind: kind?,
        sdp: sdp.flatten(),
    }))
}

/// Stores a member's value; `None` if it was already there.
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

/// `null` as `Some(None)`, anything else through `f`.
fn nullable<'a, T>(value: Value<'a>, f: impl FnOnce(Value<'a>) -> Option<T>) -> Option<Option<T>> {
    match value {
        Value::Null => Some(None),
        other => f(other).map(Some),
    }
}

/// A unit enum variant (`SdpType`, `HangUpReason`) from its name, as serde_json would read it.
fn from_plain<T: de::DeserializeOwned>(name: &str) -> Option<T> {
    T::deserialize(de::value::StrDeserializer::<de::value::Error>::new(name)).ok()
}

fn validate(kind: RelayKind, probe: Probe<'_>) -> Result<Relay<'_>, Refusal> {
    let bad = |what: &str| {
        Refusal::new(
            ErrorCode::BadMessage,
            format!("bad `{}`: {what}", kind.type_name()),
        )
    };
    if kind != RelayKind::HangUp && probe.target.is_none() {
        return Err(bad("missing `target`"));
    }
    let (mut sdp, mut candidate) = (None, None);
    match kind {
        RelayKind::VideoOffer | RelayKind::VideoAnswer => {
            let description = probe.sdp.ok_or_else(|| bad("missing `sdp`"))?;
            // RawValue guarantees valid JSON; a string starts with a quote.
            if description.sdp.is_some_and(|text| !text.starts_with('"')) {
                return Err(bad("`sdp.sdp` is not a string"));
            }
            sdp = Some(description);
        }
        RelayKind::NewIceCandidate => {
            let raw = probe.candidate.ok_or_else(|| bad("missing `candidate`"))?;
            if !probe.candidate_checked {
                serde_json::from_str::<CandidateShape>(raw).map_err(|e| bad(&e.to_string()))?;
            }
            candidate = Some(raw);
        }
        RelayKind::HangUp => {}
    }
    Ok(Relay {
        kind,
        target: probe.target,
        sdp,
        candidate,
        reason: probe.reason,
    })
}

impl Relay<'_> {
    /// The frame the target receives: `name` is the sender's, everything else as received.
    ///
    /// Written by hand into one buffer sized up front: the payload (most of the frame) is one
    /// copy, and the short strings around it are copied without escaping when they need none.
    pub fn to_json(&self, name: &str, target: &str) -> String {
        let payload = self
            .sdp
            .and_then(|sdp| sdp.sdp)
            .map_or(0, |text| text.len())
            + self.candidate.map_or(0, |text| text.len());
        let mut out = String::with_capacity(payload + 2 * (name.len() + target.len()) + 96);
        out.push_str(r#"{"type":""#);
        out.push_str(self.kind.type_name());
        out.push_str(r#"","name":"#);
        push_json_str(&mut out, name);
        out.push_str(r#","target":"#);
        push_json_str(&mut out, target);
        if let Some(sdp) = self.sdp {
            out.push_str(r#","sdp":{"type":"#);
            push_serialized(&mut out, &sdp.kind);
            if let Some(text) = sdp.sdp {
                out.push_str(r#","sdp":"#);
                out.push_str(text);
            }
            out.push('}');
        }
        if let Some(candidate) = self.candidate {
            out.push_str(r#","candidate":"#);
            out.push_str(candidate);
        }
        if let Some(reason) = self.reason {
            out.push_str(r#","reason":"#);
            push_serialized(&mut out, &reason);
        }
        out.push('}');
        out
    }
}

/// Appends `text` as a JSON string.
fn push_json_str(out: &mut String, text: &str) {
    let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if plain {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        push_serialized(out, text);
    }
}

/// Appends `value` serialised by serde (small values only: one allocation).
fn push_serialized<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    // Serialising strings and unit enum variants into a String cannot fail.
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
}

/// The shape of [`shared::IceCandidate`], checked without keeping the text. Other members
/// (browsers may add some) are accepted and forwarded.
#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct CandidateShape {
    candidate: AnyString,
    #[serde(default)]
    sdp_mid: Option<AnyString>,
    #[serde(default, rename = "sdpMLineIndex")]
    sdp_m_line_index: Option<u16>,
    #[serde(default)]
    username_fragment: Option<AnyString>,
}

/// A JSON string, checked but not kept.
#[derive(Default)]
struct AnyString;

impl<'de> Deserialize<'de> for AnyString {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringVisitor;
        impl Visitor<'_> for StringVisitor {
            type Value = AnyString;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyString, E> {
                Ok(AnyString)
            }
        }
        deserializer.deserialize_str(StringVisitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use shared::FromServer;

    fn relay(text: &str) -> Relay<'_> {
        parse(text).expect("a relay").expect("valid")
    }

    #[test]
    fn output_is_exactly_the_shared_types_json_with_the_senders_name() {
        let sdp =
            json!({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n\"quoted\"\r\n"});
        let text = json!({"type": "video-offer", "name": "mallory", "target": "bob", "sdp": sdp})
            .to_string();
        let out = relay(&text).to_json("alice", "bob");
        let parsed = FromServer::from_json(&out).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            serde_json::from_str::<Value>(&parsed.to_json()).unwrap()
        );
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": sdp})
        );

        let cand = json!({"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null});
        let text =
            json!({"type": "new-ice-candidate", "target": "bob", "candidate": cand}).to_string();
        let out = relay(&text).to_json("alice", "bob");
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            json!({"type": "new-ice-candidate", "name": "alice", "target": "bob", "candidate": cand})
        );

        let text = r#"{"type":"hang-up","name":"x","target":null}"#;
        let hang_up = relay(text);
        assert!(hang_up.target.is_none());
        assert_eq!(
            hang_up.to_json("alice", "bob"),
            r#"{"type":"hang-up","name":"alice","target":"bob"}"#
        );
        // Names that need escaping are escaped as serde would.
        let text = json!({"type": "video-answer", "target": "b\\ob", "sdp": {"type": "answer", "sdp": "v=0"}})
            .to_string();
        let out = relay(&text).to_json("al\"ice\u{1}", "b\\ob");
        assert_eq!(
            out,
            r#"{"type":"video-answer","name":"al\"ice\u0001","target":"b\\ob","sdp":{"type":"answer","sdp":"v=0"}}"#
        );
        assert_eq!(
            serde_json::from_str::<Value>(&out).unwrap(),
            serde_json::from_str::<Value>(&FromServer::from_json(&out).unwrap().to_json()).unwrap()
        );
        let text = r#"{"type":"hang-up","target":"bob","reason":"busy"}"#;
        assert_eq!(
            relay(text).to_json("alice", "bob"),
            r#"{"type":"hang-up","name":"alice","target":"bob","reason":"busy"}"#
        );
    }

    #[test]
    fn the_fast_scan_takes_usual_frames_and_agrees_with_serde_json() {
        let sdp = "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\na=\"q\" \\ / \u{e9}\r\n";
        let usual = [
            json!({"type": "video-offer", "name": "a", "target": "b", "sdp": {"type": "offer", "sdp": sdp}}).to_string(),
            json!({"type": "video-answer", "target": "b", "sdp": {"sdp": sdp, "type": "answer", "x": [1]}}).to_string(),
            json!({"type": "video-offer", "target": "b", "sdp": {"type": "rollback", "sdp": null}}).to_string(),
            json!({"type": "new-ice-candidate", "target": "b", "candidate": {"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null}}).to_string(),
            json!({"type": "new-ice-candidate", "target": "b", "candidate": null}).to_string(),
            json!({"type": "new-ice-candidate", "target": "b", "candidate": {"candidate": "c\"\n", "sdpMLineIndex": 65535, "sdpMid": null, "x": {"y": [1, "z"]}}}).to_string(),
            json!({"type": "hang-up", "name": "a", "target": null}).to_string(),
            json!({"type": "hang-up", "target": "b", "reason": "media-error", "id": 7, "date": 1.5e3}).to_string(),
            json!({"type": "message", "text": "hi", "sdp": null, "reason": null}).to_string(),
            " {\"type\" : \"hang-up\" ,\n \"target\":\"b\"}\r\n".to_owned(),
        ];
        for text in &usual {
            let mut scanned = scan_probe(text).unwrap_or_else(|| panic!("not scanned: {text}"));
            let parsed: Probe<'_> = serde_json::from_str(text).unwrap();
            assert_eq!(scanned.candidate_checked, scanned.candidate.is_some());
            scanned.candidate_checked = false;
            assert_eq!(scanned, parsed, "{text}");
            if let Some(candidate) = scanned.candidate {
                serde_json::from_str::<CandidateShape>(candidate).unwrap();
            }
        }
        // Frames the scan leaves to serde_json (which parses some, refuses others).
        for text in [
            r#"{"type":"video-offer","type":"video-answer","target":"b"}"#,
            r#"{"type":"video-offer","target":"b\u0041","sdp":{"type":"offer"}}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"offer","sdp":"\u0041"}}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"bogus"}}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"sdp":"x"}}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"offer","sdp":5}}"#,
            r#"{"type":"video-offer","target":"b","sdp":"x"}"#,
            r#"{"type":"hang-up","reason":"gone"}"#,
            r#"{"type":"hang-up","target":5}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":"c"}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"sdpMid":"0"}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":5}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","candidate":"d"}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMid":0}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":-1}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":1.0}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":65536}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","usernameFragment":{}}}"#,
            r#"{"type":"hang-up"} x"#,
        ] {
            assert!(scan_probe(text).is_none(), "{text}");
        }
    }

    #[test]
    fn bad_shapes_are_refused_and_non_relays_are_left_alone() {
        for bad in [
            r#"{"type":"video-offer","target":"b"}"#,
            r#"{"type":"video-offer","sdp":{"type":"offer","sdp":""}}"#,
            r#"{"type":"video-offer","target":"b","sdp":"x"}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"bogus","sdp":""}}"#,
            r#"{"type":"video-answer","target":"b","sdp":{"type":"answer","sdp":5}}"#,
            r#"{"type":"new-ice-candidate","target":"b"}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"sdpMid":"0"}}"#,
            r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":"x"}}"#,
        ] {
            // Either refused here, or left to the general decoder, which refuses it.
            let code = match parse(bad) {
                Some(Err(refusal)) => refusal.code,
                None => crate::inbound::decode(bad).expect_err(bad).code,
                Some(Ok(_)) => panic!("accepted {bad}"),
            };
            assert_eq!(code, ErrorCode::BadMessage, "{bad}");
        }
        assert!(parse(r#"{"type":"message","text":"hi"}"#).is_none());
        assert!(parse("{not json").is_none());
        // A mistyped target is left to the general decoder, which names the problem.
        assert!(parse(r#"{"type":"video-offer","target":5}"#).is_none());
        // The SDP text may be missing (as in shared::SessionDescription).
        assert!(
            parse(r#"{"type":"video-offer","target":"b","sdp":{"type":"rollback"}}"#)
                .unwrap()
                .is_ok()
        );
    }
}
