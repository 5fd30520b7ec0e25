//! Property tests of the registry (issue 11, point 8): random sequences of login, rename,
//! leave, offer, answer, candidate and hang-up from a handful of connections, applied through
//! the synchronous dispatch, keep its invariants after every step:
//! - no two online names share a look-alike key (`UserName::keys`), and each connection's name
//!   is the one the registry holds for it;
//! - call pointers are symmetric: an online client pointing at another online client is pointed
//!   back at, unless it has an open offer to it that the other may answer (ringing someone busy);
//! - an answer is delivered only to a client whose latest offer (as the test saw it delivered,
//!   and not since answered or hung up) went to the answerer, and it pairs them; a candidate or
//!   hang-up only between two clients that were in a call or an open offer before it;
//! - everyone's view of presence, rebuilt from the `userlist` and `userlist-delta` frames its
//!   outbox received, equals the registry's list of names.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use serde_json::{Value, json};
use shared::FromServer;
use tokio::time::Instant;

use super::Registry;
use crate::calls::CallEvent;
use crate::dispatch::{ConnState, dispatch};
use crate::inbound::decode;
use crate::members::ConnId;

/// How many connections take part.
const CONNS: usize = 5;

/// Names asked for: look-alikes of one another, padded, refused ones.
const NAMES: &[&str] = &[
    "alice",
    "Alice",
    "\u{0430}lice",
    "ＡＬＩＣＥ",
    "alice2",
    "bob",
    "  bob ",
    "b\u{043E}b",
    "carol",
    "caro1",
    "dave",
    "\u{202E}eve",
];

#[derive(Debug, Clone)]
enum Op {
    /// Log in, or rename when logged in already.
    Login {
        conn: usize,
        name: usize,
        delta: bool,
    },
    /// The socket closes.
    Leave {
        conn: usize,
    },
    Offer {
        from: usize,
        to: usize,
    },
    Answer {
        from: usize,
        to: usize,
    },
    Candidate {
        from: usize,
        to: usize,
    },
    /// With a target (ours), or without (MDN's).
    HangUp {
        from: usize,
        to: Option<usize>,
        declined: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let conn = 0..CONNS;
    prop_oneof![
        3 => (conn.clone(), 0..NAMES.len(), any::<bool>())
            .prop_map(|(conn, name, delta)| Op::Login { conn, name, delta }),
        1 => conn.clone().prop_map(|conn| Op::Leave { conn }),
        3 => (conn.clone(), conn.clone()).prop_map(|(from, to)| Op::Offer { from, to }),
        3 => (conn.clone(), conn.clone()).prop_map(|(from, to)| Op::Answer { from, to }),
        2 => (conn.clone(), conn.clone()).prop_map(|(from, to)| Op::Candidate { from, to }),
        2 => (conn.clone(), proptest::option::of(conn), any::<bool>())
            .prop_map(|(from, to, declined)| Op::HangUp { from, to, declined }),
    ]
}

/// The connections and what each has seen.
struct World {
    registry: Registry,
    conns: Vec<ConnState>,
    /// Each connection's user list, rebuilt from its frames (`None` before its first list).
    views: Vec<Option<Vec<String>>>,
    /// Open offers as the delivered frames tell them: caller → callee of its latest offer.
    offers: HashMap<ConnId, ConnId>,
    next_id: ConnId,
}

impl World {
    fn new() -> Self {
        Self {
            // Roomy outboxes: every step's frames are drained, nobody is too slow here.
            registry: Registry::new(4096),
            conns: (1..=CONNS as ConnId).map(ConnState::new).collect(),
            views: vec![None; CONNS],
            offers: HashMap::new(),
            next_id: CONNS as ConnId + 1,
        }
    }

    /// The name `conn` is targeted by: its own when logged in, else one from the list.
    fn target(&self, conn: usize) -> String {
        match &self.conns[conn].name {
            Some(name) => name.to_string(),
            None => NAMES[conn % NAMES.len()].trim().to_owned(),
        }
    }

    fn send(&mut self, conn: usize, frame: Value) {
        let text = frame.to_string();
        if let Ok(inbound) = decode(&text) {
            // Refusals are part of the game: only the invariants matter.
            let _ = dispatch(&mut self.conns[conn], &self.registry, inbound);
        }
    }

    fn apply(&mut self, op: &Op) {
        let sdp = |kind: &str| json!({"type": kind, "sdp": "v=0\r\n"});
        match *op {
            Op::Login { conn, name, delta } => {
                let mut features = vec!["plain-text"];
                if delta {
                    features.push("userlist-delta");
                }
                let frame = json!({"type": "username", "name": NAMES[name], "features": features});
                self.send(conn, frame);
            }
            Op::Leave { conn } => {
                self.registry.unregister(self.conns[conn].id);
                self.offers.remove(&self.conns[conn].id);
                self.conns[conn] = ConnState::new(self.next_id);
                self.views[conn] = None;
                self.next_id += 1;
            }
            Op::Offer { from, to } => {
                let frame =
                    json!({"type": "video-offer", "target": self.target(to), "sdp": sdp("offer")});
                self.send(from, frame);
            }
            Op::Answer { from, to } => {
                let frame = json!({"type": "video-answer", "target": self.target(to), "sdp": sdp("answer")});
                self.send(from, frame);
            }
            Op::Candidate { from, to } => {
                let candidate =
                    json!({"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0"});
                let frame = json!({"type": "new-ice-candidate", "target": self.target(to), "candidate": candidate});
                self.send(from, frame);
            }
            Op::HangUp { from, to, declined } => {
                let target = to.map(|to| self.target(to));
                let mut frame = json!({"type": "hang-up", "target": target});
                if declined {
                    frame["reason"] = json!("declined");
                }
                self.send(from, frame);
            }
        }
    }

    /// Online names and their ids.
    fn ids(&self) -> HashMap<String, ConnId> {
        let inner = self.registry.lock();
        inner
            .members
            .iter()
            .map(|(id, m)| (m.name.to_string(), id))
            .collect()
    }

    /// Pairs of online clients that are in a call or an open offer, either way round.
    fn linked(&self) -> HashSet<(String, String)> {
        let inner = self.registry.lock();
        let online: Vec<_> = inner
            .members
            .iter()
            .map(|(id, m)| (id, m.name.to_string()))
            .collect();
        let mut pairs = HashSet::new();
        for (a, a_name) in &online {
            for (b, b_name) in &online {
                if inner.calls.linked(*a, *b) {
                    pairs.insert((a_name.clone(), b_name.clone()));
                }
            }
        }
        pairs
    }

    fn check_names(&self) {
        let inner = self.registry.lock();
        let mut keys = HashSet::new();
        for (id, member) in inner.members.iter() {
            let own: HashSet<_> = member.name.keys().into_iter().collect();
            for key in own {
                assert!(
                    keys.insert(key.clone()),
                    "two online names look alike on {key:?} ({})",
                    member.name.as_str()
                );
            }
            let conn = self
                .conns
                .iter()
                .find(|c| c.id == id)
                .expect("a member is a connection");
            assert_eq!(conn.name.as_ref(), Some(&member.name));
        }
        for conn in &self.conns {
            assert_eq!(
                conn.name.is_some(),
                inner.members.contains(conn.id),
                "{conn:?}"
            );
        }
    }

    fn check_calls(&self) {
        let inner = self.registry.lock();
        let now = Instant::now();
        for (a, _) in inner.members.iter() {
            let Some(b) = inner.calls.partner(a) else {
                continue;
            };
            if !inner.members.contains(b) || inner.calls.partner(b) == Some(a) {
                continue;
            }
            // One-sided: only a caller ringing someone busy, who may answer it.
            assert!(
                inner.calls.check(b, a, CallEvent::Answer, now).is_ok(),
                "{a} points at {b}, who points at {:?}, with no open offer from {a}",
                inner.calls.partner(b)
            );
        }
    }

    /// Flushes presence, drains every outbox and checks what each connection received.
    fn check_deliveries(&mut self, before: &Before) {
        crate::presence::flush(&self.registry);
        let linked_after = self.linked();
        let ids = self.ids();
        let id_of = |name: &str| ids.get(name).or_else(|| before.ids.get(name)).copied();
        for (i, conn) in self.conns.iter().enumerate() {
            let Some(outbox) = &conn.outbox else { continue };
            let me = conn
                .name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default();
            let r = conn.id;
            for frame in outbox.drain_frames() {
                match &frame {
                    FromServer::VideoOffer { name, .. } => {
                        self.offers.insert(id_of(name).expect("a known caller"), r);
                    }
                    FromServer::VideoAnswer { name, .. } => {
                        let s = id_of(name).expect("a known answerer");
                        assert_eq!(
                            self.offers.remove(&r),
                            Some(s),
                            "{me} got an answer from {name}, whom its latest offer did not go to"
                        );
                    }
                    FromServer::HangUp { name, .. } => {
                        if let Some(s) = id_of(name) {
                            if self.offers.get(&s) == Some(&r) {
                                self.offers.remove(&s);
                            }
                            if self.offers.get(&r) == Some(&s) {
                                self.offers.remove(&r);
                            }
                        }
                    }
                    _ => {}
                }
                match frame {
                    FromServer::UserList { users } => self.views[i] = Some(users),
                    FromServer::UserListDelta { joined, left } => {
                        let view = self.views[i].as_mut().expect("a delta after a full list");
                        view.retain(|n| !left.contains(n));
                        view.extend(joined);
                    }
                    FromServer::VideoAnswer { name, .. } => assert!(
                        linked_after.contains(&(me.clone(), name.clone())),
                        "{me} got an answer from {name} without being paired with them"
                    ),
                    FromServer::NewIceCandidate { name, .. } | FromServer::HangUp { name, .. } => {
                        assert!(
                            before.linked.contains(&(me.clone(), name.clone())),
                            "{me} got a candidate or hang-up from {name}, not its call"
                        );
                    }
                    FromServer::VideoOffer { .. } => {}
                    other => panic!("unexpected frame {other:?}"),
                }
            }
        }
        let names = self.registry.lock().members.names();
        for (i, conn) in self.conns.iter().enumerate() {
            if conn.name.is_some() {
                assert_eq!(
                    self.views[i].as_ref(),
                    Some(&names),
                    "view of {:?}",
                    conn.name
                );
            }
        }
    }
}

/// What the checks need from before a step.
struct Before {
    linked: HashSet<(String, String)>,
    /// Names of clients who may leave during the step (a hang-up `left` comes from them).
    ids: HashMap<String, ConnId>,
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..80)) {
        let mut world = World::new();
        for op in &ops {
            // A hang-up "left" comes from someone who just went: linked before this step.
            let before = Before { linked: world.linked(), ids: world.ids() };
            world.apply(op);
            world.check_names();
            world.check_calls();
            world.check_deliveries(&before);
        }
    }
}
