//! Unit tests of the rooms map: joining creates, an empty room is forgotten, a join against a
//! room that changed meanwhile is retried, capacity.

use std::sync::Arc;

use shared::{ErrorCode, RoomName, UserName};

use super::*;
use crate::members::Features;

fn rooms() -> Arc<Rooms> {
    let settings = Arc::new(Settings::default());
    let lobby = Registry::new(8);
    Arc::new(Rooms::new(
        settings,
        &lobby,
        TaskTracker::new(),
        CancellationToken::new(),
    ))
}

fn login(id: u64, name: &str) -> impl FnOnce(&Registry) -> Result<(), Refusal> {
    let name = UserName::parse(name).unwrap_or_else(|_| unreachable!());
    move |registry| {
        registry.login(id, &name, Features::default());
        Ok(())
    }
}

#[tokio::test]
async fn the_first_login_creates_and_the_last_departure_forgets() {
    let rooms = rooms();
    let name = RoomName::parse("Family").unwrap_or_else(|_| unreachable!());
    let settings = RoomSettings {
        passcode: None,
        capacity: Some(2),
    };
    let created = rooms.join(&name, None, || settings.clone(), login(1, "alice"));
    let Ok((room, ())) = created else {
        panic!("not created")
    };
    assert_eq!(rooms.count(), 1);
    assert_eq!(room.settings, settings);
    // Another login that saw no room must look again; one that saw it joins.
    assert!(matches!(
        rooms.join(&name, None, RoomSettings::default, login(2, "bob")),
        Err(JoinError::Changed)
    ));
    let seen = rooms.get(&name);
    assert!(
        rooms
            .join(&name, seen.as_ref(), RoomSettings::default, login(2, "bob"))
            .is_ok()
    );
    match rooms.join(
        &name,
        seen.as_ref(),
        RoomSettings::default,
        login(3, "carol"),
    ) {
        Err(JoinError::Refused(refusal)) => assert_eq!(refusal.code, ErrorCode::RoomFull),
        _ => panic!("a full room took a third"),
    }
    assert_eq!(rooms.online_count(), 2);
    // Not forgotten while someone is in.
    room.registry.unregister(1);
    assert!(!rooms.forget_if_empty(&room));
    room.registry.unregister(2);
    assert!(rooms.forget_if_empty(&room));
    assert_eq!(rooms.count(), 0);
    // A login that checked the old room must look again.
    assert!(matches!(
        rooms.join(&name, Some(&room), RoomSettings::default, login(4, "dave")),
        Err(JoinError::Changed)
    ));
}

#[tokio::test]
async fn a_refused_first_login_leaves_no_room() {
    let rooms = rooms();
    let name = RoomName::parse("x").unwrap_or_else(|_| unreachable!());
    let refused = rooms.join(&name, None, RoomSettings::default, |_| {
        Err::<(), _>(Refusal::new(ErrorCode::BadName, "no"))
    });
    assert!(matches!(refused, Err(JoinError::Refused(_))));
    assert_eq!(rooms.count(), 0);
}
