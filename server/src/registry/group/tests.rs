//! Unit tests of the group call: the list's rules, and the registry's transitions under its
//! lock (who hears the list, what is refused, who leaves when).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::*;
use crate::calls::CallEvent;
use crate::members::Features;
use crate::outbox::Outbox;

#[test]
fn the_list_keeps_join_order_and_refuses_a_fifth() {
    let mut call = GroupCall::default();
    assert_eq!(call.join(3), Ok(true));
    assert_eq!(call.join(1), Ok(true));
    assert_eq!(call.join(3), Ok(false));
    assert_eq!(call.join(2), Ok(true));
    assert_eq!(call.join(7), Ok(true));
    assert_eq!(call.ids(), &[3, 1, 2, 7]);
    assert_eq!(call.join(9), Err(Full));
    // Already in: still a no-op when full.
    assert_eq!(call.join(2), Ok(false));
    assert!(call.leave(1));
    assert!(!call.leave(1));
    assert_eq!(call.ids(), &[3, 2, 7]);
    assert_eq!(call.join(9), Ok(true));
    assert_eq!(call.ids(), &[3, 2, 7, 9]);
    assert!(call.contains(9) && !call.contains(1));
}

fn name(n: &str) -> UserName {
    UserName::parse(n).unwrap()
}

fn group() -> Features {
    Features {
        group_call: true,
        ..Features::default()
    }
}

fn login(registry: &Registry, id: ConnId, n: &str, features: Features) -> Arc<Outbox> {
    registry.login(id, &name(n), features).outbox.unwrap()
}

fn list(members: &[&str]) -> FromServer {
    FromServer::GroupCall {
        members: members.iter().map(|&m| m.to_owned()).collect(),
    }
}

#[test]
fn every_group_call_client_hears_each_change_and_others_nothing() {
    let registry = Registry::new(16);
    let alice = login(&registry, 1, "alice", group());
    let bob = login(&registry, 2, "bob", group());
    let mdn = login(&registry, 3, "mdn", Features::default());
    assert_eq!(alice.drain_frames(), vec![list(&[])]);
    assert_eq!(bob.drain_frames(), vec![list(&[])]);
    registry.group_join(2).unwrap();
    registry.group_join(1).unwrap();
    registry.group_join(1).unwrap();
    let both = vec![list(&["bob"]), list(&["bob", "alice"])];
    assert_eq!(alice.drain_frames(), both);
    assert_eq!(bob.drain_frames(), both);
    registry.group_leave(2);
    registry.group_leave(2);
    assert_eq!(alice.drain_frames(), vec![list(&["alice"])]);
    assert_eq!(bob.drain_frames(), vec![list(&["alice"])]);
    assert_eq!(registry.group_members(), vec!["alice".to_owned()]);
    assert_eq!(mdn.drain_frames(), vec![]);
}

#[test]
fn a_fifth_is_refused_and_nobody_hears_of_it() {
    let registry = Registry::new(16);
    let outboxes: Vec<_> = (1..=5)
        .map(|id| login(&registry, id, &format!("u{id}"), group()))
        .collect();
    for id in 1..=4 {
        registry.group_join(id).unwrap();
    }
    for outbox in &outboxes {
        outbox.drain_frames();
    }
    assert_eq!(registry.group_join(5), Err(ErrorCode::CallFull));
    assert!(outboxes.iter().all(|o| o.drain_frames().is_empty()));
    // One leaves: now there is room.
    registry.group_leave(2);
    registry.group_join(5).unwrap();
    assert_eq!(
        outboxes[0].drain_frames(),
        vec![list(&["u1", "u3", "u4"]), list(&["u1", "u3", "u4", "u5"])]
    );
}

#[test]
fn a_one_to_one_call_or_ringing_keeps_out_of_the_group_call_and_back() {
    let registry = Registry::new(16);
    let _alice = login(&registry, 1, "alice", group());
    let _bob = login(&registry, 2, "bob", group());
    let _carol = login(&registry, 3, "carol", group());
    registry
        .relay(1, "bob", "{}".into(), CallEvent::Offer)
        .unwrap();
    // Ringing, both ends.
    assert_eq!(registry.group_join(1), Err(ErrorCode::InCall));
    assert_eq!(registry.group_join(2), Err(ErrorCode::InCall));
    registry
        .relay(2, "alice", "{}".into(), CallEvent::Answer)
        .unwrap();
    assert_eq!(registry.group_join(2), Err(ErrorCode::InCall));
    registry
        .relay(2, "alice", "{}".into(), CallEvent::HangUp)
        .unwrap();
    registry.group_join(2).unwrap();
    // A member may not ring anyone, but may be rung (its page answers busy).
    assert_eq!(
        registry.relay(2, "carol", "{}".into(), CallEvent::Offer),
        Err(ErrorCode::InCall)
    );
    registry
        .relay(3, "bob", "{}".into(), CallEvent::Offer)
        .unwrap();
    registry
        .relay(2, "carol", "{}".into(), CallEvent::HangUp)
        .unwrap();
    // A caller whose callee has gone is free again.
    registry
        .relay(1, "carol", "{}".into(), CallEvent::Offer)
        .unwrap();
    registry.unregister(3);
    registry.group_join(1).unwrap();
    assert_eq!(registry.group_members(), vec!["bob", "alice"]);
}

#[test]
fn signals_need_both_ends_in_the_call() {
    let registry = Registry::new(16);
    let alice = login(&registry, 1, "alice", group());
    let bob = login(&registry, 2, "bob", group());
    registry.group_join(1).unwrap();
    assert_eq!(
        registry.group_signal(1, "bob", "b".into()),
        Err(ErrorCode::NotInCall)
    );
    assert_eq!(
        registry.group_signal(2, "alice", "a".into()),
        Err(ErrorCode::NotInCall)
    );
    assert_eq!(
        registry.group_signal(1, "alice", "a".into()),
        Err(ErrorCode::SelfTarget)
    );
    assert_eq!(
        registry.group_signal(1, "eve", "e".into()),
        Err(ErrorCode::UnknownTarget)
    );
    registry.group_join(2).unwrap();
    alice.drain_frames();
    bob.drain_frames();
    registry
        .group_signal(1, "bob", "\"to bob\"".into())
        .unwrap();
    assert_eq!(bob.try_pop().as_deref(), Some("\"to bob\""));
    assert_eq!(bob.try_pop(), None);
    assert_eq!(alice.try_pop(), None);
}

#[test]
fn leaving_the_session_or_the_name_leaves_the_call() {
    let registry = Registry::new(16);
    let alice = login(&registry, 1, "alice", group());
    let _bob = login(&registry, 2, "bob", group());
    let _carol = login(&registry, 3, "carol", group());
    for id in 1..=3 {
        registry.group_join(id).unwrap();
    }
    alice.drain_frames();
    registry.unregister(2);
    assert_eq!(alice.drain_frames(), vec![list(&["alice", "carol"])]);
    // A rename leaves (the list without the old name reaches the renamer too)…
    registry.login(3, &name("carla"), group());
    assert_eq!(alice.drain_frames(), vec![list(&["alice"])]);
    // …as does dropping the feature; a login that changes neither only gets the list.
    registry.group_join(3).unwrap();
    alice.drain_frames();
    registry.login(1, &name("alice"), group());
    assert_eq!(alice.drain_frames(), vec![list(&["alice", "carla"])]);
    registry.login(1, &name("alice"), Features::default());
    assert_eq!(registry.group_members(), vec!["carla"]);
    assert!(alice.drain_frames().is_empty());
}

#[test]
fn a_slow_member_is_dropped_and_leaves_the_call() {
    let registry = Registry::new(2);
    let alice = login(&registry, 1, "alice", group());
    let bob = login(&registry, 2, "bob", group());
    registry.group_join(1).unwrap();
    alice.drain_frames();
    // bob's outbox (2 frames: his login list and the first join) is full at the second join:
    // he is dropped, which is a departure from the call, told to alice in the same transition.
    registry.group_join(2).unwrap();
    assert!(!registry.is_online(2));
    assert_eq!(bob.try_pop(), None);
    assert_eq!(registry.group_members(), vec!["alice"]);
    assert_eq!(
        alice.drain_frames(),
        vec![list(&["alice", "bob"]), list(&["alice"])]
    );
}
