//! Which route the media takes, read from `getStats()`: the selected candidate pair (the
//! transport's `selectedCandidatePairId`, or else a `selected`/nominated succeeded pair) and
//! whether either end of it is a TURN `relay` candidate.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::RtcPeerConnection;

use super::js::{get_bool, get_str};
use crate::call::Route;
use crate::error::ClientError;

/// Every stats object of a `getStats()` report with its id, in the report's order: a plain list
/// (a report has a few dozen objects), so the page carries no hash map code for it.
pub struct Report(Vec<(String, JsValue)>);

impl Report {
    pub fn values(&self) -> impl Iterator<Item = &JsValue> {
        self.0.iter().map(|(_, value)| value)
    }

    /// The object with this id.
    pub fn get(&self, id: &str) -> Option<&JsValue> {
        self.0
            .iter()
            .find(|(key, _)| key == id)
            .map(|(_, value)| value)
    }
}

/// Reads every stats object of `pc` with its id.
pub async fn report(pc: &RtcPeerConnection) -> Result<Report, ClientError> {
    let report = JsFuture::from(pc.get_stats()).await?;
    let entries =
        js_sys::try_iter(&report)?.ok_or(ClientError::Unexpected("stats not iterable"))?;
    let mut by_id = Vec::new();
    for entry in entries {
        let pair: js_sys::Array = entry?
            .dyn_into()
            .map_err(|_| ClientError::Unexpected("bad stats entry"))?;
        let value = pair.get(1);
        if let Some(id) = get_str(&value, "id") {
            by_id.push((id, value));
        }
    }
    Ok(Report(by_id))
}

/// The route of the selected candidate pair, `None` while there is none.
pub async fn route(pc: &RtcPeerConnection) -> Result<Option<Route>, ClientError> {
    let stats = report(pc).await?;
    let of_type = |t: &'static str| {
        stats
            .values()
            .filter(move |v| get_str(v, "type").as_deref() == Some(t))
    };
    let from_transport = of_type("transport").find_map(|t| get_str(t, "selectedCandidatePairId"));
    let pair = from_transport.and_then(|id| stats.get(&id)).or_else(|| {
        of_type("candidate-pair").find(|p| {
            get_bool(p, "selected")
                || (get_bool(p, "nominated") && get_str(p, "state").as_deref() == Some("succeeded"))
        })
    });
    let Some(pair) = pair else {
        return Ok(None);
    };
    let is_relay = |key: &str| {
        get_str(pair, key)
            .and_then(|id| stats.get(&id))
            .and_then(|c| get_str(c, "candidateType"))
            .is_some_and(|t| t == "relay")
    };
    let relayed = is_relay("localCandidateId") || is_relay("remoteCandidateId");
    Ok(Some(if relayed {
        Route::Relayed
    } else {
        Route::Direct
    }))
}
