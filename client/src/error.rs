//! The client's error type for the browser glue.
//!
//! Browser APIs throw arbitrary `JsValue`s; they are turned into a [`ClientError`] once, here,
//! so the glue can use `?` and never `unwrap()` a `JsValue`.

use std::fmt;

/// Something the browser refused or a frame we could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// A browser API threw; the text is the exception's message (or its string form).
    Js(String),
    /// The WebSocket is not open, so nothing can be sent on it.
    NotConnected,
    /// A frame from the server that is not valid protocol JSON.
    BadFrame(String),
    /// The page has no `window`/`document` (never the case in a browser tab).
    NoWindow,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Js(message) => write!(f, "browser error: {message}"),
            ClientError::NotConnected => f.write_str("not connected to the server"),
            ClientError::BadFrame(reason) => {
                write!(f, "unreadable frame from the server: {reason}")
            }
            ClientError::NoWindow => f.write_str("no browser window"),
        }
    }
}

impl std::error::Error for ClientError {}

#[cfg(target_arch = "wasm32")]
impl From<wasm_bindgen::JsValue> for ClientError {
    fn from(value: wasm_bindgen::JsValue) -> Self {
        use wasm_bindgen::JsCast;
        // DOMExceptions and Errors carry a message; anything else is shown as JS would print it.
        if let Some(error) = value.dyn_ref::<js_sys::Error>() {
            return ClientError::Js(String::from(error.message()));
        }
        if let Some(text) = value.as_string() {
            return ClientError::Js(text);
        }
        ClientError::Js(format!("{value:?}"))
    }
}

impl From<serde_json::Error> for ClientError {
    fn from(error: serde_json::Error) -> Self {
        ClientError::BadFrame(error.to_string())
    }
}
