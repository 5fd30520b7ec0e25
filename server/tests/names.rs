//! Names people can trust (issue 11): look-alike names are refused (`bad-name`) or, while the
//! real one is online, numbered with `rejectusername` — also for MDN-shaped `username` frames.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use shared::{ErrorCode, FromServer, UserName};

/// Names that pass for `alice` (or hide what they are) and break the name rules.
const REFUSED: &[&str] = &[
    "\u{202E}ecila", // right-to-left override: shows as "alice"
    "alice\u{200B}", // zero-width space
    "al\u{00AD}ice", // soft hyphen
    "\u{FEFF}alice", // byte order mark
    "\u{2066}alice", // left-to-right isolate
    "\u{3164}",      // Hangul filler: invisible
    "\u{2800}",      // Braille blank: invisible
    "\u{115F}\u{1160}",
    "\u{FFA0}",
    "ali\u{2028}ce", // line separator
    "ali\u{2029}ce", // paragraph separator
    "\u{430}lice",   // Cyrillic а among Latin letters
    "p\u{430}ypal",
];

#[tokio::test]
async fn look_alike_and_invisible_names_are_refused_with_bad_name() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    // An MDN-shaped client: `username` with no `features`.
    let mut mallory = server.connect().await;
    for bad in REFUSED {
        mallory.send_username(bad, &[]).await;
        mallory.expect_error(ErrorCode::BadName).await;
    }
    // Still not logged in, and may try again with an honest name.
    assert_eq!(server.state.registry.online_count(), 1);
    mallory.send_username("mallory", &[]).await;
    mallory.wait_for_users(&["alice", "mallory"]).await;
    alice.wait_for_users(&["alice", "mallory"]).await;
}

#[tokio::test]
async fn look_alikes_of_an_online_name_are_numbered_for_mdn_clients() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let mut given = vec!["alice".to_owned()];
    let mut clients = Vec::new();
    for twin in ["Alice", "ALICE", "ＡＬＩＣＥ", "aIice", "  alice  "] {
        let mut client = server.connect().await;
        client.send_username(twin, &[]).await;
        // MDN's client takes the name from `rejectusername`.
        let FromServer::RejectUsername { id, name } = client.next().await else {
            panic!("{twin:?}: expected rejectusername");
        };
        assert_eq!(id, client.id);
        assert_ne!(name, twin.trim(), "{twin:?} was let stand beside alice");
        assert!(
            name.starts_with(twin.trim()),
            "{name:?} keeps what was typed"
        );
        given.push(name);
        clients.push(client);
    }
    let expected: Vec<&str> = given.iter().map(String::as_str).collect();
    alice.wait_for_users(&expected).await;
    // No two names online share a look-alike key.
    let mut keys = std::collections::HashSet::new();
    for name in &given {
        for key in UserName::parse(name).unwrap().keys() {
            keys.insert((key, name.clone()));
        }
    }
    let mut owners = std::collections::HashMap::new();
    for (key, name) in keys {
        let previous = owners.insert(key, name.clone());
        assert!(previous.is_none_or(|p| p == name), "two look-alikes online");
    }
}

#[tokio::test]
async fn nfd_and_nfc_are_one_name_and_leaving_frees_it() {
    let server = TestServer::start().await;
    let nfc = server
        .login_with("José", &["plain-text", "heartbeat"])
        .await;
    let mut nfd = server.login("Jose\u{301}").await;
    assert_eq!(nfd.name, "Jose\u{301}2");
    // A rename to a look-alike of someone online is numbered as well.
    let mut eve = server.login("eve").await;
    eve.send_username("JOSÉ", &[]).await;
    let FromServer::RejectUsername { name, .. } = eve.next_non_presence().await else {
        panic!("expected rejectusername");
    };
    assert_eq!(name, "JOSÉ3");
    // Once the first José leaves, its look-alike is free: the name is given as typed.
    drop(nfc);
    nfd.wait_for_users(&["Jose\u{301}2", "JOSÉ3"]).await;
    let jose = server.login("jose\u{301}").await;
    assert_eq!(jose.name, "jose\u{301}");
}

#[tokio::test]
async fn json_escaped_look_alikes_are_refused_too() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let id = client.id;
    // The same characters written as JSON escapes, as some clients send them.
    for escaped in [
        r"\u202Eecila",
        r"alice\u200b",
        r"\u3164",
        r"a\u2028b",
        r"\u0430lice",
    ] {
        let frame = format!(r#"{{"type":"username","id":{id},"name":"{escaped}","date":1}}"#);
        client.send_text(&frame).await;
        client.expect_error(ErrorCode::BadName).await;
    }
    assert_eq!(server.state.registry.online_count(), 0);
}
