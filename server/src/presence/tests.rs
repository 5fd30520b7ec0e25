//! Unit tests of the presence policy and of list splitting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::members::Features;
use crate::outbox::Outbox;
use shared::UserName;

fn name(n: &str) -> UserName {
    UserName::parse(n).unwrap()
}

fn frames(outbox: &Outbox) -> Vec<FromServer> {
    outbox.drain_frames()
}

/// Applies a delta the way the protocol says clients must.
fn apply(list: &mut Vec<String>, joined: &[String], left: &[String]) {
    list.retain(|n| !left.contains(n));
    list.extend(joined.iter().cloned());
}

/// Applies a sequence of list frames the way a delta client does.
fn apply_frames(list: &mut Vec<String>, frames: &[Utf8Bytes]) {
    for frame in frames {
        match FromServer::from_json(frame).unwrap() {
            FromServer::UserList { users } => *list = users,
            FromServer::UserListDelta { joined, left } => apply(list, &joined, &left),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn flush_sends_full_lists_to_newcomers_and_legacy_and_deltas_to_others() {
    let registry = Registry::new(8);
    let delta = Features {
        userlist_delta: true,
        ..Features::default()
    };
    let d = registry.login(1, &name("d"), delta).outbox.unwrap();
    flush(&registry);
    assert_eq!(
        frames(&d),
        vec![FromServer::UserList {
            users: vec!["d".into()]
        }]
    );
    let legacy = registry
        .login(2, &name("m"), Features::default())
        .outbox
        .unwrap();
    let _x = registry.login(3, &name("x"), delta).outbox.unwrap();
    registry.unregister(3);
    flush(&registry);
    assert_eq!(
        frames(&d),
        vec![FromServer::UserListDelta {
            joined: vec!["m".into()],
            left: vec![]
        }]
    );
    assert_eq!(
        frames(&legacy),
        vec![FromServer::UserList {
            users: vec!["d".into(), "m".into()]
        }]
    );
    // Nothing pending: nothing sent.
    flush(&registry);
    assert!(frames(&d).is_empty());
    // A legacy client hears of every change as a whole list; a delta client as a delta.
    registry.unregister(1);
    flush(&registry);
    assert_eq!(
        frames(&legacy),
        vec![FromServer::UserList {
            users: vec!["m".into()]
        }]
    );
}

#[test]
fn a_client_too_slow_for_its_list_is_disconnected() {
    let registry = Registry::new(1);
    let _slow = registry
        .login(1, &name("slow"), Features::default())
        .outbox
        .unwrap();
    flush(&registry);
    assert!(registry.is_online(1));
    // Its one slot is still taken by the first list: the next list does not fit.
    registry.login(2, &name("other"), Features::default());
    flush(&registry);
    assert!(!registry.is_online(1));
    assert!(registry.is_online(2));
}

#[test]
fn big_lists_and_deltas_are_split_into_small_frames_that_add_up() {
    let names: Vec<String> = (0..5000).map(|i| format!("user{i:05}")).collect();
    let frames = full_list_frames(&names);
    assert!(
        frames.len() > 1 && frames.len() <= MAX_CHUNKS + 1,
        "{}",
        frames.len()
    );
    assert!(frames.iter().all(|f| f.len() <= 2 * CHUNK_BYTES));
    let mut list = vec!["stale".to_string()];
    apply_frames(&mut list, &frames);
    assert_eq!(list, names);

    let left: Vec<String> = names[..1000].to_vec();
    let joined: Vec<String> = (0..1000).map(|i| format!("new{i:04}")).collect();
    let frames = delta_frames(&joined, &left);
    assert!(frames.len() > 2);
    apply_frames(&mut list, &frames);
    let expected: Vec<String> = names[1000..].iter().chain(&joined).cloned().collect();
    assert_eq!(list, expected);

    // Small ones stay one frame; an empty list is still a list.
    assert_eq!(full_list_frames(&names[..3]).len(), 1);
    assert_eq!(full_list_frames(&[]).len(), 1);
    assert_eq!(delta_frames(&names[..2], &[]).len(), 1);
}

#[test]
fn a_legacy_list_is_the_latest_logins_in_one_frame_under_the_fragment_size() {
    // The longest names, with characters JSON escapes, and many of them.
    let names: Vec<String> = (0..10_000)
        .map(|i| format!("{i:05}\"{}", "é".repeat(26)))
        .collect();
    let window = legacy_window(&names);
    assert!(!window.is_empty() && window.len() < names.len());
    assert_eq!(window.last(), names.last(), "the newest login is in");
    let frame = FromServer::UserList {
        users: window.to_vec(),
    }
    .to_json();
    assert!(
        frame.len() <= crate::socket::FRAGMENT_BYTES,
        "{} bytes",
        frame.len()
    );
    // Nothing more would have fitted: one more name goes over the bound.
    let more = &names[names.len() - window.len() - 1..];
    let bytes: usize = more
        .iter()
        .map(|n| serde_json::to_string(n).unwrap().len() + 1)
        .sum();
    assert!(bytes > LEGACY_LIST_BYTES);
    // Small lobbies are whole.
    assert_eq!(legacy_window(&names[..3]), &names[..3]);
}
