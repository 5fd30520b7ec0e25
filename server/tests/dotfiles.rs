//! The served folder never serves a path with a component starting with `.` (`/.env`,
//! `/.git/config`, `/assets/.secret`, also percent-encoded): 404, while its other files and the
//! `index.html` fallback are served as before.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{DEADLINE, TestServer};
use server::Settings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn dotfiles_under_the_served_folder_are_never_served() {
    let dist = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("dotfiles-dist-{}", std::process::id()));
    std::fs::create_dir_all(dist.join(".git")).unwrap();
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dist.join("assets/app.js"), "console.log(1)").unwrap();
    for secret in [".env", ".git/config", "assets/.secret"] {
        std::fs::write(dist.join(secret), "SECRET=1").unwrap();
    }
    let settings = Settings {
        dist: dist.clone(),
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;
    let get = |path: &'static str| {
        let addr = server.addr;
        async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = String::new();
            tokio::time::timeout(DEADLINE, stream.read_to_string(&mut response))
                .await
                .unwrap()
                .unwrap();
            response
        }
    };
    for path in [
        "/.env",
        "/.git/config",
        "/.git/",
        "/assets/.secret",
        "/%2eenv",
        "/%2Egit/config",
        "/assets%2f.secret",
        "/assets/%2esecret",
        "/./.env",
    ] {
        let response = get(path).await;
        assert!(response.starts_with("HTTP/1.1 404"), "{path}: {response}");
        assert!(!response.contains("SECRET"), "{path}: {response}");
    }
    assert!(get("/assets/app.js").await.contains("console.log(1)"));
    let fallback = get("/some/route").await;
    assert!(fallback.starts_with("HTTP/1.1 200") && fallback.contains("<title>app</title>"));
    std::fs::remove_dir_all(&dist).unwrap();
}
