//! Host tests of the page state: the reducer one action at a time, asserting facts (codes,
//! enums, names), never sentences.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use shared::limits::MAX_CHAT_CHARS;
use shared::{ErrorCode, Feature, FromServer, ToServer, UserName};

use super::*;

fn name(raw: &str) -> UserName {
    UserName::parse(raw).unwrap()
}

fn run(state: &mut AppState, actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        state.apply(action);
    }
}

/// The socket closed at time 0, with the backoff's sample in the middle.
fn lost() -> Action {
    Action::SocketLost {
        now_ms: 0,
        jitter: 0.5,
    }
}

fn online(state: &AppState) -> Vec<&str> {
    state.roster.iter().collect()
}

fn list(users: &[&str]) -> Action {
    Action::Server(FromServer::UserList {
        users: users.iter().map(|u| u.to_string()).collect(),
    })
}

/// Alice's name went out on socket 1; then `replies` (the server's answer and what follows).
fn alice_sent_her_name(replies: impl IntoIterator<Item = Action>) -> AppState {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::Server(FromServer::Id { id: 1 }),
            Action::Login(name("alice")),
            Action::LoginSent { id: 1 },
        ],
    );
    run(&mut s, replies);
    s
}

/// A state logged in as `alice` on socket 7, with bob online.
fn logged_in() -> AppState {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::SocketOpened,
            Action::Server(FromServer::Id { id: 7 }),
            Action::Login(name("alice")),
            Action::LoginSent { id: 7 },
            list(&["bob", "alice"]),
        ],
    );
    s
}

#[test]
fn starts_connecting_without_login() {
    let s = AppState::default();
    assert_eq!(s.connection, Connection::Connecting);
    assert_eq!(s.connection.as_str(), "connecting");
    assert!(s.me.is_none());
    assert_eq!(s.login_frame(1), None);
}

#[test]
fn username_is_sent_once_the_id_and_the_name_are_both_known() {
    // Name first, id later.
    let mut s = AppState::default();
    s.apply(Action::Login(name("  alice ")));
    assert!(s.joining());
    assert_eq!(s.login_frame(5), None, "no id yet");
    s.apply(Action::SocketOpened);
    assert_eq!(s.connection, Connection::Online);
    s.apply(Action::Server(FromServer::Id { id: 9 }));
    let frame = s.login_frame(5).unwrap();
    assert_eq!(
        frame,
        ToServer::Username {
            id: Some(9),
            name: "alice".into(),
            date: Some(5),
            features: vec![
                Feature::UserlistDelta,
                Feature::PlainText,
                Feature::IceServers,
                Feature::Resume,
                Feature::Heartbeat,
                Feature::MediaState,
                Feature::GroupCall,
            ],
            passcode: None,
            capacity: None,
        }
    );
    s.apply(Action::LoginSent { id: 9 });
    assert_eq!(s.login_frame(6), None, "sent only once per socket");

    // Id first, name later.
    let mut s = AppState::default();
    s.apply(Action::Server(FromServer::Id { id: 3 }));
    assert_eq!(s.login_frame(1), None, "no name yet");
    s.apply(Action::Login(name("bob")));
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Username { id: Some(3), .. })
    ));
}

#[test]
fn the_first_user_list_confirms_the_login() {
    let s = logged_in();
    let me = s.me.clone().unwrap();
    assert_eq!(me.name, "alice");
    assert!(!me.name_changed());
    assert!(s.logged_in());
    assert!(!s.joining());
    assert_eq!(online(&s), ["bob", "alice"]);
}

#[test]
fn rejectusername_gives_the_name_actually_used() {
    let mut s = alice_sent_her_name([Action::Server(FromServer::RejectUsername {
        id: 1,
        name: "alice2".into(),
    })]);
    assert!(s.me.is_none(), "not in before the user list");
    s.apply(list(&["alice", "alice2"]));
    let me = s.me.clone().unwrap();
    assert_eq!(me.name, "alice2");
    assert_eq!(me.asked, "alice");
    assert!(me.name_changed());
}

#[test]
fn a_refused_login_goes_back_to_the_form_with_the_reason() {
    let s = alice_sent_her_name([Action::Server(FromServer::Error {
        code: ErrorCode::BadName,
        message: "the name is empty".into(),
    })]);
    assert!(s.me.is_none());
    assert!(!s.joining());
    assert_eq!(
        s.login_error,
        Some(ServerError {
            code: ErrorCode::BadName,
            message: "the name is empty".into(),
        })
    );
    assert_eq!(s.server_notice, None);
}

#[test]
fn a_new_try_after_a_refused_login_clears_the_error() {
    let mut s = alice_sent_her_name([Action::Server(FromServer::Error {
        code: ErrorCode::BadName,
        message: "no".into(),
    })]);
    assert_eq!(
        s.login_error.as_ref().map(|e| e.code),
        Some(ErrorCode::BadName)
    );
    assert_eq!(s.login_frame(1), None, "nothing wanted any more");
    s.apply(Action::Login(name("bob")));
    assert_eq!(s.login_error, None);
    let Some(ToServer::Username { name, .. }) = s.login_frame(1) else {
        panic!("the session goes on after an error: the new name is sent on it");
    };
    assert_eq!(name, "bob");
}

#[test]
fn userlist_delta_adds_and_removes_without_duplicates() {
    let mut s = logged_in();
    s.apply(Action::Server(FromServer::UserListDelta {
        joined: vec!["carol".into(), "bob".into()],
        left: vec![],
    }));
    assert_eq!(online(&s), ["bob", "alice", "carol"]);
    s.apply(Action::Server(FromServer::UserListDelta {
        joined: vec![],
        left: vec!["bob".into()],
    }));
    assert_eq!(online(&s), ["alice", "carol"]);
}

#[test]
fn a_lost_socket_keeps_the_lobby_and_reconnects_with_the_given_name() {
    let mut s = alice_sent_her_name([
        Action::Server(FromServer::RejectUsername {
            id: 1,
            name: "alice2".into(),
        }),
        list(&["alice", "alice2"]),
        lost(),
    ]);
    assert_eq!(
        s.connection,
        Connection::Reconnecting {
            retry_at_ms: Some(250)
        },
        "the first try within half a second, by itself"
    );
    assert!(s.me.is_some(), "the lobby stays visible");
    assert!(
        s.roster.is_empty(),
        "the old list is stale (no session to resume)"
    );
    assert!(!s.logged_in());
    let attempt = s.attempt;
    s.apply(Action::Reconnect);
    assert_eq!(s.attempt, attempt + 1);
    assert_eq!(s.connection, Connection::Reconnecting { retry_at_ms: None });
    assert_eq!(s.login_frame(1), None, "no id on the new socket yet");
    s.apply(Action::SocketOpened);
    s.apply(Action::Server(FromServer::Id { id: 2 }));
    let Some(ToServer::Username { id, name, .. }) = s.login_frame(1) else {
        panic!("a login is due on the new socket");
    };
    assert_eq!((id, name.as_str()), (Some(2), "alice2"));
    s.apply(Action::LoginSent { id: 2 });
    assert_eq!(
        s.connection,
        Connection::Reconnecting { retry_at_ms: None },
        "reconnecting until logged in again"
    );
    s.apply(list(&["alice2"]));
    assert!(s.logged_in());
    assert_eq!(s.connection, Connection::Online, "quietly back");
    let me = s.me.unwrap();
    assert_eq!((me.name.as_str(), me.asked.as_str()), ("alice2", "alice"));
}

#[test]
fn submitting_the_login_after_the_socket_was_lost_reconnects() {
    let mut s = AppState::default();
    s.apply(lost());
    let attempt = s.attempt;
    s.apply(Action::Login(name("alice")));
    assert_eq!(s.attempt, attempt + 1);
    assert_eq!(s.connection, Connection::Connecting);
}

#[test]
fn an_idle_login_page_reconnects_quietly_when_the_server_closes_it() {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::SocketOpened,
            Action::Server(FromServer::Id { id: 1 }),
            Action::Server(FromServer::Error {
                code: ErrorCode::LoginTimeout,
                message: "no login in time".into(),
            }),
        ],
    );
    assert_eq!(s.server_notice, None, "nothing to alarm the person");
    let attempt = s.attempt;
    s.apply(lost());
    assert_eq!(s.attempt, attempt + 1, "a new socket at once");
    assert_eq!(s.connection, Connection::Connecting);
    assert_eq!(s.conn_id, None);
    // A plain failure of the new socket is shown as lost (no reconnect loop).
    s.apply(lost());
    assert_eq!(s.attempt, attempt + 1);
    assert_eq!(s.connection, Connection::Lost);
}

#[test]
fn a_login_sent_on_an_old_socket_is_ignored() {
    let mut s = AppState::default();
    s.apply(Action::Server(FromServer::Id { id: 1 }));
    s.apply(Action::Login(name("alice")));
    s.apply(lost());
    s.apply(Action::LoginSent { id: 1 });
    s.apply(Action::Reconnect);
    s.apply(Action::Server(FromServer::Id { id: 2 }));
    assert!(s.login_frame(1).is_some());
}

#[test]
fn chat_lines_keep_sender_text_and_privacy_and_are_bounded() {
    let mut s = logged_in();
    s.apply(Action::Server(FromServer::Message {
        id: 1,
        name: "<img src=x onerror=alert(1)>".into(),
        text: "<b>hi</b>".into(),
        date: 1_700_000_000_000,
        target: None,
    }));
    s.apply(Action::Server(FromServer::Message {
        id: 1,
        name: "bob".into(),
        text: "psst".into(),
        date: 1,
        target: Some("alice".into()),
    }));
    assert_eq!(s.chat.len(), 2);
    assert_eq!(s.chat[0].name, "<img src=x onerror=alert(1)>");
    assert_eq!(s.chat[0].text, "<b>hi</b>");
    assert!(!s.chat[0].private);
    assert!(s.chat[1].private);
    assert_ne!(s.chat[0].seq, s.chat[1].seq);

    for i in 0..MAX_CHAT_LINES + 10 {
        s.apply(Action::Server(FromServer::Message {
            id: 1,
            name: "bob".into(),
            text: i.to_string(),
            date: 1,
            target: None,
        }));
    }
    assert_eq!(s.chat.len(), MAX_CHAT_LINES);
    assert_eq!(
        s.chat.last().unwrap().text,
        (MAX_CHAT_LINES + 9).to_string()
    );
}

#[test]
fn chat_frames_are_validated() {
    let s = logged_in();
    assert_eq!(s.chat_frame("   ", None, 1), Err(ChatError::Empty));
    assert_eq!(
        s.chat_frame(&"x".repeat(MAX_CHAT_CHARS + 1), None, 1),
        Err(ChatError::TooLong)
    );
    assert!(s.chat_frame(&"é".repeat(MAX_CHAT_CHARS), None, 1).is_ok());
    assert_eq!(
        s.chat_frame(" hello ", None, 42),
        Ok(ToServer::Message {
            id: Some(7),
            text: "hello".into(),
            date: Some(42),
            target: None,
        })
    );
    // A private message names its one recipient (the `target` extension).
    assert_eq!(
        s.chat_frame("psst", Some("bob".into()), 3),
        Ok(ToServer::Message {
            id: Some(7),
            text: "psst".into(),
            date: Some(3),
            target: Some("bob".into()),
        })
    );
    let mut down = s.clone();
    down.apply(lost());
    assert_eq!(down.chat_frame("hello", None, 1), Err(ChatError::Offline));
}

#[test]
fn server_errors_after_login_become_a_dismissable_notice() {
    let mut s = logged_in();
    s.apply(Action::Server(FromServer::Error {
        code: ErrorCode::RateLimited,
        message: "slow down".into(),
    }));
    assert_eq!(
        s.server_notice,
        Some(ServerError {
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
        })
    );
    assert!(s.me.is_some(), "still logged in");
    s.apply(Action::DismissServerNotice);
    assert_eq!(s.server_notice, None);
}

#[test]
fn calls_are_offered_only_to_others_while_idle_and_online() {
    let mut s = logged_in();
    assert!(s.can_call("bob"));
    assert!(!s.can_call("alice"), "not oneself");
    assert!(!s.can_call("zed"), "not someone who is not online");
    s.apply(Action::Server(FromServer::UserListDelta {
        joined: vec![],
        left: vec!["bob".into()],
    }));
    assert!(!s.can_call("bob"), "not someone who left");
    s.apply(list(&["alice", "bob"]));
    s.apply(Action::Call(CallView {
        phase: CallPhase::Calling { peer: "bob".into() },
        ..CallView::default()
    }));
    assert!(!s.can_call("bob"), "not while in a call");
    s.apply(Action::Call(CallView::default()));
    assert!(s.can_call("bob"));
    s.apply(lost());
    assert!(!s.can_call("bob"), "not while offline");
}

#[test]
fn a_rename_after_login_updates_the_name() {
    let mut s = logged_in();
    s.apply(Action::Server(FromServer::RejectUsername {
        id: 7,
        name: "alice3".into(),
    }));
    assert_eq!(s.me.unwrap().name, "alice3");
}

#[test]
fn signaling_frames_leave_the_ui_state_alone() {
    let mut s = logged_in();
    let before = s.clone();
    s.apply(Action::Server(FromServer::HangUp {
        name: "bob".into(),
        target: "alice".into(),
        reason: None,
    }));
    s.apply(Action::Server(FromServer::IceServers {
        ice_servers: vec![],
        expires: None,
    }));
    assert_eq!(s, before);
}

#[test]
fn signaling_that_crossed_the_end_of_a_call_is_not_shown() {
    let mut s = logged_in();
    s.apply(Action::Server(FromServer::Error {
        code: ErrorCode::NotInCall,
        message: "not in a call with bob".into(),
    }));
    assert_eq!(s.server_notice, None);
    s.apply(Action::Server(FromServer::Error {
        code: ErrorCode::UnknownTarget,
        message: "the target is not online".into(),
    }));
    assert_eq!(
        s.server_notice.as_ref().map(|e| e.code),
        Some(ErrorCode::UnknownTarget)
    );
}
