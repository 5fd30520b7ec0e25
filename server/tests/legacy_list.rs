//! The memory bound for legacy (MDN-style, no `userlist-delta`) clients: the `userlist` they get
//! holds only the most recent logins that fit in `presence::LEGACY_LIST_BYTES`, however many are
//! online, and a legacy client can still call someone its list leaves out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Client, TestServer, sdp};
use serde_json::json;
use server::presence::LEGACY_LIST_BYTES;
use shared::FromServer;

/// A 32-character name (the longest allowed), distinct per `i`.
fn long_name(i: usize) -> String {
    format!("member-{i:03}-{}", "x".repeat(21))
}

#[tokio::test]
async fn a_legacy_client_gets_a_bounded_list_of_the_latest_logins_and_can_call_anyone() {
    let server = TestServer::start().await;
    // 150 names of 35 JSON bytes each (5,250 bytes) do not fit in the bound.
    let total = 150;
    assert!(total * 35 > LEGACY_LIST_BYTES);
    let mut members = Vec::new();
    for i in 0..total {
        members.push(member(&server, &long_name(i)).await);
    }
    let mut mdn = server.login("mdn").await;
    // Its first list, then the one after one more login: both bounded, newest last.
    let newest = member(&server, &long_name(total)).await;
    let users = loop {
        match mdn.next().await {
            FromServer::UserList { users } if users.contains(&newest.name) => break users,
            FromServer::UserList { users } => check_bounded(&users),
            other => panic!("unexpected {other:?}"),
        }
    };
    check_bounded(&users);
    assert!(users.len() < total, "{} names: not bounded", users.len());
    assert_eq!(users.last(), Some(&newest.name), "newest login last");
    assert!(users.contains(&"mdn".to_owned()));
    let oldest = long_name(0);
    assert!(!users.contains(&oldest), "the oldest login is left out");

    // Someone not in its list can still be called (MDN's client calls by name).
    mdn.send_json(json!({
        "type": "video-offer", "name": "mdn", "target": oldest, "sdp": sdp("offer", 200),
    }))
    .await;
    let callee = &mut members[0];
    let frame = callee
        .wait_for(|f| matches!(f, FromServer::VideoOffer { .. }))
        .await;
    assert!(matches!(frame, FromServer::VideoOffer { name, .. } if name == "mdn"));
    server.stop().await.unwrap();
}

/// A logged-in client with `userlist-delta` (its first list comes in several frames): returns
/// once the server has logged it in.
async fn member(server: &TestServer, name: &str) -> Client {
    let mut client = server.connect().await;
    client.send_username(name, &["userlist-delta"]).await;
    client.name = name.to_owned();
    client
        .wait_for(|f| matches!(f, FromServer::UserList { .. }))
        .await;
    client
}

/// The names take at most `LEGACY_LIST_BYTES` of JSON.
fn check_bounded(users: &[String]) {
    let bytes: usize = users
        .iter()
        .map(|u| serde_json::to_string(u).unwrap().len() + 1)
        .sum();
    assert!(
        bytes <= LEGACY_LIST_BYTES,
        "{bytes} bytes of names in a legacy list"
    );
}
