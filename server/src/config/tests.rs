//! Unit tests of the configuration: flags, the config file and its precedence, `--print-config`,
//! the TURN secret file.

use super::*;
use crate::turn::flags::SecretError;

#[test]
fn defaults_and_repeated_ice_flags() {
    let config = Config::try_parse_from([
        "server",
        "--stun",
        "stun:a:3478",
        "--turn",
        "turn:b:3478",
        "--turn",
        "turns:b:5349",
        "--turn-secret",
        "x",
    ])
    .unwrap();
    assert_eq!(config.addr, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.dist, None);
    assert_eq!(config.ice.turn_ttl, 600);
    let settings = config.settings();
    assert_eq!(settings.ice.stun, vec!["stun:a:3478"]);
    assert_eq!(settings.ice.turn, vec!["turn:b:3478", "turns:b:5349"]);
    assert_eq!(settings.ice.turn_secret.as_deref(), Some("x"));
    assert_eq!(settings.limits.resume_grace, Duration::from_secs(30));
    assert_eq!(settings.limits.leave_grace, Duration::from_secs(2));
    assert_eq!(settings.limits.heartbeat_timeout, Duration::from_secs(9));
    assert_eq!(settings.limits.resume_frames, 512);
    assert_eq!(settings.limits.decline_cooldown, Duration::from_secs(30));
    assert_eq!(
        settings.state_file,
        Some(PathBuf::from("parley-state.json"))
    );
    let short = Config::try_parse_from(["server", "--resume-grace", "0.3", "--state-file", ""])
        .unwrap()
        .settings();
    assert_eq!(short.limits.resume_grace, Duration::from_millis(300));
    assert_eq!(short.state_file, None);
}

/// A file under the system's temporary folder, unique to this test.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("parley-config-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn load(args: &[&str]) -> Result<(Config, toml::Table), file::ConfigError> {
    file::load_from(std::iter::once("server").chain(args.iter().copied()))
}

#[test]
fn the_file_sets_any_flag_and_a_flag_wins_over_it() {
    let path = temp_file(
        "precedence.toml",
        "rate = 7\nburst = 70\nturn-ttl = 100\nstun = [\"stun:a:3478\", \"stun:b:3478\"]\n\
         resume-grace = 0.5\nstate-file = \"\"\n",
    );
    let path_arg = path.to_str().unwrap();
    let (config, _) = load(&["--config", path_arg, "--rate", "9"]).unwrap();
    // Flag over file.
    assert_eq!(config.rate, 9);
    // File over the built-in default, for every kind of value.
    assert_eq!(config.burst, 70);
    assert_eq!(config.ice.turn_ttl, 100);
    assert_eq!(config.ice.stun, vec!["stun:a:3478", "stun:b:3478"]);
    let settings = config.settings();
    assert_eq!(settings.limits.resume_grace, Duration::from_millis(500));
    assert_eq!(settings.state_file, None);
    // Untouched: the default.
    assert_eq!(config.outbox, Limits::default().outbox_frames);
    // A repeated flag replaces the file's list.
    let (config, _) = load(&["--config", path_arg, "--stun", "stun:c:1"]).unwrap();
    assert_eq!(config.ice.stun, vec!["stun:c:1"]);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn an_unknown_key_or_a_bad_value_is_refused_by_name() {
    let path = temp_file("unknown.toml", "rate = 7\nturn-tll = 100\n");
    let err = load(&["--config", path.to_str().unwrap()]).unwrap_err();
    assert!(
        matches!(&err, file::ConfigError::UnknownKey { key, .. } if key == "turn-tll"),
        "{err}"
    );
    assert!(err.to_string().contains("`turn-tll`"), "{err}");

    for (text, key) in [
        ("rate = [1, 2]\n", "rate"),
        ("[rate]\nx = 1\n", "rate"),
        ("print-config = true\n", "print-config"),
        ("config = \"other.toml\"\n", "config"),
    ] {
        let path = temp_file("bad.toml", text);
        let err = load(&["--config", path.to_str().unwrap()]).unwrap_err();
        assert!(
            err.to_string().contains(&format!("`{key}`")),
            "{text}: {err}"
        );
    }
    // A value of the wrong type is clap's error, as on the command line.
    let path = temp_file("type.toml", "rate = \"fast\"\n");
    assert!(matches!(
        load(&["--config", path.to_str().unwrap()]),
        Err(file::ConfigError::Clap(_))
    ));
    let missing = load(&["--config", "/nonexistent/parley.toml"]).unwrap_err();
    assert!(
        matches!(missing, file::ConfigError::Read { .. }),
        "{missing}"
    );
}

#[test]
fn print_config_shows_every_setting_and_redacts_secrets() {
    let path = temp_file(
        "secret.toml",
        "turn-secret = \"file-secret-value\"\nburst = 70\n",
    );
    let (config, effective) = load(&[
        "--config",
        path.to_str().unwrap(),
        "--turn",
        "turn:t:3478",
        "--print-config",
    ])
    .unwrap();
    assert!(config.print_config);
    assert_eq!(config.ice.turn_secret.as_deref(), Some("file-secret-value"));
    let text = effective.to_string();
    assert!(!text.contains("file-secret-value"), "{text}");
    assert_eq!(effective["turn-secret"].as_str(), Some(file::REDACTED));
    assert_eq!(effective["burst"].as_integer(), Some(70));
    assert_eq!(effective["addr"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(effective["turn"].as_array().unwrap().len(), 1);
    assert!(!effective.contains_key("config") && !effective.contains_key("print-config"));

    // The printed configuration is itself a valid config file giving the same settings.
    let again = temp_file("again.toml", &text);
    let err = load(&["--config", again.to_str().unwrap()]).unwrap_err();
    // ... except that the redacted placeholder is refused rather than taken for the secret.
    assert!(
        matches!(&err, file::ConfigError::BadValue { key, .. } if key == "turn-secret"),
        "{err}"
    );
    let mut without_secret: toml::Table = text.parse().unwrap();
    without_secret.remove("turn-secret");
    let again = temp_file("again2.toml", &without_secret.to_string());
    let (reloaded, printed) = load(&["--config", again.to_str().unwrap()]).unwrap();
    assert_eq!(reloaded.burst, 70);
    assert_eq!(reloaded.ice.turn, vec!["turn:t:3478"]);
    assert_eq!(printed, without_secret);
}

#[test]
fn the_turn_secret_comes_from_a_file_trimmed() {
    let secret = temp_file("turn-secret", "  s3cret-from-file\n\n");
    let (config, effective) = load(&["--turn-secret-file", secret.to_str().unwrap()]).unwrap();
    assert_eq!(config.ice.turn_secret.as_deref(), Some("s3cret-from-file"));
    assert!(!effective.to_string().contains("s3cret-from-file"));
    assert_eq!(
        config.settings().ice.turn_secret.as_deref(),
        Some("s3cret-from-file")
    );

    let both = load(&[
        "--turn-secret-file",
        secret.to_str().unwrap(),
        "--turn-secret",
        "x",
    ]);
    assert!(matches!(
        both,
        Err(file::ConfigError::Secret(SecretError::Both))
    ));
    let empty = temp_file("empty-secret", " \n");
    assert!(matches!(
        load(&["--turn-secret-file", empty.to_str().unwrap()]),
        Err(file::ConfigError::Secret(SecretError::Empty(_)))
    ));
    assert!(matches!(
        load(&["--turn-secret-file", "/nonexistent/secret"]),
        Err(file::ConfigError::Secret(SecretError::Read { .. }))
    ));
}
