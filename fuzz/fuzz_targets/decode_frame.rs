//! Fuzz target: any bytes as a client's text frame, through the server's decoder
//! (`server::inbound::decode`, over `server::envelope`). It must never panic; a relay it accepts
//! must turn into a frame for its target that is valid JSON, that our own client's parser
//! (`shared::FromServer`) reads, and that carries the sender's name and the target.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::IgnoredAny;
use server::inbound::{Inbound, decode};
use shared::FromServer;

/// A sender name that needs escaping.
const SENDER: &str = "alice\u{2028}\"";

fuzz_target!(|data: &[u8]| {
    // The socket hands the session text frames only, so invalid UTF-8 never reaches the decoder.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Inbound::Relay(relay)) = decode(text) else {
        return;
    };
    let target = relay.target.as_deref().unwrap_or("bob");
    let frame = relay.to_json(SENDER, target);
    // JSON's grammar (numbers of any size are JSON; JavaScript reads them as Infinity).
    if let Err(e) = serde_json::from_str::<IgnoredAny>(&frame) {
        panic!("relay of {text:?} is not JSON: {frame:?}: {e}");
    }
    let (name, to) = match FromServer::from_json(&frame) {
        Ok(
            FromServer::VideoOffer { name, target, .. }
            | FromServer::VideoAnswer { name, target, .. }
            | FromServer::NewIceCandidate { name, target, .. }
            | FromServer::HangUp { name, target, .. },
        ) => (name, target),
        Ok(other) => panic!("relay of {text:?} became {other:?}"),
        Err(e) => panic!("relay of {text:?} is unreadable to our client: {frame:?}: {e}"),
    };
    assert_eq!(name, SENDER, "{frame}");
    assert_eq!(to, target, "{frame}");
});
