//! Unit tests of chat frames and the length rule.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn legacy_clients_get_escaped_text_and_plain_ones_the_original() {
    let name = UserName::parse("a<b").unwrap();
    let frames = chat_frames(7, &name, "x & y".into(), Some(5), Some("bob".into()));
    assert_eq!(
        FromServer::from_json(frames.for_client(true)).unwrap(),
        FromServer::Message {
            id: 7,
            name: "a<b".into(),
            text: "x & y".into(),
            date: 5,
            target: Some("bob".into()),
        }
    );
    assert_eq!(
        FromServer::from_json(frames.for_client(false)).unwrap(),
        FromServer::Message {
            id: 7,
            name: "a&lt;b".into(),
            text: "x &amp; y".into(),
            date: 5,
            target: Some("bob".into()),
        }
    );
    // Nothing to escape: one serialisation shared by both.
    let plain = chat_frames(7, &UserName::parse("a").unwrap(), "hi".into(), None, None);
    assert_eq!(plain.raw, plain.escaped);
    let FromServer::Message { date, .. } = FromServer::from_json(&plain.raw).unwrap() else {
        panic!("not a message");
    };
    assert!(date > 1_600_000_000_000, "dated now: {date}");
}

#[test]
fn text_is_limited_in_characters_not_bytes() {
    assert!(check_text(&"é".repeat(MAX_CHAT_CHARS)).is_ok());
    assert_eq!(
        check_text(&"x".repeat(MAX_CHAT_CHARS + 1))
            .unwrap_err()
            .code,
        ErrorCode::TextTooLong
    );
}
