//! The unit enums inside frames (`ErrorCode`, `HangUpReason`, `Presence`, `SdpType`) and their
//! wire names, read without serde (its `Deserialize` for them, with its error texts, cost the
//! page ~1 KB gzip; bundle diet, issue 13). `net/frame/tests.rs` checks every name against
//! serde's. A new value gets a name in its `match` (the build stops until it has one) and a
//! place in `ALL`.

use shared::{ErrorCode, HangUpReason, Presence, SdpType};

/// A unit enum on the wire: every value, and each one's name.
pub trait Leaf: Copy + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;
}

/// The value named `name`, if there is one.
pub fn named<T: Leaf>(name: &str) -> Option<T> {
    T::ALL.iter().copied().find(|value| value.name() == name)
}

impl Leaf for SdpType {
    const ALL: &'static [Self] = &[Self::Offer, Self::Answer, Self::Pranswer, Self::Rollback];
    fn name(self) -> &'static str {
        crate::net::write::sdp_type(self)
    }
}

impl Leaf for HangUpReason {
    const ALL: &'static [Self] = &[
        Self::Ended,
        Self::Cancelled,
        Self::Declined,
        Self::Busy,
        Self::MediaError,
        Self::ConnectionFailed,
        Self::Left,
    ];
    fn name(self) -> &'static str {
        crate::net::write::reason(self)
    }
}

impl Leaf for Presence {
    const ALL: &'static [Self] = &[Self::Online, Self::Reconnecting];
    fn name(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Reconnecting => "reconnecting",
        }
    }
}

impl Leaf for ErrorCode {
    const ALL: &'static [Self] = &[
        Self::BadMessage,
        Self::UnknownType,
        Self::ServerOnlyType,
        Self::BinaryFrame,
        Self::TooLarge,
        Self::NotLoggedIn,
        Self::BadName,
        Self::BadId,
        Self::TextTooLong,
        Self::UnknownTarget,
        Self::SelfTarget,
        Self::RateLimited,
        Self::LoginTimeout,
        Self::NotInCall,
        Self::RecentlyDeclined,
        Self::ResumeFailed,
        Self::ChatRateLimited,
        Self::ServerBusy,
        Self::BadRoom,
        Self::RoomFull,
        Self::PasscodeRequired,
        Self::BadPasscode,
        Self::CallFull,
        Self::InCall,
    ];
    fn name(self) -> &'static str {
        match self {
            Self::BadMessage => "bad-message",
            Self::UnknownType => "unknown-type",
            Self::ServerOnlyType => "server-only-type",
            Self::BinaryFrame => "binary-frame",
            Self::TooLarge => "too-large",
            Self::NotLoggedIn => "not-logged-in",
            Self::BadName => "bad-name",
            Self::BadId => "bad-id",
            Self::TextTooLong => "text-too-long",
            Self::UnknownTarget => "unknown-target",
            Self::SelfTarget => "self-target",
            Self::RateLimited => "rate-limited",
            Self::LoginTimeout => "login-timeout",
            Self::NotInCall => "not-in-call",
            Self::RecentlyDeclined => "recently-declined",
            Self::ResumeFailed => "resume-failed",
            Self::ChatRateLimited => "chat-rate-limited",
            Self::ServerBusy => "server-busy",
            Self::BadRoom => "bad-room",
            Self::RoomFull => "room-full",
            Self::PasscodeRequired => "passcode-required",
            Self::BadPasscode => "bad-passcode",
            Self::CallFull => "call-full",
            Self::InCall => "in-call",
        }
    }
}
