//! The short authentication string of the current peer connection (browser side): after each
//! description is set, both descriptions are read again; when their fingerprints changed (a new
//! peer connection, or a renegotiation that brought another certificate) the transcript is
//! hashed with `crypto.subtle.digest("SHA-256")` and the code comes back to the loop as
//! [`Msg::Sas`]. The derivation itself is pure, in [`crate::call::sas`].

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{RtcPeerConnection, RtcSessionDescription};

use super::inbox::{Inbox, Msg};
use crate::call::machine::PcId;
use crate::call::sas;
use crate::error::ClientError;

/// The code of one peer connection, and what it was made from.
#[derive(Debug, Default)]
pub struct SasWatch {
    /// The peer connection and transcript the code is (being) made for.
    source: Option<(PcId, String)>,
    code: Option<String>,
}

impl SasWatch {
    /// Reads `pc`'s descriptions; starts a digest when they make a new transcript.
    pub fn refresh(&mut self, id: PcId, pc: &RtcPeerConnection, inbox: &Inbox) {
        let sdp = |desc: Option<RtcSessionDescription>| desc.map(|d| d.sdp()).unwrap_or_default();
        let Some(text) =
            sas::transcript(&sdp(pc.local_description()), &sdp(pc.remote_description()))
        else {
            return;
        };
        let source = Some((id, text.clone()));
        if self.source == source {
            return;
        }
        self.source = source;
        self.code = None;
        let inbox = inbox.clone();
        spawn_local(async move {
            match digest(&text).await.map(|d| sas::code(&d)) {
                Ok(Some(code)) => inbox.post(Msg::Sas {
                    pc: id,
                    transcript: text,
                    code,
                }),
                Ok(None) => crate::log::warn("SAS: the digest is too short"),
                Err(error) => crate::log::warn_of("SAS", &error),
            }
        });
    }

    /// A digest finished; it counts if it is for what was read last.
    pub fn arrived(&mut self, pc: PcId, transcript: String, code: String) {
        if self.source == Some((pc, transcript)) {
            self.code = Some(code);
        }
    }

    /// The code, if it is for the peer connection `current`.
    pub fn code(&self, current: Option<PcId>) -> Option<String> {
        match (&self.source, current) {
            (Some((pc, _)), Some(current)) if *pc == current => self.code.clone(),
            _ => None,
        }
    }
}

/// SHA-256 of `text` by the browser (`crypto.subtle` is not bound without more web-sys
/// features; it exists in secure contexts, which a page with a camera is).
async fn digest(text: &str) -> Result<Vec<u8>, ClientError> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle"))?;
    let digest: Function = Reflect::get(&subtle, &JsValue::from_str("digest"))?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("crypto.subtle.digest is not a function"))?;
    let data = Uint8Array::from(text.as_bytes());
    let promise: Promise = digest
        .call2(&subtle, &JsValue::from_str("SHA-256"), &data)?
        .dyn_into()
        .map_err(|_| ClientError::Unexpected("crypto.subtle.digest returned no promise"))?;
    let buffer = JsFuture::from(promise).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
