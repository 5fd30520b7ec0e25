//! The processes one test needs, started fresh per test and always stopped: a [`World`] owns the
//! server (and coturn when asked) and one chromedriver whose browsers become [`Page`]s.
//!
//! Every test gets its own folder `target/e2e/<test>/` for logs, Chromium profiles, TMPDIR and
//! the server's state file. For the network going wrong under a call there are [`Proxy`] (a TCP
//! proxy the test cuts or holds, between pages and server) and [`PortBlock`] (nftables dropping
//! the media's packets), and [`World::restart_server`] (killed, started again on the same port with
//! the same state file).

mod chromedriver;
mod coturn;
mod geckodriver;
mod namespace;
pub mod process;
mod server;

// Breaking the network on purpose, under a call.
mod port_block;
mod proxy;

use std::path::PathBuf;

pub use coturn::Coturn;
pub use geckodriver::Firefox;
pub use process::{Group, live_members};
pub use server::ServerOptions;

pub use port_block::PortBlock;
pub use proxy::Proxy;
pub use server::{state_file, supports_state_file};

use crate::TestResult;
use crate::page::Page;

/// The repository root (this crate is `<root>/xtask`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The TMPDIR for one test's browsers. Short on purpose: Chromium puts a Unix socket under it,
/// and socket paths are limited to 108 bytes.
pub fn tmp_dir(test: &str) -> PathBuf {
    // FNV-1a: a stable short name per test.
    let hash = test.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    root()
        .join("target")
        .join("tmp")
        .join(format!("e2e-{:08x}", hash as u32))
}

/// A free TCP port on 127.0.0.1 (bound and released; the short race is acceptable in tests).
pub fn free_port() -> TestResult<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A free UDP port on 127.0.0.1 (coturn listens on UDP and TCP; both are checked).
pub fn free_udp_and_tcp_port() -> TestResult<u16> {
    for _ in 0..50 {
        let port = free_port()?;
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no port free for both UDP and TCP".into())
}

/// One test's server, chromedriver and (optionally) coturn. Dropping it kills them all, browsers
/// included, also when the test panics.
pub struct World {
    pub dir: PathBuf,
    /// `http://127.0.0.1:<port>` of the server (stable across [`World::restart_server`]).
    pub url: String,
    port: u16,
    server: Option<server::Server>,
    options: ServerOptions,
    driver: chromedriver::Chromedriver,
    /// More Chromium flags for every page (trusting a self-signed server's key).
    chrome_args: Vec<String>,
    // Declared last so it stops after the server that points at it.
    _turn: Option<Coturn>,
}

impl World {
    /// A world with a server that has no ICE servers configured (host candidates only).
    pub async fn start(test: &str) -> TestResult<Self> {
        Self::start_with(test, ServerOptions::default()).await
    }

    /// A world whose server gets `options`.
    pub async fn start_with(test: &str, options: ServerOptions) -> TestResult<Self> {
        namespace::require_loopback_only()?;
        let dir = Self::fresh_dir(test)?;
        Self::launch(test, dir, options, None, None).await
    }

    /// A world whose server listens on exactly `port` (`trunk serve` proxies to a fixed one).
    pub async fn start_on_port(test: &str, port: u16) -> TestResult<Self> {
        namespace::require_loopback_only()?;
        let dir = Self::fresh_dir(test)?;
        Self::launch(test, dir, ServerOptions::default(), None, Some(port)).await
    }

    /// A world with coturn (knowing `turn_secret`) whose server mints credentials with
    /// `server_secret`: equal for a working relay, different for the refused-credential test.
    pub async fn start_with_turn(
        test: &str,
        turn_secret: &str,
        server_secret: &str,
    ) -> TestResult<Self> {
        namespace::require_loopback_only()?;
        let dir = Self::fresh_dir(test)?;
        let turn = Coturn::start(&dir, turn_secret).await?;
        let options = ServerOptions::turn(&turn.url, server_secret);
        Self::launch(test, dir, options, Some(turn), None).await
    }

    async fn launch(
        test: &str,
        dir: PathBuf,
        options: ServerOptions,
        turn: Option<Coturn>,
        port: Option<u16>,
    ) -> TestResult<Self> {
        let tmp = tmp_dir(test);
        let server = match port {
            Some(port) => server::Server::start_on(&dir, &options, port).await?,
            None => server::Server::start(&dir, &options).await?,
        };
        let (url, port) = (server.url.clone(), server.port);
        let chrome_args = server.chrome_args();
        let driver = chromedriver::Chromedriver::start(&dir, &tmp).await?;
        Ok(Self {
            dir,
            url,
            port,
            server: Some(server),
            options,
            driver,
            chrome_args,
            _turn: turn,
        })
    }

    /// Kills the server with SIGKILL (no goodbye: every page loses its connection, and the
    /// server writes nothing more to its state file).
    pub fn stop_server(&mut self) {
        self.server = None;
    }

    /// Starts the server again on the same port with the same state file; returns once it
    /// answers `/healthz`.
    pub async fn start_server_again(&mut self) -> TestResult {
        let port = self.port;
        self.server = Some(server::Server::start_on(&self.dir, &self.options, port).await?);
        Ok(())
    }

    /// Kills the server (SIGKILL) and starts it again on the same port with the same state file.
    pub async fn restart_server(&mut self) -> TestResult {
        self.stop_server();
        self.start_server_again().await
    }

    /// Deletes the server's state file (call while the server is stopped): the next start is a
    /// server that never knew anyone.
    pub fn forget_server_state(&self) -> TestResult {
        let path = state_file(&self.dir);
        if path.exists() {
            std::fs::remove_file(path)?;
        }
        Ok(())
    }

    /// A new [`Proxy`] in front of the server (it follows the server across restarts: same
    /// port). Pages opened with [`World::page_via`] reach the server only through it.
    pub async fn proxy(&self) -> TestResult<Proxy> {
        Proxy::start(self.port).await
    }

    /// A new browser showing the app loaded through `proxy` (its WebSocket goes through it too).
    pub async fn page_via(&self, proxy: &Proxy, label: &str) -> TestResult<Page> {
        self.page_at(label, &format!("{}/", proxy.url)).await
    }

    /// The process group of chromedriver and every browser of this world.
    pub fn browser_group(&self) -> u32 {
        self.driver.group_id()
    }

    /// The per-test folder, emptied first so nothing of an earlier run leaks in.
    pub fn fresh_dir(test: &str) -> TestResult<PathBuf> {
        let dir = root().join("target").join("e2e").join(test);
        let tmp = tmp_dir(test);
        for fresh in [&dir, &tmp] {
            if fresh.exists() {
                std::fs::remove_dir_all(fresh)?;
            }
            std::fs::create_dir_all(fresh)?;
        }
        Ok(dir)
    }

    /// A new browser (own profile) showing the app; `label` names it in failures.
    pub async fn page(&self, label: &str) -> TestResult<Page> {
        self.page_with_query(label, "").await
    }

    /// Like [`World::page`], with a URL query such as `?relay=1`.
    pub async fn page_with_query(&self, label: &str, query: &str) -> TestResult<Page> {
        self.page_at(label, &format!("{}/{query}", self.url)).await
    }

    /// A new browser (own profile) showing `url`, which another server may serve.
    pub async fn page_at(&self, label: &str, url: &str) -> TestResult<Page> {
        let client = self.driver.session(label, false, &self.chrome_args).await?;
        Page::open(client, label, url).await
    }

    /// Sends a DevTools command to `page`'s browser (e.g. `Emulation.setEmulatedMedia` to show
    /// the page in the dark colour scheme, `Browser.grantPermissions` for notifications).
    pub async fn cdp(&self, page: &Page, cmd: &str, params: serde_json::Value) -> TestResult {
        let session = page
            .client
            .session_id()
            .await?
            .ok_or("chromedriver gave no session id")?;
        self.driver.cdp(&session, cmd, params).await
    }

    /// A new browser showing the app that refuses playback with sound until the page has had a
    /// user gesture (a reloaded page has had none), as Firefox does.
    pub async fn page_strict_autoplay(&self, label: &str) -> TestResult<Page> {
        let client = self.driver.session(label, true, &self.chrome_args).await?;
        Page::open(client, label, &format!("{}/", self.url)).await
    }
}
