//! Unit tests of the outgoing relay frame.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shared::FromServer;

use super::*;
use crate::inbound::{Inbound, decode};

fn relay(text: &str) -> Relay<'_> {
    match decode(text).expect("valid") {
        Inbound::Relay(relay) => relay,
        other => panic!("not a relay: {other:?}"),
    }
}

#[test]
fn output_is_exactly_the_shared_types_json_with_the_senders_name() {
    let sdp = json!({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n\"quoted\"\r\n"});
    let text =
        json!({"type": "video-offer", "name": "mallory", "target": "bob", "sdp": sdp}).to_string();
    let out = relay(&text).to_json("alice", "bob");
    let parsed = FromServer::from_json(&out).unwrap();
    assert_eq!(out, parsed.to_json());
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": sdp})
    );

    let cand = json!({"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null});
    let text = json!({"type": "new-ice-candidate", "target": "bob", "candidate": cand}).to_string();
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
    let text =
        json!({"type": "video-answer", "target": "b\\ob", "sdp": {"type": "answer", "sdp": "v=0"}})
            .to_string();
    let out = relay(&text).to_json("al\"ice\u{1}", "b\\ob");
    assert_eq!(
        out,
        r#"{"type":"video-answer","name":"al\"ice\u0001","target":"b\\ob","sdp":{"type":"answer","sdp":"v=0"}}"#
    );
    assert_eq!(out, FromServer::from_json(&out).unwrap().to_json());
    let text = r#"{"type":"hang-up","target":"bob","reason":"busy"}"#;
    assert_eq!(
        relay(text).to_json("alice", "bob"),
        r#"{"type":"hang-up","name":"alice","target":"bob","reason":"busy"}"#
    );
    // A description without SDP text (a rollback) is forwarded without it.
    let text = r#"{"type":"video-offer","target":"b","sdp":{"type":"rollback","sdp":null}}"#;
    assert_eq!(
        relay(text).to_json("a", "b"),
        r#"{"type":"video-offer","name":"a","target":"b","sdp":{"type":"rollback"}}"#
    );
}

#[test]
fn kinds_map_to_types_and_call_events() {
    for kind in [
        RelayKind::VideoOffer,
        RelayKind::VideoAnswer,
        RelayKind::NewIceCandidate,
        RelayKind::HangUp,
    ] {
        assert_eq!(RelayKind::from_type(kind.type_name()), Some(kind));
    }
    assert_eq!(RelayKind::from_type("message"), None);
    assert_eq!(RelayKind::VideoAnswer.call_event(), CallEvent::Answer);
}
