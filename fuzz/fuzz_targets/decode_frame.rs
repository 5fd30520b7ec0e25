//! Fuzz target: any bytes as a client's text frame, through the server's decoder
//! (`server::inbound::decode`, over `server::envelope`). It must never panic; a relay it accepts
//! must turn into a frame for its target that is valid JSON and carries the sender's name.

#![no_main]

use libfuzzer_sys::fuzz_target;
use server::inbound::{Inbound, decode};

fuzz_target!(|data: &[u8]| {
    // The socket hands the session text frames only, so invalid UTF-8 never reaches the decoder.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Inbound::Relay(relay)) = decode(text) else {
        return;
    };
    let target = relay.target.as_deref().unwrap_or("bob");
    let frame = relay.to_json("alice\u{2028}\"", target);
    let value: serde_json::Value = match serde_json::from_str(&frame) {
        Ok(value) => value,
        Err(e) => panic!("relay of {text:?} is not JSON: {frame:?}: {e}"),
    };
    assert_eq!(value["name"], "alice\u{2028}\"", "{frame}");
    assert_eq!(value["target"], target, "{frame}");
});
