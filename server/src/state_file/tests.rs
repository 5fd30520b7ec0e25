//! Unit tests of the state file: round trip, and bad files giving an empty start.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn session(id: u64, name: &str, partner: Option<u64>) -> SavedSession {
    let (_, hash) = crate::token::mint(id).unwrap();
    SavedSession {
        id,
        name: name.into(),
        features: Features::from_list(&[Feature::Resume, Feature::UserlistDelta]),
        hash,
        partner,
    }
}

fn temp_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "parley-state-test-{}-{tag}.json",
        std::process::id()
    ))
}

#[test]
fn sessions_round_trip_through_the_file_without_secrets() {
    let sessions = vec![session(3, "alice", Some(4)), session(4, "bob", Some(3))];
    let path = temp_path("round-trip");
    save(&path, &encode(&sessions)).unwrap();
    assert_eq!(load(&path), sessions);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(r#""name":"alice""#), "{text}");
    assert!(
        text.contains(r#""features":["userlist-delta","resume"]"#),
        "{text}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_missing_or_bad_file_is_an_empty_start() {
    let path = temp_path("bad");
    let _ = std::fs::remove_file(&path);
    assert!(load(&path).is_empty());
    for bad in [
        "",
        "not json",
        r#"{"version":99,"sessions":[]}"#,
        r#"{"version":1,"sessions":[{"id":1,"name":"a","hash":"short"}]}"#,
        r#"{"version":1}"#,
    ] {
        std::fs::write(&path, bad).unwrap();
        assert!(load(&path).is_empty(), "{bad:?}");
    }
    // A folder where the file should be cannot be read: also an empty start.
    assert!(load(&std::env::temp_dir()).is_empty());
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn rooms_round_trip_with_their_settings_but_no_passcode() {
    let passcode = crate::rooms::Passcode::parse(Some("open sesame".into()))
        .unwrap()
        .unwrap();
    let hash = crate::rooms::passcode::hash(passcode).await.unwrap();
    let rooms = vec![SavedRoom {
        name: shared::RoomName::parse("family").unwrap(),
        settings: RoomSettings {
            passcode: Some(hash),
            capacity: Some(4),
        },
        sessions: vec![session(7, "alice", None)],
    }];
    let lobby = vec![session(3, "alice", None)];
    let text = encode_all(&lobby, &rooms);
    assert!(text.starts_with(r#"{"version":2,"#), "{text}");
    assert!(text.contains(r#""passcode":"$argon2id$"#), "{text}");
    assert!(!text.contains("open sesame"), "{text}");
    let saved = decode_all(&text).unwrap();
    assert_eq!(saved.sessions, lobby);
    assert_eq!(saved.rooms, rooms);
    // Without rooms the file is version 1, as older servers wrote and read it.
    assert!(encode(&lobby).starts_with(r#"{"version":1,"#));
    let old = r#"{"version":1,"sessions":[]}"#;
    assert_eq!(decode_all(old).unwrap(), Saved::default());
    // A room whose passcode hash is unreadable is never given back open.
    let tampered = text.replace("$argon2id$", "plain");
    assert_eq!(decode_all(&tampered).unwrap().rooms, []);
}
