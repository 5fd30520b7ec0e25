//! Inputs the fuzz targets (`fuzz/`) found, kept as regression tests: each must now be refused
//! (or accepted) as said, without a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use server::inbound::decode;
use shared::ErrorCode;

/// The input the fuzz target found: an extra member of a candidate with a lone surrogate,
/// which was forwarded as received and made the recipient's frame unreadable to serde_json.
#[test]
fn a_forwarded_member_with_a_lone_surrogate_is_refused() {
    let candidate = r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"c","sdpMid":"0","x":"new-ice-\ud800ate"}}"#;
    let offer = r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\ud800"}}"#;
    for frame in [candidate, offer] {
        let refusal = decode(frame).expect_err("refused");
        assert_eq!(refusal.code, ErrorCode::BadMessage, "{frame}");
        assert!(refusal.message.contains("surrogate"), "{}", refusal.message);
    }
    let paired = r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"c","x":"\ud83d\ude00"}}"#;
    assert!(decode(paired).is_ok());
}

/// The fuzz target's own input, byte for byte (`decode_frame`, crash-3100628f).
#[test]
fn the_fuzzed_candidate_is_refused() {
    let frame = r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"can'didate:1 1 ud!!!!!!!!!!!!!!!!!!!!!!!!!!p.3.4 9 ty","pdsMid":"0","sdpMLype":"new-ice-\ud800ate","targineIndex":0}}"#;
    let refusal = decode(frame).expect_err("refused");
    assert_eq!(refusal.code, ErrorCode::BadMessage);
}

/// `decode_frame`, crash-f77afbca: a number out of range (`77777e7777…`) in an extra member of a
/// candidate. JSON's grammar allows it, but serde_json (our client) refuses the whole frame.
#[test]
fn a_candidate_with_a_number_out_of_range_is_refused() {
    let frame = r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"canda.di","s(pMLit":"bob.3 94 .ttr host","sppMidx":77777e7777777777777777777777777777777777777777777770}}"#;
    assert_eq!(
        decode(frame).expect_err("refused").code,
        ErrorCode::BadMessage
    );
    let fine =
        r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"c","x":1e300}}"#;
    assert!(decode(fine).is_ok());
}
