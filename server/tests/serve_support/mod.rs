//! Test harness of the accept loop and HTTPS tests: a server started with `run_with` (TLS,
//! redirect listener, short timeouts), TLS clients that trust exactly the certificates they are
//! given, WebSocket logins over wss, and raw HTTP exchanges.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use server::{AppState, Serve, Settings, Timeouts};
use shared::FromServer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::common::{Client, DEADLINE};

/// A server started with `run_with`.
pub struct Running {
    pub addr: SocketAddr,
    pub redirect: Option<SocketAddr>,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<std::io::Result<()>>,
}

/// What a test server is started with.
#[derive(Default)]
pub struct Options {
    pub settings: Settings,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub redirect: bool,
    pub timeouts: Timeouts,
}

impl Running {
    pub async fn start(options: Options) -> Self {
        let state = AppState::new(options.settings);
        Self::start_with_state(options.tls, options.redirect, options.timeouts, state).await
    }

    /// With a state made beforehand (e.g. for a certificate reload task on its tracker).
    pub async fn start_with_state(
        tls: Option<Arc<rustls::ServerConfig>>,
        redirect: bool,
        timeouts: Timeouts,
        state: AppState,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let redirect_listener = if redirect {
            Some(TcpListener::bind("127.0.0.1:0").await.unwrap())
        } else {
            None
        };
        let redirect = redirect_listener.as_ref().map(|l| l.local_addr().unwrap());
        let serve = Serve {
            listener,
            tls,
            redirect_listener,
            timeouts,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(server::run_with(serve, state.clone(), async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            redirect,
            state,
            stop: Some(stop),
            handle,
        }
    }

    /// Triggers the shutdown; returns how long `run_with` took to return (at most `limit`).
    pub async fn stop_within(mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        timeout(limit, &mut self.handle)
            .await
            .expect("run_with did not return within the limit")
            .expect("server task panicked")
            .expect("run_with failed");
        started.elapsed()
    }
}

/// A client config trusting exactly `roots`, offering `alpn`.
pub fn client_config(roots: &[CertificateDer<'static>], alpn: &[&[u8]]) -> Arc<ClientConfig> {
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).unwrap();
    }
    let mut config = ClientConfig::builder_with_provider(server::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// A TLS connection to `addr` for the name `localhost`.
pub async fn tls_connect(
    addr: SocketAddr,
    config: Arc<ClientConfig>,
) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").unwrap();
    timeout(DEADLINE, TlsConnector::from(config).connect(name, tcp))
        .await
        .expect("TLS handshake took too long")
}

/// The certificate the server presented on `stream`.
pub fn presented(stream: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0]
        .clone()
        .into_owned()
}

/// A client logged in as `name` over `wss://localhost/ws`.
pub async fn wss_login(addr: SocketAddr, config: Arc<ClientConfig>, name: &str) -> Client {
    let url = format!("wss://localhost:{}/ws", addr.port());
    login(addr, &url, Some(Connector::Rustls(config)), name).await
}

/// A client logged in as `name` over plain `ws://`.
pub async fn ws_login(addr: SocketAddr, name: &str) -> Client {
    login(addr, &format!("ws://{addr}/ws"), None, name).await
}

async fn login(addr: SocketAddr, url: &str, connector: Option<Connector>, name: &str) -> Client {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("json"));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (socket, _) = timeout(
        DEADLINE,
        tokio_tungstenite::client_async_tls_with_config(request, tcp, None, connector),
    )
    .await
    .unwrap()
    .unwrap();
    let mut client = Client {
        socket,
        id: 0,
        name: name.to_owned(),
    };
    match client.next().await {
        FromServer::Id { id } => client.id = id,
        other => panic!("first frame was not `id`: {other:?}"),
    }
    client.send_username(name, &[]).await;
    client
        .wait_for(
            |f| matches!(f, FromServer::UserList { users } if users.iter().any(|u| u == name)),
        )
        .await;
    client
}

/// Sends `request` and reads until the server closes (or the deadline); returns the text.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, request: &str) -> String {
    stream.write_all(request.as_bytes()).await.unwrap();
    read_to_close(stream).await
}

/// Everything the server sends until it closes, within the deadline.
pub async fn read_to_close<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut out = Vec::new();
    let read = timeout(DEADLINE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server did not close within the deadline");
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `name` in an HTTP response's head, case-insensitively.
pub fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A fresh folder under the system's temporary folder.
pub fn scratch(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("parley-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
