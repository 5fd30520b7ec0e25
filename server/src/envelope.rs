//! The envelope of a client frame: one pass of serde_json over the whole frame that finds every
//! member any client frame may carry, keeping each value as borrowed raw JSON text, and the
//! session description (`sdp`) of offers and answers already taken apart, its SDP text raw.
//!
//! Why this shape: the frame's type may come after its other members, so the envelope cannot know
//! yet which members matter; it accepts any value in any of them and leaves the checks to
//! [`crate::inbound`], which knows the type. Members no type uses are skipped, and a member given
//! twice is noted (serde would refuse it only where the type uses it). The SDP text, the bulk of
//! an offer, is scanned once here and copied out as is by [`crate::relay`].

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use shared::SdpType;

use crate::relay::Sdp;

/// The members of a client frame, each as raw JSON text (`None`: absent).
#[derive(Debug, Default)]
pub struct Envelope<'a> {
    pub kind: Option<&'a RawValue>,
    pub id: Option<&'a RawValue>,
    pub name: Option<&'a RawValue>,
    pub date: Option<&'a RawValue>,
    pub features: Option<&'a RawValue>,
    pub text: Option<&'a RawValue>,
    pub target: Option<&'a RawValue>,
    pub reason: Option<&'a RawValue>,
    pub candidate: Option<&'a RawValue>,
    pub token: Option<&'a RawValue>,
    pub ack: Option<&'a RawValue>,
    pub fresh: Option<&'a RawValue>,
    /// `username` into a room (issue 13).
    pub passcode: Option<&'a RawValue>,
    pub capacity: Option<&'a RawValue>,
    /// `None`: absent.
    pub sdp: Option<SdpField<'a>>,
    /// Members given more than once (bits of [`Key`]); the first value is kept.
    duplicates: u32,
}

/// A member's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
pub enum Key {
    #[serde(rename = "type")]
    Kind,
    Id,
    Name,
    Date,
    Features,
    Text,
    Target,
    Reason,
    Candidate,
    Sdp,
    Token,
    Ack,
    Fresh,
    Passcode,
    Capacity,
    #[serde(other)]
    Other,
}

impl Key {
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Kind => "type",
            Key::Id => "id",
            Key::Name => "name",
            Key::Date => "date",
            Key::Features => "features",
            Key::Text => "text",
            Key::Target => "target",
            Key::Reason => "reason",
            Key::Candidate => "candidate",
            Key::Sdp => "sdp",
            Key::Token => "token",
            Key::Ack => "ack",
            Key::Fresh => "fresh",
            Key::Passcode => "passcode",
            Key::Capacity => "capacity",
            Key::Other => "?",
        }
    }

    fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// The `sdp` member as found: meaningful only for offers and answers, so any value is taken.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SdpField<'a> {
    Null,
    /// An object of the shape of [`shared::SessionDescription`] (other members ignored), except
    /// that the SDP text may be missing or `null` (as a rollback has none).
    Description(Sdp<'a>),
    /// Anything else: why it is not a session description.
    Bad(&'static str),
}

impl<'a> Envelope<'a> {
    /// Reads `text` as one JSON object. Fails only when `text` is not JSON, or not an object.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Whether `key` was given more than once.
    pub fn duplicated(&self, key: Key) -> bool {
        self.duplicates & key.bit() != 0
    }
}

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut envelope = Envelope::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Kind => &mut envelope.kind,
                Key::Id => &mut envelope.id,
                Key::Name => &mut envelope.name,
                Key::Date => &mut envelope.date,
                Key::Features => &mut envelope.features,
                Key::Text => &mut envelope.text,
                Key::Target => &mut envelope.target,
                Key::Reason => &mut envelope.reason,
                Key::Candidate => &mut envelope.candidate,
                Key::Token => &mut envelope.token,
                Key::Ack => &mut envelope.ack,
                Key::Fresh => &mut envelope.fresh,
                Key::Passcode => &mut envelope.passcode,
                Key::Capacity => &mut envelope.capacity,
                Key::Sdp => {
                    let value = map.next_value::<SdpField<'de>>()?;
                    match envelope.sdp {
                        Some(_) => envelope.duplicates |= key.bit(),
                        None => envelope.sdp = Some(value),
                    }
                    continue;
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value = map.next_value::<&'de RawValue>()?;
            match slot {
                Some(_) => envelope.duplicates |= key.bit(),
                None => *slot = Some(value),
            }
        }
        Ok(envelope)
    }
}

impl<'de> Deserialize<'de> for SdpField<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SdpVisitor)
    }
}

/// Takes any JSON value: a session description is read, anything else is skipped and named.
struct SdpVisitor;

const NOT_AN_OBJECT: &str = "`sdp` is not an object";

impl<'de> Visitor<'de> for SdpVisitor {
    type Value = SdpField<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SdpField::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(SdpField::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(SdpField::Bad(NOT_AN_OBJECT))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum SdpKey {
            Type,
            Sdp,
            #[serde(other)]
            Other,
        }
        let (mut kind, mut text) = (None, None);
        let mut problem = None;
        while let Some(key) = map.next_key::<SdpKey>()? {
            match key {
                SdpKey::Type => {
                    let raw = map.next_value::<&'de RawValue>()?;
                    let parsed = serde_json::from_str::<SdpType>(raw.get()).ok();
                    if kind.replace(parsed).is_some() {
                        problem = Some("`sdp.type` given twice");
                    }
                }
                SdpKey::Sdp => {
                    let raw = map.next_value::<&'de RawValue>()?.get();
                    let value = match raw {
                        "null" => None,
                        // RawValue guarantees valid JSON; a string starts with a quote.
                        text if text.starts_with('"') => Some(text),
                        _ => {
                            problem.get_or_insert("`sdp.sdp` is not a string");
                            None
                        }
                    };
                    if text.replace(value).is_some() {
                        problem = Some("`sdp.sdp` given twice");
                    }
                }
                SdpKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(problem) = problem {
            return Ok(SdpField::Bad(problem));
        }
        Ok(match kind {
            Some(Some(kind)) => SdpField::Description(Sdp {
                kind,
                text: text.flatten(),
            }),
            Some(None) => SdpField::Bad("`sdp.type` is not a known type"),
            None => SdpField::Bad("`sdp.type` is missing"),
        })
    }
}
