//! The exact JSON of `media-state` (issue 12: mute, camera off and screen sharing shown to the
//! call partner), in both directions, and its feature name.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shared::{Feature, FromServer, ToServer};

#[test]
fn media_state_to_server() {
    let message = ToServer::MediaState {
        target: "bob".into(),
        audio: false,
        video: true,
        screen: false,
    };
    let json = json!({"type": "media-state", "target": "bob", "audio": false, "video": true,
                      "screen": false});
    assert_eq!(
        serde_json::from_str::<Value>(&message.to_json()).unwrap(),
        json
    );
    assert_eq!(ToServer::from_json(&json.to_string()).unwrap(), message);
}

#[test]
fn media_state_from_server_names_the_sender() {
    let message = FromServer::MediaState {
        name: "alice".into(),
        target: "bob".into(),
        audio: true,
        video: false,
        screen: true,
    };
    let json = json!({"type": "media-state", "name": "alice", "target": "bob", "audio": true,
                      "video": false, "screen": true});
    assert_eq!(
        serde_json::from_str::<Value>(&message.to_json()).unwrap(),
        json
    );
    assert_eq!(FromServer::from_json(&json.to_string()).unwrap(), message);
}

#[test]
fn media_state_needs_every_flag() {
    let partial = r#"{"type":"media-state","target":"bob","audio":false,"video":true}"#;
    assert!(ToServer::from_json(partial).is_err());
    let mistyped = r#"{"type":"media-state","target":"bob","audio":0,"video":true,"screen":false}"#;
    assert!(ToServer::from_json(mistyped).is_err());
}

#[test]
fn media_state_feature_name() {
    assert_eq!(
        serde_json::to_value(Feature::MediaState).unwrap(),
        json!("media-state")
    );
    let login = r#"{"type":"username","name":"a","features":["media-state"]}"#;
    assert_eq!(
        ToServer::from_json(login).unwrap(),
        ToServer::Username {
            id: None,
            name: "a".into(),
            date: None,
            features: vec![Feature::MediaState],
            passcode: None,
            capacity: None,
        }
    );
}
