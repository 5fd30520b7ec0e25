//! Host tests of the link: reconnecting by itself, the session (`session`, `resume`,
//! `resumed`, `resume-failed`), frame counting, the outgoing queue and presence. They assert
//! facts (frames, states, counters), never sentences.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use shared::{ErrorCode, Feature, FromServer, Presence, ToServer, UserName};

use super::*;

fn run(state: &mut AppState, actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        state.apply(action);
    }
}

fn frame(frame: FromServer) -> Action {
    Action::Server(frame)
}

fn list(users: &[&str]) -> Action {
    frame(FromServer::UserList {
        users: users.iter().map(|u| u.to_string()).collect(),
    })
}

fn lost_at(now_ms: u64, jitter: f64) -> Action {
    Action::SocketLost { now_ms, jitter }
}

fn chat(text: &str) -> FromServer {
    FromServer::Message {
        id: 1,
        name: "bob".into(),
        text: text.into(),
        date: 1,
        target: None,
    }
}

fn offer_to_bob(n: u32) -> ToServer {
    ToServer::Message {
        id: None,
        text: n.to_string(),
        date: None,
        target: Some("bob".into()),
    }
}

fn ack(state: &AppState) -> u64 {
    state.session.as_ref().unwrap().ack
}

/// Alice logged in on socket 7 against a server with `resume`: `session` came, bob is online.
fn with_session() -> AppState {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::SocketOpened,
            frame(FromServer::Id { id: 7 }),
            Action::Login(UserName::parse("alice").unwrap()),
            Action::LoginSent { id: 7 },
            list(&["alice", "bob"]),
            frame(FromServer::Session {
                token: "1.first".into(),
                grace: 30,
            }),
        ],
    );
    assert!(s.logged_in() && s.resumable());
    s
}

/// `with_session`, then the socket dropped and a new one (id 8) sent `resume`.
fn resuming() -> AppState {
    let mut s = with_session();
    run(
        &mut s,
        [
            lost_at(1_000, 1.0),
            Action::Reconnect,
            Action::SocketOpened,
            frame(FromServer::Id { id: 8 }),
        ],
    );
    s.apply(Action::LoginSent { id: 8 });
    s
}

fn resumed(ack: u64) -> Action {
    frame(FromServer::Resumed {
        name: "alice".into(),
        token: "1.second".into(),
        grace: 30,
        ack,
        partner: None,
    })
}

#[test]
fn frames_after_session_are_counted_and_ping_reports_the_count() {
    let mut s = with_session();
    assert_eq!(ack(&s), 0, "the list before `session` is not numbered");
    assert_eq!(s.ping(), Some(ToServer::Ping { ack: Some(0) }));
    run(
        &mut s,
        [
            frame(chat("one")),
            frame(FromServer::Pong),
            frame(FromServer::UserListDelta {
                joined: vec!["carol".into()],
                left: vec![],
            }),
        ],
    );
    assert_eq!(ack(&s), 3, "every frame counts, pongs too");
    s.apply(Action::UnreadableFrame);
    assert_eq!(ack(&s), 4, "even one this page cannot read");
    assert_eq!(s.ping(), Some(ToServer::Ping { ack: Some(4) }));
    let stored = s.stored_session().unwrap();
    assert_eq!(
        (stored.token.as_str(), stored.name.as_str(), stored.ack),
        ("1.first", "alice", 4)
    );
    assert_eq!(s.leaving_frame(), Some(ToServer::Leaving));
}

#[test]
fn a_session_before_the_list_is_stored_under_the_name_given() {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            frame(FromServer::Id { id: 1 }),
            Action::Login(UserName::parse("alice").unwrap()),
            Action::LoginSent { id: 1 },
            frame(FromServer::RejectUsername {
                id: 1,
                name: "alice2".into(),
            }),
            frame(FromServer::Session {
                token: "1.t".into(),
                grace: 30,
            }),
        ],
    );
    assert_eq!(s.stored_session().unwrap().name, "alice2");
    s.apply(list(&["alice", "alice2"]));
    assert_eq!(s.stored_session().unwrap().name, "alice2");
    assert_eq!(ack(&s), 1, "the list after `session` is numbered");
}

#[test]
fn a_lost_socket_with_a_session_keeps_it_and_resumes_on_the_next_one() {
    let mut s = with_session();
    s.apply(frame(chat("one")));
    let lost_before = s.lost_sessions;
    s.apply(lost_at(1_000, 1.0));
    assert_eq!(
        s.connection,
        Connection::Reconnecting {
            retry_at_ms: Some(1_500)
        }
    );
    assert_eq!(s.lost_sessions, lost_before, "the session is not gone");
    assert_eq!(s.signaling(), Some(false), "signaling down, session kept");
    assert!(s.roster.contains("bob"), "the list is kept for the replay");
    assert_eq!(s.ping(), None);
    assert_eq!(s.leaving_frame(), None, "nothing to say it on");
    assert!(!s.watch_link(), "waiting for the timer");
    s.apply(Action::Reconnect);
    assert!(s.watch_link(), "a socket is opening");
    s.apply(frame(FromServer::Id { id: 8 }));
    assert_eq!(ack(&s), 1, "`id` on the new socket is not numbered");
    assert_eq!(
        s.login_frame(5),
        Some(ToServer::Resume {
            token: "1.first".into(),
            ack: 1,
            fresh: false,
            features: FEATURES.to_vec(),
        })
    );
    assert!(FEATURES.contains(&Feature::Resume) && FEATURES.contains(&Feature::Heartbeat));
    s.apply(Action::LoginSent { id: 8 });
    assert_eq!(s.login_frame(5), None, "sent once");
    assert!(!s.fresh_resume_pending());
    assert_eq!(s.connection, Connection::Reconnecting { retry_at_ms: None });

    s.apply(resumed(1));
    assert!(s.logged_in());
    assert_eq!(s.connection, Connection::Online, "quietly back");
    assert_eq!(s.signaling(), Some(true));
    assert_eq!(s.session.as_ref().unwrap().token, "1.second", "rotated");
    // The missed frames follow, numbered on from the ack; they apply to the kept list.
    s.apply(frame(FromServer::UserListDelta {
        joined: vec![],
        left: vec!["bob".into()],
    }));
    assert_eq!(ack(&s), 2);
    assert!(!s.roster.contains("bob"));
}

#[test]
fn the_backoff_grows_while_tries_fail_and_starts_over_once_back() {
    let mut s = with_session();
    // Each try fails when its timer fires (the largest sample every time): the ceiling doubles
    // with each try, but never beyond the time already spent disconnected, nor 10 s.
    let mut now = 1_000_000;
    let mut waits = Vec::new();
    for _ in 0..8 {
        s.apply(lost_at(now, 1.0));
        let at = retry_due(&s);
        waits.push(at - now);
        now = at;
        s.apply(Action::Reconnect);
    }
    assert_eq!(
        waits,
        [500, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]
    );
    run(
        &mut s,
        [
            frame(FromServer::Id { id: 9 }),
            Action::LoginSent { id: 9 },
            resumed(0),
        ],
    );
    s.apply(lost_at(now, 1.0));
    assert_eq!(retry_due(&s) - now, 500, "starts over once back");
}

/// Tries refused at once (a restarting server's closed port) do not run the ceiling up: five
/// failures within 200 ms still wait at most half a second, so the page is back soon after its
/// server is.
#[test]
fn quick_failures_do_not_push_the_next_try_far_away() {
    let mut s = with_session();
    for now in [0, 50, 100, 150, 200] {
        s.apply(lost_at(now, 1.0));
        assert!(retry_due(&s) <= now + 500, "at {now}: {:?}", s.connection);
        s.apply(Action::Reconnect);
    }
}

fn retry_due(s: &AppState) -> u64 {
    match s.connection {
        Connection::Reconnecting {
            retry_at_ms: Some(at),
        } => at,
        ref other => panic!("reconnecting with a timer: {other:?}"),
    }
}

#[test]
fn a_failed_resume_logs_in_with_the_name_and_drops_the_queue() {
    let mut s = resuming();
    s.apply(Action::Outgoing(offer_to_bob(1)));
    assert_eq!(s.outbox().count(), 1, "kept while resuming");
    assert!(!s.flush_due(), "not before `resumed`");
    let lost_before = s.lost_sessions;
    s.apply(frame(FromServer::Error {
        code: ErrorCode::ResumeFailed,
        message: "unknown token".into(),
    }));
    assert_eq!(
        s.lost_sessions,
        lost_before + 1,
        "the call layer hears it is gone"
    );
    assert_eq!(s.session, None);
    assert!(!s.resumable());
    assert_eq!(s.outbox().count(), 0, "dropped");
    assert_eq!(
        s.server_notice, None,
        "no alarm: the page logs in by itself"
    );
    assert!(s.roster.is_empty(), "the old session's list is stale");
    let Some(ToServer::Username { id, name, .. }) = s.login_frame(1) else {
        panic!("a username login is due");
    };
    assert_eq!((id, name.as_str()), (Some(8), "alice"), "no typing");
    run(
        &mut s,
        [
            Action::LoginSent { id: 8 },
            list(&["alice"]),
            frame(FromServer::Session {
                token: "2.new".into(),
                grace: 30,
            }),
        ],
    );
    assert!(s.logged_in() && s.resumable());
    assert_eq!(s.connection, Connection::Online);
}

#[test]
fn queued_frames_wait_in_order_and_go_out_after_resumed() {
    let mut s = with_session();
    s.apply(Action::Outgoing(offer_to_bob(0)));
    assert!(s.flush_due(), "up: goes out at once");
    s.apply(Action::Flushed(1));
    s.apply(lost_at(0, 0.0));
    for n in 1..=3 {
        s.apply(Action::Outgoing(offer_to_bob(n)));
    }
    assert!(!s.flush_due());
    s.apply(Action::Reconnect);
    run(
        &mut s,
        [
            frame(FromServer::Id { id: 8 }),
            Action::LoginSent { id: 8 },
            resumed(0),
        ],
    );
    assert!(s.flush_due());
    let waiting: Vec<ToServer> = s.outbox().cloned().collect();
    assert_eq!(waiting, [offer_to_bob(1), offer_to_bob(2), offer_to_bob(3)]);
    s.apply(Action::Flushed(2));
    assert_eq!(s.outbox().cloned().collect::<Vec<_>>(), [offer_to_bob(3)]);
    s.apply(Action::Flushed(5));
    assert!(!s.flush_due());
}

#[test]
fn the_queue_is_bounded_and_an_overflow_drops_the_session() {
    let mut s = with_session();
    s.apply(lost_at(0, 0.0));
    for n in 0..MAX_OUTBOX as u32 {
        s.apply(Action::Outgoing(offer_to_bob(n)));
    }
    assert_eq!(s.outbox().count(), MAX_OUTBOX);
    assert!(s.session.is_some());
    let lost_before = s.lost_sessions;
    s.apply(Action::Outgoing(offer_to_bob(999)));
    assert_eq!(s.session, None, "treated as a failed resume");
    assert_eq!(s.outbox().count(), 0);
    assert_eq!(s.lost_sessions, lost_before + 1);
    assert_eq!(s.signaling(), None);
    s.apply(Action::Outgoing(offer_to_bob(1_000)));
    assert_eq!(s.outbox().count(), 0, "nothing to keep it for now");
    s.apply(Action::Reconnect);
    s.apply(frame(FromServer::Id { id: 8 }));
    assert!(matches!(s.login_frame(1), Some(ToServer::Username { .. })));
}

#[test]
fn a_reloaded_page_resumes_fresh_from_storage_without_the_login_form() {
    let stored = StoredSession {
        token: "1.kept".into(),
        name: "bob".into(),
        ack: 41,
        room: None,
    };
    let mut s = AppState::restored(stored);
    assert_eq!(
        s.me.as_ref().map(|m| m.name.as_str()),
        Some("bob"),
        "lobby, not the form"
    );
    assert!(!s.resumable(), "not confirmed to this page yet");
    assert_eq!(s.leaving_frame(), None);
    assert!(s.watch_link());
    run(
        &mut s,
        [Action::SocketOpened, frame(FromServer::Id { id: 3 })],
    );
    assert_eq!(
        s.login_frame(1),
        Some(ToServer::Resume {
            token: "1.kept".into(),
            ack: 41,
            fresh: true,
            features: FEATURES.to_vec(),
        })
    );
    s.apply(Action::LoginSent { id: 3 });
    assert!(s.fresh_resume_pending());
    s.apply(frame(FromServer::Resumed {
        name: "bob".into(),
        token: "1.next".into(),
        grace: 30,
        ack: 41,
        partner: Some("alice".into()),
    }));
    assert!(!s.fresh_resume_pending());
    assert!(s.resumable() && s.logged_in());
    assert!(!s.me.as_ref().unwrap().name_changed());
    // The next loss resumes, not fresh any more.
    run(
        &mut s,
        [
            lost_at(0, 0.0),
            Action::Reconnect,
            frame(FromServer::Id { id: 4 }),
        ],
    );
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Resume { fresh: false, .. })
    ));
}

#[test]
fn after_a_server_restart_the_full_list_replaces_the_kept_one() {
    let mut s = resuming();
    s.apply(frame(FromServer::UserState {
        name: "bob".into(),
        state: Presence::Reconnecting,
        fresh: false,
    }));
    s.apply(resumed(0));
    assert_eq!(ack(&s), 0, "numbering starts again");
    s.apply(list(&["alice", "carol"]));
    assert_eq!(s.roster.iter().collect::<Vec<_>>(), ["alice", "carol"]);
    s.apply(frame(FromServer::UserState {
        name: "carol".into(),
        state: Presence::Reconnecting,
        fresh: false,
    }));
    assert_eq!(ack(&s), 2);
    assert!(s.roster.is_reconnecting("carol"));
}

#[test]
fn presence_marks_users_and_reconnecting_ones_cannot_be_called() {
    let mut s = with_session();
    assert!(s.can_call("bob"));
    s.apply(frame(FromServer::UserState {
        name: "bob".into(),
        state: Presence::Reconnecting,
        fresh: false,
    }));
    assert!(s.roster.is_reconnecting("bob"));
    assert!(s.roster.contains("bob"), "still listed");
    assert!(!s.can_call("bob"));
    s.apply(frame(FromServer::UserState {
        name: "bob".into(),
        state: Presence::Online,
        fresh: true,
    }));
    assert!(!s.roster.is_reconnecting("bob"));
    assert!(s.can_call("bob"));
}

#[test]
fn against_a_server_without_resume_everything_is_as_before() {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::SocketOpened,
            frame(FromServer::Id { id: 1 }),
            Action::Login(UserName::parse("alice").unwrap()),
            Action::LoginSent { id: 1 },
            list(&["alice", "bob"]),
            frame(chat("hi")),
        ],
    );
    assert!(s.logged_in());
    assert_eq!(s.session, None);
    assert!(!s.resumable());
    assert_eq!(s.ping(), None, "no heartbeat");
    assert_eq!(s.leaving_frame(), None, "no `leaving`");
    assert!(!s.watch_link());
    assert_eq!(s.stored_session(), None);
    s.apply(Action::Outgoing(offer_to_bob(1)));
    assert!(s.flush_due(), "sent at once while up");
    s.apply(Action::Flushed(1));

    let lost_before = s.lost_sessions;
    s.apply(lost_at(0, 0.5));
    assert_eq!(s.lost_sessions, lost_before + 1, "the call ends as before");
    assert_eq!(s.signaling(), None);
    assert!(s.roster.is_empty());
    s.apply(Action::Outgoing(offer_to_bob(2)));
    assert_eq!(s.outbox().count(), 0, "dropped while down, as before");
    assert!(matches!(s.connection, Connection::Reconnecting { .. }));
    run(&mut s, [Action::Reconnect, frame(FromServer::Id { id: 2 })]);
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Username { id: Some(2), .. })
    ));
}

#[test]
fn a_page_with_nothing_to_keep_waits_for_retry() {
    let mut s = AppState::default();
    s.apply(lost_at(0, 0.5));
    assert_eq!(s.connection, Connection::Lost);
    assert_eq!(s.lost_sessions, 0, "nobody was logged in");
    s.apply(Action::Reconnect);
    assert_eq!(s.connection, Connection::Connecting);
}
