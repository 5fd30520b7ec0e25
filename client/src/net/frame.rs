//! Reads the server's frames into [`FromServer`] without serde's internally tagged enum code
//! and without a JSON parser in the page.
//!
//! `FromServer::from_json` (serde derive, `tag = "type"`) buffers every frame into serde's
//! private `Content` tree and carries a visitor per variant, on top of serde_json's parser: about
//! a quarter of the page's wasm. Here the page lets the browser parse (`JSON.parse`, see
//! `net/js_json.rs`) and reads the result field by field through [`Json`]; host tests read
//! `serde_json::Value`s the same way. The small leaf enums (`ErrorCode`, `HangUpReason`,
//! `Presence`, `SdpType`) are read by name ([`leaf`]). Same rules as the derive: unknown fields are ignored, a missing required field or
//! a wrong type refuses the whole frame, `null` is `None` for optional fields only. One
//! difference: the page reads numbers as JavaScript does (`1.0` and `1e2` are whole numbers; past
//! 2^53 they round), which no frame of our server meets. `net/frame/tests.rs` checks every
//! variant against `FromServer::from_json`; its exhaustive `match` stops the build when a
//! variant is added to `FromServer` and not here.

use shared::{FromServer, IceCandidate, IceServer, SessionDescription};

use leaf::Leaf;

/// A parsed JSON value, as far as reading a frame needs one.
pub trait Json: Sized {
    /// Field `key` of an object; `None` when it is absent or this is not an object.
    fn field(&self, key: &str) -> Option<Self>;
    /// A JSON object (not an array, not `null`).
    fn is_object(&self) -> bool;
    fn is_null(&self) -> bool;
    fn string(&self) -> Option<String>;
    /// A whole number from 0 up.
    fn whole(&self) -> Option<u64>;
    fn boolean(&self) -> Option<bool>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;
}

/// The serde_json reading, for host tests (and any host caller).
impl Json for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).cloned()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn is_null(&self) -> bool {
        self.is_null()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn whole(&self) -> Option<u64> {
        self.as_u64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}

/// The frame in the parsed JSON `value`, or why it is not one.
pub fn decode<J: Json>(value: &J) -> Result<FromServer, String> {
    let o = value;
    if !o.is_object() {
        return Err("not a JSON object".into());
    }
    let kind = req(o, "type")?.string().ok_or("`type` is not a string")?;
    Ok(match kind.as_str() {
        "id" => FromServer::Id { id: num(o, "id")? },
        "rejectusername" => FromServer::RejectUsername {
            id: num(o, "id")?,
            name: text_of(o, "name")?,
        },
        "userlist" => FromServer::UserList {
            users: list(&req(o, "users")?, "users")?,
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
            sdp: description(&req(o, "sdp")?)?,
        },
        "video-answer" => FromServer::VideoAnswer {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            sdp: description(&req(o, "sdp")?)?,
        },
        "new-ice-candidate" => FromServer::NewIceCandidate {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            candidate: candidate(&req(o, "candidate")?)?,
        },
        "hang-up" => FromServer::HangUp {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            reason: opt_enum(o, "reason")?,
        },
        "ice-servers" => FromServer::IceServers {
            ice_servers: ice_servers(&req(o, "iceServers")?)?,
            expires: opt_num(o, "expires")?,
        },
        "error" => FromServer::Error {
            code: leaf(&req(o, "code")?, "code")?,
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
            state: leaf(&req(o, "state")?, "state")?,
            fresh: match o.field("fresh") {
                None => false,
                Some(v) => v.boolean().ok_or(wrong("fresh"))?,
            },
        },
        "media-state" => FromServer::MediaState {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            audio: flag(o, "audio")?,
            video: flag(o, "video")?,
            screen: flag(o, "screen")?,
        },
        "group-call" => FromServer::GroupCall {
            members: list(&req(o, "members")?, "members")?,
        },
        "group-signal" => FromServer::GroupSignal {
            name: text_of(o, "name")?,
            target: text_of(o, "target")?,
            sdp: opt(o, "sdp").map(|v| description(&v)).transpose()?,
            candidate: opt(o, "candidate").map(|v| candidate(&v)).transpose()?,
        },
        other => return Err(format!("unknown variant `{other}`")),
    })
}

fn wrong(key: &str) -> String {
    format!("invalid type for `{key}`")
}

fn req<J: Json>(o: &J, key: &str) -> Result<J, String> {
    o.field(key).ok_or_else(|| format!("missing field `{key}`"))
}

/// A field that may be absent or `null` (serde's rule for `Option`).
fn opt<J: Json>(o: &J, key: &str) -> Option<J> {
    o.field(key).filter(|v| !v.is_null())
}

fn string<J: Json>(v: &J, key: &str) -> Result<String, String> {
    v.string().ok_or_else(|| wrong(key))
}

fn text_of<J: Json>(o: &J, key: &str) -> Result<String, String> {
    string(&req(o, key)?, key)
}

fn opt_text<J: Json>(o: &J, key: &str) -> Result<Option<String>, String> {
    opt(o, key).map(|v| string(&v, key)).transpose()
}

fn flag<J: Json>(o: &J, key: &str) -> Result<bool, String> {
    req(o, key)?.boolean().ok_or_else(|| wrong(key))
}

fn num<J: Json>(o: &J, key: &str) -> Result<u64, String> {
    req(o, key)?.whole().ok_or_else(|| wrong(key))
}

fn opt_num<J: Json>(o: &J, key: &str) -> Result<Option<u64>, String> {
    opt(o, key)
        .map(|v| v.whole().ok_or_else(|| wrong(key)))
        .transpose()
}

fn list<J: Json>(v: &J, key: &str) -> Result<Vec<String>, String> {
    let items = v.items().ok_or_else(|| wrong(key))?;
    items.iter().map(|item| string(item, key)).collect()
}

/// A `Vec` with `#[serde(default)]`: absent is empty, `null` is refused.
fn opt_list<J: Json>(o: &J, key: &str) -> Result<Vec<String>, String> {
    o.field(key).map_or(Ok(Vec::new()), |v| list(&v, key))
}

/// A unit enum, by its wire name (`leaf`).
fn leaf<T: Leaf, J: Json>(v: &J, key: &str) -> Result<T, String> {
    let name = v.string().ok_or_else(|| wrong(key))?;
    leaf::named(&name).ok_or_else(|| format!("unknown value of `{key}`"))
}

fn opt_enum<T: Leaf, J: Json>(o: &J, key: &str) -> Result<Option<T>, String> {
    opt(o, key).map(|v| leaf(&v, key)).transpose()
}

fn object<J: Json>(v: &J, key: &str) -> Result<(), String> {
    if v.is_object() {
        Ok(())
    } else {
        Err(wrong(key))
    }
}

fn description<J: Json>(o: &J) -> Result<SessionDescription, String> {
    object(o, "sdp")?;
    Ok(SessionDescription {
        kind: leaf(&req(o, "type")?, "type")?,
        sdp: match o.field("sdp") {
            None => String::new(),
            Some(sdp) => string(&sdp, "sdp")?,
        },
    })
}

fn candidate<J: Json>(o: &J) -> Result<IceCandidate, String> {
    object(o, "candidate")?;
    let index = opt(o, "sdpMLineIndex")
        .map(|v| {
            v.whole()
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

fn ice_servers<J: Json>(v: &J) -> Result<Vec<IceServer>, String> {
    let items = v.items().ok_or_else(|| wrong("iceServers"))?;
    items
        .iter()
        .map(|o| {
            object(o, "iceServers")?;
            Ok(IceServer {
                urls: list(&req(o, "urls")?, "urls")?,
                username: opt_text(o, "username")?,
                credential: opt_text(o, "credential")?,
            })
        })
        .collect()
}

#[doc(hidden)]
pub mod cases;
pub mod leaf;
#[cfg(test)]
mod tests;
