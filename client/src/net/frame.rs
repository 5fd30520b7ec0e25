//! Reads the server's frames into [`FromServer`] without serde's internally tagged enum code.
//!
//! `FromServer::from_json` (serde derive, `tag = "type"`) buffers every frame into serde's
//! private `Content` tree and carries a visitor per variant: about a fifth of the page's wasm.
//! Here the frame is parsed once into a `serde_json::Value` (code the page has anyway, for the
//! stored session) and read field by field; the small leaf enums (`ErrorCode`, `HangUpReason`,
//! `Presence`, `SdpType`) still go through their own serde impls, so their wire names stay in
//! one place. Same rules as the derive: unknown fields are ignored, a missing required field
//! or a wrong type refuses the whole frame, `null` is `None` for optional fields only.
//! `net/frame/tests.rs` checks every variant against `FromServer::from_json`; its exhaustive
//! `match` stops the build when a variant is added to `FromServer` and not here.

use serde_json::{Map, Value};
use shared::{FromServer, IceCandidate, IceServer, SessionDescription};

type Object = Map<String, Value>;

/// The frame in `text`, or why it is not one.
pub fn decode(text: &str) -> Result<FromServer, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let o = value.as_object().ok_or("not a JSON object")?;
    let kind = o.get("type").ok_or("missing field `type`")?;
    let kind = kind.as_str().ok_or("`type` is not a string")?;
    Ok(match kind {
        "id" => FromServer::Id { id: num(o, "id")? },
        "rejectusername" => FromServer::RejectUsername {
            id: num(o, "id")?,
            name: text_of(o, "name")?,
        },
        "userlist" => FromServer::UserList {
            users: list(req(o, "users")?, "users")?,
        },
        "userlist-delta" => FromServer::UserListDelta {
            joined: opt_list(o, "joined")?,
            left: opt_list(o, "left")?,
        },
        "message" => FromServer::Message {
            id: num(o, "id")?,
            name: text_of(o, "name")?,
            text: text_of(o, "text")?,
            date: num(o, "date")?,
            target: opt_text(o, "target")?,
        },
        "video-offer" => FromServer::VideoOffer {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            sdp: description(req(o, "sdp")?)?,
        },
        "video-answer" => FromServer::VideoAnswer {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            sdp: description(req(o, "sdp")?)?,
        },
        "new-ice-candidate" => FromServer::NewIceCandidate {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            candidate: candidate(req(o, "candidate")?)?,
        },
        "hang-up" => FromServer::HangUp {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            reason: opt_enum(o, "reason")?,
        },
        "ice-servers" => FromServer::IceServers {
            ice_servers: ice_servers(req(o, "iceServers")?)?,
            expires: opt_num(o, "expires")?,
        },
        "error" => FromServer::Error {
            code: leaf(req(o, "code")?, "code")?,
            message: text_of(o, "message")?,
        },
        "session" => FromServer::Session {
            token: text_of(o, "token")?,
            grace: num(o, "grace")?,
        },
        "resumed" => FromServer::Resumed {
            name: text_of(o, "name")?,
            token: text_of(o, "token")?,
            grace: num(o, "grace")?,
            ack: num(o, "ack")?,
            partner: opt_text(o, "partner")?,
        },
        "pong" => FromServer::Pong,
        "user-state" => FromServer::UserState {
            name: text_of(o, "name")?,
            state: leaf(req(o, "state")?, "state")?,
            fresh: match o.get("fresh") {
                None => false,
                Some(v) => v.as_bool().ok_or(wrong("fresh"))?,
            },
        },
        other => return Err(format!("unknown variant `{other}`")),
    })
}

fn wrong(key: &str) -> String {
    format!("invalid type for `{key}`")
}

fn req<'a>(o: &'a Object, key: &str) -> Result<&'a Value, String> {
    o.get(key).ok_or_else(|| format!("missing field `{key}`"))
}

/// A field that may be absent or `null` (serde's rule for `Option`).
fn opt<'a>(o: &'a Object, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn string(v: &Value, key: &str) -> Result<String, String> {
    v.as_str().map(str::to_owned).ok_or_else(|| wrong(key))
}

fn text_of(o: &Object, key: &str) -> Result<String, String> {
    string(req(o, key)?, key)
}

fn opt_text(o: &Object, key: &str) -> Result<Option<String>, String> {
    opt(o, key).map(|v| string(v, key)).transpose()
}

fn num(o: &Object, key: &str) -> Result<u64, String> {
    req(o, key)?.as_u64().ok_or_else(|| wrong(key))
}

fn opt_num(o: &Object, key: &str) -> Result<Option<u64>, String> {
    opt(o, key)
        .map(|v| v.as_u64().ok_or_else(|| wrong(key)))
        .transpose()
}

fn list(v: &Value, key: &str) -> Result<Vec<String>, String> {
    let items = v.as_array().ok_or_else(|| wrong(key))?;
    items.iter().map(|item| string(item, key)).collect()
}

/// A `Vec` with `#[serde(default)]`: absent is empty, `null` is refused.
fn opt_list(o: &Object, key: &str) -> Result<Vec<String>, String> {
    o.get(key).map_or(Ok(Vec::new()), |v| list(v, key))
}

/// A unit enum, through its own serde impl (its wire names live there).
fn leaf<T: serde::de::DeserializeOwned>(v: &Value, key: &str) -> Result<T, String> {
    v.as_str().ok_or_else(|| wrong(key))?;
    serde_json::from_value(v.clone()).map_err(|e| format!("`{key}`: {e}"))
}

fn opt_enum<T: serde::de::DeserializeOwned>(o: &Object, key: &str) -> Result<Option<T>, String> {
    opt(o, key).map(|v| leaf(v, key)).transpose()
}

fn object<'a>(v: &'a Value, key: &str) -> Result<&'a Object, String> {
    v.as_object().ok_or_else(|| wrong(key))
}

fn description(v: &Value) -> Result<SessionDescription, String> {
    let o = object(v, "sdp")?;
    Ok(SessionDescription {
        kind: leaf(req(o, "type")?, "type")?,
        sdp: match o.get("sdp") {
            None => String::new(),
            Some(sdp) => string(sdp, "sdp")?,
        },
    })
}

fn candidate(v: &Value) -> Result<IceCandidate, String> {
    let o = object(v, "candidate")?;
    let index = opt(o, "sdpMLineIndex")
        .map(|v| {
            v.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| wrong("sdpMLineIndex"))
        })
        .transpose()?;
    Ok(IceCandidate {
        candidate: text_of(o, "candidate")?,
        sdp_mid: opt_text(o, "sdpMid")?,
        sdp_m_line_index: index,
        username_fragment: opt_text(o, "usernameFragment")?,
    })
}

fn ice_servers(v: &Value) -> Result<Vec<IceServer>, String> {
    let items = v.as_array().ok_or_else(|| wrong("iceServers"))?;
    items
        .iter()
        .map(|item| {
            let o = object(item, "iceServers")?;
            Ok(IceServer {
                urls: list(req(o, "urls")?, "urls")?,
                username: opt_text(o, "username")?,
                credential: opt_text(o, "credential")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
