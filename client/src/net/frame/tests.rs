//! `decode` against serde's `FromServer::from_json`: every variant round-trips, and odd frames
//! are read (or refused) the same way.

use shared::FromServer;

use super::cases::{ODD_FRAMES, samples};
use super::decode;

/// Parses like the page (into a JSON value first), then decodes.
fn read(text: &str) -> Result<FromServer, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    decode(&value)
}

/// Names every variant: a variant added to `FromServer` stops the build here until `decode`
/// reads it (and `cases::samples` has one).
fn covered(frame: &FromServer) {
    match frame {
        FromServer::Id { .. }
        | FromServer::RejectUsername { .. }
        | FromServer::UserList { .. }
        | FromServer::UserListDelta { .. }
        | FromServer::Message { .. }
        | FromServer::VideoOffer { .. }
        | FromServer::VideoAnswer { .. }
        | FromServer::NewIceCandidate { .. }
        | FromServer::HangUp { .. }
        | FromServer::IceServers { .. }
        | FromServer::Error { .. }
        | FromServer::Session { .. }
        | FromServer::Resumed { .. }
        | FromServer::Pong
        | FromServer::UserState { .. }
        | FromServer::MediaState { .. }
        | FromServer::GroupCall { .. }
        | FromServer::GroupSignal { .. } => {}
    }
}

#[test]
fn every_variant_round_trips() {
    for frame in samples() {
        covered(&frame);
        let text = frame.to_json();
        assert_eq!(read(&text), Ok(frame), "{text}");
    }
}

/// Reads `text` both ways: both accept it as the same frame, or both refuse it.
fn same(text: &str) {
    let ours = read(text);
    match FromServer::from_json(text) {
        Ok(frame) => assert_eq!(ours, Ok(frame), "{text}"),
        Err(error) => assert!(ours.is_err(), "{text}: serde says {error}, decode {ours:?}"),
    }
}

#[test]
fn odd_frames_are_read_as_serde_reads_them() {
    for text in ODD_FRAMES {
        same(text);
    }
    for frame in samples() {
        same(&frame.to_json());
    }
}

/// Every leaf value's name is serde's, and reads back as that value.
#[test]
fn leaf_names_are_serdes() {
    use super::leaf::{Leaf, named};
    use shared::{ErrorCode, HangUpReason, Presence, SdpType};

    fn check<T>()
    where
        T: Leaf + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        for &value in T::ALL {
            let serde_name = serde_json::to_value(value).ok();
            assert_eq!(
                serde_name.as_ref().and_then(|v| v.as_str()),
                Some(value.name())
            );
            assert_eq!(named::<T>(value.name()), Some(value));
        }
        assert_eq!(named::<T>("no-such-value"), None);
        // `ALL` lists every value: serde's refusal names them all ("expected one of `a`, `b`").
        let refusal = serde_json::from_str::<T>(r#""no-such-value""#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let expected = refusal.split("expected").nth(1).unwrap_or_default();
        let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        assert_eq!(names.len(), T::ALL.len(), "{refusal}");
        for name in names {
            assert!(named::<T>(name).is_some(), "{name} is missing from ALL");
        }
    }
    check::<ErrorCode>();
    check::<HangUpReason>();
    check::<Presence>();
    check::<SdpType>();
}
