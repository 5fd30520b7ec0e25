//! The browser's promises the loop starts and does not wait for: each runs as its own small
//! task that awaits the promise and posts the outcome to the [`Inbox`] as a [`Msg`]. The tasks
//! own nothing of the call but JS handles; the loop decides what an outcome still means (the
//! machine drops outcomes for a peer connection or a call that is gone).

use js_sys::Promise;
use shared::SdpType;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::RtcPeerConnection;

use super::inbox::{Inbox, Msg};
use super::{media, peer, stats};
use crate::call::machine::{CallId, Input, PcId};
use crate::error::ClientError;

/// `getUserMedia` for `call`; a stream that arrives after the loop stopped is stopped here.
pub fn open_media(inbox: Inbox, call: CallId) {
    spawn_local(async move {
        let result = media::open().await;
        if let Err(Msg::MediaOpened {
            result: Ok(stream), ..
        }) = inbox.try_post(Msg::MediaOpened { call, result })
        {
            media::stop(&stream);
        }
    });
}

/// `setLocalDescription()` on `pc` (peer connection `id`); on success the description it made
/// is read at once and posted.
pub fn set_local(
    inbox: Inbox,
    id: PcId,
    pc: RtcPeerConnection,
    promise: Result<Promise, ClientError>,
) {
    spawn_local(async move {
        let result = match promise {
            Ok(promise) => JsFuture::from(promise).await.map_err(ClientError::from),
            Err(error) => Err(error),
        };
        let input = match result {
            Ok(_) => match peer::local_description(&pc) {
                Some(sdp) => Input::LocalDescriptionSet { pc: id, sdp },
                // Closed meanwhile: nothing to report.
                None => return,
            },
            Err(error) => Input::LocalDescriptionFailed {
                pc: id,
                error: error.to_string(),
            },
        };
        inbox.post(Msg::Input(input));
    });
}

/// `setRemoteDescription()` of a description of type `kind` on peer connection `id`.
pub fn set_remote(inbox: Inbox, id: PcId, kind: SdpType, promise: Promise) {
    spawn_local(async move {
        let input = match JsFuture::from(promise).await {
            Ok(_) => Input::RemoteDescriptionSet { pc: id, kind },
            Err(e) => Input::RemoteDescriptionFailed {
                pc: id,
                error: ClientError::from(e).to_string(),
            },
        };
        inbox.post(Msg::Input(input));
    });
}

/// Reads the route of the selected candidate pair from `getStats()`.
pub fn probe_route(inbox: Inbox, id: PcId, pc: RtcPeerConnection) {
    spawn_local(async move {
        let route = match stats::route(&pc).await {
            Ok(route) => route,
            Err(error) => {
                crate::log::debug_of("getStats", &error);
                None
            }
        };
        inbox.post(Msg::Input(Input::RouteProbed { pc: id, route }));
    });
}
