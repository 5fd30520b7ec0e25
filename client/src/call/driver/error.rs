//! The driver's error type: a browser exception turned into Rust once, so the glue uses `?`
//! and never `unwrap()`s a `JsValue`. The exception's `name` is kept because it is what tells
//! getUserMedia failures apart (`NotAllowedError`, `NotFoundError`, …).

use std::fmt;

use wasm_bindgen::JsValue;

/// A browser API threw or rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsError {
    /// `DOMException.name` / `Error.name` (empty when the value was not an error object).
    pub name: String,
    pub message: String,
}

impl JsError {
    /// An error of our own making (something the browser returned in an unexpected shape).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            name: String::new(),
            message: message.into(),
        }
    }
}

impl From<JsValue> for JsError {
    fn from(value: JsValue) -> Self {
        let field = |key: &str| {
            js_sys::Reflect::get(&value, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        if value.is_object() {
            Self {
                name: field("name"),
                message: field("message"),
            }
        } else {
            Self {
                name: String::new(),
                message: value.as_string().unwrap_or_else(|| format!("{value:?}")),
            }
        }
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name.is_empty(), self.message.is_empty()) {
            (false, false) => write!(f, "{}: {}", self.name, self.message),
            (false, true) => f.write_str(&self.name),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for JsError {}

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
