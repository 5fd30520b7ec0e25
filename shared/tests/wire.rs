//! The protocol's specification by example: the exact JSON of every message, in both
//! directions (serialising ours, parsing theirs), MDN's own shapes included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shared::{
    ErrorCode, Feature, FromServer, HangUpReason, IceCandidate, IceServer, Presence, SdpType,
    SessionDescription, ToServer,
};

/// `message` serialises to exactly `json`, and `json` parses back to `message`.
fn to_server(message: ToServer, json: Value) {
    assert_eq!(
        serde_json::from_str::<Value>(&message.to_json()).unwrap(),
        json
    );
    assert_eq!(ToServer::from_json(&json.to_string()).unwrap(), message);
}

fn from_server(message: FromServer, json: Value) {
    assert_eq!(
        serde_json::from_str::<Value>(&message.to_json()).unwrap(),
        json
    );
    assert_eq!(FromServer::from_json(&json.to_string()).unwrap(), message);
}

fn offer() -> SessionDescription {
    SessionDescription {
        kind: SdpType::Offer,
        sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
    }
}

fn candidate() -> IceCandidate {
    IceCandidate {
        candidate: "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: Some("abcd".into()),
    }
}

fn candidate_json() -> Value {
    json!({
        "candidate": "candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd"
    })
}

// ---- client → server ----

#[test]
fn username_as_mdn_sends_it() {
    to_server(
        ToServer::Username {
            id: Some(1_700_000_000_123),
            name: "alice".into(),
            date: Some(1_700_000_000_456),
            features: vec![],
            passcode: None,
            capacity: None,
        },
        json!({"type": "username", "id": 1_700_000_000_123u64, "name": "alice", "date": 1_700_000_000_456u64}),
    );
}

#[test]
fn username_with_features_and_unknown_features_ignored() {
    to_server(
        ToServer::Username {
            id: Some(7),
            name: "bob".into(),
            date: None,
            features: vec![
                Feature::UserlistDelta,
                Feature::PlainText,
                Feature::IceServers,
            ],
            passcode: None,
            capacity: None,
        },
        json!({"type": "username", "id": 7, "name": "bob", "features": ["userlist-delta", "plain-text", "ice-servers"]}),
    );
    let parsed =
        ToServer::from_json(r#"{"type":"username","name":"x","features":["teleport"]}"#).unwrap();
    assert_eq!(
        parsed,
        ToServer::Username {
            id: None,
            name: "x".into(),
            date: None,
            features: vec![Feature::Unknown],
            passcode: None,
            capacity: None,
        }
    );
}

#[test]
fn message_as_mdn_sends_it() {
    to_server(
        ToServer::Message {
            id: Some(3),
            text: "hello".into(),
            date: Some(99),
            target: None,
        },
        json!({"type": "message", "id": 3, "text": "hello", "date": 99}),
    );
}

#[test]
fn private_message() {
    to_server(
        ToServer::Message {
            id: Some(3),
            text: "psst".into(),
            date: Some(99),
            target: Some("bob".into()),
        },
        json!({"type": "message", "id": 3, "text": "psst", "date": 99, "target": "bob"}),
    );
}

#[test]
fn video_offer_as_mdn_sends_it() {
    to_server(
        ToServer::VideoOffer {
            name: Some("alice".into()),
            target: "bob".into(),
            sdp: offer(),
        },
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}),
    );
}

#[test]
fn video_answer_as_mdn_sends_it() {
    let answer = SessionDescription {
        kind: SdpType::Answer,
        sdp: "v=0\r\n".into(),
    };
    to_server(
        ToServer::VideoAnswer {
            name: Some("bob".into()),
            target: "alice".into(),
            sdp: answer,
        },
        json!({"type": "video-answer", "name": "bob", "target": "alice", "sdp": {"type": "answer", "sdp": "v=0\r\n"}}),
    );
}

#[test]
fn new_ice_candidate_as_mdn_sends_it_without_name() {
    to_server(
        ToServer::NewIceCandidate {
            name: None,
            target: "bob".into(),
            candidate: candidate(),
        },
        json!({"type": "new-ice-candidate", "target": "bob", "candidate": candidate_json()}),
    );
    // The end-of-candidates form browsers may produce: empty candidate, null mid/index.
    let parsed = ToServer::from_json(
        r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"","sdpMid":null,"sdpMLineIndex":null}}"#,
    )
    .unwrap();
    let ToServer::NewIceCandidate { candidate, .. } = parsed else {
        panic!()
    };
    assert_eq!(candidate.sdp_mid, None);
    assert_eq!(candidate.username_fragment, None);
}

#[test]
fn hang_up_as_mdn_sends_it_with_null_target() {
    to_server(
        ToServer::HangUp {
            name: Some("alice".into()),
            target: None,
            reason: None,
        },
        json!({"type": "hang-up", "name": "alice", "target": null}),
    );
}

#[test]
fn hang_up_with_target_and_reason() {
    to_server(
        ToServer::HangUp {
            name: None,
            target: Some("alice".into()),
            reason: Some(HangUpReason::Busy),
        },
        json!({"type": "hang-up", "target": "alice", "reason": "busy"}),
    );
    for (reason, text) in [
        (HangUpReason::Ended, "ended"),
        (HangUpReason::Cancelled, "cancelled"),
        (HangUpReason::Declined, "declined"),
        (HangUpReason::Busy, "busy"),
        (HangUpReason::MediaError, "media-error"),
        (HangUpReason::ConnectionFailed, "connection-failed"),
        (HangUpReason::Left, "left"),
    ] {
        assert_eq!(serde_json::to_value(reason).unwrap(), json!(text));
    }
}

#[test]
fn get_ice_servers() {
    to_server(ToServer::GetIceServers, json!({"type": "get-ice-servers"}));
}

#[test]
fn missing_or_mistyped_fields_are_errors_and_extra_fields_are_ignored() {
    assert!(ToServer::from_json(r#"{"type":"video-offer","target":"b"}"#).is_err());
    assert!(ToServer::from_json(r#"{"type":"message","text":5}"#).is_err());
    assert!(ToServer::from_json(r#"{"type":"username"}"#).is_err());
    assert!(ToServer::from_json(r#"{"type":"userlist","users":[]}"#).is_err());
    assert!(ToServer::from_json(r#"{"type":"message","text":"x","color":"red"}"#).is_ok());
}

// ---- server → client ----

#[test]
fn id() {
    from_server(
        FromServer::Id {
            id: 1_700_000_000_123,
        },
        json!({"type": "id", "id": 1_700_000_000_123u64}),
    );
}

#[test]
fn rejectusername() {
    from_server(
        FromServer::RejectUsername {
            id: 5,
            name: "alice2".into(),
        },
        json!({"type": "rejectusername", "id": 5, "name": "alice2"}),
    );
}

#[test]
fn userlist() {
    from_server(
        FromServer::UserList {
            users: vec!["alice".into(), "bob".into()],
        },
        json!({"type": "userlist", "users": ["alice", "bob"]}),
    );
    from_server(
        FromServer::UserList { users: vec![] },
        json!({"type": "userlist", "users": []}),
    );
}

#[test]
fn userlist_delta() {
    from_server(
        FromServer::UserListDelta {
            joined: vec!["carol".into()],
            left: vec!["bob".into()],
        },
        json!({"type": "userlist-delta", "joined": ["carol"], "left": ["bob"]}),
    );
    // Empty sides are left out.
    from_server(
        FromServer::UserListDelta {
            joined: vec!["carol".into()],
            left: vec![],
        },
        json!({"type": "userlist-delta", "joined": ["carol"]}),
    );
}

#[test]
fn message_to_everyone_and_private() {
    from_server(
        FromServer::Message {
            id: 3,
            name: "alice".into(),
            text: "hi".into(),
            date: 99,
            target: None,
        },
        json!({"type": "message", "id": 3, "name": "alice", "text": "hi", "date": 99}),
    );
    from_server(
        FromServer::Message {
            id: 3,
            name: "alice".into(),
            text: "hi".into(),
            date: 99,
            target: Some("bob".into()),
        },
        json!({"type": "message", "id": 3, "name": "alice", "text": "hi", "date": 99, "target": "bob"}),
    );
}

#[test]
fn relayed_video_offer_and_answer() {
    from_server(
        FromServer::VideoOffer {
            name: "alice".into(),
            target: "bob".into(),
            sdp: offer(),
        },
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}),
    );
    let answer = SessionDescription {
        kind: SdpType::Answer,
        sdp: "v=0\r\n".into(),
    };
    from_server(
        FromServer::VideoAnswer {
            name: "bob".into(),
            target: "alice".into(),
            sdp: answer,
        },
        json!({"type": "video-answer", "name": "bob", "target": "alice", "sdp": {"type": "answer", "sdp": "v=0\r\n"}}),
    );
}

#[test]
fn relayed_new_ice_candidate_carries_the_senders_name() {
    from_server(
        FromServer::NewIceCandidate {
            name: "bob".into(),
            target: "alice".into(),
            candidate: candidate(),
        },
        json!({"type": "new-ice-candidate", "name": "bob", "target": "alice", "candidate": candidate_json()}),
    );
}

#[test]
fn relayed_hang_up_with_and_without_reason() {
    from_server(
        FromServer::HangUp {
            name: "bob".into(),
            target: "alice".into(),
            reason: None,
        },
        json!({"type": "hang-up", "name": "bob", "target": "alice"}),
    );
    from_server(
        FromServer::HangUp {
            name: "bob".into(),
            target: "alice".into(),
            reason: Some(HangUpReason::Left),
        },
        json!({"type": "hang-up", "name": "bob", "target": "alice", "reason": "left"}),
    );
}

#[test]
fn ice_servers_empty_and_with_turn() {
    from_server(
        FromServer::IceServers {
            ice_servers: vec![],
            expires: None,
        },
        json!({"type": "ice-servers", "iceServers": []}),
    );
    from_server(
        FromServer::IceServers {
            ice_servers: vec![
                IceServer {
                    urls: vec!["stun:stun.example.org:3478".into()],
                    username: None,
                    credential: None,
                },
                IceServer {
                    urls: vec!["turn:turn.example.org:3478?transport=udp".into()],
                    username: Some("1700003600:42".into()),
                    credential: Some("c2VjcmV0".into()),
                },
            ],
            expires: Some(1_700_003_600),
        },
        json!({"type": "ice-servers", "iceServers": [
            {"urls": ["stun:stun.example.org:3478"]},
            {"urls": ["turn:turn.example.org:3478?transport=udp"], "username": "1700003600:42", "credential": "c2VjcmV0"}
        ], "expires": 1_700_003_600u64}),
    );
}

#[test]
fn error_frame_and_every_code() {
    from_server(
        FromServer::Error {
            code: ErrorCode::UnknownTarget,
            message: "the target is not online".into(),
        },
        json!({"type": "error", "code": "unknown-target", "message": "the target is not online"}),
    );
    for (code, text) in [
        (ErrorCode::BadMessage, "bad-message"),
        (ErrorCode::UnknownType, "unknown-type"),
        (ErrorCode::ServerOnlyType, "server-only-type"),
        (ErrorCode::BinaryFrame, "binary-frame"),
        (ErrorCode::TooLarge, "too-large"),
        (ErrorCode::NotLoggedIn, "not-logged-in"),
        (ErrorCode::BadName, "bad-name"),
        (ErrorCode::BadId, "bad-id"),
        (ErrorCode::TextTooLong, "text-too-long"),
        (ErrorCode::UnknownTarget, "unknown-target"),
        (ErrorCode::SelfTarget, "self-target"),
        (ErrorCode::RateLimited, "rate-limited"),
        (ErrorCode::LoginTimeout, "login-timeout"),
        (ErrorCode::NotInCall, "not-in-call"),
        (ErrorCode::RecentlyDeclined, "recently-declined"),
        (ErrorCode::ResumeFailed, "resume-failed"),
        (ErrorCode::ChatRateLimited, "chat-rate-limited"),
        (ErrorCode::ServerBusy, "server-busy"),
    ] {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(text));
    }
}

// ---- resume and heartbeat (extensions) ----

#[test]
fn resume_and_heartbeat_features() {
    for (feature, text) in [
        (Feature::Resume, "resume"),
        (Feature::Heartbeat, "heartbeat"),
    ] {
        assert_eq!(serde_json::to_value(feature).unwrap(), json!(text));
    }
}

#[test]
fn resume_and_ping() {
    to_server(
        ToServer::Resume {
            token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
            ack: 12,
            fresh: true,
            features: vec![Feature::UserlistDelta, Feature::Resume],
        },
        json!({"type": "resume", "token": "17.q2v8TfJc0w9yZl1mXb4sAA", "ack": 12, "fresh": true,
               "features": ["userlist-delta", "resume"]}),
    );
    assert_eq!(
        ToServer::from_json(r#"{"type":"resume","token":"t"}"#).unwrap(),
        ToServer::Resume {
            token: "t".into(),
            ack: 0,
            fresh: false,
            features: vec![]
        }
    );
    to_server(ToServer::Leaving, json!({"type": "leaving"}));
    to_server(
        ToServer::Ping { ack: Some(40) },
        json!({"type": "ping", "ack": 40}),
    );
    to_server(ToServer::Ping { ack: None }, json!({"type": "ping"}));
}

#[test]
fn session_resumed_pong_and_user_state() {
    from_server(
        FromServer::Session {
            token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
            grace: 30,
        },
        json!({"type": "session", "token": "17.q2v8TfJc0w9yZl1mXb4sAA", "grace": 30}),
    );
    from_server(
        FromServer::Resumed {
            name: "alice".into(),
            token: "17.Zm9vYmFyYmF6cXV4cXV1eA".into(),
            grace: 30,
            ack: 12,
            partner: Some("bob".into()),
        },
        json!({"type": "resumed", "name": "alice", "token": "17.Zm9vYmFyYmF6cXV4cXV1eA",
               "grace": 30, "ack": 12, "partner": "bob"}),
    );
    from_server(
        FromServer::Resumed {
            name: "alice".into(),
            token: "t".into(),
            grace: 30,
            ack: 0,
            partner: None,
        },
        json!({"type": "resumed", "name": "alice", "token": "t", "grace": 30, "ack": 0}),
    );
    from_server(FromServer::Pong, json!({"type": "pong"}));
    from_server(
        FromServer::UserState {
            name: "bob".into(),
            state: Presence::Reconnecting,
            fresh: false,
        },
        json!({"type": "user-state", "name": "bob", "state": "reconnecting"}),
    );
    from_server(
        FromServer::UserState {
            name: "bob".into(),
            state: Presence::Online,
            fresh: true,
        },
        json!({"type": "user-state", "name": "bob", "state": "online", "fresh": true}),
    );
}

// ---- rooms and group calls (issue 13) ----

#[test]
fn username_creating_a_room_with_a_passcode_and_capacity() {
    to_server(
        ToServer::Username {
            id: Some(4),
            name: "ann".into(),
            date: None,
            features: vec![Feature::GroupCall],
            passcode: Some("open sesame".into()),
            capacity: Some(4),
        },
        json!({"type": "username", "id": 4, "name": "ann", "features": ["group-call"],
               "passcode": "open sesame", "capacity": 4}),
    );
}

#[test]
fn group_call_frames() {
    to_server(ToServer::GroupJoin, json!({"type": "group-join"}));
    to_server(ToServer::GroupLeave, json!({"type": "group-leave"}));
    to_server(
        ToServer::GroupSignal {
            name: None,
            target: "bob".into(),
            sdp: Some(offer()),
            candidate: None,
        },
        json!({"type": "group-signal", "target": "bob",
               "sdp": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}),
    );
    from_server(
        FromServer::GroupSignal {
            name: "ann".into(),
            target: "bob".into(),
            sdp: None,
            candidate: Some(candidate()),
        },
        json!({"type": "group-signal", "name": "ann", "target": "bob",
               "candidate": candidate_json()}),
    );
    from_server(
        FromServer::GroupCall {
            members: vec!["ann".into(), "bob".into()],
        },
        json!({"type": "group-call", "members": ["ann", "bob"]}),
    );
    for (code, wire) in [
        (ErrorCode::BadRoom, "bad-room"),
        (ErrorCode::RoomFull, "room-full"),
        (ErrorCode::PasscodeRequired, "passcode-required"),
        (ErrorCode::BadPasscode, "bad-passcode"),
        (ErrorCode::CallFull, "call-full"),
        (ErrorCode::InCall, "in-call"),
    ] {
        from_server(
            FromServer::Error {
                code,
                message: "m".into(),
            },
            json!({"type": "error", "code": wire, "message": "m"}),
        );
    }
}
