//! Frames for the reader's tests, host (`net/frame/tests.rs`) and browser
//! (`client/tests/frames_js.rs`): one of every variant, and odd frames that serde accepts or
//! refuses. Not used by the page (the build leaves it out).

use shared::{
    ErrorCode, FromServer, HangUpReason, IceCandidate, IceServer, Presence, SdpType,
    SessionDescription,
};

fn sdp(kind: SdpType) -> SessionDescription {
    SessionDescription {
        kind,
        sdp: "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n".into(),
    }
}

/// One of every variant (and of every leaf enum value that matters).
pub fn samples() -> Vec<FromServer> {
    let s = |t: &str| t.to_owned();
    vec![
        FromServer::Id { id: 7 },
        FromServer::RejectUsername {
            id: 3,
            name: s("alice2"),
        },
        FromServer::UserList { users: vec![] },
        FromServer::UserList {
            users: vec![s("alice"), s("bob \"b\" ☃")],
        },
        FromServer::UserListDelta {
            joined: vec![s("carol")],
            left: vec![],
        },
        FromServer::UserListDelta {
            joined: vec![],
            left: vec![s("bob")],
        },
        FromServer::Message {
            id: 1,
            name: s("bob"),
            text: s("hi\n<b>"),
            date: 1_700_000_000_000,
            target: None,
        },
        FromServer::Message {
            id: 1,
            name: s("bob"),
            text: s(""),
            date: 0,
            target: Some(s("alice")),
        },
        FromServer::VideoOffer {
            name: s("a"),
            target: s("b"),
            sdp: sdp(SdpType::Offer),
        },
        FromServer::VideoAnswer {
            name: s("b"),
            target: s("a"),
            sdp: sdp(SdpType::Answer),
        },
        FromServer::VideoAnswer {
            name: s("b"),
            target: s("a"),
            sdp: sdp(SdpType::Pranswer),
        },
        FromServer::VideoOffer {
            name: s("a"),
            target: s("b"),
            sdp: sdp(SdpType::Rollback),
        },
        FromServer::NewIceCandidate {
            name: s("a"),
            target: s("b"),
            candidate: IceCandidate {
                candidate: s("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"),
                sdp_mid: Some(s("0")),
                sdp_m_line_index: Some(0),
                username_fragment: Some(s("abcd")),
            },
        },
        FromServer::NewIceCandidate {
            name: s("a"),
            target: s("b"),
            candidate: IceCandidate {
                candidate: s(""),
                sdp_mid: None,
                sdp_m_line_index: None,
                username_fragment: None,
            },
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: None,
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::Ended),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::Cancelled),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::Declined),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::Busy),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::MediaError),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::ConnectionFailed),
        },
        FromServer::HangUp {
            name: s("a"),
            target: s("b"),
            reason: Some(HangUpReason::Left),
        },
        FromServer::IceServers {
            ice_servers: vec![],
            expires: None,
        },
        FromServer::IceServers {
            ice_servers: vec![
                IceServer {
                    urls: vec![s("stun:127.0.0.1:3478")],
                    username: None,
                    credential: None,
                },
                IceServer {
                    urls: vec![s("turn:127.0.0.1:3478?transport=udp"), s("turns:h:5349")],
                    username: Some(s("1700000000:alice")),
                    credential: Some(s("c2VjcmV0")),
                },
            ],
            expires: Some(1_700_000_600),
        },
        FromServer::Error {
            code: ErrorCode::BadMessage,
            message: s("no"),
        },
        FromServer::Error {
            code: ErrorCode::BadName,
            message: s("the name mixes letters"),
        },
        FromServer::Error {
            code: ErrorCode::RecentlyDeclined,
            message: s(""),
        },
        FromServer::Error {
            code: ErrorCode::ServerBusy,
            message: s("later"),
        },
        FromServer::Session {
            token: s("tok"),
            grace: 30,
        },
        FromServer::Resumed {
            name: s("alice"),
            token: s("t2"),
            grace: 30,
            ack: 12,
            partner: None,
        },
        FromServer::Resumed {
            name: s("alice"),
            token: s("t2"),
            grace: 30,
            ack: 0,
            partner: Some(s("bob")),
        },
        FromServer::Pong,
        FromServer::UserState {
            name: s("bob"),
            state: Presence::Reconnecting,
            fresh: false,
        },
        FromServer::UserState {
            name: s("bob"),
            state: Presence::Online,
            fresh: true,
        },
        FromServer::MediaState {
            name: s("bob"),
            target: s("alice"),
            audio: false,
            video: true,
            screen: true,
        },
        FromServer::GroupCall { members: vec![] },
        FromServer::GroupCall {
            members: vec![s("alice"), s("bob"), s("carol")],
        },
        FromServer::GroupSignal {
            name: s("bob"),
            target: s("alice"),
            sdp: Some(sdp(SdpType::Offer)),
            candidate: None,
        },
        FromServer::GroupSignal {
            name: s("bob"),
            target: s("alice"),
            sdp: None,
            candidate: Some(IceCandidate {
                candidate: s("candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host"),
                sdp_mid: Some(s("0")),
                sdp_m_line_index: Some(0),
                username_fragment: None,
            }),
        },
        FromServer::Error {
            code: ErrorCode::RoomFull,
            message: s("This room is full"),
        },
    ]
}

/// Frames read (or refused) the same way by `decode` and `FromServer::from_json`.
pub const ODD_FRAMES: &[&str] = &[
    // Accepted: unknown fields, `type` anywhere, nulls for options, absent defaults.
    r#"{"id":4,"type":"id","extra":[1,{"a":null}]}"#,
    r#"{"type":"message","id":1,"name":"b","text":"t","date":2,"target":null}"#,
    r#"{"type":"hang-up","name":"a","target":"b","reason":null}"#,
    r#"{"type":"userlist-delta"}"#,
    r#"{"type":"media-state","name":"a","target":"b","audio":true,"video":1,"screen":false}"#,
    r#"{"type":"media-state","name":"a","target":"b","audio":true,"video":false}"#,
    r#"{"type":"ice-servers","iceServers":[{"urls":[]}],"expires":null}"#,
    r#"{"type":"video-offer","name":"a","target":"b","sdp":{"type":"offer"}}"#,
    r#"{"type":"new-ice-candidate","name":"a","target":"b","candidate":{"candidate":"c","sdpMid":null,"sdpMLineIndex":null}}"#,
    r#"{"type":"user-state","name":"b","state":"online"}"#,
    r#"{"type":"pong","anything":1}"#,
    r#" {"type" : "id" , "id" : 18446744073709551615 } "#,
    // Refused: not JSON, no or odd `type`, missing or mistyped fields, unknown enum names.
    "",
    "not json",
    "[]",
    "null",
    r#"{"id":1}"#,
    r#"{"type":5,"id":1}"#,
    r#"{"type":"nope"}"#,
    r#"{"type":"id"}"#,
    r#"{"type":"id","id":-1}"#,
    r#"{"type":"id","id":1.5}"#,
    r#"{"type":"id","id":"1"}"#,
    r#"{"type":"id","id":null}"#,
    r#"{"type":"userlist"}"#,
    r#"{"type":"userlist","users":null}"#,
    r#"{"type":"userlist","users":["a",1]}"#,
    r#"{"type":"userlist-delta","joined":null}"#,
    r#"{"type":"message","id":1,"name":"b","text":"t"}"#,
    r#"{"type":"message","id":1,"name":"b","text":"t","date":2,"target":3}"#,
    r#"{"type":"video-offer","name":"a","target":"b","sdp":{"type":"bogus","sdp":""}}"#,
    r#"{"type":"video-offer","name":"a","target":"b","sdp":{"type":"offer","sdp":null}}"#,
    r#"{"type":"video-offer","name":"a","target":"b","sdp":"v=0"}"#,
    r#"{"type":"video-answer","name":"a","target":"b"}"#,
    r#"{"type":"new-ice-candidate","name":"a","target":"b","candidate":{"sdpMid":"0"}}"#,
    r#"{"type":"new-ice-candidate","name":"a","target":"b","candidate":{"candidate":"c","sdpMLineIndex":70000}}"#,
    r#"{"type":"hang-up","name":"a","target":"b","reason":"bored"}"#,
    r#"{"type":"hang-up","name":"a","reason":"ended"}"#,
    r#"{"type":"ice-servers","iceServers":[{"urls":"stun:x"}]}"#,
    r#"{"type":"ice-servers"}"#,
    r#"{"type":"error","code":"no-such-code","message":"m"}"#,
    r#"{"type":"error","code":"bad-name"}"#,
    r#"{"type":"session","token":"t"}"#,
    r#"{"type":"resumed","name":"a","token":"t","grace":1}"#,
    r#"{"type":"user-state","name":"b","state":"away"}"#,
    r#"{"type":"user-state","name":"b","state":"online","fresh":null}"#,
    r#"{"type":"user-state","name":"b","state":"online","fresh":"yes"}"#,
];
