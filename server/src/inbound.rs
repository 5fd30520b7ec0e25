//! Decoding a client's text frame, once, into what the server acts on, and the precise reason
//! when it cannot be used.
//!
//! One pass of serde_json reads the frame's members as raw text ([`Envelope`]); then the members
//! the frame's type uses are checked and typed into an [`Inbound`], whose relays keep their
//! payload raw. The rules are those of [`shared::ToServer`] (required members, their types;
//! members a type does not use are ignored), and a refused frame is named: not JSON, a type only
//! the server sends, a type nobody knows, or a member missing or mistyped.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::value::RawValue;
use shared::{ErrorCode, Feature};

use crate::envelope::{Envelope, Key, SdpField};
use crate::relay::{Relay, RelayKind};
use surrogates::has_lone_surrogate;

/// Why a frame was refused: the `error` frame's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A client frame the server can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound<'a> {
    /// `username`: log in or rename; `passcode` and `capacity` only matter in a room.
    Login {
        id: Option<u64>,
        name: String,
        features: Vec<Feature>,
        passcode: Option<String>,
        capacity: Option<u32>,
    },
    /// `message`: chat.
    Chat {
        id: Option<u64>,
        text: String,
        date: Option<u64>,
        target: Option<String>,
    },
    Relay(Relay<'a>),
    /// `media-state` (extension): what the sender sends its call partner.
    MediaState(crate::media_state::MediaState),
    GetIceServers,
    /// `resume` (feature `resume`): take a session back with its token.
    Resume {
        token: String,
        ack: u64,
        fresh: bool,
        features: Vec<Feature>,
    },
    /// `leaving` (feature `resume`): the page is going away.
    Leaving,
    /// `ping` (feature `heartbeat`), with the frame count (feature `resume`).
    Ping {
        ack: Option<u64>,
    },
}

/// How deeply arrays and objects may nest inside a member that is forwarded as received (a
/// candidate, counting its own object as level 1). serde_json's own limit (128) bounds the
/// frame; this bounds what other clients are handed, which browsers and MDN's client parse.
pub const FORWARDED_DEPTH_MAX: usize = 16;

/// Types only the server sends.
const SERVER_ONLY_TYPES: &[&str] = &[
    "id",
    "rejectusername",
    "userlist",
    "userlist-delta",
    "ice-servers",
    "error",
    "session",
    "resumed",
    "pong",
    "user-state",
];

/// Parses one text frame from a client.
pub fn decode(text: &str) -> Result<Inbound<'_>, Refusal> {
    let envelope = Envelope::parse(text).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "not valid JSON"
        } else {
            "no string `type` field"
        };
        Refusal::new(ErrorCode::BadMessage, what)
    })?;
    let kind = match envelope.kind {
        Some(raw) if !envelope.duplicated(Key::Kind) => string(raw).ok(),
        _ => None,
    };
    let Some(kind) = kind else {
        return Err(Refusal::new(
            ErrorCode::BadMessage,
            "no string `type` field",
        ));
    };
    let fields = Fields {
        kind: &kind,
        envelope: &envelope,
    };
    match kind.as_ref() {
        "username" => {
            // Checked as `shared::ToServer` would, though a login's date is not used.
            fields.optional::<u64>(Key::Date, envelope.date)?;
            Ok(Inbound::Login {
                id: fields.optional(Key::Id, envelope.id)?,
                name: fields.required(Key::Name, envelope.name)?,
                features: fields.defaulted(Key::Features, envelope.features)?,
                passcode: fields.optional(Key::Passcode, envelope.passcode)?,
                capacity: fields.optional(Key::Capacity, envelope.capacity)?,
            })
        }
        "message" => Ok(Inbound::Chat {
            id: fields.optional(Key::Id, envelope.id)?,
            text: fields.required(Key::Text, envelope.text)?,
            date: fields.optional(Key::Date, envelope.date)?,
            target: fields.optional(Key::Target, envelope.target)?,
        }),
        "get-ice-servers" => Ok(Inbound::GetIceServers),
        "media-state" => crate::media_state::decode(text)
            .map(Inbound::MediaState)
            .map_err(|why| Refusal::new(ErrorCode::BadMessage, why)),
        "resume" => Ok(Inbound::Resume {
            token: fields.required(Key::Token, envelope.token)?,
            ack: fields.optional(Key::Ack, envelope.ack)?.unwrap_or(0),
            fresh: fields
                .optional(Key::Fresh, envelope.fresh)?
                .unwrap_or(false),
            features: fields.defaulted(Key::Features, envelope.features)?,
        }),
        "leaving" => Ok(Inbound::Leaving),
        "ping" => Ok(Inbound::Ping {
            ack: fields.optional(Key::Ack, envelope.ack)?,
        }),
        other => match RelayKind::from_type(other) {
            Some(relay) => fields.relay(relay).map(Inbound::Relay),
            None if SERVER_ONLY_TYPES.contains(&other) => Err(Refusal::new(
                ErrorCode::ServerOnlyType,
                format!("only the server sends `{other}`"),
            )),
            None => Err(Refusal::new(ErrorCode::UnknownType, "unknown type")),
        },
    }
}

/// The envelope of a frame whose type is known, read member by member.
struct Fields<'e, 'a> {
    kind: &'e str,
    envelope: &'e Envelope<'a>,
}

impl<'a> Fields<'_, 'a> {
    fn bad(&self, what: impl std::fmt::Display) -> Refusal {
        Refusal::new(
            ErrorCode::BadMessage,
            format!("bad `{}`: {what}", self.kind),
        )
    }

    /// The member's raw text; `None` when absent. A member the type uses may be given once.
    fn raw(&self, key: Key, raw: Option<&'a RawValue>) -> Result<Option<&'a RawValue>, Refusal> {
        if self.envelope.duplicated(key) {
            return Err(self.bad(format_args!("duplicate `{}`", key.as_str())));
        }
        Ok(raw)
    }

    /// A member that may be absent (or `null`).
    fn optional<T: DeserializeOwned>(
        &self,
        key: Key,
        raw: Option<&'a RawValue>,
    ) -> Result<Option<T>, Refusal> {
        let Some(raw) = self.raw(key, raw)? else {
            return Ok(None);
        };
        serde_json::from_str(raw.get()).map_err(|e| self.mistyped(key, &e))
    }

    /// A member that may be absent, but not `null` (a list).
    fn defaulted<T: DeserializeOwned + Default>(
        &self,
        key: Key,
        raw: Option<&'a RawValue>,
    ) -> Result<T, Refusal> {
        match self.raw(key, raw)? {
            Some(_) => self.required(key, raw),
            None => Ok(T::default()),
        }
    }

    fn required<T: DeserializeOwned>(
        &self,
        key: Key,
        raw: Option<&'a RawValue>,
    ) -> Result<T, Refusal> {
        let Some(raw) = self.raw(key, raw)? else {
            return Err(self.bad(format_args!("missing `{}`", key.as_str())));
        };
        serde_json::from_str(raw.get()).map_err(|e| self.mistyped(key, &e))
    }

    fn mistyped(&self, key: Key, error: &serde_json::Error) -> Refusal {
        // The position is within the member's own text: of no use to the sender.
        let error = error.to_string();
        let error = error.rsplit_once(" at line ").map_or(&*error, |(e, _)| e);
        self.bad(format_args!("`{}`: {error}", key.as_str()))
    }

    fn relay(&self, kind: RelayKind) -> Result<Relay<'a>, Refusal> {
        let envelope = self.envelope;
        let target = match self.raw(Key::Target, envelope.target)? {
            Some(raw) if raw.get() != "null" => {
                Some(string(raw).map_err(|e| self.mistyped(Key::Target, &e))?)
            }
            _ => None,
        };
        if kind != RelayKind::HangUp && target.is_none() {
            return Err(self.bad("missing `target`"));
        }
        let mut relay = Relay {
            kind,
            target,
            sdp: None,
            candidate: None,
            reason: None,
        };
        match kind {
            RelayKind::VideoOffer | RelayKind::VideoAnswer => {
                if envelope.duplicated(Key::Sdp) {
                    return Err(self.bad("duplicate `sdp`"));
                }
                match envelope.sdp {
                    None | Some(SdpField::Null) => return Err(self.bad("missing `sdp`")),
                    Some(SdpField::Bad(why)) => return Err(self.bad(why)),
                    Some(SdpField::Description(sdp)) => {
                        if sdp.text.is_some_and(has_lone_surrogate) {
                            return Err(self.bad(LONE_SURROGATE));
                        }
                        relay.sdp = Some(sdp);
                    }
                }
            }
            RelayKind::NewIceCandidate => {
                let raw = self
                    .raw(Key::Candidate, envelope.candidate)?
                    .filter(|raw| raw.get() != "null")
                    .ok_or_else(|| self.bad("missing `candidate`"))?;
                if nesting_depth(raw.get()) > FORWARDED_DEPTH_MAX {
                    return Err(self.bad(format_args!(
                        "`candidate` nested deeper than {FORWARDED_DEPTH_MAX} levels"
                    )));
                }
                serde_json::from_str::<CandidateShape>(raw.get())
                    .map_err(|e| self.mistyped(Key::Candidate, &e))?;
                // Forwarded as received: it must also be JSON that strict parsers (serde_json, as
                // in our client) read, with no lone surrogate escape nor a number out of range.
                if serde_json::from_str::<serde_json::Value>(raw.get()).is_err() {
                    return Err(self.bad(UNREADABLE_CANDIDATE));
                }
                relay.candidate = Some(raw.get());
            }
            RelayKind::HangUp => relay.reason = self.optional(Key::Reason, envelope.reason)?,
        }
        Ok(relay)
    }
}

/// Why a forwarded SDP text with a lone surrogate escape is refused.
const LONE_SURROGATE: &str = "`sdp.sdp` escapes a lone UTF-16 surrogate (not Unicode text)";
/// Why a candidate that strict JSON parsers refuse is not forwarded.
const UNREADABLE_CANDIDATE: &str =
    "`candidate` holds a lone surrogate escape or a number out of range: not forwarded";

/// How deeply arrays and objects nest in `json` (valid JSON text): `1` for `{}` or `[1]`.
pub fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A JSON string, borrowed when it has no escapes.
fn string(raw: &RawValue) -> Result<Cow<'_, str>, serde_json::Error> {
    let text = raw.get();
    // RawValue guarantees valid JSON: a string without a backslash is its text between quotes.
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<String>(text).map(Cow::Owned),
    }
}

/// The shape of [`shared::IceCandidate`], checked without keeping the text. Other members
/// (browsers may add some) are accepted and forwarded.
#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct CandidateShape {
    candidate: AnyString,
    #[serde(default)]
    sdp_mid: Option<AnyString>,
    #[serde(default, rename = "sdpMLineIndex")]
    sdp_m_line_index: Option<u16>,
    #[serde(default)]
    username_fragment: Option<AnyString>,
}

/// A JSON string, checked but not kept.
struct AnyString;

impl<'de> Deserialize<'de> for AnyString {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringVisitor;
        impl Visitor<'_> for StringVisitor {
            type Value = AnyString;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<AnyString, E> {
                Ok(AnyString)
            }
        }
        deserializer.deserialize_str(StringVisitor)
    }
}

mod surrogates;

#[cfg(test)]
mod tests;
