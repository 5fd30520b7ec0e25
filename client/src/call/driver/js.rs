//! Reading plain properties of JS objects the browser hands over (stats entries, events,
//! `RTCIceCandidate.toJSON()`), and awaiting promises whose failure only deserves a debug line.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::error::ClientError;

/// Reads a string property of a JS object (`None` when absent or not a string).
pub fn get_str(object: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// Reads a boolean property of a JS object (`false` when absent).
pub fn get_bool(object: &JsValue, key: &str) -> bool {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Reads a number property of a JS object.
pub fn get_f64(object: &JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_f64()
}

/// Awaits a promise whose failure is not worth more than a debug line (expected, harmless
/// failures: normal use shows no warnings).
pub async fn log_failure(what: &'static str, promise: Promise) {
    if let Err(error) = JsFuture::from(promise).await {
        crate::log::debug_of(what, &ClientError::from(error));
    }
}
