//! Carrying out the negotiation effects of one [`Peer`]: descriptions, rollback, candidates and
//! ICE restarts. Shared by the 1:1 call's core and the group call's pairs, which run the same
//! perfect negotiation; outcomes are posted to the given [`Inbox`] tagged with the peer's id.

use wasm_bindgen_futures::spawn_local;

use super::inbox::Inbox;
use super::js::log_failure;
use super::peer::Peer;
use super::tasks;
use crate::call::machine::Effect;

impl Peer {
    /// Runs `effect` when it is one of the negotiation effects; gives it back otherwise.
    pub fn run(&mut self, effect: Effect, inbox: &Inbox) -> Option<Effect> {
        match effect {
            Effect::SetLocalDescription => {
                let promise = self.set_local();
                tasks::set_local(inbox.clone(), self.id, self.pc.clone(), promise);
            }
            Effect::Rollback => spawn_local(log_failure("rollback", self.rollback())),
            Effect::SetRemoteDescription(desc) => {
                let promise = self.set_remote(&desc);
                tasks::set_remote(inbox.clone(), self.id, desc.kind, promise);
            }
            // A candidate can fail harmlessly (one for an offer that lost a collision):
            // perfect negotiation ignores those errors.
            Effect::AddIceCandidate(candidate) => match self.add_candidate(&candidate) {
                Ok(promise) => spawn_local(log_failure("addIceCandidate", promise)),
                Err(error) => crate::log::debug_of("addIceCandidate", &error),
            },
            Effect::RestartIce => {
                if let Err(error) = self.restart_ice() {
                    crate::log::debug_of("restartIce", &error);
                }
            }
            Effect::EnableSending => self.enable_sending(),
            other => return Some(other),
        }
        None
    }
}
