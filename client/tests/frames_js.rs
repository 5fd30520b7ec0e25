//! Browser tests: the page reads server frames with `JSON.parse` and `net::frame::decode`
//! (`net/js_json.rs`) exactly as `FromServer::from_json` (serde) reads them, and its stored
//! session round-trips the same way.
//!
//! Run: `cargo xtask test --only wasm` (or `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p
//! client --target wasm32-unknown-unknown --test frames_js`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use client::net::frame::cases::{ODD_FRAMES, samples};
use client::net::frame::decode;
use client::net::js_json::parse;
use client::state::StoredSession;
use shared::FromServer;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn read(text: &str) -> Result<FromServer, String> {
    decode(&parse(text)?)
}

#[wasm_bindgen_test]
fn every_variant_round_trips_through_json_parse() {
    for frame in samples() {
        let text = frame.to_json();
        assert_eq!(read(&text), Ok(frame), "{text}");
    }
}

#[wasm_bindgen_test]
fn odd_frames_are_read_as_serde_reads_them() {
    for text in ODD_FRAMES {
        match FromServer::from_json(text) {
            Ok(frame) => assert_eq!(read(text), Ok(frame), "{text}"),
            Err(error) => assert!(read(text).is_err(), "{text}: serde says {error}"),
        }
    }
}

#[wasm_bindgen_test]
fn the_stored_session_is_read_back_from_json_parse() {
    let stored = StoredSession {
        token: "17.q2v8TfJc0w9yZl1mXb4sAA".into(),
        name: "alice".into(),
        ack: 12,
        room: shared::RoomName::parse("family").ok(),
    };
    let value = parse(&stored.to_json()).unwrap();
    assert_eq!(StoredSession::from_record(&value), Some(stored));
    for bad in ["null", "[]", r#"{"token":"t","name":"alice","ack":-1}"#] {
        assert_eq!(
            StoredSession::from_record(&parse(bad).unwrap()),
            None,
            "{bad}"
        );
    }
}
