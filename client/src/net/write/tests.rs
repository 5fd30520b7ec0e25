//! The hand-written frames against serde's: every `ToServer` variant, every leaf enum value and
//! awkward strings give the same text as `ToServer::to_json` and parse back equal.

use shared::{Feature, HangUpReason, IceCandidate, SdpType, SessionDescription, ToServer};

use super::{feature, frame, quote, reason, sdp_type};

fn s(text: &str) -> String {
    text.to_owned()
}

/// Stops the build when `ToServer` gains a variant that [`samples`] does not have.
fn covered(frame: &ToServer) {
    match frame {
        ToServer::Username { .. }
        | ToServer::Message { .. }
        | ToServer::VideoOffer { .. }
        | ToServer::VideoAnswer { .. }
        | ToServer::NewIceCandidate { .. }
        | ToServer::HangUp { .. }
        | ToServer::GetIceServers
        | ToServer::Resume { .. }
        | ToServer::Leaving
        | ToServer::Ping { .. }
        | ToServer::MediaState { .. }
        | ToServer::GroupJoin
        | ToServer::GroupLeave
        | ToServer::GroupSignal { .. } => {}
    }
}

const FEATURES: [Feature; 8] = [
    Feature::UserlistDelta,
    Feature::PlainText,
    Feature::IceServers,
    Feature::Resume,
    Feature::Heartbeat,
    Feature::MediaState,
    Feature::GroupCall,
    Feature::Unknown,
];

const REASONS: [HangUpReason; 7] = [
    HangUpReason::Ended,
    HangUpReason::Cancelled,
    HangUpReason::Declined,
    HangUpReason::Busy,
    HangUpReason::MediaError,
    HangUpReason::ConnectionFailed,
    HangUpReason::Left,
];

const SDP_TYPES: [SdpType; 4] = [
    SdpType::Offer,
    SdpType::Answer,
    SdpType::Pranswer,
    SdpType::Rollback,
];

/// Text with everything serde_json escapes, and what it leaves alone.
const AWKWARD: &str = "quote \" backslash \\ slash / nl \n cr \r tab \t bs \u{8} ff \u{c} \
                       nul \0 us \u{1f} del \u{7f} é 漢 🎉 \u{2028} </script>";

fn sdp(kind: SdpType) -> SessionDescription {
    SessionDescription {
        kind,
        sdp: s("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"),
    }
}

fn candidate(full: bool) -> IceCandidate {
    IceCandidate {
        candidate: s("candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host"),
        sdp_mid: full.then(|| s("0")),
        sdp_m_line_index: full.then_some(65_535),
        username_fragment: full.then(|| s("abcd")),
    }
}

fn samples() -> Vec<ToServer> {
    let mut frames = vec![
        ToServer::Username {
            id: None,
            name: s("alice"),
            date: None,
            features: vec![],
            passcode: None,
            capacity: None,
        },
        ToServer::Username {
            id: Some(u64::MAX),
            name: s(AWKWARD),
            date: Some(1_700_000_000_123),
            features: FEATURES.to_vec(),
            passcode: Some(s(AWKWARD)),
            capacity: Some(u32::MAX),
        },
        ToServer::Message {
            id: None,
            text: s(AWKWARD),
            date: None,
            target: None,
        },
        ToServer::Message {
            id: Some(0),
            text: s(""),
            date: Some(9),
            target: Some(s("bob")),
        },
        ToServer::NewIceCandidate {
            name: None,
            target: s("bob"),
            candidate: candidate(false),
        },
        ToServer::NewIceCandidate {
            name: Some(s("alice")),
            target: s("bob"),
            candidate: candidate(true),
        },
        ToServer::HangUp {
            name: None,
            target: None,
            reason: None,
        },
        ToServer::GetIceServers,
        ToServer::Resume {
            token: s("t0k3n"),
            ack: 0,
            fresh: false,
            features: vec![],
        },
        ToServer::Resume {
            token: s("t0k3n"),
            ack: 12_345,
            fresh: true,
            features: vec![Feature::Resume, Feature::Heartbeat],
        },
        ToServer::Leaving,
        ToServer::Ping { ack: None },
        ToServer::Ping { ack: Some(7) },
        ToServer::MediaState {
            target: s("bob"),
            audio: true,
            video: false,
            screen: true,
        },
        ToServer::GroupJoin,
        ToServer::GroupLeave,
        ToServer::GroupSignal {
            name: None,
            target: s("bob"),
            sdp: Some(sdp(SdpType::Offer)),
            candidate: None,
        },
        ToServer::GroupSignal {
            name: Some(s("alice")),
            target: s("bob"),
            sdp: None,
            candidate: Some(candidate(true)),
        },
    ];
    for kind in SDP_TYPES {
        frames.push(ToServer::VideoOffer {
            name: None,
            target: s("bob"),
            sdp: sdp(kind),
        });
        frames.push(ToServer::VideoAnswer {
            name: Some(s("alice")),
            target: s(AWKWARD),
            sdp: sdp(kind),
        });
    }
    for reason in REASONS {
        frames.push(ToServer::HangUp {
            name: Some(s("alice")),
            target: Some(s("bob")),
            reason: Some(reason),
        });
    }
    frames
}

#[test]
fn every_frame_is_written_as_serde_writes_it() {
    for sample in samples() {
        covered(&sample);
        let text = frame(&sample);
        assert_eq!(text, sample.to_json(), "{sample:?}");
        assert_eq!(ToServer::from_json(&text).ok(), Some(sample));
    }
}

#[test]
fn leaf_names_are_serdes() {
    let json = |value: &dyn erased::Json| value.text();
    for f in FEATURES {
        assert_eq!(quote(feature(f)), json(&f));
    }
    for r in REASONS {
        assert_eq!(quote(reason(r)), json(&r));
    }
    for t in SDP_TYPES {
        assert_eq!(quote(sdp_type(t)), json(&t));
    }
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let all: String = (0u32..0x80).filter_map(char::from_u32).collect();
    for text in [AWKWARD, "", all.as_str()] {
        assert_eq!(quote(text), serde_json::to_string(text).unwrap_or_default());
    }
}

/// serde_json's text of any serialisable value, behind one object-safe trait.
mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}
