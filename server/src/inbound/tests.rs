//! Unit tests of decoding: every client frame read once, agreeing with `shared::ToServer` on
//! what is valid, and every kind of bad frame named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use shared::{FromServer, ToServer};

use super::*;

fn code(text: &str) -> ErrorCode {
    decode(text).expect_err(text).code
}

#[test]
fn classifies_every_kind_of_bad_frame() {
    assert_eq!(code("{not json"), ErrorCode::BadMessage);
    assert_eq!(code(r#"{"type":"hang-up"} x"#), ErrorCode::BadMessage);
    assert_eq!(code(r#"{"type":"hang-up""#), ErrorCode::BadMessage);
    assert_eq!(decode("{not json").unwrap_err().message, "not valid JSON");
    assert_eq!(code("[1,2]"), ErrorCode::BadMessage);
    assert_eq!(code("\"just a string\""), ErrorCode::BadMessage);
    assert_eq!(code(r#"{"name":"x"}"#), ErrorCode::BadMessage);
    assert_eq!(code(r#"{"type":5}"#), ErrorCode::BadMessage);
    assert_eq!(
        decode(r#"{"type":5}"#).unwrap_err().message,
        "no string `type` field"
    );
    assert_eq!(
        code(r#"{"type":"message","type":"message","text":""}"#),
        ErrorCode::BadMessage
    );
    assert_eq!(
        code(r#"{"type":"userlist","users":[]}"#),
        ErrorCode::ServerOnlyType
    );
    assert_eq!(code(r#"{"type":"id","id":1}"#), ErrorCode::ServerOnlyType);
    assert_eq!(
        decode(r#"{"type":"error"}"#).unwrap_err().message,
        "only the server sends `error`"
    );
    assert_eq!(code(r#"{"type":"teleport"}"#), ErrorCode::UnknownType);
    assert_eq!(
        code(r#"{"type":"video-offer","target":"b"}"#),
        ErrorCode::BadMessage
    );
    assert_eq!(
        code(r#"{"type":"message","text":7}"#),
        ErrorCode::BadMessage
    );
    assert_eq!(
        decode(r#"{"type":"message","text":7}"#)
            .unwrap_err()
            .message,
        "bad `message`: `text`: invalid type: integer `7`, expected a string"
    );
    assert_eq!(
        decode(r#"{"type":"message"}"#).unwrap_err().message,
        "bad `message`: missing `text`"
    );
    assert!(decode(r#"{"type":"username","name":"a","extra":1}"#).is_ok());
}

/// Relay frames that are refused, each with `bad-message`.
const BAD_RELAYS: &[&str] = &[
    r#"{"type":"video-offer","target":"b"}"#,
    r#"{"type":"video-offer","target":null,"sdp":{"type":"offer","sdp":""}}"#,
    r#"{"type":"video-offer","sdp":{"type":"offer","sdp":""}}"#,
    r#"{"type":"video-offer","target":5,"sdp":{"type":"offer","sdp":""}}"#,
    r#"{"type":"video-offer","target":"b","sdp":"x"}"#,
    r#"{"type":"video-offer","target":"b","sdp":null}"#,
    r#"{"type":"video-offer","target":"b","sdp":[{"type":"offer"}]}"#,
    r#"{"type":"video-offer","target":"b","sdp":{"type":"bogus","sdp":""}}"#,
    r#"{"type":"video-offer","target":"b","sdp":{"sdp":"x"}}"#,
    r#"{"type":"video-offer","target":"b","sdp":{"type":"offer","type":"offer"}}"#,
    r#"{"type":"video-offer","target":"b","target":"c","sdp":{"type":"offer"}}"#,
    r#"{"type":"video-offer","target":"b","sdp":{"type":"offer"},"sdp":{"type":"offer"}}"#,
    r#"{"type":"video-answer","target":"b","sdp":{"type":"answer","sdp":5}}"#,
    r#"{"type":"new-ice-candidate","target":"b"}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":null}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":"c"}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"sdpMid":"0"}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":5}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","candidate":"d"}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMid":0}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":"x"}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":-1}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":1.0}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","sdpMLineIndex":65536}}"#,
    r#"{"type":"new-ice-candidate","target":"b","candidate":{"candidate":"c","usernameFragment":{}}}"#,
    r#"{"type":"hang-up","reason":"gone"}"#,
    r#"{"type":"hang-up","target":5}"#,
];

#[test]
fn bad_relays_are_refused_as_bad_messages() {
    for bad in BAD_RELAYS {
        assert_eq!(code(bad), ErrorCode::BadMessage, "{bad}");
    }
}

/// Frames `shared::ToServer` accepts.
fn good_frames() -> Vec<String> {
    let sdp = "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\na=\"q\" \\ / \u{e9} \u{1}\r\n";
    let candidate = json!({"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null});
    let mut frames: Vec<String> = [
        json!({"type": "video-offer", "name": "a", "target": "b", "sdp": {"type": "offer", "sdp": sdp}}),
        json!({"type": "video-answer", "target": "b", "sdp": {"sdp": sdp, "type": "answer", "x": [1]}}),
        json!({"type": "video-offer", "target": "b\"\u{1}", "sdp": {"type": "pranswer", "sdp": ""}}),
        json!({"type": "new-ice-candidate", "target": "b", "candidate": candidate}),
        json!({"type": "new-ice-candidate", "target": "b", "candidate": {"candidate": "c\"\n", "sdpMLineIndex": 65535, "sdpMid": null, "x": {"y": [1, "z"]}}}),
        json!({"type": "hang-up", "name": "a", "target": null}),
        json!({"type": "hang-up"}),
        json!({"type": "hang-up", "target": "b", "reason": "media-error", "id": 7, "date": 1.5e3}),
        // Members a type does not use are ignored, whatever their value.
        json!({"type": "hang-up", "target": "b", "sdp": 5, "candidate": "x", "text": null}),
        json!({"type": "video-offer", "target": "b", "sdp": {"type": "offer"}, "reason": "bogus", "id": "x"}),
        json!({"type": "message", "text": "hi", "sdp": null, "reason": null, "candidate": 1}),
        json!({"type": "message", "id": 3, "text": "<b>", "date": 5, "target": "bob"}),
        json!({"type": "message", "text": "", "target": null, "name": 5}),
        json!({"type": "username", "name": " alice ", "features": ["userlist-delta", "future"], "date": 1}),
        json!({"type": "username", "id": 2, "name": "a\u{e9}", "target": 5}),
        json!({"type": "username", "name": "bob", "passcode": "open sesame", "capacity": 4}),
        json!({"type": "get-ice-servers", "x": {"y": 1}}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect();
    frames.extend(
        [
            " {\"type\" : \"hang-up\" ,\n \"target\":\"b\"}\r\n",
            r#"{"t\u0079pe":"hang-up","target":"b\u0041"}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"offer","sdp":"\u0041\ud83d\ude00"}}"#,
            r#"{"type":"video-offer","target":"b","sdp":{"type":"offer","sdp":null}}"#,
        ]
        .map(str::to_owned),
    );
    frames
}

/// The frame a relay becomes, from `shared`'s types (what the relay path must produce).
fn expected_relay(message: ToServer, name: &str) -> FromServer {
    let name = name.to_owned();
    match message {
        ToServer::VideoOffer { target, sdp, .. } => FromServer::VideoOffer { name, target, sdp },
        ToServer::VideoAnswer { target, sdp, .. } => FromServer::VideoAnswer { name, target, sdp },
        ToServer::NewIceCandidate {
            target, candidate, ..
        } => FromServer::NewIceCandidate {
            name,
            target,
            candidate,
        },
        ToServer::HangUp { target, reason, .. } => FromServer::HangUp {
            name,
            target: target.unwrap_or_else(|| "partner".into()),
            reason,
        },
        other => panic!("not a relay: {other:?}"),
    }
}

#[test]
fn decoding_agrees_with_the_shared_types() {
    for text in good_frames() {
        // `null` SDP text is taken (as a missing one); shared's `String` would refuse it.
        let reference = text.replace(r#","sdp":null}"#, "}");
        let message = ToServer::from_json(&reference)
            .unwrap_or_else(|e| panic!("shared refuses {text}: {e}"));
        let decoded = decode(&text).unwrap_or_else(|e| panic!("refused {text}: {e:?}"));
        match (decoded, message) {
            (
                Inbound::Login {
                    id,
                    name,
                    features,
                    passcode,
                    capacity,
                },
                ToServer::Username {
                    id: id2,
                    name: name2,
                    features: features2,
                    passcode: passcode2,
                    capacity: capacity2,
                    ..
                },
            ) => assert_eq!(
                (id, name, features, passcode, capacity),
                (id2, name2, features2, passcode2, capacity2)
            ),
            (
                Inbound::Chat {
                    id,
                    text,
                    date,
                    target,
                },
                ToServer::Message {
                    id: id2,
                    text: text2,
                    date: date2,
                    target: target2,
                },
            ) => assert_eq!((id, text, date, target), (id2, text2, date2, target2)),
            (Inbound::GetIceServers, ToServer::GetIceServers) => {}
            (Inbound::Relay(relay), message) => {
                let target = relay.target.clone().unwrap_or("partner".into());
                // A candidate is forwarded as received (members in the sender's order), and a
                // missing SDP text stays missing (serde would write `""`).
                let verbatim =
                    relay.candidate.is_none() && relay.sdp.is_none_or(|sdp| sdp.text.is_some());
                let out = relay.to_json("alice", &target);
                let expected = expected_relay(message, "alice");
                assert_eq!(FromServer::from_json(&out).unwrap(), expected, "{text}");
                // Otherwise byte for byte what serde writes (the SDP text is copied as received,
                // which for these frames is how serde escapes it too).
                if !text.contains("\\u") && verbatim {
                    assert_eq!(out, expected.to_json(), "{text}");
                }
            }
            (decoded, message) => panic!("{text}: {decoded:?} vs {message:?}"),
        }
    }
}

#[test]
fn relays_borrow_their_payload_from_the_frame() {
    let text = r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#;
    let Inbound::Relay(relay) = decode(text).unwrap() else {
        panic!("not a relay");
    };
    assert!(matches!(relay.target, Some(Cow::Borrowed("bob"))));
    let sdp = relay.sdp.unwrap().text.unwrap();
    assert_eq!(sdp, r#""v=0\r\n""#);
    assert!(text.as_ptr() <= sdp.as_ptr() && sdp.as_ptr() < text[text.len()..].as_ptr());
}

#[test]
fn refuses_exactly_what_the_shared_types_refuse_member_by_member() {
    let values = [
        None,
        Some(json!(null)),
        Some(json!(5)),
        Some(json!(-1)),
        Some(json!(1.5)),
        Some(json!("x")),
        Some(json!("offer")),
        Some(json!("busy")),
        Some(json!(true)),
        Some(json!([])),
        Some(json!(["userlist-delta"])),
        Some(json!({})),
        Some(json!({"type": "offer"})),
        Some(json!({"type": "answer", "sdp": "v=0"})),
        Some(json!({"candidate": "c", "sdpMLineIndex": 1})),
    ];
    let keys = [
        "type",
        "id",
        "name",
        "date",
        "features",
        "text",
        "target",
        "reason",
        "candidate",
        "sdp",
    ];
    let mut checked = 0;
    for frame in good_frames() {
        let Ok(serde_json::Value::Object(members)) = serde_json::from_str(&frame) else {
            continue;
        };
        // A `null` SDP text is taken as a missing one (as the relay path always did).
        if members
            .get("sdp")
            .and_then(|sdp| sdp.get("sdp"))
            .is_some_and(serde_json::Value::is_null)
        {
            continue;
        }
        let kind = members["type"].as_str().unwrap_or_default().to_owned();
        for key in keys {
            // Relays ignore `name` (the server writes the sender's own), as they always did;
            // `shared::ToServer` checks that it is a string.
            if key == "name" && RelayKind::from_type(&kind).is_some() {
                continue;
            }
            for value in &values {
                let mut members = members.clone();
                match value {
                    Some(value) => members.insert(key.to_owned(), value.clone()),
                    None => members.remove(key),
                };
                let text = serde_json::Value::Object(members).to_string();
                let ours = decode(&text);
                let shared = ToServer::from_json(&text);
                assert_eq!(
                    ours.is_ok(),
                    shared.is_ok(),
                    "{text}: {ours:?} vs {shared:?}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn resume_ping_and_leaving_decode_as_shared_describes_them() {
    let frames = [
        ToServer::Resume {
            token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
            ack: 12,
            fresh: true,
            features: vec![Feature::Resume, Feature::Heartbeat],
        },
        ToServer::Ping { ack: Some(40) },
        ToServer::Ping { ack: None },
        ToServer::Leaving,
    ];
    let texts: Vec<String> = frames.iter().map(ToServer::to_json).collect();
    let decoded: Vec<Inbound<'_>> = texts.iter().map(|text| decode(text).unwrap()).collect();
    assert_eq!(
        decoded,
        [
            Inbound::Resume {
                token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
                ack: 12,
                fresh: true,
                features: vec![Feature::Resume, Feature::Heartbeat],
            },
            Inbound::Ping { ack: Some(40) },
            Inbound::Ping { ack: None },
            Inbound::Leaving,
        ]
    );
    // `ack` and `fresh` may be left out; `token` may not.
    assert!(matches!(
        decode(r#"{"type":"resume","token":"t"}"#).unwrap(),
        Inbound::Resume {
            ack: 0,
            fresh: false,
            ..
        }
    ));
    assert_eq!(code(r#"{"type":"resume","ack":1}"#), ErrorCode::BadMessage);
    assert_eq!(code(r#"{"type":"ping","ack":"x"}"#), ErrorCode::BadMessage);
    for only_server in ["session", "resumed", "pong", "user-state"] {
        let text = json!({"type": only_server}).to_string();
        assert_eq!(code(&text), ErrorCode::ServerOnlyType);
    }
}

#[test]
fn forwarded_candidates_are_bounded_in_nesting_depth() {
    assert_eq!(nesting_depth(r#"{"a":"[[[{{{\"]]"}"#), 1);
    assert_eq!(nesting_depth(r#"[{"a":[1,{}]},[]]"#), 4);
    let nested = |levels: usize| {
        let deep = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        format!(
            r#"{{"type":"new-ice-candidate","target":"b","candidate":{{"candidate":"c","x":{deep}}}}}"#
        )
    };
    // The candidate's own object is level 1.
    assert!(decode(&nested(FORWARDED_DEPTH_MAX - 1)).is_ok());
    let refusal = decode(&nested(FORWARDED_DEPTH_MAX)).unwrap_err();
    assert_eq!(refusal.code, ErrorCode::BadMessage);
    assert!(refusal.message.contains("nested deeper"), "{refusal:?}");
    assert_eq!(code(&nested(100)), ErrorCode::BadMessage);
    // A description's other members are never forwarded (only `type` and `sdp` are written).
    let deep = "[".repeat(100) + &"]".repeat(100);
    let offer = format!(
        r#"{{"type":"video-offer","target":"b","sdp":{{"type":"offer","sdp":"v=0","x":{deep}}}}}"#
    );
    let Ok(Inbound::Relay(relay)) = decode(&offer) else {
        panic!("a valid offer")
    };
    assert!(!relay.to_json("a", "b").contains('['));
}
