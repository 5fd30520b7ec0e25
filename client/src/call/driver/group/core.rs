//! What the group call's loop owns and how the [`Mesh`]'s effects are carried out: one
//! [`Peer`] per other member, the one camera stream they all send, the ICE servers, and the
//! send caps (`setParameters` on every video sender).
//!
//! Dropping the core leaves the call: the server is told, every pair is closed, the tracks
//! stop.

use js_sys::{Array, Function, Reflect};
use shared::{IceServer, ToServer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::MediaStream;
use yew::Callback;

use super::GroupUpdate;
use crate::call::driver::ice_servers::IceServers;
use crate::call::driver::inbox::{Inbox, Msg};
use crate::call::driver::js::log_failure;
use crate::call::driver::peer::Peer;
use crate::call::driver::{media, quality_stats, stats, tasks};
use crate::call::machine::{CallId, Effect, Role, Signaling, TrackKind};
use crate::call::quality::{Entry, Sample};
use crate::error::ClientError;
use crate::group::Caps;
use crate::group::mesh::{GroupEffect, GroupInput, Mesh};
use crate::group::speaker::Energy;

pub struct GroupCore {
    mesh: Mesh,
    /// Where the pairs' listeners and promises post (the 1:1 driver's message type).
    inbox: Inbox,
    send: Callback<ToServer>,
    /// Where stats readings go back to the loop.
    post: Callback<GroupInput>,
    ice: IceServers,
    pairs: Vec<Peer>,
    local: Option<MediaStream>,
    /// Names the current camera request: a stream for an older one is stopped.
    media_call: u32,
    caps: Option<Caps>,
}

impl GroupCore {
    pub fn new(inbox: Inbox, send: Callback<ToServer>, post: Callback<GroupInput>) -> Self {
        Self {
            mesh: Mesh::new(),
            inbox,
            send,
            post,
            ice: IceServers::from_page(),
            pairs: Vec::new(),
            local: None,
            media_call: 0,
            caps: None,
        }
    }

    pub fn update(&self) -> GroupUpdate {
        GroupUpdate {
            view: self.mesh.view(),
            local: self.local.clone(),
            remotes: self
                .pairs
                .iter()
                .filter_map(|p| Some((self.mesh.pair_name(p.id)?.to_owned(), p.remote.clone()?)))
                .collect(),
        }
    }

    /// The 1:1 driver refreshes the credentials; this one only keeps the latest list.
    pub fn set_ice_servers(&mut self, servers: Vec<IceServer>) {
        self.ice.set(servers, None, &self.inbox);
    }

    pub fn handle(&mut self, input: GroupInput) {
        let pairs = &self.pairs;
        let signaling = |pc| {
            pairs
                .iter()
                .find(|p| p.id == pc)
                .map_or(Signaling::Stable, Peer::signaling)
        };
        for effect in self.mesh.handle(input, js_sys::Date::now(), signaling) {
            self.execute(effect);
        }
    }

    /// A message from a pair's listener, a promise, or the camera.
    pub fn peer_msg(&mut self, msg: Msg) {
        match msg {
            Msg::Input(input) => self.handle(GroupInput::Pc(input)),
            Msg::RemoteTrack { pc, track } => {
                if let Some(peer) = self.pairs.iter_mut().find(|p| p.id == pc)
                    && let Err(error) = peer.add_remote_track(track)
                {
                    crate::log::debug_of("remote stream", &error);
                }
            }
            Msg::MediaOpened { call, result } => match result {
                Ok(stream) if call.0 == self.media_call && self.local.is_none() => {
                    self.local = Some(stream);
                    self.handle(GroupInput::MediaReady);
                }
                Ok(stream) => media::stop(&stream),
                Err(error) => crate::log::warn(&crate::text::media_error_sentence(&error)),
            },
            _ => {}
        }
    }

    /// Reads every pair's stats (each reading goes back as [`GroupInput::Stats`]) and makes
    /// sure each video sender has the current cap (a `setParameters` may have lost a race
    /// with negotiation).
    pub fn read_stats(&self) {
        for peer in &self.pairs {
            cap(peer, self.caps);
            let (pc, id, post) = (peer.pc.clone(), peer.id, self.post.clone());
            spawn_local(async move {
                match stats::report(&pc).await {
                    Ok(report) => {
                        let entries: Vec<Entry> =
                            report.values().map(quality_stats::entry).collect();
                        post.emit(GroupInput::Stats {
                            pc: id,
                            sample: Box::new(Sample::from_entries(&entries)),
                            energy: Energy::from_entries(&entries),
                            now_ms: js_sys::Date::now(),
                        });
                    }
                    Err(error) => crate::log::debug_of("getStats", &error),
                }
            });
        }
    }

    fn execute(&mut self, effect: GroupEffect) {
        match effect {
            GroupEffect::Send(frame) => self.send.emit(frame),
            GroupEffect::CreatePair { pc, offerer, .. } => {
                let role = if offerer { Role::Caller } else { Role::Callee };
                match Peer::new(pc, role, &self.ice.rtc_configuration(), &self.inbox) {
                    Ok(peer) => self.pairs.push(peer),
                    Err(error) => crate::log::warn_of("group peer connection", &error),
                }
            }
            GroupEffect::ClosePair(pc) => self.pairs.retain(|p| p.id != pc),
            GroupEffect::Pair(pc, effect) => {
                let Some(peer) = self.pairs.iter_mut().find(|p| p.id == pc) else {
                    return;
                };
                if let Some(Effect::AttachMedia) = peer.run(effect, &self.inbox)
                    && let Some(stream) = &self.local
                {
                    for promise in peer.attach(stream) {
                        spawn_local(log_failure("replaceTrack", promise));
                    }
                }
            }
            GroupEffect::AcquireMedia => {
                self.media_call += 1;
                tasks::open_media(self.inbox.clone(), CallId(self.media_call));
            }
            GroupEffect::ReleaseMedia => {
                self.media_call += 1;
                if let Some(stream) = self.local.take() {
                    media::stop(&stream);
                }
            }
            GroupEffect::SetTrackEnabled { kind, enabled } => {
                if let Some(stream) = &self.local {
                    for track in media::tracks_of(stream, kind) {
                        track.set_enabled(enabled);
                    }
                }
            }
            GroupEffect::ApplyCaps(caps) => {
                self.caps = caps;
                for peer in &self.pairs {
                    cap(peer, caps);
                }
            }
        }
    }
}

impl Drop for GroupCore {
    fn drop(&mut self) {
        self.handle(GroupInput::Leave);
        self.pairs.clear();
        if let Some(stream) = self.local.take() {
            media::stop(&stream);
        }
    }
}

/// Puts `caps` on the video sender of `peer` (`setParameters`, not bound by web-sys without
/// more features), unless its encodings have them already or it has none yet (not negotiated).
fn cap(peer: &Peer, caps: Option<Caps>) {
    let Some(caps) = caps else {
        return;
    };
    let Some(sender) = peer.sender_of(TrackKind::Video) else {
        return;
    };
    match set_caps(sender.as_ref(), caps) {
        Ok(Some(promise)) => spawn_local(log_failure("setParameters", promise)),
        Ok(None) => {}
        Err(error) => crate::log::debug_of("setParameters", &error),
    }
}

fn set_caps(sender: &JsValue, caps: Caps) -> Result<Option<js_sys::Promise>, ClientError> {
    let params = method(sender, "getParameters")?.call0(sender)?;
    let encodings: Array = Reflect::get(&params, &JsValue::from_str("encodings"))?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("no encodings"))?;
    let bitrate = JsValue::from_f64(f64::from(caps.max_bitrate));
    let scale = JsValue::from_f64(caps.scale_down);
    let (bitrate_key, scale_key) = (
        JsValue::from_str("maxBitrate"),
        JsValue::from_str("scaleResolutionDownBy"),
    );
    let mut changed = false;
    for encoding in encodings.iter() {
        if Reflect::get(&encoding, &bitrate_key)? != bitrate
            || Reflect::get(&encoding, &scale_key)? != scale
        {
            Reflect::set(&encoding, &bitrate_key, &bitrate)?;
            Reflect::set(&encoding, &scale_key, &scale)?;
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    let promise = method(sender, "setParameters")?.call1(sender, &params)?;
    Ok(promise.dyn_into().ok())
}

fn method(object: &JsValue, name: &str) -> Result<Function, ClientError> {
    Reflect::get(object, &JsValue::from_str(name))?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("not a function"))
}
