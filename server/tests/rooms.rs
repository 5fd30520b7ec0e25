//! Rooms (issue 13) with real WebSocket clients: `/ws?room=<room>` sockets see and reach only
//! their room (user lists, chat, private messages, relays), names are unique per room, the
//! lobby is unchanged for MDN's client, `/r/<room>` serves the page (404 for a bad name) and
//! `/ws?room=` with a bad name is refused before the upgrade. Capacity (`room-full`), passcodes
//! (required, wrong, right, at most 5 wrong per connection, a budget per room), a room forgotten
//! when its last member leaves, resume tokens valid in their room only, and a restart that
//! gives a room back with its passcode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DEADLINE, TestServer, chat_text, sdp};
use serde_json::{Value, json};
use shared::{ErrorCode, FromServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

mod rooms_support;
use rooms_support::{
    connect_room, login_room, login_room_resume, login_room_with, refused_login, resume_in,
    until_listed, username,
};

#[tokio::test]
async fn rooms_have_their_own_user_lists() {
    let server = TestServer::start().await;
    let mut dave = server.login("dave").await;
    let mut alice = login_room(&server, "team-x7", "alice", &[]).await;
    let mut bob = login_room(&server, "team-x7", "bob", &["userlist-delta"]).await;
    let mut carol = login_room(&server, "elsewhere-q9", "carol", &[]).await;
    alice.wait_for_users(&["alice", "bob"]).await;
    // Bob's first list is his room's; the room grows by deltas, never by other rooms' names.
    let _erin = login_room(&server, "elsewhere-q9", "erin", &[]).await;
    carol.wait_for_users(&["carol", "erin"]).await;
    // Markers prove nothing else (no list naming the others) reached them before.
    let mut frank = server.login("frank").await;
    dave.wait_for_users(&["dave", "frank"]).await;
    alice.marker("bob", "after the lists").await;
    loop {
        match bob.next().await {
            FromServer::UserList { users } => assert_eq!(users, ["alice", "bob"]),
            FromServer::UserListDelta { joined, left } => {
                panic!("bob heard of others: {joined:?} {left:?}")
            }
            other => {
                assert_eq!(chat_text(&other), Some("after the lists"));
                break;
            }
        }
    }
    frank.marker("dave", "lobby").await;
    loop {
        match dave.next().await {
            FromServer::UserList { users } => assert_eq!(users, ["dave", "frank"]),
            other => {
                assert_eq!(chat_text(&other), Some("lobby"));
                break;
            }
        }
    }
    let metrics = server_metrics(&server).await;
    assert!(metrics.contains("parley_rooms 2\n"), "{metrics}");
    assert!(metrics.contains("parley_users 6\n"), "{metrics}");
    assert!(!metrics.contains("team-x7") && !metrics.contains("elsewhere-q9"));
}

#[tokio::test]
async fn chat_private_messages_and_relays_stay_in_the_room() {
    let server = TestServer::start().await;
    let mut lobby = server.login("lobby").await;
    let mut alice = login_room(&server, "team", "alice", &[]).await;
    let mut bob = login_room(&server, "team", "bob", &[]).await;
    let mut carol = login_room(&server, "other", "carol", &[]).await;
    let mut erin = login_room(&server, "other", "erin", &[]).await;

    // A broadcast reaches the room (sender included) and no one else.
    let id = alice.id;
    alice
        .send_json(json!({"type": "message", "id": id, "text": "team only", "date": 1}))
        .await;
    assert_eq!(chat_text(&bob.next_non_presence().await), Some("team only"));
    assert_eq!(
        chat_text(&alice.next_non_presence().await),
        Some("team only")
    );

    // Every frame addressed to a name of another room (or the lobby) is refused, unseen.
    for target in ["carol", "lobby"] {
        let id = alice.id;
        alice
            .send_json(
                json!({"type": "message", "id": id, "text": "psst", "target": target, "date": 1}),
            )
            .await;
        alice.expect_error(ErrorCode::UnknownTarget).await;
        alice
            .send_json(json!({"type": "video-offer", "target": target, "sdp": sdp("offer", 300)}))
            .await;
        alice.expect_error(ErrorCode::UnknownTarget).await;
        alice
            .send_json(json!({"type": "new-ice-candidate", "target": target, "candidate": {"candidate": "candidate:1 1 udp 1 192.0.2.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}}))
            .await;
        alice.expect_error(ErrorCode::UnknownTarget).await;
        alice
            .send_json(json!({"type": "hang-up", "target": target}))
            .await;
        alice.expect_error(ErrorCode::UnknownTarget).await;
    }
    // And from the lobby into a room.
    lobby
        .send_json(json!({"type": "video-offer", "target": "alice", "sdp": sdp("offer", 300)}))
        .await;
    lobby.expect_error(ErrorCode::UnknownTarget).await;
    erin.marker("carol", "nothing before this").await;
    assert_eq!(
        chat_text(&carol.next_non_presence().await),
        Some("nothing before this")
    );

    // Within the room, a call works as in the lobby.
    let offer = sdp("offer", 2000);
    alice
        .send_json(json!({"type": "video-offer", "target": "bob", "sdp": offer}))
        .await;
    let got: Value = serde_json::from_str(&bob.next_text_non_presence().await).unwrap();
    assert_eq!(
        got,
        json!({"type": "video-offer", "name": "alice", "target": "bob", "sdp": offer})
    );
    bob.send_json(json!({"type": "video-answer", "target": "alice", "sdp": sdp("answer", 500)}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::VideoAnswer { name, .. } if name == "bob"
    ));
    erin.marker("carol", "still nothing").await;
    assert_eq!(
        chat_text(&carol.next_non_presence().await),
        Some("still nothing")
    );
    lobby.marker("lobby", "self").await;
    lobby.expect_error(ErrorCode::SelfTarget).await;
}

#[tokio::test]
async fn a_name_is_unique_per_room_only() {
    let server = TestServer::start().await;
    let mut lobby = server.login("alice").await;
    let mut team = login_room(&server, "team", "alice", &[]).await;
    let mut other = login_room(&server, "Other", "alice", &[]).await;
    for client in [&lobby, &team, &other] {
        assert_eq!(client.name, "alice");
    }
    // Room names are compared without case: `OTHER` is `other`, where alice is taken.
    let twin = login_room(&server, "OTHER", "alice", &[]).await;
    assert_eq!(twin.name, "alice2");
    other.wait_for_users(&["alice", "alice2"]).await;
    team.marker("alice2", "x").await;
    team.expect_error(ErrorCode::UnknownTarget).await;
    lobby.marker("alice2", "x").await;
    lobby.expect_error(ErrorCode::UnknownTarget).await;
}

#[tokio::test]
async fn the_lobby_is_unchanged_for_mdns_client() {
    let server = TestServer::start().await;
    let _roomie = login_room(&server, "team", "roomie", &[]).await;
    // MDN's client: no features, `json` subprotocol, the whole list after every change.
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;
    alice.wait_for_users(&["alice", "bob"]).await;
    let id = bob.id;
    bob.send_json(json!({"type": "message", "id": id, "text": "<b>hi</b>", "date": 1}))
        .await;
    match alice.next_non_presence().await {
        FromServer::Message { name, text, .. } => {
            assert_eq!(
                (name.as_str(), text.as_str()),
                ("bob", "&lt;b&gt;hi&lt;/b&gt;")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_room_socket_does_nothing_before_it_is_in_its_room() {
    let server = TestServer::start().await;
    let mut alice = login_room(&server, "team", "alice", &[]).await;
    let mut stranger = connect_room(&server, "team").await;
    stranger.marker("alice", "hello?").await;
    stranger.expect_error(ErrorCode::NotLoggedIn).await;
    stranger
        .send_json(json!({"type": "video-offer", "target": "alice", "sdp": sdp("offer", 100)}))
        .await;
    stranger.expect_error(ErrorCode::NotLoggedIn).await;
    let bob = login_room(&server, "team", "bob", &[]).await;
    drop(bob);
    alice.wait_for_users(&["alice", "bob"]).await;
}

#[tokio::test]
async fn room_pages_are_the_page_and_bad_names_404() {
    let dir = std::env::temp_dir().join(format!("rooms-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Parley</title>",
    )
    .unwrap();
    let settings = server::Settings {
        dist: dir.clone(),
        ..server::Settings::default()
    };
    let server = TestServer::start_with(settings).await;
    let (status, head, body) = get(&server, "/").await;
    assert_eq!(status, 200);
    let csp = header(&head, "content-security-policy").expect("the page's policy");
    for path in [
        "/r/team",
        "/r/Family-2_x",
        &format!("/r/{}", "a".repeat(64)),
    ] {
        let (status, room_head, room_body) = get(&server, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(room_body, body, "{path}");
        assert_eq!(
            header(&room_head, "content-security-policy"),
            Some(csp.clone())
        );
        assert_eq!(
            header(&room_head, "cache-control"),
            header(&head, "cache-control")
        );
        assert_eq!(
            header(&room_head, "x-content-type-options"),
            Some("nosniff".into())
        );
    }
    let long = format!("/r/{}", "a".repeat(65));
    for path in [
        "/r/",
        "/r/a.b",
        "/r/a%20b",
        "/r/team/",
        "/r/team/x",
        &long,
        "/r/%2e%2e",
    ] {
        assert_eq!(get(&server, path).await.0, 404, "{path}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_bad_room_is_refused_before_the_upgrade() {
    let server = TestServer::start().await;
    for query in ["room=", "room=a.b", "room=a%20b", "room=team&room=other"] {
        let url = format!("{}?{query}", server.ws_url());
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 400, "{query}");
            }
            other => panic!("{query}: {other:?}"),
        }
    }
    // Other query members are ignored; no `room` is the lobby.
    let url = format!("{}?v=2", server.ws_url());
    assert!(tokio_tungstenite::connect_async(url).await.is_ok());
}

/// A plain HTTP/1.1 GET: status, head (lowercase) and body.
async fn get(server: &TestServer, path: &str) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    timeout(DEADLINE, stream.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_owned())
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::to_owned)
}

async fn server_metrics(server: &TestServer) -> String {
    get(server, "/metrics").await.2
}

/// Waits (with the deadline) until the server has `n` rooms.
async fn wait_for_rooms(server: &TestServer, n: usize) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while server.state.rooms.count() != n {
        assert!(tokio::time::Instant::now() < deadline, "rooms never {n}");
        // Rooms are forgotten by their own task: look again shortly (the deadline bounds it).
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_full_room_refuses_logins_and_keeps_the_socket_open() {
    let server = TestServer::start().await;
    // A capacity out of range is refused; nothing is created.
    let mut first = connect_room(&server, "small").await;
    refused_login(
        &mut first,
        "alice",
        json!({"capacity": 1}),
        ErrorCode::BadMessage,
    )
    .await;
    refused_login(
        &mut first,
        "alice",
        json!({"capacity": 101}),
        ErrorCode::BadMessage,
    )
    .await;
    assert_eq!(server.state.rooms.count(), 0);
    let mut alice = login_room_with(&server, "small", "alice", &[], json!({"capacity": 2})).await;
    let bob = login_room(&server, "small", "bob", &[]).await;
    let mut carol = connect_room(&server, "small").await;
    refused_login(&mut carol, "carol", json!({}), ErrorCode::RoomFull).await;
    // The capacity was the first login's: a later one cannot raise it.
    refused_login(
        &mut carol,
        "carol",
        json!({"capacity": 10}),
        ErrorCode::RoomFull,
    )
    .await;
    drop(bob);
    alice.wait_for_users(&["alice"]).await;
    let frame = username(&carol, "carol", &[], json!({}));
    carol.send_json(frame).await;
    carol.name = "carol".into();
    until_listed(&mut carol).await;
    // A renaming member is no newcomer.
    let frame = username(&alice, "alicia", &[], json!({}));
    alice.send_json(frame).await;
    alice.wait_for_users(&["carol", "alicia"]).await;
    // The lobby ignores capacity.
    let lobby = server.login("dave").await;
    drop(lobby);
    let mut lobby = server.connect().await;
    lobby
        .send_json(json!({"type": "username", "name": "erin", "capacity": 1, "passcode": "x"}))
        .await;
    lobby.name = "erin".into();
    until_listed(&mut lobby).await;
}

#[tokio::test]
async fn passcodes_are_required_and_checked() {
    let server = TestServer::start().await;
    let secret = json!({"passcode": "open sesame"});
    let mut alice = login_room_with(&server, "vault", "alice", &[], secret.clone()).await;
    let mut bob = connect_room(&server, "vault").await;
    refused_login(&mut bob, "bob", json!({}), ErrorCode::PasscodeRequired).await;
    refused_login(
        &mut bob,
        "bob",
        json!({"passcode": ""}),
        ErrorCode::PasscodeRequired,
    )
    .await;
    refused_login(
        &mut bob,
        "bob",
        json!({"passcode": "Open sesame"}),
        ErrorCode::BadPasscode,
    )
    .await;
    refused_login(
        &mut bob,
        "bob",
        json!({"passcode": "x".repeat(65)}),
        ErrorCode::BadMessage,
    )
    .await;
    // Still open: the right passcode lets the same socket in.
    let frame = username(&bob, "bob", &[], secret);
    bob.send_json(frame).await;
    bob.name = "bob".into();
    until_listed(&mut bob).await;
    alice.wait_for_users(&["alice", "bob"]).await;
    // A room created without a passcode takes any (or none).
    let open = login_room_with(&server, "open", "carol", &[], json!({})).await;
    drop(open);
    let _dave = login_room_with(&server, "open-2", "dave", &[], json!({})).await;
    let _erin = login_room_with(&server, "open-2", "erin", &[], json!({"passcode": "x"})).await;
}

#[tokio::test]
async fn five_wrong_passcodes_close_the_connection() {
    let server = TestServer::start().await;
    let _alice = login_room_with(&server, "vault", "alice", &[], json!({"passcode": "1234"})).await;
    let mut mallory = connect_room(&server, "vault").await;
    for guess in ["0000", "1111", "2222", "3333"] {
        refused_login(
            &mut mallory,
            "m",
            json!({"passcode": guess}),
            ErrorCode::BadPasscode,
        )
        .await;
    }
    // Asking without a passcode is no guess.
    refused_login(&mut mallory, "m", json!({}), ErrorCode::PasscodeRequired).await;
    refused_login(
        &mut mallory,
        "m",
        json!({"passcode": "4444"}),
        ErrorCode::BadPasscode,
    )
    .await;
    let close = mallory.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
}

#[tokio::test]
async fn a_room_takes_a_bounded_number_of_wrong_passcodes_from_all_sockets() {
    let server = TestServer::start().await;
    let secret = json!({"passcode": "open sesame"});
    let _alice = login_room_with(&server, "vault", "alice", &[], secret.clone()).await;
    let tries = server::rooms::passcode::ROOM_FAILURES_BURST;
    let per_socket = server::rooms::passcode::TRIES_PER_CONNECTION - 1;
    let mut sockets = Vec::new();
    let mut wrong = 0;
    while wrong < tries {
        let mut socket = connect_room(&server, "vault").await;
        for _ in 0..per_socket.min(tries - wrong) {
            let guess = json!({"passcode": format!("guess {wrong}")});
            refused_login(&mut socket, "m", guess, ErrorCode::BadPasscode).await;
            wrong += 1;
        }
        sockets.push(socket);
    }
    // Now even the right passcode is refused, unchecked, until the budget refills.
    let mut bob = connect_room(&server, "vault").await;
    let frame = username(&bob, "bob", &[], secret);
    bob.send_json(frame).await;
    match bob.next_non_presence().await {
        FromServer::Error { code, message } => {
            assert_eq!(code, ErrorCode::BadPasscode);
            assert!(message.contains("too many"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_empty_room_is_forgotten_and_the_next_first_login_sets_it_anew() {
    let server = TestServer::start().await;
    let old = json!({"passcode": "old", "capacity": 2});
    let alice = login_room_with(&server, "temp", "alice", &[], old).await;
    let bob = login_room_with(&server, "temp", "bob", &[], json!({"passcode": "old"})).await;
    assert_eq!(server.state.rooms.count(), 1);
    drop(alice);
    drop(bob);
    wait_for_rooms(&server, 0).await;
    let metrics = server_metrics(&server).await;
    assert!(metrics.contains("parley_rooms 0\n"), "{metrics}");
    // A new room of the same name: the new first login's settings, not the old ones.
    let _carol = login_room_with(&server, "temp", "carol", &[], json!({"passcode": "new"})).await;
    let mut dave = connect_room(&server, "temp").await;
    refused_login(
        &mut dave,
        "dave",
        json!({"passcode": "old"}),
        ErrorCode::BadPasscode,
    )
    .await;
    let _dave = login_room_with(&server, "temp", "dave", &[], json!({"passcode": "new"})).await;
    let _erin = login_room_with(&server, "temp", "erin", &[], json!({"passcode": "new"})).await;
}

#[tokio::test]
async fn a_resume_token_works_only_in_its_room() {
    let server = TestServer::start().await;
    let alice = login_room_resume(&server, "team", "alice").await;
    let _carol = login_room(&server, "other", "carol", &[]).await;
    let token = alice.token.clone();
    drop(alice);
    // Away, she still counts: the room stays.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while server.state.registry.away_count() + away_in_rooms(&server) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "alice never away");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(server.state.rooms.count(), 2);
    for room in [None, Some("other"), Some("nowhere")] {
        let refused = resume_in(&server, room, &token).await;
        assert_eq!(refused.err(), Some(ErrorCode::ResumeFailed), "{room:?}");
    }
    let (mut alice, name) = resume_in(&server, Some("TEAM"), &token).await.unwrap();
    assert_eq!(name, "alice");
    alice.marker("carol", "x").await;
    alice.expect_error(ErrorCode::UnknownTarget).await;
}

fn away_in_rooms(server: &TestServer) -> usize {
    let name = shared::RoomName::parse("team").unwrap();
    server
        .state
        .rooms
        .get(&name)
        .map_or(0, |room| room.registry.away_count())
}

#[tokio::test]
async fn a_restart_gives_a_room_back_with_its_passcode_and_sessions() {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("rooms-restart-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let settings = || server::Settings {
        state_file: Some(path.clone()),
        ..server::Settings::default()
    };
    let first = TestServer::start_with(settings()).await;
    let mut alice = connect_room(&first, "vault").await;
    let frame = username(
        &alice,
        "alice",
        &["resume"],
        json!({"passcode": "open sesame", "capacity": 3}),
    );
    alice.send_json(frame).await;
    let token = loop {
        if let FromServer::Session { token, .. } = alice.next().await {
            break token;
        }
    };
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while server::state_file::load_all(&path).rooms.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "room never written");
        // A file has no change notification here: look again shortly (the deadline bounds it).
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("open sesame") && text.contains("$argon2id$"),
        "{text}"
    );
    drop(alice);
    first.stop().await.unwrap();

    let second = TestServer::start_with(settings()).await;
    assert_eq!(second.state.rooms.count(), 1);
    let mut bob = connect_room(&second, "vault").await;
    refused_login(&mut bob, "bob", json!({}), ErrorCode::PasscodeRequired).await;
    refused_login(
        &mut bob,
        "bob",
        json!({"passcode": "nope"}),
        ErrorCode::BadPasscode,
    )
    .await;
    let frame = username(&bob, "bob", &[], json!({"passcode": "open sesame"}));
    bob.send_json(frame).await;
    bob.name = "bob".into();
    until_listed(&mut bob).await;
    // Not in the lobby; back in its room.
    assert_eq!(
        resume_in(&second, None, &token).await.err(),
        Some(ErrorCode::ResumeFailed)
    );
    let (mut alice, name) = resume_in(&second, Some("vault"), &token).await.unwrap();
    assert_eq!(name, "alice");
    alice.marker("bob", "back").await;
    assert_eq!(chat_text(&bob.next_non_presence().await), Some("back"));
    // The capacity came back too: a third fits, a fourth does not.
    let _carol = login_room_with(
        &second,
        "vault",
        "carol",
        &[],
        json!({"passcode": "open sesame"}),
    )
    .await;
    let mut dave = connect_room(&second, "vault").await;
    refused_login(
        &mut dave,
        "dave",
        json!({"passcode": "open sesame"}),
        ErrorCode::RoomFull,
    )
    .await;
    second.stop().await.unwrap();
    let _ = std::fs::remove_file(&path);
}
