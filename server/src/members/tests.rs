//! Unit tests of membership: unique names, renames, and the presence change log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn name(n: &str) -> UserName {
    UserName::parse(n).unwrap()
}

fn login(members: &mut Members, id: ConnId, n: &str) -> String {
    members
        .login(id, &name(n), Features::default(), 8)
        .name
        .to_string()
}

#[test]
fn names_are_numbered_and_renames_free_the_old_name() {
    let mut members = Members::default();
    assert_eq!(login(&mut members, 1, "a"), "a");
    assert_eq!(login(&mut members, 2, "a"), "a2");
    // Renaming to one's own name keeps it.
    assert_eq!(login(&mut members, 2, "a2"), "a2");
    assert_eq!(login(&mut members, 1, "z"), "z");
    assert_eq!(login(&mut members, 3, "a"), "a");
    // A rename goes to the end of the list.
    assert_eq!(members.names(), vec!["a2", "z", "a"]);
    assert_eq!(members.target_id(3, " z "), Ok(1));
    assert_eq!(members.target_id(1, "z"), Err(ErrorCode::SelfTarget));
    assert_eq!(
        members.target_id(1, "nobody"),
        Err(ErrorCode::UnknownTarget)
    );
}

#[test]
fn only_the_first_login_gets_an_outbox_and_removal_closes_it() {
    let mut members = Members::default();
    let outbox = members
        .login(1, &name("a"), Features::default(), 8)
        .outbox
        .unwrap();
    assert!(
        members
            .login(1, &name("b"), Features::default(), 8)
            .outbox
            .is_none()
    );
    assert_eq!(members.remove(1).unwrap().name.as_str(), "b");
    assert!(members.remove(1).is_none());
    assert!(members.is_empty());
    assert_eq!(
        outbox.push("x".into()),
        Err(crate::outbox::PushError::Closed)
    );
    // The name is free again.
    assert_eq!(login(&mut members, 2, "b"), "b");
}

/// Applies a delta the way the protocol says clients must.
fn apply(list: &mut Vec<String>, joined: &[String], left: &[String]) {
    list.retain(|n| !left.contains(n));
    list.extend(joined.iter().cloned());
}

#[test]
fn delta_rule_is_exact_when_names_come_and_go_within_a_batch() {
    let mut list = vec!["a".to_string(), "x".to_string()];
    let mut changes = PresenceChanges::default();
    // x leaves and comes back; y comes and goes; z comes; a leaves.
    changes.left("x");
    changes.joined("x");
    changes.joined("y");
    changes.left("y");
    changes.joined("z");
    changes.left("a");
    let (joined, left) = changes.take().unwrap();
    apply(&mut list, &joined, &left);
    assert_eq!(list, vec!["x", "z"]);
    assert!(changes.take().is_none());
}

#[test]
fn mark_alone_gives_an_empty_batch() {
    let mut changes = PresenceChanges::default();
    assert!(changes.take().is_none());
    changes.mark();
    assert_eq!(changes.take(), Some((vec![], vec![])));
}

#[test]
fn a_feature_change_asks_for_a_full_list() {
    let mut members = Members::default();
    login(&mut members, 1, "a");
    members.get(1).unwrap();
    members
        .iter_mut()
        .for_each(|(_, m)| m.needs_full_list = false);
    assert!(members.take_changes().is_some());
    let delta = Features {
        userlist_delta: true,
        ..Features::default()
    };
    members.login(1, &name("a"), delta, 8);
    assert!(members.get(1).unwrap().needs_full_list);
    assert_eq!(members.take_changes(), Some((vec![], vec![])));
}

#[test]
fn look_alike_names_are_numbered_while_the_first_is_online() {
    let mut members = Members::default();
    assert_eq!(login(&mut members, 1, "alice"), "alice");
    for (id, twin) in [
        (2, "Alice"),
        (3, "ALICE"),
        (4, "ＡＬＩＣＥ"),
        (5, "aIice"),
        (6, "ａlice"),
    ] {
        let given = login(&mut members, id, twin);
        assert_ne!(given, twin, "{twin:?} must not stand beside alice");
        assert!(given.starts_with(twin), "{given:?} keeps what was typed");
    }
    // The numbered names themselves are told apart (alice2 vs Alice2 look alike too).
    let names = members.names();
    let keys: std::collections::HashSet<_> = names.iter().flat_map(|n| name(n).keys()).collect();
    assert!(keys.len() >= names.len());
    // Renaming one's own name to a case variant keeps it (no number).
    assert_eq!(login(&mut members, 1, "Alice"), "Alice");
    // Leaving frees every key: the next look-alike gets the name as typed.
    members.remove(1).unwrap();
    assert_eq!(login(&mut members, 9, "alice"), "alice");
}

#[test]
fn restored_names_block_their_look_alikes() {
    let mut members = Members::default();
    let hash = crate::token::SecretHash::from_base64(&"A".repeat(43)).unwrap();
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let resume = Resumable::restored(hash, until, 8, 1024);
    let restored = members.restore(1, &name("é"), Features::default(), 8, resume);
    assert_eq!(restored.as_str(), "é");
    assert_eq!(login(&mut members, 2, "e\u{301}"), "e\u{301}2");
    // `É2` looks like `é2`, which id 2 holds.
    assert_eq!(login(&mut members, 3, "É"), "É3");
}

#[test]
fn many_of_one_name_are_numbered_in_order_and_the_holder_leaving_frees_it() {
    let mut members = Members::default();
    for id in 1..=300 {
        let expected = if id == 1 {
            "alice".to_owned()
        } else {
            format!("alice{id}")
        };
        assert_eq!(login(&mut members, id, "alice"), expected);
    }
    assert_eq!(login(&mut members, 301, "Alice"), "Alice301");
    members.remove(1).unwrap();
    assert_eq!(login(&mut members, 302, "ALICE"), "ALICE");
    assert_eq!(login(&mut members, 303, "alice"), "alice302");
}
