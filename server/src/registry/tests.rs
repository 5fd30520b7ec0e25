//! Unit tests of the registry: transitions under the lock, delivery and slow clients.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::chat::ChatFrames;

fn name(n: &str) -> UserName {
    UserName::parse(n).unwrap()
}

fn frames(outbox: &Outbox) -> Vec<FromServer> {
    outbox.drain_frames()
}

fn hang_up(name: &str, target: &str, reason: Option<HangUpReason>) -> FromServer {
    FromServer::HangUp {
        name: name.into(),
        target: target.into(),
        reason,
    }
}

#[test]
fn a_full_outbox_disconnects_that_client_and_tells_its_partner() {
    let registry = Registry::new(2);
    let alice = registry
        .login(1, &name("alice"), Features::default())
        .outbox
        .unwrap();
    let _bob = registry
        .login(2, &name("bob"), Features::default())
        .outbox
        .unwrap();
    let offer: Utf8Bytes = "{}".into();
    registry
        .relay(1, "bob", offer.clone(), CallEvent::Offer)
        .unwrap();
    registry
        .relay(1, "bob", offer.clone(), CallEvent::Candidate)
        .unwrap();
    // bob's outbox (2 frames) is full: the next relay disconnects him at once.
    registry
        .relay(1, "bob", offer, CallEvent::Candidate)
        .unwrap();
    assert!(!registry.is_online(2));
    assert_eq!(
        frames(&alice),
        vec![hang_up("bob", "alice", Some(HangUpReason::Left))]
    );
    assert_eq!(
        registry.relay(1, "bob", "{}".into(), CallEvent::Candidate),
        Err(ErrorCode::UnknownTarget)
    );
    // Unregistering an already dropped client is harmless.
    registry.unregister(2);
    assert_eq!(registry.online_count(), 1);
}

#[test]
fn hang_up_without_target_reaches_the_partner_only() {
    let registry = Registry::new(8);
    let a = registry
        .login(1, &name("a"), Features::default())
        .outbox
        .unwrap();
    let b = registry
        .login(2, &name("b"), Features::default())
        .outbox
        .unwrap();
    assert_eq!(registry.hang_up_partner(1, None), Err(ErrorCode::NotInCall));
    registry
        .relay(1, "b", "offer".into(), CallEvent::Offer)
        .unwrap();
    assert_eq!(b.try_pop().as_deref(), Some("offer"));
    registry
        .hang_up_partner(2, Some(HangUpReason::Declined))
        .unwrap();
    assert_eq!(
        frames(&a),
        vec![hang_up("b", "a", Some(HangUpReason::Declined))]
    );
    // The pair is over: nobody to hang up on, and leaving tells nobody.
    assert_eq!(registry.hang_up_partner(1, None), Err(ErrorCode::NotInCall));
    registry.unregister(2);
    assert!(frames(&a).is_empty());
}

#[test]
fn chat_goes_to_everyone_or_to_the_target_and_the_sender() {
    let registry = Registry::new(8);
    let plain = Features {
        plain_text: true,
        ..Features::default()
    };
    let a = registry.login(1, &name("a"), plain).outbox.unwrap();
    let b = registry
        .login(2, &name("b"), Features::default())
        .outbox
        .unwrap();
    let c = registry
        .login(3, &name("c"), Features::default())
        .outbox
        .unwrap();
    let frames = ChatFrames {
        raw: "raw".into(),
        escaped: "escaped".into(),
    };
    registry.chat(1, None, &frames).unwrap();
    assert_eq!(a.try_pop().as_deref(), Some("raw"));
    assert_eq!(b.try_pop().as_deref(), Some("escaped"));
    assert_eq!(c.try_pop().as_deref(), Some("escaped"));
    registry.chat(2, Some("a"), &frames).unwrap();
    assert_eq!(a.try_pop().as_deref(), Some("raw"));
    assert_eq!(b.try_pop().as_deref(), Some("escaped"));
    assert!(c.try_pop().is_none());
    assert_eq!(
        registry.chat(2, Some("b"), &frames),
        Err(ErrorCode::SelfTarget)
    );
}

#[test]
fn presence_batches_name_their_recipients_and_carry_the_list_only_when_needed() {
    let registry = Registry::new(8);
    let delta = Features {
        userlist_delta: true,
        ..Features::default()
    };
    registry.login(1, &name("d"), delta);
    let batch = registry.take_presence().unwrap();
    assert_eq!(batch.joined, vec!["d"]);
    assert_eq!(batch.names, Some(vec!["d".to_string()]));
    assert!(batch.recipients[0].first_list);
    assert!(registry.take_presence().is_none());

    registry.login(2, &name("e"), delta);
    registry.disconnect(&[2]);
    registry.login(3, &name("f"), delta);
    let batch = registry.take_presence().unwrap();
    assert_eq!((batch.joined, batch.left), (vec!["f".into()], vec![]));
    // Only f waits for its first list.
    let firsts: Vec<ConnId> = batch
        .recipients
        .iter()
        .filter(|r| r.first_list)
        .map(|r| r.id)
        .collect();
    assert_eq!(firsts, vec![3]);
    assert_eq!(batch.names, Some(vec!["d".to_string(), "f".to_string()]));

    // A departure among delta clients needs no list.
    registry.unregister(3);
    let batch = registry.take_presence().unwrap();
    assert_eq!(batch.left, vec!["f"]);
    assert!(batch.names.is_none());
}
