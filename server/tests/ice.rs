//! ICE servers (issue 5): handed to clients with the `ice-servers` feature after login and on
//! `get-ice-servers`, with ephemeral TURN credentials; the secret never leaves the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::TestServer;
use serde_json::json;
use server::Settings;
use server::turn::{IceConfig, turn_password};
use shared::FromServer;

fn configured() -> Settings {
    Settings {
        ice: IceConfig {
            stun: vec!["stun:127.0.0.1:3478".into()],
            turn: vec![
                "turn:127.0.0.1:3478?transport=udp".into(),
                "turn:127.0.0.1:3478?transport=tcp".into(),
            ],
            turn_secret: Some("test-secret".into()),
            turn_ttl: Duration::from_secs(600),
            ..IceConfig::default()
        },
        ..Settings::default()
    }
}

#[tokio::test]
async fn ice_servers_come_after_login_with_valid_short_lived_turn_credentials() {
    let server = TestServer::start_with(configured()).await;
    let mut client = server.connect().await;
    client
        .send_username("alice", &["ice-servers", "plain-text"])
        .await;
    let text = client.next_text().await;
    assert!(!text.contains("test-secret"));
    let FromServer::IceServers {
        ice_servers,
        expires,
    } = FromServer::from_json(&text).unwrap()
    else {
        panic!("expected ice-servers, got {text}");
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expires = expires.expect("an expiry");
    assert!(
        (now + 590..=now + 610).contains(&expires),
        "expires {expires}, now {now}"
    );
    assert_eq!(ice_servers.len(), 2);
    assert_eq!(ice_servers[0].urls, vec!["stun:127.0.0.1:3478"]);
    assert_eq!(ice_servers[0].username, None);
    let turn = &ice_servers[1];
    assert_eq!(turn.urls.len(), 2);
    let username = turn.username.clone().unwrap();
    assert_eq!(username, format!("{expires}:{}", client.id));
    // What coturn computes from its `static-auth-secret`:
    assert_eq!(
        turn.credential.as_deref(),
        Some(turn_password(b"test-secret", &username).as_str())
    );

    // A fresh set on request.
    client.send_json(json!({"type": "get-ice-servers"})).await;
    assert!(matches!(
        client.next_non_presence().await,
        FromServer::IceServers { .. }
    ));
}

#[tokio::test]
async fn none_configured_gives_an_empty_list_and_legacy_clients_get_nothing() {
    let server = TestServer::start().await;
    let mut modern = server.connect().await;
    modern.send_username("modern", &["ice-servers"]).await;
    let text = modern.next_text().await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        json!({"type": "ice-servers", "iceServers": []})
    );

    // MDN's client (no features): its frames after login are lists, never ice-servers.
    let mut mdn = server.connect().await;
    mdn.send_username("mdn", &[]).await;
    assert!(matches!(mdn.next().await, FromServer::UserList { .. }));
}
