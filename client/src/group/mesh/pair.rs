//! One pair of the mesh ([`Pair`]: our peer connection with one other member, its perfect
//! negotiation, what the member sends and the pair's quality), and what its peer connection's
//! events and stats readings do to the [`Mesh`].

use shared::{IceCandidate, SessionDescription, ToServer};

use super::{GroupEffect, Mesh};
use crate::call::PeerMedia;
use crate::call::machine::{Effect, Env, Input, LocalDescription, Negotiation, PcId, PeerState};
use crate::call::quality::{Figures, Level, Sample, assess};
use crate::group::speaker::Energy;

/// One other member and our peer connection with them.
#[derive(Debug)]
pub(super) struct Pair {
    pub(super) name: String,
    pub(super) pc: PcId,
    pub(super) polite: bool,
    pub(super) neg: Negotiation,
    /// Our tracks are on its senders (an offerer's at once, an answerer's once it answered).
    pub(super) sending: bool,
    pub(super) media: PeerMedia,
    pub(super) level: Option<Level>,
    pub(super) last: Option<Sample>,
    pub(super) energy: Option<Energy>,
}

impl Mesh {
    pub(super) fn on_pc(
        &mut self,
        input: Input,
        env: &dyn Fn(PcId) -> Env,
        fx: &mut Vec<GroupEffect>,
    ) {
        let Some(pc) = input.peer_connection() else {
            return;
        };
        let media_ready = self.media_ready;
        let Some(pair) = self.pairs.iter_mut().find(|p| p.pc == pc) else {
            // A closed pair's late event.
            return;
        };
        let mut out = Vec::new();
        match input {
            Input::NegotiationNeeded { .. } => pair.neg.needed(true, env(pc), &mut out),
            Input::LocalDescriptionSet { sdp, .. }
                if pair.neg.local_set(sdp.kind) != LocalDescription::Keep =>
            {
                fx.push(signal(&pair.name, Some(sdp), None));
            }
            Input::LocalDescriptionFailed { .. } | Input::RemoteDescriptionFailed { .. } => {
                pair.neg.failed()
            }
            // An applied offer is answered: our transceivers send, our tracks on them, then
            // the answer.
            Input::RemoteDescriptionSet { kind, .. } if pair.neg.remote_set(kind) => {
                out.push(Effect::EnableSending);
                pair.sending = true;
                if media_ready {
                    out.push(Effect::AttachMedia);
                }
                out.push(Effect::SetLocalDescription);
            }
            Input::LocalCandidate {
                candidate: Some(candidate),
                ..
            } => fx.push(signal(&pair.name, None, Some(candidate))),
            Input::ConnectionState {
                state: PeerState::Failed,
                ..
            } if !pair.polite => out.push(Effect::RestartIce),
            _ => {}
        }
        fx.extend(out.into_iter().map(|e| GroupEffect::Pair(pc, e)));
    }

    pub(super) fn on_stats(
        &mut self,
        pc: PcId,
        sample: Sample,
        energy: Option<Energy>,
        now_ms: f64,
    ) {
        let Some(pair) = self.pairs.iter_mut().find(|p| p.pc == pc) else {
            return;
        };
        if let Some(last) = &pair.last {
            pair.level = Some(assess(&Figures::between(last, &sample)).level);
        }
        pair.last = Some(sample);
        let level = match (energy, pair.energy) {
            (Some(now), Some(before)) => now.level_since(before),
            _ => None,
        };
        if energy.is_some() {
            pair.energy = energy;
        }
        if let Some(level) = level {
            let name = pair.name.clone();
            self.speaker.heard(&name, level, now_ms);
        }
    }
}

fn signal(
    target: &str,
    sdp: Option<SessionDescription>,
    candidate: Option<IceCandidate>,
) -> GroupEffect {
    GroupEffect::Send(ToServer::GroupSignal {
        name: None,
        target: target.to_owned(),
        sdp,
        candidate,
    })
}
