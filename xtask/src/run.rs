//! `cargo xtask run [server args…]`: install what is missing, build the single release binary
//! (the client, `trunk build --release` → `dist/`, built into the server: [`build_release`]),
//! start it and print the URL once it answers `/healthz`. Arguments are passed to the server
//! (`--dist DIR` serves a folder instead of the built-in client).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::shell::{self, Error, step};
use crate::tools::{self, Needs};

const DEFAULT_ADDR: &str = "127.0.0.1:8080";

pub fn run(args: &[String]) -> Result<(), Error> {
    tools::ensure(Needs::Build)?;
    build_release()?;

    step("Starting the server");
    let mut server = shell::command(&binary().to_string_lossy());
    server.args(args);
    shell::note(&format!("$ {}", shell::describe(&server)));
    let mut child = server.spawn().map_err(|source| Error::Spawn {
        program: "target/release/server".to_owned(),
        source,
    })?;

    let addr = flag_value(args, "--addr")
        .or_else(|| std::env::var("SERVER_ADDR").ok())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().map_err(|source| Error::Io {
            what: "waiting for the server".to_owned(),
            source,
        })? {
            return Err(Error::Failed {
                command: "server".to_owned(),
                status,
            });
        }
        if healthy(&addr) {
            break;
        }
        if Instant::now() > deadline {
            eprintln!(
                "xtask: the server did not answer /healthz on {addr} within 15 s; still waiting on it"
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "\nOpen http://{}/\n(Ctrl-C stops the server)",
        browser_host(&addr)
    );
    let status = child.wait().map_err(|source| Error::Io {
        what: "waiting for the server".to_owned(),
        source,
    })?;
    shell::succeeded(status, "server".to_owned())
}

/// Where [`build_release`] leaves the single binary.
pub fn binary() -> PathBuf {
    shell::root().join("target/release/server")
}

/// Builds `dist/` and then `target/release/server` with `dist/` built in (`server/build.rs`
/// compresses it when `PARLEY_EMBED_DIST` names it).
pub fn build_release() -> Result<(), Error> {
    step("Building the client (trunk build --release → dist/)");
    shell::run(shell::trunk().args(["build", "--release"]))?;
    step("Building the server (release) with the client built in");
    let dist = shell::root().join("dist");
    shell::run(shell::cargo().env("PARLEY_EMBED_DIST", dist).args([
        "build",
        "--release",
        "-p",
        "server",
    ]))
}

/// `--flag value` or `--flag=value`.
fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == flag {
            args.get(i + 1).cloned()
        } else {
            arg.strip_prefix(&prefix).map(str::to_owned)
        }
    })
}

/// A listening address as a browser should open it (`0.0.0.0` is not something to type).
fn browser_host(addr: &str) -> String {
    match addr.strip_prefix("0.0.0.0:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => addr.to_owned(),
    }
}

/// Whether `GET /healthz` answers 200.
pub fn healthy(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(browser_host(addr)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let Ok(n) = stream.read(&mut head) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n]);
    text.starts_with("HTTP/1.1 200") || text.starts_with("HTTP/1.0 200")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn finds_flags_in_both_spellings() {
        let args = strings(&["--addr", "0.0.0.0:9000", "--dist=/x"]);
        assert_eq!(flag_value(&args, "--addr").as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(flag_value(&args, "--dist").as_deref(), Some("/x"));
        assert!(flag_value(&args, "--turn").is_none());
        assert_eq!(browser_host("0.0.0.0:9000"), "127.0.0.1:9000");
        assert_eq!(browser_host("127.0.0.1:8080"), "127.0.0.1:8080");
    }
}
