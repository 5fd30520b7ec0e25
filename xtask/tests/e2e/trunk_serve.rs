//! Development with `trunk serve`, configured by the repository's `Trunk.toml` as it is: trunk
//! builds the client (dev profile) and serves it on 127.0.0.1:8081, and a page opened from there
//! logs in through trunk's `/ws` proxy to the server on 127.0.0.1:8080.
//!
//! The fixed ports are the point (they are what `Trunk.toml` says); the loopback-only namespace
//! has its own port space, and the other tests use ephemeral ports, so both are free.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::TestResult;
use crate::harness::{Group, World, root};
use crate::page::QUICK;
use crate::scenario::close_all;
use crate::wait;

/// Where `Trunk.toml`'s proxy sends `/ws`.
const SERVER_PORT: u16 = 8080;
/// Where `Trunk.toml` has trunk serve.
const TRUNK_ADDR: &str = "127.0.0.1:8081";
/// The first `trunk serve` compiles the client in the dev profile: minutes on a loaded 2-core
/// machine (later runs reuse cargo's cache and take seconds).
const FIRST_BUILD: Duration = Duration::from_secs(240);
/// The whole test: the build plus the browser steps, which have their own deadlines.
const LIMIT: Duration = Duration::from_secs(330);

/// `trunk serve` in its own process group: dropping it kills trunk with its cargo and rustc.
struct TrunkServe {
    process: Group,
    log: std::path::PathBuf,
}

impl TrunkServe {
    /// Starts `trunk serve` from the repository root, off the network, its assets written to
    /// `<dir>/dist` so the release `dist/` that the server (and every other test) serves stays as
    /// it is.
    fn start(dir: &Path) -> TestResult<Self> {
        let root = root();
        let log = dir.join("trunk.log");
        let tools = root.join(".tools").join("node_modules").join(".bin");
        let mut paths = vec![tools];
        if let Some(home) = std::env::var_os("HOME") {
            paths.push(Path::new(&home).join(".cargo").join("bin"));
        }
        if let Some(path) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&path));
        }
        let mut cmd = Command::new("trunk");
        cmd.current_dir(&root)
            .arg("serve")
            .arg("--dist")
            .arg(dir.join("dist"))
            .env("PATH", std::env::join_paths(paths)?)
            // Its update check calls a web API; the namespace has no network.
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            // trunk's cargo resolves nothing from the network either.
            .env("CARGO_NET_OFFLINE", "true")
            .env("NO_COLOR", "true");
        let process = Group::spawn("trunk serve", &mut cmd, &log)?;
        Ok(Self { process, log })
    }

    /// Waits until trunk answers `GET /` with 200 (after its first build), failing at once if
    /// trunk exits.
    async fn wait_ready(&mut self) -> TestResult<Duration> {
        let started = Instant::now();
        let what = format!(
            "trunk serve to answer 200 on http://{TRUNK_ADDR}/ (log: {})",
            self.log.display()
        );
        let log = self.log.clone();
        wait::until(&what, FIRST_BUILD, || {
            let running = self.process.check_running(&log);
            async move {
                running?;
                Ok(answers_200(TRUNK_ADDR, "/").await.then_some(()))
            }
        })
        .await?;
        Ok(started.elapsed())
    }
}

/// `GET <path>` on `addr` → 200.
async fn answers_200(addr: &str, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut head)).await;
    matches!(read, Ok(Ok(_))) && head.starts_with(b"HTTP/1.1 200")
}

#[tokio::test]
async fn trunk_serve_serves_the_client_and_proxies_ws() -> TestResult {
    let body = async {
        let world = World::start_on_port("trunk_serve", SERVER_PORT).await?;
        assert_eq!(world.url, format!("http://127.0.0.1:{SERVER_PORT}"));
        // Declared after the world, so it is dropped (killed) first.
        let mut trunk = TrunkServe::start(&world.dir)?;
        let build = trunk.wait_ready().await?;
        println!("trunk serve answered after {build:?}");

        // The page comes from trunk; its WebSocket goes to ws://127.0.0.1:8081/ws, which only
        // trunk's proxy can connect to the server.
        let dev = world
            .page_at("dev via trunk", &format!("http://{TRUNK_ADDR}/"))
            .await?;
        assert_eq!(
            dev.js("return location.host;", vec![]).await?,
            json!(TRUNK_ADDR)
        );
        assert_eq!(dev.login("dev").await?, "dev");
        let online = dev
            .js(
                "const s = document.querySelector('[data-testid=connection-status][data-state=online]'); \
                 const me = document.querySelector('[data-testid=my-name]'); \
                 return !!s && !!me && me.textContent.trim();",
                vec![],
            )
            .await?;
        assert_eq!(online, json!("dev"), "online as dev through trunk's proxy");

        // A page from the server's own port meets it in the same lobby.
        let dev2 = world.page("dev2 via server").await?;
        assert_eq!(dev2.login("dev2").await?, "dev2");
        dev.wait_for_user("dev2").await?;
        dev2.wait_for_user("dev").await?;
        // The proxied connection carries messages both ways, not just the login.
        dev.send_chat("through trunk", true).await?;
        dev2.wait_chat_line("dev", "through trunk").await?;
        dev2.send_chat("back to trunk", true).await?;
        dev.wait_chat_line("dev2", "back to trunk").await?;
        dev.wait_js(
            "still online through trunk's proxy",
            "const s = document.querySelector('[data-testid=connection-status]'); return !!s && s.getAttribute('data-state') === 'online';",
            vec![],
            QUICK,
        )
        .await?;

        close_all([dev, dev2]).await;
        Ok(())
    };
    match tokio::time::timeout(LIMIT, body).await {
        Ok(result) => result,
        Err(_) => Err(format!("the test took longer than {LIMIT:?}").into()),
    }
}
