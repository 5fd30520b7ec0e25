//! The client's one error type, for the browser glue and the socket.
//!
//! Browser APIs throw or reject with arbitrary `JsValue`s; they are turned into a
//! [`ClientError`] once, here (`From<JsValue>`), so the glue can use `?` and never `unwrap()` a
//! `JsValue`. The exception's `name` is kept: it is what tells `getUserMedia` failures apart
//! (`NotAllowedError`, `NotFoundError`, …).

use std::fmt;

/// Something the browser refused or a frame we could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// A browser API threw or rejected.
    Js {
        /// `DOMException.name` / `Error.name`; empty when the value was not an error object.
        name: String,
        /// The exception's message (or the thrown value's string form).
        message: String,
    },
    /// A browser API answered in a shape we did not expect (a method missing, no promise).
    Unexpected(&'static str),
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
            ClientError::Js { name, message } => match (name.is_empty(), message.is_empty()) {
                (false, false) => write!(f, "{name}: {message}"),
                (false, true) => f.write_str(name),
                _ => f.write_str(message),
            },
            ClientError::Unexpected(what) => write!(f, "unexpected browser answer: {what}"),
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
        use wasm_bindgen::JsValue;
        // DOMExceptions and Errors carry `name` and `message`; anything else is shown as JS
        // would print it.
        if value.is_object() {
            let field = |key: &str| {
                js_sys::Reflect::get(&value, &JsValue::from_str(key))
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            return ClientError::Js {
                name: field("name"),
                message: field("message"),
            };
        }
        ClientError::Js {
            name: String::new(),
            message: value.as_string().unwrap_or_else(|| format!("{value:?}")),
        }
    }
}

impl From<serde_json::Error> for ClientError {
    fn from(error: serde_json::Error) -> Self {
        ClientError::BadFrame(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::ClientError;

    #[test]
    fn a_js_error_reads_as_name_and_message() {
        let js = |name: &str, message: &str| ClientError::Js {
            name: name.to_owned(),
            message: message.to_owned(),
        };
        assert_eq!(
            js("NotAllowedError", "denied").to_string(),
            "NotAllowedError: denied"
        );
        assert_eq!(js("AbortError", "").to_string(), "AbortError");
        assert_eq!(js("", "boom").to_string(), "boom");
    }
}
