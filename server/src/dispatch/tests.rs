//! Unit tests of dispatch: frames applied to a registry without any socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use shared::HangUpReason;

use super::*;
use crate::inbound::decode;

/// Decodes and dispatches `frame` (a JSON value) from `conn`.
fn send(
    conn: &mut ConnState,
    registry: &Registry,
    frame: serde_json::Value,
) -> Result<Replies, Refusal> {
    let text = frame.to_string();
    dispatch(conn, registry, decode(&text)?)
}

fn code(result: Result<Replies, Refusal>) -> ErrorCode {
    result.expect_err("refused").code
}

/// A logged-in connection.
fn login(registry: &Registry, id: ConnId, name: &str) -> ConnState {
    let mut conn = ConnState::new(id);
    let frame = json!({"type": "username", "name": name, "features": ["plain-text"]});
    send(&mut conn, registry, frame).unwrap();
    conn
}

fn frames(conn: &ConnState) -> Vec<FromServer> {
    conn.outbox.as_ref().expect("logged in").drain_frames()
}

#[test]
fn only_username_before_login_then_renames_and_ice_servers_once() {
    let registry = Registry::new(8);
    let mut conn = ConnState::new(1);
    for frame in [
        json!({"type": "message", "text": "hi"}),
        json!({"type": "hang-up", "target": "x"}),
        json!({"type": "get-ice-servers"}),
    ] {
        assert_eq!(
            code(send(&mut conn, &registry, frame)),
            ErrorCode::NotLoggedIn
        );
    }
    assert_eq!(
        code(send(
            &mut conn,
            &registry,
            json!({"type": "username", "id": 2, "name": "a"})
        )),
        ErrorCode::BadId
    );
    assert_eq!(
        code(send(
            &mut conn,
            &registry,
            json!({"type": "username", "name": "  "})
        )),
        ErrorCode::BadName
    );
    let _other = login(&registry, 2, "alice");
    let login = json!({"type": "username", "id": 1, "name": "alice", "features": ["ice-servers"]});
    let replies = send(&mut conn, &registry, login.clone()).unwrap();
    assert_eq!(
        replies,
        Replies {
            renamed: Some(FromServer::RejectUsername {
                id: 1,
                name: "alice2".into()
            }),
            ice_servers: true,
        }
    );
    assert_eq!(conn.name.as_ref().unwrap().as_str(), "alice2");
    assert!(conn.outbox.is_some());
    // A second login (a rename) gets no second `ice-servers`; asking does.
    let replies = send(&mut conn, &registry, login).unwrap();
    assert!(!replies.ice_servers);
    let replies = send(&mut conn, &registry, json!({"type": "get-ice-servers"})).unwrap();
    assert_eq!(
        replies,
        Replies {
            renamed: None,
            ice_servers: true
        }
    );
}

#[test]
fn relays_reach_their_target_with_the_senders_name() {
    let registry = Registry::new(8);
    let mut alice = login(&registry, 1, "alice");
    let mut bob = login(&registry, 2, "bob");
    let sdp = json!({"type": "offer", "sdp": "v=0\r\n"});
    let offer = json!({"type": "video-offer", "name": "mallory", "target": "bob", "sdp": sdp});
    assert_eq!(send(&mut alice, &registry, offer), Ok(Replies::default()));
    assert_eq!(
        frames(&bob),
        vec![FromServer::VideoOffer {
            name: "alice".into(),
            target: "bob".into(),
            sdp: serde_json::from_value(sdp).unwrap(),
        }]
    );
    // The offer paired them: bob's hang-up without target reaches alice.
    let hang_up = json!({"type": "hang-up", "target": null, "reason": "declined"});
    send(&mut bob, &registry, hang_up.clone()).unwrap();
    assert_eq!(
        frames(&alice),
        vec![FromServer::HangUp {
            name: "bob".into(),
            target: "alice".into(),
            reason: Some(HangUpReason::Declined),
        }]
    );
    assert_eq!(
        code(send(&mut bob, &registry, hang_up)),
        ErrorCode::NotInCall
    );
    let to = |target: &str| json!({"type": "hang-up", "target": target});
    assert_eq!(
        code(send(&mut alice, &registry, to("carol"))),
        ErrorCode::UnknownTarget
    );
    assert_eq!(
        code(send(&mut alice, &registry, to("alice"))),
        ErrorCode::SelfTarget
    );
}

#[test]
fn chat_is_checked_then_delivered_to_all_or_to_the_target() {
    let registry = Registry::new(8);
    let mut alice = login(&registry, 1, "alice");
    let bob = login(&registry, 2, "bob");
    let long = "x".repeat(shared::limits::MAX_CHAT_CHARS + 1);
    let chat = |text: &str| json!({"type": "message", "text": text, "date": 9});
    assert_eq!(
        code(send(&mut alice, &registry, chat(&long))),
        ErrorCode::TextTooLong
    );
    assert_eq!(
        code(send(
            &mut alice,
            &registry,
            json!({"type": "message", "id": 2, "text": ""})
        )),
        ErrorCode::BadId
    );
    send(&mut alice, &registry, chat("hi all")).unwrap();
    let line = FromServer::Message {
        id: 1,
        name: "alice".into(),
        text: "hi all".into(),
        date: 9,
        target: None,
    };
    assert_eq!(frames(&alice), vec![line.clone()]);
    assert_eq!(frames(&bob), vec![line]);
    let psst = json!({"type": "message", "text": "psst", "date": 9, "target": "nobody"});
    assert_eq!(
        code(send(&mut alice, &registry, psst)),
        ErrorCode::UnknownTarget
    );
    assert!(frames(&bob).is_empty());
}
