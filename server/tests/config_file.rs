//! The real `server` binary with a config file, environment variables and flags (issue 10,
//! point 7): the effective value of each setting follows flags > environment > file > defaults,
//! as `--print-config` shows; secrets are redacted; an unknown key stops the server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The server binary with no `SERVER_*` variable inherited from the test's environment.
fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SERVER_") {
            command.env_remove(key);
        }
    }
    command
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("parley-it-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn printed(output: &Output) -> toml::Table {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn file_env_and_flags_with_the_documented_precedence() {
    let secret = temp_file("secret", "it-secret-from-file\n");
    let file = temp_file(
        "server.toml",
        &format!(
            "rate = 7\nburst = 70\nturn-ttl = 100\nping-interval = 11\n\
             turn-secret-file = {:?}\n",
            secret.to_str().unwrap()
        ),
    );
    let output = server()
        .args(["--config", file.to_str().unwrap(), "--rate", "9"])
        .arg("--print-config")
        .env("SERVER_RATE", "8")
        .env("SERVER_BURST", "80")
        .env("SERVER_TURN_SECRET_FILE", secret.to_str().unwrap())
        .env("SERVER_TURN", "turn:127.0.0.1:3478")
        .output()
        .unwrap();
    let effective = printed(&output);
    // flag (9) > env (8) > file (7)
    assert_eq!(effective["rate"].as_integer(), Some(9));
    // env (80) > file (70)
    assert_eq!(effective["burst"].as_integer(), Some(80));
    // file (100) > default (600)
    assert_eq!(effective["turn-ttl"].as_integer(), Some(100));
    assert_eq!(effective["ping-interval"].as_integer(), Some(11));
    // default
    assert_eq!(effective["turn-per-minute"].as_integer(), Some(6));
    assert_eq!(effective["addr"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(effective["turn"][0].as_str(), Some("turn:127.0.0.1:3478"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("it-secret-from-file"), "{stdout}");

    // The file may also be named by the environment; a secret given there is redacted.
    let output = server()
        .arg("--print-config")
        .env("SERVER_CONFIG", &file)
        .env_remove("SERVER_TURN_SECRET_FILE")
        .env("SERVER_TURN_SECRET", "it-secret-in-env")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The file names a secret file and the environment a secret: refused, naming both flags.
    assert!(!output.status.success());
    assert!(stderr.contains("--turn-secret-file"), "{stderr}");

    let plain = temp_file("plain.toml", "rate = 7\n");
    let output = server()
        .arg("--print-config")
        .env("SERVER_CONFIG", &plain)
        .env("SERVER_TURN_SECRET", "it-secret-in-env")
        .output()
        .unwrap();
    let effective = printed(&output);
    assert_eq!(effective["rate"].as_integer(), Some(7));
    assert_eq!(effective["turn-secret"].as_str(), Some("<redacted>"));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("it-secret-in-env"));
}

#[test]
fn an_unknown_key_stops_the_server_naming_it() {
    let file = temp_file("typo.toml", "rate = 7\nturn-tll = 100\n");
    let output = server()
        .args(["--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown key `turn-tll`"), "{stderr}");
}
