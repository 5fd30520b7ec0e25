//! Resuming a session (feature `resume`): within the grace window the name, the call pairing and
//! every frame sent meanwhile come back, in order and once; after it the user is gone as before;
//! tokens work once; a half-open old socket is replaced; bad resumes are rate-limited; presence
//! `user-state` frames reach feature clients only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::resume::{Session, user_state};
use common::{TestServer, chat_text, sdp};
use serde_json::json;
use server::Settings;
use shared::{ErrorCode, FromServer, HangUpReason, Presence};

/// `a` calls `b` and `b` answers: the server pairs them.
async fn in_call(a: &mut Session, b: &mut Session) {
    let to = b.client.name.clone();
    a.client
        .send_json(json!({"type": "video-offer", "target": to, "sdp": sdp("offer", 500)}))
        .await;
    assert!(matches!(
        b.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));
    let to = a.client.name.clone();
    b.client
        .send_json(json!({"type": "video-answer", "target": to, "sdp": sdp("answer", 500)}))
        .await;
    assert!(matches!(
        a.next_non_presence().await,
        FromServer::VideoAnswer { .. }
    ));
}

fn candidate(to: &str, n: u32) -> serde_json::Value {
    json!({"type": "new-ice-candidate", "target": to, "candidate": {
        "candidate": format!("candidate:{n} 1 udp 1 192.0.2.1 {n} typ host"),
        "sdpMid": "0", "sdpMLineIndex": 0}})
}

fn candidate_number(frame: &FromServer) -> Option<String> {
    match frame {
        FromServer::NewIceCandidate { candidate, .. } => Some(candidate.candidate.clone()),
        _ => None,
    }
}

fn short_grace() -> Settings {
    let mut settings = Settings::default();
    settings.limits.resume_grace = Duration::from_millis(300);
    settings
}

#[tokio::test]
async fn within_grace_the_name_pairing_and_missed_frames_come_back_in_order_once() {
    let server = TestServer::start().await;
    let mut alice = server.login_resume("alice", &["userlist-delta"]).await;
    let mut bob = server.login_resume("bob", &[]).await;
    let mut carol = server.login("carol").await;
    in_call(&mut alice, &mut bob).await;
    alice.ping().await;

    // A frame reaches Alice's socket but her page never counts it (lost with the socket).
    let (token, ack) = (alice.token.clone(), alice.ack());
    bob.client.send_json(candidate("alice", 0)).await;
    alice.wait_for(|f| candidate_number(f).is_some()).await;
    drop(alice.client);
    let away = user_state("alice", Presence::Reconnecting, false);
    assert_eq!(bob.next_non_presence().await, away);

    for n in 1..4 {
        bob.client.send_json(candidate("alice", n)).await;
    }
    bob.client.marker("alice", "while away").await;
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some("while away")
    );

    let (mut alice, resumed) = server.resume(&token, ack, false, &[]).await.unwrap();
    assert_eq!(
        resumed,
        FromServer::Resumed {
            name: "alice".into(),
            token: alice.token.clone(),
            grace: 30,
            ack,
            partner: Some("bob".into()),
        }
    );
    assert_ne!(alice.token, token);
    let mut got = Vec::new();
    loop {
        let frame = alice.next_non_presence().await;
        if chat_text(&frame) == Some("while away") {
            break;
        }
        got.extend(candidate_number(&frame));
    }
    let want: Vec<String> = (0..4)
        .map(|n| format!("candidate:{n} 1 udp 1 192.0.2.1 {n} typ host"))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        bob.next_non_presence().await,
        user_state("alice", Presence::Online, false)
    );

    // Relays work both ways, and nothing arrives twice.
    alice.client.send_json(candidate("bob", 7)).await;
    assert!(candidate_number(&bob.next_non_presence().await).is_some());
    bob.client.send_json(candidate("alice", 8)).await;
    let next = alice.next_non_presence().await;
    assert_eq!(
        candidate_number(&next).as_deref(),
        Some("candidate:8 1 udp 1 192.0.2.1 8 typ host")
    );
    bob.client
        .send_json(json!({"type": "hang-up", "target": null}))
        .await;
    assert!(
        matches!(alice.next_non_presence().await, FromServer::HangUp { name, .. } if name == "bob")
    );

    // MDN's client saw nothing of it: the next thing it gets is this line.
    alice.client.marker("carol", "hello carol").await;
    assert_eq!(
        chat_text(&carol.next_non_presence().await),
        Some("hello carol")
    );
    assert_eq!(server.state.registry.online_count(), 3);
}

#[tokio::test]
async fn after_grace_the_user_is_gone_and_the_partner_told() {
    let server = TestServer::start_with(short_grace()).await;
    let mut alice = server.login_resume("alice", &[]).await;
    let mut bob = server.login_resume("bob", &[]).await;
    let mut carol = server.login("carol").await;
    in_call(&mut alice, &mut bob).await;
    let token = alice.token.clone();
    drop(alice.client);

    let away = user_state("alice", Presence::Reconnecting, false);
    assert_eq!(bob.next_non_presence().await, away);
    let left = FromServer::HangUp {
        name: "alice".into(),
        target: "bob".into(),
        reason: Some(HangUpReason::Left),
    };
    assert_eq!(bob.next_non_presence().await, left);
    carol.wait_for_users(&["bob", "carol"]).await;

    // Too late: the token is refused, and the socket stays open for a login.
    let (mut late, code) = server.resume(&token, 0, false, &[]).await.err().unwrap();
    assert_eq!(code, ErrorCode::ResumeFailed);
    late.send_username("alice", &[]).await;
    late.wait_for_users(&["bob", "carol", "alice"]).await;
}

#[tokio::test]
async fn a_token_works_once_and_an_old_one_is_refused_after_a_resume() {
    let server = TestServer::start().await;
    let mut bob = server.login("bob").await;
    let alice = server.login_resume("alice", &[]).await;
    let old = alice.token.clone();
    drop(alice.client);
    let (mut alice, _) = server.resume(&old, 0, false, &[]).await.unwrap();

    // The used token (stolen, say) is refused; its socket may still log in, under another name.
    let (mut thief, code) = server.resume(&old, 0, false, &[]).await.err().unwrap();
    assert_eq!(code, ErrorCode::ResumeFailed);
    thief.send_username("alice", &[]).await;
    let renamed = thief.next().await;
    assert!(matches!(renamed, FromServer::RejectUsername { name, .. } if name == "alice2"));

    // Alice's session is undisturbed, and her new token works (once).
    bob.marker("alice", "still there").await;
    let line = alice.wait_for(|f| chat_text(f).is_some()).await;
    assert_eq!(chat_text(&line), Some("still there"));
    let current = alice.token.clone();
    let ack = alice.ack();
    drop(alice.client);
    let (alice, resumed) = server.resume(&current, ack, false, &[]).await.unwrap();
    assert!(matches!(resumed, FromServer::Resumed { name, .. } if name == "alice"));
    assert_eq!(
        server.resume(&old, 0, false, &[]).await.err().unwrap().1,
        ErrorCode::ResumeFailed
    );
    drop(alice);
}

#[tokio::test]
async fn a_half_open_old_socket_is_replaced_never_renamed() {
    let server = TestServer::start().await;
    let mut old = server.login_resume("alice", &[]).await;
    let mut bob = server.login_resume("bob", &[]).await;
    in_call(&mut old, &mut bob).await;

    // The old socket still looks alive to the server (no FIN): the resume takes over at once.
    let (mut alice, resumed) = server
        .resume(&old.token, old.ack(), false, &[])
        .await
        .unwrap();
    assert!(matches!(
        resumed,
        FromServer::Resumed { name, partner: Some(partner), .. } if name == "alice" && partner == "bob"
    ));
    let close = old.client.expect_close().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4000);
    assert_eq!(close.reason.as_str(), "replaced");

    // Bob never saw an "alice2"; the call goes on with the new socket.
    bob.client
        .send_json(json!({"type": "hang-up", "target": null}))
        .await;
    assert!(
        matches!(alice.next_non_presence().await, FromServer::HangUp { name, .. } if name == "bob")
    );
    bob.client.marker("bob", "x").await;
    assert_eq!(server.state.registry.online_count(), 2);
    loop {
        match bob.next().await {
            FromServer::UserList { users } => assert_eq!(users, ["alice", "bob"]),
            FromServer::Error { code, .. } => {
                assert_eq!(code, ErrorCode::SelfTarget);
                break;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_flood_of_bad_resumes_is_rate_limited_and_disturbs_nobody() {
    let mut settings = Settings::default();
    settings.limits.rate_per_sec = 20;
    settings.limits.rate_burst = 40;
    let server = TestServer::start_with(settings).await;
    let mut alice = server.login("alice").await;
    let mut bob = server.login("bob").await;

    let mut attacker = server.connect().await;
    for n in 0..200 {
        attacker
            .send_json(json!({"type": "resume", "token": format!("1.guess{n}"), "ack": 0}))
            .await;
    }
    let mut refused = 0;
    loop {
        match attacker.next().await {
            FromServer::Error {
                code: ErrorCode::ResumeFailed,
                ..
            } => refused += 1,
            FromServer::Error {
                code: ErrorCode::RateLimited,
                ..
            } => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Each failure costs ten frames' worth of a 40-frame burst.
    assert!((1..=6).contains(&refused), "{refused} resumes tried");

    alice.marker("bob", "undisturbed").await;
    assert_eq!(
        chat_text(&bob.next_non_presence().await),
        Some("undisturbed")
    );
}

#[tokio::test]
async fn presence_reaches_resume_clients_and_nothing_new_reaches_mdn_clients() {
    let server = TestServer::start().await;
    let mut dave = server.login("dave").await;
    let mut bob = server.login_resume("bob", &[]).await;
    let alice = server.login_resume("alice", &[]).await;
    drop(alice.client);
    let away = user_state("alice", Presence::Reconnecting, false);
    assert_eq!(bob.next_non_presence().await, away);

    // A `resume` client logging in now learns who is away, after its first list.
    let mut erin = server.connect().await;
    erin.send_username("erin", &["resume", "userlist-delta"])
        .await;
    assert!(matches!(erin.next().await, FromServer::Session { .. }));
    assert!(
        matches!(erin.next().await, FromServer::UserList { users } if users == ["dave", "bob", "alice", "erin"])
    );
    assert_eq!(erin.next().await, away);

    // MDN's client: lists only, and the name stays in them while away.
    dave.wait_for_users(&["dave", "bob", "alice", "erin"]).await;
    bob.client.marker("dave", "only chat").await;
    assert_eq!(
        chat_text(&dave.next_non_presence().await),
        Some("only chat")
    );
}

#[tokio::test]
async fn a_reload_comes_back_fresh_and_leaving_shortens_the_grace() {
    let mut settings = Settings::default();
    settings.limits.leave_grace = Duration::from_millis(300);
    let server = TestServer::start_with(settings).await;
    let mut alice = server.login_resume("alice", &["userlist-delta"]).await;
    let mut bob = server.login_resume("bob", &[]).await;
    in_call(&mut alice, &mut bob).await;

    // A reload: `leaving`, then the new page resumes with `fresh`.
    alice.client.send_json(json!({"type": "leaving"})).await;
    let (token, ack) = (alice.token.clone(), alice.ack());
    drop(alice.client);
    let away = user_state("alice", Presence::Reconnecting, false);
    assert_eq!(bob.next_non_presence().await, away);
    let (mut alice, _) = server
        .resume(&token, ack, true, &["userlist-delta"])
        .await
        .unwrap();
    // The new page has no list at all, and the missed frames hold only changes: it gets the
    // whole list again.
    alice
        .wait_for(|f| matches!(f, FromServer::UserList { users } if users[..] == ["alice", "bob"]))
        .await;
    alice
        .client
        .send_json(json!({"type": "video-offer", "target": "bob", "sdp": sdp("offer", 100)}))
        .await;
    assert_eq!(
        bob.next_non_presence().await,
        user_state("alice", Presence::Online, true)
    );
    assert!(matches!(
        bob.next_non_presence().await,
        FromServer::VideoOffer { .. }
    ));

    // A closed tab: `leaving`, and no page comes back. The call ends after the leave window
    // (0.3 s), long before the grace window (30 s).
    alice.client.send_json(json!({"type": "leaving"})).await;
    drop(alice.client);
    assert_eq!(bob.next_non_presence().await, away);
    let left = bob.next_non_presence().await;
    assert!(matches!(
        left,
        FromServer::HangUp {
            reason: Some(HangUpReason::Left),
            ..
        }
    ));
}
