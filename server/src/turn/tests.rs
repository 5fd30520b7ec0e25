//! Unit tests of TURN credentials: the known vector, the frame, the per-connection quota.

use super::*;

#[test]
fn known_vector_from_the_turn_rest_draft() {
    assert_eq!(
        turn_password(b"foobar", "1599491771"),
        "Tpz/nKkyvX/vMSLKvL4sbtBt8Vs="
    );
}

#[test]
fn username_carries_expiry_and_user_and_password_matches_it() {
    let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
    let cred = mint(b"s3cret", "42", Duration::from_secs(3600), now);
    assert_eq!(cred.expires, 1_003_600);
    assert_eq!(cred.username, "1003600:42");
    assert_eq!(cred.password, turn_password(b"s3cret", "1003600:42"));
    // A different lifetime gives a different, later-expiring login.
    let longer = mint(b"s3cret", "42", Duration::from_secs(7200), now);
    assert_eq!(longer.expires, 1_007_200);
    assert_ne!(longer.password, cred.password);
}

#[test]
fn frame_without_servers_is_empty_and_secret_is_not_in_it() {
    let none = IceConfig::default().frame_for("1", SystemTime::now());
    assert_eq!(
        none,
        FromServer::IceServers {
            ice_servers: vec![],
            expires: None
        }
    );

    let config = IceConfig {
        stun: vec!["stun:127.0.0.1:3478".into()],
        turn: vec!["turn:127.0.0.1:3478?transport=udp".into()],
        turn_secret: Some("topsecret".into()),
        turn_ttl: Duration::from_secs(60),
        ..IceConfig::default()
    };
    let now = UNIX_EPOCH + Duration::from_secs(100);
    let frame = config.frame_for("7", now);
    let json = frame.to_json();
    assert!(!json.contains("topsecret"));
    let FromServer::IceServers {
        ice_servers,
        expires,
    } = frame
    else {
        panic!("not an ice-servers frame");
    };
    assert_eq!(expires, Some(160));
    assert_eq!(ice_servers.len(), 2);
    assert_eq!(ice_servers[0].urls, vec!["stun:127.0.0.1:3478".to_string()]);
    assert_eq!(ice_servers[1].username.as_deref(), Some("160:7"));
    assert_eq!(
        ice_servers[1].credential.as_deref(),
        Some(turn_password(b"topsecret", "160:7").as_str())
    );
}

#[test]
fn debug_output_hides_the_secret() {
    let config = IceConfig {
        turn_secret: Some("topsecret".into()),
        ..IceConfig::default()
    };
    assert!(!format!("{config:?}").contains("topsecret"));
}

#[test]
fn the_quota_allows_so_many_a_minute_then_says_how_long_to_wait() {
    let start = Instant::now();
    let mut quota = TurnQuota::default();
    for _ in 0..3 {
        assert_eq!(quota.take(3, start), Ok(()));
    }
    assert_eq!(
        quota.take(3, start + Duration::from_secs(20)),
        Err(Duration::from_secs(40))
    );
    // A minute after the first, a new window opens.
    assert_eq!(quota.take(3, start + Duration::from_secs(60)), Ok(()));
    assert_eq!(quota.take(0, start + Duration::from_secs(200)), Err(MINUTE));
}

#[test]
fn grant_refuses_over_the_quota_only_when_minting() {
    let now = Instant::now();
    let minting = IceConfig {
        turn: vec!["turn:127.0.0.1:3478".into()],
        turn_secret: Some("s".into()),
        turn_per_minute: 1,
        ..IceConfig::default()
    };
    let mut quota = TurnQuota::default();
    assert!(
        minting
            .grant("1", &mut quota, now, SystemTime::now())
            .is_ok()
    );
    let refusal = minting
        .grant("1", &mut quota, now, SystemTime::now())
        .unwrap_err();
    assert_eq!(refusal.code, ErrorCode::RateLimited);
    assert!(refusal.message.contains("1 per minute"));

    let plain = IceConfig {
        turn_per_minute: 0,
        ..IceConfig::default()
    };
    assert!(plain.grant("1", &mut quota, now, SystemTime::now()).is_ok());
    assert_eq!(IceConfig::default().turn_ttl, Duration::from_secs(600));
}
