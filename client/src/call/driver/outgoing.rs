//! What goes out on the video sender besides the camera (issue 12): a shared screen.
//!
//! [`open_screen`] asks `getDisplayMedia` for a screen (video only, see below) and posts the
//! stream to the loop; [`Screen`] holds it while shared, with a listener on its video track's
//! `ended` (the browser's own "Stop sharing", which ends the track) that tells the machine;
//! [`send_video`] puts a track on the call's video sender with `replaceTrack`, so switching
//! between camera and screen needs no renegotiation (the device pickers can reuse it).
//!
//! Tab or system audio is **not** sent, even when the browser offers it: the call has one
//! audio sender, which carries the microphone. Sending both would mean mixing them through a
//! WebAudio graph (an `AudioContext` that re-encodes the microphone, adds latency and costs
//! bundle size) or a second audio transceiver (a renegotiation, which MDN's client handles
//! differently); neither is worth it for slides and documents, the usual screen share.

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{MediaStream, MediaStreamTrack};

use super::inbox::{Inbox, Msg};
use super::js::log_failure;
use super::media;
use super::peer::Peer;
use crate::call::machine::{CallId, Input, TrackKind};
use crate::error::ClientError;

/// A shared screen: its stream (the local preview shows it) and the listener that hears the
/// browser end it. Dropping it stops its tracks.
pub struct Screen {
    stream: MediaStream,
    _ended: Option<EventListener>,
}

impl Screen {
    /// Keeps `stream` as the screen of `call`; its video track ending is posted to the loop.
    pub fn new(stream: MediaStream, call: CallId, inbox: &Inbox) -> Self {
        let ended = Self::video(&stream).map(|track| {
            let inbox = inbox.clone();
            EventListener::new(&track, "ended", move |_| {
                inbox.post(Msg::Input(Input::ScreenShare { call, on: false }));
            })
        });
        Self {
            stream,
            _ended: ended,
        }
    }

    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The screen's video track.
    pub fn track(&self) -> Option<MediaStreamTrack> {
        Self::video(&self.stream)
    }

    fn video(stream: &MediaStream) -> Option<MediaStreamTrack> {
        media::tracks_of(stream, TrackKind::Video).next()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        // `stop()` fires no `ended`, and the listener goes with this value anyway.
        media::stop(&self.stream);
    }
}

/// Puts `track` on the call's video sender (`replaceTrack`: no renegotiation).
pub fn send_video(peer: &Peer, track: &MediaStreamTrack) {
    if let Some(sender) = peer.sender_of(TrackKind::Video) {
        spawn_local(log_failure(
            "replaceTrack",
            sender.replace_track(Some(track)),
        ));
    }
}

/// `getDisplayMedia({video: true, audio: false})` for `call`; the outcome is posted as
/// [`Msg::ScreenOpened`]. A stream that arrives after the loop stopped is stopped here.
pub fn open_screen(inbox: Inbox, call: CallId) {
    spawn_local(async move {
        let result = display_media().await.map_err(|e| e.to_string());
        if let Err(Msg::ScreenOpened {
            result: Ok(stream), ..
        }) = inbox.try_post(Msg::ScreenOpened { call, result })
        {
            media::stop(&stream);
        }
    });
}

/// `navigator.mediaDevices.getDisplayMedia`, called through JS (no web-sys feature needed).
async fn display_media() -> Result<MediaStream, ClientError> {
    let window = web_sys::window().ok_or(ClientError::NoWindow)?;
    let devices = window.navigator().media_devices()?;
    let method: js_sys::Function =
        js_sys::Reflect::get(&devices, &JsValue::from_str("getDisplayMedia"))?
            .dyn_into()
            .map_err(|_| ClientError::Unexpected("getDisplayMedia is not available"))?;
    let constraints = js_sys::Object::new();
    js_sys::Reflect::set(&constraints, &JsValue::from_str("video"), &JsValue::TRUE)?;
    js_sys::Reflect::set(&constraints, &JsValue::from_str("audio"), &JsValue::FALSE)?;
    let promise: js_sys::Promise = method
        .call1(&devices, &constraints)?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("getDisplayMedia returned no promise"))?;
    JsFuture::from(promise)
        .await?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("getDisplayMedia returned no stream"))
}
