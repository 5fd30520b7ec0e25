//! The browser's `JSON.parse` result read through [`Json`], so the page carries no JSON parser
//! of its own (serde_json's, with its number tables and errors, is ~8 KB gzip of wasm).
//! Numbers are JavaScript's: a whole number is one with no fraction (`1.0` counts), and one past
//! 2^53 has already been rounded by `JSON.parse`.

use js_sys::{Array, JSON, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::frame::Json;

/// Parses `text` with the browser's `JSON.parse`.
pub fn parse(text: &str) -> Result<JsValue, String> {
    JSON::parse(text).map_err(|_| "not JSON".to_owned())
}

impl Json for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        if !Json::is_object(self) {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|value| !value.is_undefined())
    }

    fn is_object(&self) -> bool {
        JsValue::is_object(self) && !Array::is_array(self)
    }

    fn is_null(&self) -> bool {
        JsValue::is_null(self)
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn whole(&self) -> Option<u64> {
        // `as` saturates: u64::MAX is as far as serde_json would read too.
        self.as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.dyn_ref::<Array>().map(|array| array.iter().collect())
    }
}
