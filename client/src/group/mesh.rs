//! The group call as a pure machine: [`Mesh::handle`] takes one [`GroupInput`] and returns the
//! [`GroupEffect`]s the driver carries out, in order.
//!
//! # Pairs
//! Once the server's `group-call` list names us, we hold one pair (one peer connection) with
//! every other member, and close the pair of anyone no longer listed (the others are left
//! alone). Of two members, the one listed later (who joined later) offers first: its pair is
//! made as a caller's (audio and video transceivers at once, so `negotiationneeded` starts the
//! offer); the earlier member's pair waits for that offer, answers it and then sends too. The
//! server lists a newcomer to everyone before it relays the newcomer's first signal, so the
//! offer always finds its pair.
//!
//! # Perfect negotiation
//! Each pair runs the 1:1 call's [`Negotiation`] (W3C perfect negotiation): the polite side is
//! the member whose name sorts first, so two members always agree on it.
//!
//! # Media
//! One camera stream for every pair; toggles flip its tracks and are told to every member as
//! `media-state` (also to each new member). The video senders are capped by the number of
//! peers ([`super::caps`]) whenever that number changes.

use shared::{ErrorCode, FromServer, SdpType, ToServer};

mod pair;

use self::pair::Pair;
use super::speaker::{Energy, Speaker};
use super::{GroupNotice, GroupView, Tile, caps};
use crate::call::PeerMedia;
use crate::call::machine::{
    Effect, Env, Input, Negotiation, PcId, PeerState, Signaling, TrackKind,
};
use crate::call::quality::Sample;

/// Everything that can happen to the group call.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupInput {
    /// Our own name (after login).
    SetMe(String),
    /// "Start group call" / "Join call".
    Join,
    /// "Leave call".
    Leave,
    SetMic(bool),
    SetCamera(bool),
    /// Any frame from the server; the machine picks what concerns the group call.
    Server(FromServer),
    /// The camera and microphone are open (the driver keeps the stream).
    MediaReady,
    /// An event or promise outcome of one pair's peer connection (the 1:1 call's inputs that
    /// name a `pc`).
    Pc(Input),
    /// One `getStats()` reading of pair `pc`, with its received audio's counters.
    Stats {
        pc: PcId,
        sample: Box<Sample>,
        energy: Option<Energy>,
        now_ms: f64,
    },
    /// The session is gone: the call ends here (the server ends our membership).
    SocketLost,
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupEffect {
    Send(ToServer),
    /// Make pair `pc` with `name`; an `offerer`'s has its transceivers at once.
    CreatePair {
        name: String,
        pc: PcId,
        offerer: bool,
    },
    ClosePair(PcId),
    /// A 1:1 call effect on pair `pc` (descriptions, candidates, rollback, sending, attaching
    /// the local tracks, ICE restart).
    Pair(PcId, Effect),
    AcquireMedia,
    ReleaseMedia,
    SetTrackEnabled {
        kind: TrackKind,
        enabled: bool,
    },
    /// Cap every pair's video sender (`setParameters`): what [`super::caps`] says now.
    ApplyCaps(Option<super::Caps>),
}

/// The group call. See the module documentation.
#[derive(Debug, Default)]
pub struct Mesh {
    me: Option<String>,
    members: Vec<String>,
    /// We joined or asked to.
    joined: bool,
    /// The server listed us since we joined.
    listed: bool,
    media_ready: bool,
    mic_off: bool,
    camera_off: bool,
    pairs: Vec<Pair>,
    next_pc: u32,
    speaker: Speaker,
    notice: Option<GroupNotice>,
}

impl Mesh {
    pub fn new() -> Self {
        Self::default()
    }

    /// The name of pair `pc`.
    pub fn pair_name(&self, pc: PcId) -> Option<&str> {
        self.pair(pc).map(|p| p.name.as_str())
    }

    pub fn view(&self) -> GroupView {
        let tiles: Vec<Tile> = self
            .pairs
            .iter()
            .map(|p| Tile {
                name: p.name.clone(),
                media: p.media,
                level: p.level,
            })
            .collect();
        GroupView {
            me: self.me.clone().unwrap_or_default(),
            members: self.members.clone(),
            joined: self.joined,
            mic_enabled: !self.mic_off,
            camera_enabled: !self.camera_off,
            speaker: self.speaker.current().map(str::to_owned),
            caps: caps(tiles.len()),
            tiles,
            notice: self.notice,
        }
    }

    /// Handles one input; `signaling` tells the signaling state of a pair's connection.
    pub fn handle(
        &mut self,
        input: GroupInput,
        now_ms: f64,
        signaling: impl Fn(PcId) -> Signaling,
    ) -> Vec<GroupEffect> {
        let mut fx = Vec::new();
        let env = |pc| Env {
            now_ms,
            signaling: signaling(pc),
            connection: PeerState::New,
        };
        match input {
            GroupInput::SetMe(name) => self.me = Some(name),
            GroupInput::Join if !self.joined => {
                self.joined = true;
                self.notice = None;
                fx.push(GroupEffect::Send(ToServer::GroupJoin));
                fx.push(GroupEffect::AcquireMedia);
            }
            GroupInput::Join => {}
            GroupInput::Leave => {
                if self.joined {
                    fx.push(GroupEffect::Send(ToServer::GroupLeave));
                }
                self.end(&mut fx);
            }
            GroupInput::SocketLost => self.end(&mut fx),
            GroupInput::SetMic(on) => self.toggle(TrackKind::Audio, on, &mut fx),
            GroupInput::SetCamera(on) => self.toggle(TrackKind::Video, on, &mut fx),
            GroupInput::MediaReady if self.joined => {
                self.media_ready = true;
                for pair in self.pairs.iter().filter(|p| p.sending) {
                    fx.push(GroupEffect::Pair(pair.pc, Effect::AttachMedia));
                }
                for (kind, off) in [
                    (TrackKind::Audio, self.mic_off),
                    (TrackKind::Video, self.camera_off),
                ] {
                    if off {
                        fx.push(GroupEffect::SetTrackEnabled {
                            kind,
                            enabled: false,
                        });
                    }
                }
            }
            // A stream for a call we left: the driver stops it.
            GroupInput::MediaReady => fx.push(GroupEffect::ReleaseMedia),
            GroupInput::Server(frame) => self.on_frame(frame, &env, &mut fx),
            GroupInput::Pc(input) => self.on_pc(input, &env, &mut fx),
            GroupInput::Stats {
                pc,
                sample,
                energy,
                now_ms,
            } => self.on_stats(pc, *sample, energy, now_ms),
        }
        fx
    }

    fn on_frame(
        &mut self,
        frame: FromServer,
        env: &dyn Fn(PcId) -> Env,
        fx: &mut Vec<GroupEffect>,
    ) {
        match frame {
            FromServer::GroupCall { members } => self.on_members(members, fx),
            FromServer::GroupSignal {
                name,
                sdp,
                candidate,
                ..
            } => {
                let Some(pair) = self.pairs.iter_mut().find(|p| p.name == name) else {
                    return;
                };
                let mut out = Vec::new();
                match (sdp, candidate) {
                    (Some(sdp), _) if sdp.kind == SdpType::Offer => {
                        pair.neg
                            .remote_offer(pair.polite, sdp, env(pair.pc), &mut out)
                    }
                    (Some(sdp), _) => {
                        pair.neg.remote_answer(sdp, env(pair.pc), &mut out);
                    }
                    (None, Some(candidate)) => pair.neg.remote_candidate(candidate, &mut out),
                    (None, None) => {}
                }
                let pc = pair.pc;
                fx.extend(out.into_iter().map(|e| GroupEffect::Pair(pc, e)));
            }
            FromServer::MediaState {
                name,
                audio,
                video,
                screen,
                ..
            } => {
                if let Some(pair) = self.pairs.iter_mut().find(|p| p.name == name) {
                    pair.media = PeerMedia {
                        audio,
                        video,
                        screen,
                    };
                }
            }
            FromServer::Error {
                code: code @ (ErrorCode::CallFull | ErrorCode::InCall),
                ..
            } if self.joined && !self.listed => {
                self.end(fx);
                self.notice = Some(if code == ErrorCode::CallFull {
                    GroupNotice::Full
                } else {
                    GroupNotice::InCall
                });
            }
            _ => {}
        }
    }

    /// A new list of members: pairs opened for newcomers, closed for those who left.
    fn on_members(&mut self, members: Vec<String>, fx: &mut Vec<GroupEffect>) {
        let me = self.me.clone().unwrap_or_default();
        let mine = members.iter().position(|m| *m == me);
        self.members = members;
        let Some(mine) = mine else {
            if self.listed {
                // The server ended our membership (our session went away meanwhile).
                self.end(fx);
            }
            return;
        };
        if !self.joined {
            // A call this page did not join (a reload that kept the session): leave it, the
            // person can join again.
            fx.push(GroupEffect::Send(ToServer::GroupLeave));
            return;
        }
        self.listed = true;
        let members = self.members.clone();
        // Rebuilt in join order: kept pairs moved over, newcomers' made.
        let mut old = std::mem::take(&mut self.pairs);
        let mut opened = false;
        for (index, name) in members.iter().enumerate() {
            if index == mine {
                continue;
            }
            if let Some(at) = old.iter().position(|p| p.name == *name) {
                self.pairs.push(old.swap_remove(at));
                continue;
            }
            opened = true;
            self.next_pc += 1;
            let pc = PcId(self.next_pc);
            let offerer = mine > index;
            fx.push(GroupEffect::CreatePair {
                name: name.clone(),
                pc,
                offerer,
            });
            if offerer && self.media_ready {
                fx.push(GroupEffect::Pair(pc, Effect::AttachMedia));
            }
            fx.push(GroupEffect::Send(self.media_state(name)));
            self.pairs.push(Pair {
                name: name.clone(),
                pc,
                polite: me < *name,
                neg: Negotiation::default(),
                sending: offerer,
                media: PeerMedia::default(),
                level: None,
                last: None,
                energy: None,
            });
        }
        let closed = !old.is_empty();
        for pair in old {
            self.speaker.forget(&pair.name);
            fx.push(GroupEffect::ClosePair(pair.pc));
        }
        if opened || closed {
            fx.push(GroupEffect::ApplyCaps(caps(self.pairs.len())));
        }
    }

    fn toggle(&mut self, kind: TrackKind, on: bool, fx: &mut Vec<GroupEffect>) {
        match kind {
            TrackKind::Audio => self.mic_off = !on,
            TrackKind::Video => self.camera_off = !on,
        }
        fx.push(GroupEffect::SetTrackEnabled { kind, enabled: on });
        for pair in &self.pairs {
            fx.push(GroupEffect::Send(self.media_state(&pair.name)));
        }
    }

    fn media_state(&self, target: &str) -> ToServer {
        ToServer::MediaState {
            target: target.to_owned(),
            audio: !self.mic_off,
            video: !self.camera_off,
            screen: false,
        }
    }

    /// Out of the call here: every pair closed, the camera released (the server is told by
    /// the caller when it should be).
    fn end(&mut self, fx: &mut Vec<GroupEffect>) {
        for pair in self.pairs.drain(..) {
            fx.push(GroupEffect::ClosePair(pair.pc));
        }
        if self.joined {
            fx.push(GroupEffect::ReleaseMedia);
        }
        self.joined = false;
        self.mic_off = false;
        self.camera_off = false;
        self.listed = false;
        self.media_ready = false;
        self.speaker = Speaker::default();
    }

    fn pair(&self, pc: PcId) -> Option<&Pair> {
        self.pairs.iter().find(|p| p.pc == pc)
    }
}
