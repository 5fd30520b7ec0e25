//! One `RTCPeerConnection` with its listeners and the remote stream built from its tracks.
//!
//! Closing is RAII: dropping a [`Peer`] removes its listeners first (so nothing more from it
//! reaches the loop) and then closes the connection. The listeners only post events, tagged
//! with this connection's [`PcId`], to the driver's [`Inbox`]; an event posted just before the
//! close is recognised as stale by its id.

use gloo_events::EventListener;
use js_sys::{Array, Function, Promise};
use shared::{IceCandidate, SdpType, SessionDescription};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::RtcDataChannel;
use web_sys::{
    EventTarget, MediaStream, MediaStreamTrack, RtcConfiguration, RtcIceCandidateInit,
    RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcRtpTransceiver,
    RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType, RtcSessionDescriptionInit,
    RtcSignalingState, RtcTrackEvent,
};

use super::inbox::{Inbox, Msg};
use super::js::{get_f64, get_str};
use super::media;
use crate::call::machine::{Input, PcId, PeerState, Role, Signaling, TrackKind};
use crate::error::ClientError;

/// Turns one browser event into what the loop hears (or nothing).
type Translate = Box<dyn Fn(&web_sys::Event) -> Option<Msg>>;

pub struct Peer {
    pub id: PcId,
    pub pc: RtcPeerConnection,
    remote_tracks: Vec<MediaStreamTrack>,
    /// A fresh `MediaStream` each time a track is added, so the page sees a new object and
    /// re-binds its `<video>`.
    pub remote: Option<MediaStream>,
    /// The stream our senders name in the SDP (`a=msid`): a peer that shows `event.streams[0]`
    /// of its `track` event (MDN's client) needs one. Only its id matters, so it exists from
    /// the start, before the camera opens (a caller's offer may go out before that).
    outgoing: MediaStream,
    /// The chat-and-files channel (`channel.rs`): a caller's from the start, a callee's from
    /// the first remote offer that has one, so it never causes a negotiation of its own.
    pub channel: Option<RtcDataChannel>,
    listeners: Vec<EventListener>,
}

impl Peer {
    /// Creates the connection. A caller's gets `sendrecv` audio and video transceivers right
    /// away, so the offer can go out before the camera is open.
    pub fn new(
        id: PcId,
        role: Role,
        config: &RtcConfiguration,
        inbox: &Inbox,
    ) -> Result<Self, ClientError> {
        let pc = RtcPeerConnection::new_with_configuration(config)?;
        let target: &EventTarget = pc.as_ref();
        let mut listeners = Vec::new();
        let forward = |event: &'static str, f: Translate| {
            let inbox = inbox.clone();
            EventListener::new(target, event, move |e| {
                if let Some(msg) = f(e) {
                    inbox.post(msg);
                }
            })
        };
        listeners.push(forward(
            "negotiationneeded",
            Box::new(move |_| Some(Msg::Input(Input::NegotiationNeeded { pc: id }))),
        ));
        listeners.push(forward(
            "icecandidate",
            Box::new(move |e| {
                let event = e.dyn_ref::<RtcPeerConnectionIceEvent>()?;
                let candidate = match event.candidate() {
                    None => None,
                    // An empty candidate is an end-of-candidates marker, not gathering done.
                    Some(c) if c.candidate().is_empty() => return None,
                    Some(c) => Some(to_candidate(&c.to_json())?),
                };
                Some(Msg::Input(Input::LocalCandidate { pc: id, candidate }))
            }),
        ));
        listeners.push(forward(
            "icecandidateerror",
            Box::new(move |e| {
                let code = get_f64(e, "errorCode").unwrap_or(0.0) as u16;
                let url = get_str(e, "url").unwrap_or_default();
                Some(Msg::Input(Input::CandidateError { pc: id, code, url }))
            }),
        ));
        let watched = pc.clone();
        listeners.push(forward(
            "connectionstatechange",
            Box::new(move |_| {
                let state = peer_state(watched.connection_state());
                Some(Msg::Input(Input::ConnectionState { pc: id, state }))
            }),
        ));
        listeners.push(forward(
            "track",
            Box::new(move |e| {
                let event = e.dyn_ref::<RtcTrackEvent>()?;
                Some(Msg::RemoteTrack {
                    pc: id,
                    track: event.track(),
                })
            }),
        ));
        let outgoing = MediaStream::new()?;
        let channel = (role == Role::Caller).then(|| super::channel::open(&pc));
        if role == Role::Caller {
            for kind in ["audio", "video"] {
                let init = RtcRtpTransceiverInit::new();
                init.set_direction(RtcRtpTransceiverDirection::Sendrecv);
                init.set_streams(&Array::of1(&outgoing));
                pc.add_transceiver_with_str_and_init(kind, &init);
            }
        }
        Ok(Self {
            id,
            pc,
            remote_tracks: Vec::new(),
            remote: None,
            outgoing,
            channel,
            listeners,
        })
    }

    pub fn signaling(&self) -> Signaling {
        match self.pc.signaling_state() {
            RtcSignalingState::Stable => Signaling::Stable,
            RtcSignalingState::HaveLocalOffer => Signaling::HaveLocalOffer,
            RtcSignalingState::HaveRemoteOffer => Signaling::HaveRemoteOffer,
            _ => Signaling::Other,
        }
    }

    pub fn connection(&self) -> PeerState {
        peer_state(self.pc.connection_state())
    }

    /// `setLocalDescription()` with no argument (the browser makes the offer or answer the
    /// state calls for; web-sys only binds the form with an argument).
    pub fn set_local(&self) -> Result<Promise, ClientError> {
        let method: Function =
            js_sys::Reflect::get(&self.pc, &JsValue::from_str("setLocalDescription"))?
                .dyn_into()
                .map_err(|_| ClientError::Unexpected("setLocalDescription is not a function"))?;
        method
            .call0(&self.pc)?
            .dyn_into()
            .map_err(|_| ClientError::Unexpected("setLocalDescription returned no promise"))
    }

    /// `restartIce()` (not bound by web-sys).
    pub fn restart_ice(&self) -> Result<(), ClientError> {
        let method: Function = js_sys::Reflect::get(&self.pc, &JsValue::from_str("restartIce"))?
            .dyn_into()
            .map_err(|_| ClientError::Unexpected("restartIce is not a function"))?;
        method.call0(&self.pc)?;
        Ok(())
    }

    pub fn rollback(&self) -> Promise {
        self.pc
            .set_local_description(&RtcSessionDescriptionInit::new(RtcSdpType::Rollback))
    }

    pub fn set_remote(&mut self, desc: &SessionDescription) -> Promise {
        // Only for an offer that has a data channel section: a peer without one (MDN's
        // client) gets no renegotiation from us for it.
        if desc.kind == SdpType::Offer
            && self.channel.is_none()
            && desc.sdp.contains("\nm=application")
        {
            self.channel = Some(super::channel::open(&self.pc));
        }
        let kind = match desc.kind {
            SdpType::Offer => RtcSdpType::Offer,
            SdpType::Answer => RtcSdpType::Answer,
            SdpType::Pranswer => RtcSdpType::Pranswer,
            SdpType::Rollback => RtcSdpType::Rollback,
        };
        let init = RtcSessionDescriptionInit::new(kind);
        init.set_sdp(&desc.sdp);
        self.pc.set_remote_description(&init)
    }

    pub fn add_candidate(&self, candidate: &IceCandidate) -> Result<Promise, ClientError> {
        let init = RtcIceCandidateInit::new(&candidate.candidate);
        init.set_sdp_mid(candidate.sdp_mid.as_deref());
        init.set_sdp_m_line_index(candidate.sdp_m_line_index);
        if let Some(ufrag) = &candidate.username_fragment {
            js_sys::Reflect::set(
                &init,
                &JsValue::from_str("usernameFragment"),
                &JsValue::from_str(ufrag),
            )?;
        }
        Ok(self
            .pc
            .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)))
    }

    fn transceivers(&self) -> impl Iterator<Item = RtcRtpTransceiver> {
        self.pc
            .get_transceivers()
            .into_iter()
            .filter_map(|t| t.dyn_into::<RtcRtpTransceiver>().ok())
            .filter(|t| !t.stopped())
    }

    /// The first live transceiver of each media kind (the ones the call uses).
    fn transceiver_of(&self, kind: TrackKind) -> Option<RtcRtpTransceiver> {
        let name = media::kind_name(kind);
        self.transceivers()
            .find(|t| t.receiver().track().kind() == name)
    }

    /// The sender of the call's track of `kind` (issue 12: a screen replaces the camera there).
    pub fn sender_of(&self, kind: TrackKind) -> Option<web_sys::RtcRtpSender> {
        self.transceiver_of(kind).map(|t| t.sender())
    }

    /// Switches the call's transceivers to `sendrecv` (an offer made them `recvonly`), their
    /// senders naming our stream (`setStreams`, not bound by web-sys) so the answer carries it.
    pub fn enable_sending(&self) {
        for kind in [TrackKind::Audio, TrackKind::Video] {
            if let Some(t) = self.transceiver_of(kind) {
                t.set_direction(RtcRtpTransceiverDirection::Sendrecv);
                let sender = t.sender();
                let named = js_sys::Reflect::get(&sender, &JsValue::from_str("setStreams"))
                    .and_then(|f| f.dyn_into::<Function>())
                    .and_then(|f| f.call1(&sender, &self.outgoing));
                if let Err(error) = named {
                    crate::log::debug_of("setStreams", &ClientError::from(error));
                }
            }
        }
    }

    /// Puts the local tracks on the senders (`replaceTrack`: no renegotiation needed).
    pub fn attach(&self, stream: &MediaStream) -> Vec<Promise> {
        let mut pending = Vec::new();
        for kind in [TrackKind::Audio, TrackKind::Video] {
            let (Some(track), Some(t)) = (
                media::tracks_of(stream, kind).next(),
                self.transceiver_of(kind),
            ) else {
                continue;
            };
            pending.push(t.sender().replace_track(Some(&track)));
        }
        pending
    }

    /// Adds a remote track; returns whether the remote stream changed.
    pub fn add_remote_track(&mut self, track: MediaStreamTrack) -> Result<bool, ClientError> {
        if self.remote_tracks.iter().any(|t| t.id() == track.id()) {
            return Ok(false);
        }
        self.remote_tracks.push(track);
        let tracks: Array = self.remote_tracks.iter().collect();
        self.remote = Some(MediaStream::new_with_tracks(&tracks)?);
        Ok(true)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // Listeners first: closing must not feed events of a dead call back in.
        self.listeners.clear();
        self.pc.close();
    }
}

/// The current `localDescription` of `pc`, in wire form.
pub fn local_description(pc: &RtcPeerConnection) -> Option<SessionDescription> {
    let desc = pc.local_description()?;
    Some(SessionDescription {
        kind: sdp_type(desc.type_())?,
        sdp: desc.sdp(),
    })
}

fn sdp_type(t: RtcSdpType) -> Option<SdpType> {
    match t {
        RtcSdpType::Offer => Some(SdpType::Offer),
        RtcSdpType::Answer => Some(SdpType::Answer),
        RtcSdpType::Pranswer => Some(SdpType::Pranswer),
        RtcSdpType::Rollback => Some(SdpType::Rollback),
        _ => None,
    }
}

fn peer_state(state: RtcPeerConnectionState) -> PeerState {
    match state {
        RtcPeerConnectionState::New => PeerState::New,
        RtcPeerConnectionState::Connecting => PeerState::Connecting,
        RtcPeerConnectionState::Connected => PeerState::Connected,
        RtcPeerConnectionState::Disconnected => PeerState::Disconnected,
        RtcPeerConnectionState::Failed => PeerState::Failed,
        _ => PeerState::Closed,
    }
}

/// `RTCIceCandidate.toJSON()` in wire form.
fn to_candidate(json: &JsValue) -> Option<IceCandidate> {
    Some(IceCandidate {
        candidate: get_str(json, "candidate")?,
        sdp_mid: get_str(json, "sdpMid"),
        sdp_m_line_index: get_f64(json, "sdpMLineIndex").map(|n| n as u16),
        username_fragment: get_str(json, "usernameFragment"),
    })
}
