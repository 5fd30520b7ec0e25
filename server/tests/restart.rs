//! Server restart: a server started on the state file written by a killed one gives the
//! `resume` sessions back — names (held from squatters meanwhile), call pairs — and `resumed`
//! then starts the count over with a full user list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::resume::Session;
use common::{DEADLINE, TestServer, sdp};
use serde_json::json;
use server::Settings;
use shared::FromServer;
use tokio::time::Instant;

fn state_path(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    dir.join(format!("restart-{tag}-{}.json", std::process::id()))
}

fn with_state_file(path: &Path) -> Settings {
    Settings {
        state_file: Some(path.to_owned()),
        ..Settings::default()
    }
}

/// Waits (with the deadline) until the state file holds `n` sessions that are all paired.
async fn wait_for_pairs(path: &Path, n: usize) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let sessions = server::state_file::load(path);
        if sessions.len() == n && sessions.iter().all(|s| s.partner.is_some()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "state file not written: {sessions:?}"
        );
        // A file has no change notification here: look again shortly (the deadline bounds it).
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn call(alice: &mut Session, bob: &mut Session) {
    alice
        .client
        .send_json(json!({"type": "video-offer", "target": "bob", "sdp": sdp("offer", 200)}))
        .await;
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    bob.client
        .send_json(json!({"type": "video-answer", "target": "alice", "sdp": sdp("answer", 200)}))
        .await;
    assert!(matches!(
        alice.next_non_presence().await,
        FromServer::VideoAnswer { .. }
    ));
}

#[tokio::test]
async fn a_restarted_server_gives_names_and_pairs_back() {
    let first_file = state_path("first");
    let first = TestServer::start_with(with_state_file(&first_file)).await;
    let mut alice = first.login_resume("alice", &[]).await;
    let mut bob = first.login_resume("bob", &["userlist-delta"]).await;
    call(&mut alice, &mut bob).await;
    wait_for_pairs(&first_file, 2).await;

    // "Kill" the first server: the second starts on a copy of what it had written by then.
    let second_file = state_path("second");
    std::fs::copy(&first_file, &second_file).unwrap();
    let (alice_token, bob_token) = (alice.token.clone(), bob.token.clone());
    drop((alice, bob));
    first.stop().await.unwrap();
    let second = TestServer::start_with(with_state_file(&second_file)).await;

    // Someone else asks for "alice" before she is back: the name is held.
    let mut squatter = second.connect().await;
    squatter.send_username("alice", &[]).await;
    let renamed = squatter.next().await;
    assert!(matches!(renamed, FromServer::RejectUsername { name, .. } if name == "alice2"));

    let (mut alice, resumed) = second.resume(&alice_token, 7, false, &[]).await.unwrap();
    assert!(matches!(
        resumed,
        FromServer::Resumed { name, ack: 0, partner: Some(partner), .. } if name == "alice" && partner == "bob"
    ));
    // The count starts over; a full list follows, and Bob is still away.
    let list = alice.next().await;
    assert!(matches!(list, FromServer::UserList { users } if users == ["alice", "bob", "alice2"]));
    let bob_away = alice.next().await;
    assert!(matches!(bob_away, FromServer::UserState { name, .. } if name == "bob"));

    let (mut bob, resumed) = second
        .resume(&bob_token, 3, false, &["userlist-delta"])
        .await
        .unwrap();
    assert!(matches!(resumed, FromServer::Resumed { ack: 0, .. }));
    assert!(
        matches!(bob.next().await, FromServer::UserList { users } if users == ["alice", "bob", "alice2"])
    );

    // The pair survived: MDN's target-less hang-up reaches the partner.
    alice
        .client
        .send_json(json!({"type": "hang-up", "target": null}))
        .await;
    let hang_up = bob.next_non_presence().await;
    assert!(
        matches!(hang_up, FromServer::HangUp { name, target, .. } if name == "alice" && target == "bob")
    );

    // New connection ids never collide with the sessions' ids.
    assert!(squatter.id > 2);
    second.stop().await.unwrap();
    let kept = server::state_file::load(&second_file);
    assert_eq!(kept.len(), 2);
    let _ = std::fs::remove_file(&first_file);
    let _ = std::fs::remove_file(&second_file);
}

#[tokio::test]
async fn a_bad_state_file_is_an_empty_start() {
    let path = state_path("bad");
    std::fs::write(&path, "{not json").unwrap();
    let server = TestServer::start_with(with_state_file(&path)).await;
    let alice = server.login("alice").await;
    assert_eq!(alice.name, "alice");
    server.stop().await.unwrap();
    let _ = std::fs::remove_file(&path);
}
