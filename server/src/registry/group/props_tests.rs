//! Property tests of the group call: random sequences of logins (with and without the
//! `group-call` feature), renames, departures, joins, leaves, signals and 1:1 offers and
//! hang-ups from a handful of connections, applied through the synchronous dispatch, keep:
//! - the call has at most `GROUP_CALL_MAX` distinct members, all online, all with the feature;
//! - a join that took effect came from a client in no 1:1 call nor open offer;
//! - every `group-call` client's list, as its frames tell it, is the registry's after each step,
//!   and clients without the feature get no group frame at all;
//! - a `group-signal` reaches only a member, from a member, and only after the list naming its
//!   sender (in the receiver's own frame order).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::FromServer;
use shared::limits::GROUP_CALL_MAX;

use crate::dispatch::{ConnState, dispatch};
use crate::inbound::decode;
use crate::members::ConnId;
use crate::registry::Registry;

const CONNS: usize = 6;
const NAMES: &[&str] = &["ann", "bob", "cy", "dee", "eve", "fay", "gus"];

#[derive(Debug, Clone)]
enum Op {
    Login {
        conn: usize,
        name: usize,
        group: bool,
    },
    Leave {
        conn: usize,
    },
    Join {
        conn: usize,
    },
    GroupLeave {
        conn: usize,
    },
    Signal {
        from: usize,
        to: usize,
        sdp: bool,
    },
    Offer {
        from: usize,
        to: usize,
    },
    HangUp {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let conn = 0..CONNS;
    prop_oneof![
        3 => (conn.clone(), 0..NAMES.len(), prop::bool::weighted(0.8))
            .prop_map(|(conn, name, group)| Op::Login { conn, name, group }),
        1 => conn.clone().prop_map(|conn| Op::Leave { conn }),
        4 => conn.clone().prop_map(|conn| Op::Join { conn }),
        1 => conn.clone().prop_map(|conn| Op::GroupLeave { conn }),
        4 => (conn.clone(), conn.clone(), any::<bool>())
            .prop_map(|(from, to, sdp)| Op::Signal { from, to, sdp }),
        1 => (conn.clone(), conn.clone()).prop_map(|(from, to)| Op::Offer { from, to }),
        1 => (conn.clone(), conn).prop_map(|(from, to)| Op::HangUp { from, to }),
    ]
}

struct World {
    registry: Registry,
    conns: Vec<ConnState>,
    /// Each connection's group-call list, from its frames (`None`: none received yet).
    views: Vec<Option<Vec<String>>>,
    next_id: ConnId,
}

impl World {
    fn new() -> Self {
        Self {
            registry: Registry::new(4096),
            conns: (1..=CONNS as ConnId).map(ConnState::new).collect(),
            views: vec![None; CONNS],
            next_id: CONNS as ConnId + 1,
        }
    }

    fn target(&self, conn: usize) -> String {
        match &self.conns[conn].name {
            Some(name) => name.to_string(),
            None => NAMES[conn].to_owned(),
        }
    }

    fn send(&mut self, conn: usize, frame: Value) {
        let text = frame.to_string();
        let inbound = decode(&text).expect("the test sends well-formed frames");
        let _ = dispatch(&mut self.conns[conn], &self.registry, inbound);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Login { conn, name, group } => {
                let features = if group { vec!["group-call"] } else { vec![] };
                let frame = json!({"type": "username", "name": NAMES[name], "features": features});
                self.send(conn, frame);
            }
            Op::Leave { conn } => {
                self.registry.unregister(self.conns[conn].id);
                self.conns[conn] = ConnState::new(self.next_id);
                self.views[conn] = None;
                self.next_id += 1;
            }
            Op::Join { conn } => self.send(conn, json!({"type": "group-join"})),
            Op::GroupLeave { conn } => self.send(conn, json!({"type": "group-leave"})),
            Op::Signal { from, to, sdp } => {
                let mut frame = json!({"type": "group-signal", "target": self.target(to)});
                if sdp {
                    frame["sdp"] = json!({"type": "offer", "sdp": "v=0\r\n"});
                } else {
                    frame["candidate"] =
                        json!({"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"});
                }
                self.send(from, frame);
            }
            Op::Offer { from, to } => {
                let sdp = json!({"type": "offer", "sdp": "v=0\r\n"});
                let frame = json!({"type": "video-offer", "target": self.target(to), "sdp": sdp});
                self.send(from, frame);
            }
            Op::HangUp { from, to } => {
                self.send(from, json!({"type": "hang-up", "target": self.target(to)}));
            }
        }
    }

    /// Ids of the group call's members.
    fn members(&self) -> Vec<ConnId> {
        self.registry.lock().group.ids().to_vec()
    }

    /// Whether `id` is in a 1:1 call or an open offer with someone online.
    fn engaged(&self, id: ConnId) -> bool {
        let inner = self.registry.lock();
        inner
            .calls
            .partner(id)
            .is_some_and(|p| inner.members.contains(p))
    }

    fn check_call(&self) {
        let members = self.members();
        assert!(members.len() <= GROUP_CALL_MAX, "{members:?}");
        for (i, &id) in members.iter().enumerate() {
            assert!(!members[..i].contains(&id), "twice: {members:?}");
            let conn = self.conns.iter().find(|c| c.id == id).expect("online");
            assert!(conn.name.is_some() && conn.features.group_call, "{conn:?}");
            assert!(self.registry.is_online(id));
        }
    }

    /// Reads every outbox, in order, checking each frame against the receiver's view so far.
    fn check_deliveries(&mut self) {
        let names = self.registry.group_members();
        for (i, conn) in self.conns.iter().enumerate() {
            let Some(outbox) = &conn.outbox else { continue };
            let me = conn
                .name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default();
            for frame in outbox.drain_frames() {
                let group_frame = matches!(
                    frame,
                    FromServer::GroupCall { .. } | FromServer::GroupSignal { .. }
                );
                assert!(
                    !group_frame || conn.features.group_call,
                    "{me} has no feature: {frame:?}"
                );
                match frame {
                    FromServer::GroupCall { members } => self.views[i] = Some(members),
                    FromServer::GroupSignal { name, target, .. } => {
                        let view = self.views[i].as_ref().expect("a list before a signal");
                        assert!(view.contains(&name), "{me} got {name}'s signal first");
                        assert!(names.contains(&me) && names.contains(&name), "{names:?}");
                        assert_eq!(target, me);
                    }
                    _ => {}
                }
            }
            if conn.name.is_some() && conn.features.group_call {
                assert_eq!(self.views[i].as_ref(), Some(&names), "view of {me}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_keep_the_group_call_invariants(
        ops in proptest::collection::vec(op(), 1..80)
    ) {
        let mut world = World::new();
        for op in &ops {
            let before = world.members();
            let engaged = match *op {
                Op::Join { conn } => world.engaged(world.conns[conn].id),
                _ => false,
            };
            world.apply(op);
            if let Op::Join { conn } = *op {
                let id = world.conns[conn].id;
                if !before.contains(&id) && world.members().contains(&id) {
                    prop_assert!(!engaged, "{id} joined from a 1:1 call");
                }
            }
            world.check_call();
            world.check_deliveries();
        }
    }
}
