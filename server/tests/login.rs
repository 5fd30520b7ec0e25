//! Connecting and logging in: the `id` frame, subprotocols, names made unique, user lists on
//! join and leave (full lists and deltas), the login deadline, and the HTTP routes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{DEADLINE, TestServer};
use serde_json::json;
use server::Settings;
use shared::{ErrorCode, FromServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn answers_the_json_subprotocol_and_accepts_none() {
    let server = TestServer::start().await;
    let (_, selected) = server.raw(Some("json")).await;
    assert_eq!(selected.as_deref(), Some("json"));
    let (socket, selected) = server.raw(None).await;
    assert_eq!(selected, None);
    // Even without a subprotocol the session works: its first frame is the id.
    let mut client = common::Client {
        socket,
        id: 0,
        name: String::new(),
    };
    assert!(matches!(client.next().await, FromServer::Id { .. }));
}

#[tokio::test]
async fn first_frame_is_a_unique_id() {
    let server = TestServer::start().await;
    let a = server.connect().await;
    let b = server.connect().await;
    assert_ne!(a.id, b.id);
}

#[tokio::test]
async fn login_gives_the_list_and_others_see_join_and_leave() {
    let server = TestServer::start().await;
    let mut alice = server.login("alice").await;
    let bob = server.login("bob").await;
    alice.wait_for_users(&["alice", "bob"]).await;
    drop(bob);
    alice.wait_for_users(&["alice"]).await;
}

#[tokio::test]
async fn duplicate_names_are_numbered_and_told_with_rejectusername() {
    let server = TestServer::start().await;
    let mut first = server.login("alice").await;
    assert_eq!(first.name, "alice");
    let second = server.login("alice").await;
    assert_eq!(second.name, "alice2");
    let third = server.login("alice").await;
    assert_eq!(third.name, "alice3");
    first.wait_for_users(&["alice", "alice2", "alice3"]).await;
}

#[tokio::test]
async fn rejectusername_carries_the_id_and_only_comes_when_the_name_changed() {
    let server = TestServer::start().await;
    let _alice = server.login("alice").await;
    let mut other = server.connect().await;
    other.send_username("alice", &[]).await;
    assert_eq!(
        other.next().await,
        FromServer::RejectUsername {
            id: other.id,
            name: "alice2".into()
        }
    );

    // Unchanged name: the next frame is the list, no rejectusername.
    let mut bob = server.connect().await;
    bob.send_username("bob", &[]).await;
    assert!(matches!(bob.next().await, FromServer::UserList { .. }));
}

#[tokio::test]
async fn a_trimmed_name_is_reported_as_changed() {
    let server = TestServer::start().await;
    let mut carol = server.connect().await;
    carol.send_username("  carol ", &[]).await;
    assert_eq!(
        carol.next().await,
        FromServer::RejectUsername {
            id: carol.id,
            name: "carol".into()
        }
    );
}

#[tokio::test]
async fn bad_names_are_refused_and_the_client_may_try_again() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    for bad in ["", "   ", "a\u{7}b", &"x".repeat(33)] {
        client.send_username(bad, &[]).await;
        client.expect_error(ErrorCode::BadName).await;
    }
    client.send_username("dave", &[]).await;
    client.wait_for_users(&["dave"]).await;
}

#[tokio::test]
async fn username_with_someone_elses_id_is_refused() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let wrong = client.id + 1000;
    client
        .send_json(json!({"type": "username", "id": wrong, "name": "eve", "date": 1}))
        .await;
    client.expect_error(ErrorCode::BadId).await;
    assert_eq!(server.state.registry.online_count(), 0);
}

#[tokio::test]
async fn login_deadline_closes_with_login_timeout() {
    let mut settings = Settings::default();
    settings.limits.login_timeout = Duration::from_millis(300);
    let server = TestServer::start_with(settings).await;
    let mut client = server.connect().await;
    client.expect_error(ErrorCode::LoginTimeout).await;
    let close = client.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
    // A client that logged in in time is not affected.
}

#[tokio::test]
async fn delta_clients_get_one_full_list_then_consistent_deltas() {
    let server = TestServer::start().await;
    let _a = server.login("a").await;
    let mut d = server.login_with("d", &["userlist-delta"]).await;
    // Its state after the first full list (login_with waited for it).
    let mut list: Vec<String> = vec!["a".into(), "d".into()];
    let mut mdn = server.login("mdn").await;
    let b = server.login("b").await;
    drop(b);
    let _c = server.login("c").await;
    // Apply deltas until the list matches the final state; never a full list again.
    let expected = vec!["a", "d", "mdn", "c"];
    while list != expected {
        match d.next().await {
            FromServer::UserListDelta { joined, left } => {
                list.retain(|n| !left.contains(n));
                list.extend(joined);
            }
            other => panic!("delta client got {other:?}"),
        }
    }
    // The MDN client converges through full lists.
    mdn.wait_for_users(&expected).await;
}

#[tokio::test]
async fn two_hundred_simultaneous_logins_converge() {
    let server = TestServer::start().await;
    let mut clients = Vec::new();
    for i in 0..200 {
        let mut c = server.connect().await;
        c.send_username(&format!("user{i}"), &["userlist-delta"])
            .await;
        clients.push(c);
    }
    // Every client ends with the complete list (full first, then deltas).
    for c in &mut clients {
        let mut list: Vec<String> = Vec::new();
        while list.len() != 200 {
            match c.next().await {
                FromServer::UserList { users } => list = users,
                FromServer::UserListDelta { joined, left } => {
                    list.retain(|n| !left.contains(n));
                    list.extend(joined);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let expected: Vec<String> = (0..200).map(|i| format!("user{i}")).collect();
        assert_eq!(list, expected);
    }
}

#[tokio::test]
async fn healthz_and_the_client_files_with_index_fallback() {
    let dist = std::env::temp_dir().join(format!("server-test-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dist.join("app.js"), "console.log(1)").unwrap();
    let settings = Settings {
        dist: dist.clone(),
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;

    let get = |path: &'static str| {
        let addr = server.addr;
        async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = String::new();
            tokio::time::timeout(DEADLINE, stream.read_to_string(&mut response))
                .await
                .unwrap()
                .unwrap();
            response
        }
    };
    assert!(get("/healthz").await.starts_with("HTTP/1.1 200"));
    let index = get("/").await;
    assert!(index.starts_with("HTTP/1.1 200") && index.contains("<title>app</title>"));
    assert!(get("/app.js").await.contains("console.log(1)"));
    let fallback = get("/some/client/route").await;
    assert!(fallback.starts_with("HTTP/1.1 200") && fallback.contains("<title>app</title>"));
    std::fs::remove_dir_all(&dist).unwrap();
}
