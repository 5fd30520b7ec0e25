//! The call-quality reading: the current peer connection's `getStats()` copied into plain
//! [`Entry`]s and reduced to a [`Sample`] (`crate::call::quality` does the rest, on the host).
//! The quality indicator asks for one every second; asking reads, and changes nothing.

use wasm_bindgen::JsValue;

use super::handle::CallDriver;
use super::stats;
use crate::call::quality::{Entry, Field, Sample};

impl CallDriver {
    /// One reading of the call's stats; `None` without a peer connection or when the browser
    /// fails to give one (logged at debug level: harmless, the next second asks again).
    pub async fn quality_sample(&self) -> Option<Sample> {
        let pc = self.peer_connection().await?;
        match stats::report(&pc).await {
            Ok(report) => {
                let entries: Vec<Entry> = report.values().map(entry).collect();
                Some(Sample::from_entries(&entries))
            }
            Err(error) => {
                crate::log::debug_of("getStats", &error);
                None
            }
        }
    }
}

/// The numbers, strings and booleans of one stats object (other values are of no use here).
pub(super) fn entry(value: &JsValue) -> Entry {
    let object = js_sys::Object::from(value.clone());
    let mut entry = Entry::default();
    for pair in js_sys::Object::entries(&object).iter() {
        let pair = js_sys::Array::from(&pair);
        let Some(key) = pair.get(0).as_string() else {
            continue;
        };
        let field = pair.get(1);
        let field = if let Some(n) = field.as_f64() {
            Field::Num(n)
        } else if let Some(s) = field.as_string() {
            Field::Text(s)
        } else if let Some(b) = field.as_bool() {
            Field::Bool(b)
        } else {
            continue;
        };
        entry.0.push((key, field));
    }
    entry
}
