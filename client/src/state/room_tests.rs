//! Host tests of the page's room (issue 13): where a page starts and which session it takes
//! back, going to a new place, the passcode and capacity in `username`, and the room's refusals.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use shared::limits::MAX_PASSCODE_CHARS;
use shared::{ErrorCode, FromServer, RoomName, ToServer, UserName};

use super::*;
use crate::route::Route;

fn room(raw: &str) -> Route {
    Route::Room(RoomName::parse(raw).unwrap())
}

fn run(state: &mut AppState, actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        state.apply(action);
    }
}

fn login(name: &str) -> Action {
    Action::Login(UserName::parse(name).unwrap())
}

fn error(code: ErrorCode) -> Action {
    Action::Server(FromServer::Error {
        code,
        message: String::new(),
    })
}

/// The `username` frame's room fields, if a `username` is due.
fn room_fields(state: &AppState) -> Option<(Option<String>, Option<u32>)> {
    match state.login_frame(1)? {
        ToServer::Username {
            passcode, capacity, ..
        } => Some((passcode, capacity)),
        _ => None,
    }
}

fn stored(room: Option<&str>) -> StoredSession {
    StoredSession {
        token: "1.kept".into(),
        name: "bob".into(),
        ack: 4,
        room: room.map(|r| RoomName::parse(r).unwrap()),
    }
}

#[test]
fn a_kept_session_is_taken_back_only_in_its_own_room() {
    let resumes = |route: Route, kept: Option<&str>| {
        let s = AppState::start(route.clone(), Some(stored(kept)));
        assert_eq!(s.entry.route, route);
        s.session.is_some()
    };
    assert!(resumes(Route::Lobby, None));
    assert!(resumes(room("family"), Some("family")));
    assert!(!resumes(room("family"), None), "a lobby session in a room");
    assert!(
        !resumes(Route::Lobby, Some("family")),
        "a room session in the lobby"
    );
    assert!(
        !resumes(room("team"), Some("family")),
        "another room's session"
    );
    assert!(!resumes(Route::BadLink, None));

    let fresh = AppState::start(room("family"), None);
    assert!(fresh.me.is_none() && fresh.session.is_none());

    // The record the page keeps names its room.
    let mut s = AppState::start(room("family"), None);
    run(
        &mut s,
        [
            Action::Server(FromServer::Id { id: 1 }),
            login("alice"),
            Action::LoginSent { id: 1 },
            Action::Server(FromServer::Session {
                token: "1.t".into(),
                grace: 30,
            }),
        ],
    );
    assert_eq!(
        s.stored_session().unwrap().room,
        RoomName::parse("family").ok()
    );
}

#[test]
fn username_carries_the_rooms_passcode_and_capacity_only_in_a_room() {
    let entry = Entry::new_room(&[1; 20], " s3cret ", "3").unwrap();
    assert_eq!(entry.passcode.as_deref(), Some("s3cret"));
    assert_eq!(entry.capacity, Some(3));
    let mut s = AppState::default();
    s.apply(Action::Enter(entry.clone()));
    run(
        &mut s,
        [Action::Server(FromServer::Id { id: 1 }), login("alice")],
    );
    assert_eq!(
        room_fields(&s),
        Some((Some("s3cret".into()), Some(3))),
        "{:?}",
        s.login_frame(1)
    );

    // The lobby sends neither, even with values in hand.
    let mut s = AppState {
        entry: Entry {
            route: Route::Lobby,
            ..entry
        },
        ..AppState::default()
    };
    run(
        &mut s,
        [Action::Server(FromServer::Id { id: 1 }), login("alice")],
    );
    assert_eq!(room_fields(&s), Some((None, None)));
}

#[test]
fn the_new_room_form_is_checked() {
    let random = [0xff; 20];
    let entry = Entry::new_room(&random, "", "  ").unwrap();
    assert_eq!(entry.route, Route::Room(RoomName::private_from(&random)));
    assert_eq!((entry.passcode, entry.capacity), (None, None));
    for bad in ["1", "101", "0", "-2", "two", "2.5"] {
        assert_eq!(
            Entry::new_room(&random, "", bad),
            Err(RoomFormError::BadCapacity),
            "{bad}"
        );
    }
    assert!(Entry::new_room(&random, "", "100").is_ok());
    let longest = "é".repeat(MAX_PASSCODE_CHARS);
    assert!(Entry::new_room(&random, &longest, "").is_ok());
    assert_eq!(
        Entry::new_room(&random, &[&longest, "x"].concat(), ""),
        Err(RoomFormError::PasscodeTooLong)
    );
}

#[test]
fn entering_a_room_drops_the_lobby_and_logs_in_again_there() {
    let mut s = AppState::default();
    run(
        &mut s,
        [
            Action::SocketOpened,
            Action::Server(FromServer::Id { id: 7 }),
            login("alice"),
            Action::LoginSent { id: 7 },
            Action::Server(FromServer::Session {
                token: "7.t".into(),
                grace: 30,
            }),
            Action::Server(FromServer::UserList {
                users: vec!["alice".into(), "bob".into()],
            }),
            Action::Server(FromServer::Message {
                name: "bob".into(),
                text: "hi".into(),
                date: 1,
                id: 1,
                target: None,
            }),
        ],
    );
    assert!(s.logged_in());
    let (attempt, lost) = (s.attempt, s.lost_sessions);

    let entry = Entry::new_room(&[2; 20], "pw", "").unwrap();
    s.apply(Action::Enter(entry.clone()));
    assert_eq!(s.entry, entry);
    assert_eq!(s.attempt, attempt + 1, "a new socket opens");
    assert_eq!(
        s.lost_sessions,
        lost + 1,
        "the call layer hears the session is gone"
    );
    assert!(s.me.is_none() && s.session.is_none() && s.stored_session().is_none());
    assert_eq!(s.roster.iter().count(), 0);
    assert!(s.chat.is_empty());
    assert_eq!(s.connection, Connection::Connecting);
    assert!(s.joining(), "the login goes out again by itself");
    // On the room's socket: `username`, not `resume`, with the room's passcode.
    s.apply(Action::Server(FromServer::Id { id: 8 }));
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Username { id: Some(8), ref name, passcode: Some(ref p), capacity: None, .. })
            if name == "alice" && p == "pw"
    ));

    // Going to the same place again is nothing; Back to the lobby is a new place again.
    let before = s.clone();
    s.apply(Action::Enter(Entry::at(entry.route.clone())));
    assert_eq!(s, before);
    s.apply(Action::Enter(Entry::at(Route::Lobby)));
    assert_eq!(s.attempt, attempt + 2);
    assert_eq!(
        s.lost_sessions,
        lost + 1,
        "nothing was logged in in the room"
    );
    assert_eq!(room_fields(&s), None, "no id yet on the new socket");
    s.apply(Action::Server(FromServer::Id { id: 9 }));
    assert_eq!(room_fields(&s), Some((None, None)));

    // A bad link logs in nowhere.
    s.apply(Action::Enter(Entry::at(Route::BadLink)));
    s.apply(Action::Server(FromServer::Id { id: 10 }));
    assert_eq!(s.login_frame(1), None);
}

#[test]
fn a_room_that_wants_a_passcode_gets_one_from_the_login_form() {
    let mut s = AppState::start(room("family"), None);
    run(
        &mut s,
        [
            Action::Server(FromServer::Id { id: 1 }),
            login("bob"),
            Action::LoginSent { id: 1 },
        ],
    );
    assert!(!s.asks_passcode());
    s.apply(error(ErrorCode::PasscodeRequired));
    assert!(s.asks_passcode(), "the form asks for the passcode");
    assert_eq!(
        s.login_error.as_ref().map(|e| e.code),
        Some(ErrorCode::PasscodeRequired)
    );
    assert!(s.me.is_none() && !s.joining());
    assert_eq!(s.login_frame(1), None, "nothing is sent again by itself");

    // A wrong one: refused, still asked.
    run(&mut s, [Action::Passcode(" wrong ".into()), login("bob")]);
    assert_eq!(room_fields(&s), Some((Some("wrong".into()), None)));
    run(
        &mut s,
        [Action::LoginSent { id: 1 }, error(ErrorCode::BadPasscode)],
    );
    assert!(s.asks_passcode());
    assert!(!s.room_full());

    // The right one gets in; the form keeps its passcode field should it show again.
    run(
        &mut s,
        [
            Action::Passcode("right".into()),
            login("bob"),
            Action::LoginSent { id: 1 },
            Action::Server(FromServer::UserList {
                users: vec!["bob".into()],
            }),
        ],
    );
    assert!(s.logged_in());
    assert_eq!(s.login_error, None);
    assert!(s.asks_passcode());

    // The lobby never asks.
    let mut lobby = AppState::default();
    run(
        &mut lobby,
        [
            Action::Server(FromServer::Id { id: 1 }),
            login("bob"),
            Action::LoginSent { id: 1 },
            error(ErrorCode::PasscodeRequired),
        ],
    );
    assert!(!lobby.asks_passcode());
}

#[test]
fn a_full_room_says_so_on_the_login_form() {
    let mut s = AppState::start(room("family"), None);
    run(
        &mut s,
        [
            Action::Server(FromServer::Id { id: 1 }),
            login("carol"),
            Action::LoginSent { id: 1 },
            error(ErrorCode::RoomFull),
        ],
    );
    assert!(s.room_full());
    assert!(!s.asks_passcode());
    assert!(s.me.is_none() && !s.joining());
    // Trying again clears it.
    s.apply(login("carol"));
    assert!(!s.room_full());
}
