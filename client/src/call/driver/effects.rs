//! What the loop owns and how the machine's effects are carried out on it: the [`Machine`],
//! the peer connection, the local stream, the timers and the ICE servers, all held by value in
//! one [`Core`]. Each input goes to the machine with a fresh [`Env`], and its effects are run
//! in order before the next input is looked at.
//!
//! Dropping the core does what leaving the page does: the peer is told we left (if in a
//! call), the tracks are stopped, the connection is closed, timers are cleared.

use shared::{IceServer, ToServer};
use wasm_bindgen_futures::spawn_local;
use web_sys::{MediaStream, MediaStreamTrack, RtcDataChannel, RtcPeerConnection};
use yew::Callback;

use super::ice_servers::IceServers;
use super::inbox::{Inbox, Msg};
use super::js::log_failure;
use super::outgoing::{self, Screen};
use super::peer::Peer;
use super::sas::SasWatch;
use super::timers::Timers;
use super::{media, switch, tasks};
use crate::call::CallView;
use crate::call::devices::DeviceKind;
use crate::call::machine::{
    CallId, Effect, Env, Input, Machine, MediaError, PcId, PeerState, Signaling, Timer, TrackKind,
};
use crate::error::ClientError;

pub struct Core {
    machine: Machine,
    /// Where callbacks and promises this core starts post their outcomes.
    inbox: Inbox,
    /// Sends a frame on the WebSocket, now.
    send: Callback<ToServer>,
    ice: IceServers,
    peer: Option<Peer>,
    local: Option<MediaStream>,
    /// A screen shared in place of the camera (issue 12).
    screen: Option<Screen>,
    timers: Timers,
    sas: SasWatch,
}

impl Core {
    pub fn new(inbox: Inbox, send: Callback<ToServer>, ice: IceServers) -> Self {
        Self {
            machine: Machine::new(),
            inbox,
            send,
            ice,
            peer: None,
            local: None,
            screen: None,
            timers: Timers::default(),
            sas: SasWatch::default(),
        }
    }

    pub fn view(&self) -> &CallView {
        self.machine.view()
    }

    /// The local preview: the shared screen while there is one, else the camera.
    pub fn local(&self) -> Option<&MediaStream> {
        self.screen
            .as_ref()
            .map(Screen::stream)
            .or(self.local.as_ref())
    }

    pub fn remote(&self) -> Option<&MediaStream> {
        self.peer.as_ref().and_then(|p| p.remote.as_ref())
    }

    pub fn channel(&self) -> Option<&RtcDataChannel> {
        self.peer.as_ref().and_then(|p| p.channel.as_ref())
    }

    pub fn pc_id(&self) -> Option<PcId> {
        self.machine.pc_id()
    }

    pub fn peer_connection(&self) -> Option<RtcPeerConnection> {
        self.peer.as_ref().map(|p| p.pc.clone())
    }

    /// Reads the descriptions again after one was set: a new pair of fingerprints gets a new
    /// short authentication string.
    pub fn refresh_sas(&mut self) {
        if let Some(peer) = &self.peer {
            self.sas.refresh(peer.id, &peer.pc, &self.inbox);
        }
    }

    pub fn sas_arrived(&mut self, pc: PcId, transcript: String, code: String) {
        self.sas.arrived(pc, transcript, code);
    }

    /// The code of the current peer connection, once made.
    pub fn sas(&self) -> Option<String> {
        self.sas.code(self.peer.as_ref().map(|p| p.id))
    }

    /// Hands one input to the machine and carries out its effects, in order.
    pub fn handle(&mut self, input: Input) {
        let env = Env {
            now_ms: js_sys::Date::now(),
            signaling: self
                .peer
                .as_ref()
                .map_or(Signaling::Stable, Peer::signaling),
            connection: self.peer.as_ref().map_or(PeerState::New, Peer::connection),
        };
        for effect in self.machine.handle(input, env) {
            self.execute(effect);
        }
    }

    /// The camera opened (or failed) for `call`. A stream for a call that is over, or that
    /// has its stream already, is stopped at once.
    pub fn media_opened(&mut self, call: CallId, result: Result<MediaStream, MediaError>) {
        match result {
            Ok(stream) => {
                if self.machine.call_id() != Some(call) || self.local.is_some() {
                    media::stop(&stream);
                    return;
                }
                self.local = Some(stream);
                self.handle(Input::MediaReady { call });
            }
            Err(error) => self.handle(Input::MediaFailed { call, error }),
        }
    }

    /// `getDisplayMedia` for `call` finished: the screen goes on the video sender, or the
    /// machine hears that the share did not start. A screen for a call that is over is stopped.
    pub fn screen_opened(&mut self, call: CallId, result: Result<MediaStream, String>) {
        match result {
            Ok(stream) if self.machine.call_id() == Some(call) => {
                let screen = Screen::new(stream, call, &self.inbox);
                if let (Some(peer), Some(track)) = (&self.peer, screen.track()) {
                    outgoing::send_video(peer, &track);
                }
                self.screen = Some(screen);
                self.handle(Input::ScreenShare { call, on: true });
            }
            Ok(stream) => media::stop(&stream),
            Err(error) => {
                crate::log::debug_of("getDisplayMedia", &error);
                self.handle(Input::ScreenShare { call, on: false });
            }
        }
    }

    /// A remote track arrived on `pc`; it joins the remote stream if `pc` is the current one.
    pub fn remote_track(&mut self, pc: PcId, track: MediaStreamTrack) {
        if let Some(peer) = self.peer.as_mut().filter(|p| p.id == pc)
            && let Err(error) = peer.add_remote_track(track)
        {
            crate::log::debug_of("remote stream", &error);
        }
    }

    /// The person picked another camera or microphone: opened now if the call has a stream
    /// (otherwise the stored choice serves the next `getUserMedia`).
    pub fn use_device(&mut self, kind: DeviceKind, id: String) {
        if self.local.is_some() {
            switch::open(self.inbox.clone(), kind, id);
        }
    }

    /// The picked device opened: its track replaces the old one (see `switch`).
    pub fn device_opened(
        &mut self,
        kind: DeviceKind,
        result: Result<MediaStreamTrack, ClientError>,
    ) {
        match result {
            Ok(track) => {
                // While a screen is shared the new camera waits in the local stream: it goes on
                // the sender when the share ends.
                let sharing = self.screen.is_some() && kind == DeviceKind::Camera;
                let pc = self.peer.as_ref().map(|p| &p.pc).filter(|_| !sharing);
                switch::put_in_place(&mut self.local, pc, kind, track);
            }
            Err(error) => crate::log::debug(&format!("open {}: {error}", kind.noun())),
        }
    }

    /// A call timer went off; it reaches the machine if it is from the timer's current start.
    pub fn timer_fired(&mut self, timer: Timer, generation: u32) {
        if self.timers.fired(timer, generation) {
            self.handle(Input::TimerFired(timer));
        }
    }

    /// ICE servers from the server, for the next peer connection.
    pub fn set_ice_servers(&mut self, servers: Vec<IceServer>, expires: Option<u64>) {
        self.ice.set(servers, expires, &self.inbox);
    }

    /// The ICE credentials are about to expire: ask for fresh ones, unless that was called off.
    pub fn refresh_ice_servers(&mut self) {
        if self.ice.refresh_due() {
            self.send.emit(ToServer::GetIceServers);
        }
    }

    /// The socket dropped: no refresh any more, and the call ends locally.
    pub fn socket_lost(&mut self) {
        self.ice.stop_refresh();
        self.handle(Input::SocketLost);
    }

    fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::Send(msg) => self.send.emit(msg),
            Effect::CreatePeer { pc, role } => {
                // Close the old one before the new one exists.
                self.peer = None;
                let config = self.ice.rtc_configuration();
                match Peer::new(pc, role, &config, &self.inbox) {
                    Ok(peer) => self.peer = Some(peer),
                    Err(error) => self.inbox.post(Msg::Input(Input::LocalDescriptionFailed {
                        pc,
                        error: error.to_string(),
                    })),
                }
            }
            Effect::ClosePeer => self.peer = None,
            Effect::AcquireMedia { call } => tasks::open_media(self.inbox.clone(), call),
            Effect::ReleaseMedia => {
                self.screen = None;
                if let Some(stream) = self.local.take() {
                    media::stop(&stream);
                }
            }
            Effect::AttachMedia => {
                // A call rebuilt on a new peer connection keeps its stream while it is live;
                // one whose tracks ended (the device went away) is opened again, and
                // `MediaReady` attaches the new one.
                if let Some(stream) = self.local.take_if(|s| !media::is_live(s)) {
                    media::stop(&stream);
                    if let Some(call) = self.machine.call_id() {
                        tasks::open_media(self.inbox.clone(), call);
                    }
                }
                if let (Some(peer), Some(stream)) = (&self.peer, &self.local) {
                    for promise in peer.attach(stream) {
                        spawn_local(log_failure("replaceTrack", promise));
                    }
                }
                // A shared screen stays in place of the camera (`replaceTrack`s run in order).
                if let (Some(peer), Some(track)) =
                    (&self.peer, self.screen.as_ref().and_then(Screen::track))
                {
                    outgoing::send_video(peer, &track);
                }
            }
            Effect::SetTrackEnabled { kind, enabled } => {
                if let Some(stream) = &self.local {
                    for track in media::tracks_of(stream, kind) {
                        track.set_enabled(enabled);
                    }
                }
            }
            Effect::StartScreenShare { call } => outgoing::open_screen(self.inbox.clone(), call),
            Effect::StopScreenShare => {
                // The camera's track goes back as it is (a camera that was off stays off).
                if self.screen.take().is_some()
                    && let (Some(peer), Some(stream)) = (&self.peer, &self.local)
                    && let Some(camera) = media::tracks_of(stream, TrackKind::Video).next()
                {
                    outgoing::send_video(peer, &camera);
                }
            }
            Effect::StartTimer { timer, ms } => self.timers.start(timer, ms, &self.inbox),
            Effect::CancelTimer(timer) => self.timers.cancel(timer),
            Effect::ProbeRoute => {
                if let Some(peer) = &self.peer {
                    tasks::probe_route(self.inbox.clone(), peer.id, peer.pc.clone());
                }
            }
            // Negotiation (descriptions, rollback, candidates, sending, ICE restart): as
            // the group call's pairs do it.
            effect => {
                if let Some(peer) = &mut self.peer {
                    peer.run(effect, &self.inbox);
                }
            }
        }
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Tell the peer we are gone, as a `pagehide` of a page that cannot come back would (the
        // machine ends the call: the connection closes, the tracks stop); then make sure of it
        // whatever the phase.
        self.handle(Input::SetResumable(false));
        self.handle(Input::PageHide);
        self.peer = None;
        if let Some(stream) = self.local.take() {
            media::stop(&stream);
        }
    }
}
