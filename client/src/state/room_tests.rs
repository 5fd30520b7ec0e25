//! Host tests of the page's room (issue 13): where a page starts, which session it takes back
//! and under which name it logs in, the hand-over to a new room's page, the passcode and
//! capacity in `username`, and the room's refusals.

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
        let s = AppState::start(route.clone(), Some(stored(kept)), None);
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

    // Elsewhere, the page logs in afresh under the tab's name (a bad link nowhere).
    let mut s = AppState::start(room("team"), Some(stored(Some("family"))), None);
    assert!(s.me.is_none() && s.joining());
    s.apply(Action::Server(FromServer::Id { id: 3 }));
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Username { ref name, .. }) if name == "bob"
    ));
    let s = AppState::start(Route::BadLink, Some(stored(None)), None);
    assert!(!s.joining());
    let fresh = AppState::start(room("family"), None, None);
    assert!(fresh.me.is_none() && fresh.session.is_none() && !fresh.joining());

    // The record the page keeps names its room.
    let mut s = AppState::start(room("family"), None, None);
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
    // Alice makes a room in the lobby's page; its page takes the hand-over and logs her in.
    let entry = Entry::new_room(&[1; 20], " s3cret ", "3").unwrap();
    assert_eq!(entry.passcode.as_deref(), Some("s3cret"));
    assert_eq!(entry.capacity, Some(3));
    let text = entry.handover_text();
    let kept = stored(None);
    let mut s = AppState::start(entry.route.clone(), Some(kept.clone()), Some(&text));
    assert_eq!(s.entry, entry);
    assert!(
        s.session.is_none(),
        "the lobby's session stays in the lobby"
    );
    s.apply(Action::Server(FromServer::Id { id: 1 }));
    assert!(matches!(
        s.login_frame(1),
        Some(ToServer::Username { ref name, passcode: Some(ref p), capacity: Some(3), .. })
            if name == "bob" && p == "s3cret"
    ));

    // A room without passcode and capacity; a hand-over for another room, or none, gives none.
    let plain = Entry::new_room(&[2; 20], "", "").unwrap();
    let s = AppState::start(plain.route.clone(), None, Some(&plain.handover_text()));
    assert_eq!(s.entry, plain);
    for other in [None, Some(text.as_str()), Some("garbage")] {
        let s = AppState::start(plain.route.clone(), None, other);
        assert_eq!(s.entry, Entry::at(plain.route.clone()), "{other:?}");
    }
    let s = AppState::start(Route::Lobby, None, Some(&text));
    assert_eq!(s.entry, Entry::at(Route::Lobby));

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
fn a_room_that_wants_a_passcode_gets_one_from_the_login_form() {
    let mut s = AppState::start(room("family"), None, None);
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
    let mut s = AppState::start(room("family"), None, None);
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
