//! Decoding the group-call frames: the three types, and `group-signal`'s one payload, whose
//! outgoing frame is the one `shared` describes, with the SDP text copied as received.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use shared::{ErrorCode, FromServer};

use crate::inbound::{Inbound, decode};
use crate::relay::RelayKind;

fn signal(text: &str) -> String {
    match decode(text) {
        Ok(Inbound::GroupSignal(relay)) => {
            assert_eq!(relay.kind, RelayKind::GroupSignal);
            relay.to_json("alice", relay.target.as_deref().unwrap())
        }
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn join_and_leave_take_no_members() {
    assert_eq!(decode(r#"{"type":"group-join"}"#), Ok(Inbound::GroupJoin));
    assert_eq!(
        decode(r#"{"type":"group-leave","target":5,"x":[]}"#),
        Ok(Inbound::GroupLeave)
    );
}

#[test]
fn a_signal_becomes_the_frame_shared_describes_with_the_servers_name() {
    let out = signal(
        r#"{"type":"group-signal","name":"eve","target":"bob","sdp":{"type":"answer","sdp":"v=0\r\n\u0041"}}"#,
    );
    assert_eq!(
        out,
        r#"{"type":"group-signal","name":"alice","target":"bob","sdp":{"type":"answer","sdp":"v=0\r\n\u0041"}}"#
    );
    let FromServer::GroupSignal { name, sdp, .. } = FromServer::from_json(&out).unwrap() else {
        panic!("{out}");
    };
    assert_eq!(
        (name.as_str(), sdp.unwrap().sdp.as_str()),
        ("alice", "v=0\r\nA")
    );
    let out = signal(
        r#"{"type":"group-signal","target":"bob","sdp":null,"candidate":{"candidate":"c","sdpMLineIndex":1}}"#,
    );
    assert_eq!(
        out,
        r#"{"type":"group-signal","name":"alice","target":"bob","candidate":{"candidate":"c","sdpMLineIndex":1}}"#
    );
    assert!(matches!(
        FromServer::from_json(&out),
        Ok(FromServer::GroupSignal {
            sdp: None,
            candidate: Some(_),
            ..
        })
    ));
}

#[test]
fn a_signal_with_both_neither_or_a_bad_payload_is_a_bad_message() {
    for text in [
        r#"{"type":"group-signal","target":"bob"}"#,
        r#"{"type":"group-signal","target":"bob","sdp":null,"candidate":null}"#,
        r#"{"type":"group-signal","target":"bob","sdp":{"type":"offer","sdp":"v"},"candidate":{"candidate":"c"}}"#,
        r#"{"type":"group-signal","target":"bob","sdp":null,"sdp":{"type":"offer","sdp":"v"}}"#,
        r#"{"type":"group-signal","target":"bob","candidate":{"candidate":"c"},"candidate":null}"#,
        r#"{"type":"group-signal","sdp":{"type":"offer","sdp":"v"}}"#,
        r#"{"type":"group-signal","target":["bob"],"sdp":{"type":"offer","sdp":"v"}}"#,
        r#"{"type":"group-signal","target":"bob","sdp":{"type":"offer","sdp":"\ud800"}}"#,
        r#"{"type":"group-signal","target":"bob","sdp":{"sdp":"v"}}"#,
        r#"{"type":"group-signal","target":"bob","candidate":{"candidate":5}}"#,
        r#"{"type":"group-signal","target":"bob","candidate":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}"#,
    ] {
        let refusal = decode(text).expect_err(text);
        assert_eq!(refusal.code, ErrorCode::BadMessage, "{text}");
        assert!(
            refusal.message.starts_with("bad `group-signal`"),
            "{text}: {refusal:?}"
        );
    }
}
