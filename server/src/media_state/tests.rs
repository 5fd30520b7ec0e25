//! Decoding `media-state` frames.

use super::{MediaState, decode};

#[test]
fn decodes_the_flags_and_ignores_other_members() {
    let frame =
        r#"{"type":"media-state","target":"bob","audio":false,"video":true,"screen":false,"x":1}"#;
    assert_eq!(
        decode(frame),
        Ok(MediaState {
            target: "bob".into(),
            audio: false,
            video: true,
            screen: false,
        })
    );
}

#[test]
fn refuses_missing_mistyped_and_duplicate_members() {
    for frame in [
        r#"{"type":"media-state","audio":false,"video":true,"screen":false}"#,
        r#"{"type":"media-state","target":"bob","video":true,"screen":false}"#,
        r#"{"type":"media-state","target":"bob","audio":"no","video":true,"screen":false}"#,
        r#"{"type":"media-state","target":null,"audio":false,"video":true,"screen":false}"#,
        r#"{"type":"media-state","target":"bob","audio":false,"audio":true,"video":true,"screen":false}"#,
        r#"{"type":"media-state","target":"\ud800","audio":false,"video":true,"screen":false}"#,
    ] {
        let Err(error) = decode(frame) else {
            panic!("{frame} should be refused");
        };
        assert!(error.starts_with("bad `media-state`: "), "{frame}: {error}");
    }
}
