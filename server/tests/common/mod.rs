//! Test harness shared by the integration tests: a real server on a loopback port 0 and real
//! WebSocket clients (tokio-tungstenite) that wait for frames with deadlines, never fixed sleeps.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod resume;

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use server::{AppState, Settings};
use shared::{ErrorCode, FromServer};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single expected event may take.
pub const DEADLINE: Duration = Duration::from_secs(5);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A server running in this test's runtime.
pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Settings::default()).await
    }

    pub async fn start_with(settings: Settings) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(settings);
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(server::run(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            state,
            stop: Some(stop),
            handle,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Triggers the shutdown and waits (with a deadline) for `run` to return.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        timeout(DEADLINE, &mut self.handle)
            .await
            .expect("run did not return after shutdown")
            .expect("server task panicked")
    }

    /// Connects a raw socket offering `protocol` (if any); returns it and the protocol the
    /// server selected.
    pub async fn raw(&self, protocol: Option<&str>) -> (Socket, Option<String>) {
        let mut request = self.ws_url().into_client_request().unwrap();
        if let Some(p) = protocol {
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        let (socket, response) = timeout(DEADLINE, tokio_tungstenite::connect_async(request))
            .await
            .unwrap()
            .unwrap();
        let selected = response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .map(|v| v.to_str().unwrap().to_owned());
        (socket, selected)
    }

    /// A connected client that has read its `id` frame (not logged in).
    pub async fn connect(&self) -> Client {
        let (socket, _) = self.raw(Some("json")).await;
        let mut client = Client {
            socket,
            id: 0,
            name: String::new(),
        };
        match client.next().await {
            FromServer::Id { id } => client.id = id,
            other => panic!("first frame was not `id`: {other:?}"),
        }
        client
    }

    /// A logged-in MDN-style client (no features) that has seen itself in a user list.
    pub async fn login(&self, name: &str) -> Client {
        self.login_with(name, &[]).await
    }

    /// A logged-in client announcing `features`; returns once it has seen itself in a list.
    pub async fn login_with(&self, name: &str, features: &[&str]) -> Client {
        let mut client = self.connect().await;
        client.send_username(name, features).await;
        client.name = name.trim().to_owned();
        loop {
            match client.next().await {
                FromServer::RejectUsername { name, .. } => client.name = name,
                FromServer::UserList { users } if users.contains(&client.name) => return client,
                FromServer::UserList { .. } | FromServer::IceServers { .. } => {}
                other => panic!("unexpected frame while logging in: {other:?}"),
            }
        }
    }
}

/// A test client: one real WebSocket.
pub struct Client {
    pub socket: Socket,
    pub id: u64,
    pub name: String,
}

impl Client {
    pub async fn send_json(&mut self, value: Value) {
        self.send_text(&value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        timeout(DEADLINE, self.socket.send(Message::text(text)))
            .await
            .unwrap()
            .unwrap();
    }

    pub async fn send_username(&mut self, name: &str, features: &[&str]) {
        let id = self.id;
        let mut frame =
            json!({"type": "username", "id": id, "name": name, "date": 1_700_000_000_000u64});
        if !features.is_empty() {
            frame["features"] = json!(features);
        }
        self.send_json(frame).await;
    }

    /// The next protocol frame (pings are skipped), within the deadline.
    pub async fn next(&mut self) -> FromServer {
        let text = self.next_text().await;
        FromServer::from_json(&text).unwrap_or_else(|e| panic!("bad frame {text}: {e}"))
    }

    /// The next text frame's raw JSON.
    pub async fn next_text(&mut self) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = timeout(left, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("{}: no frame within the deadline", self.name))
                .unwrap_or_else(|| panic!("{}: connection ended", self.name))
                .unwrap_or_else(|e| panic!("{}: socket error {e}", self.name));
            match message {
                Message::Text(text) => return text.to_string(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("{}: unexpected message {other:?}", self.name),
            }
        }
    }

    /// The next frame that is not about presence (user lists).
    pub async fn next_non_presence(&mut self) -> FromServer {
        loop {
            match self.next().await {
                FromServer::UserList { .. } | FromServer::UserListDelta { .. } => {}
                other => return other,
            }
        }
    }

    /// The raw JSON of the next frame that is not about presence.
    pub async fn next_text_non_presence(&mut self) -> String {
        loop {
            let text = self.next_text().await;
            match FromServer::from_json(&text) {
                Ok(FromServer::UserList { .. } | FromServer::UserListDelta { .. }) => {}
                _ => return text,
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn wait_for(&mut self, want: impl Fn(&FromServer) -> bool) -> FromServer {
        loop {
            let frame = self.next().await;
            if want(&frame) {
                return frame;
            }
        }
    }

    /// Waits for a user list equal to `expected`.
    pub async fn wait_for_users(&mut self, expected: &[&str]) {
        self.wait_for(|f| matches!(f, FromServer::UserList { users } if users == expected))
            .await;
    }

    /// The next non-presence frame must be an error with `code`.
    pub async fn expect_error(&mut self, code: ErrorCode) {
        match self.next_non_presence().await {
            FromServer::Error { code: got, .. } => assert_eq!(got, code),
            other => panic!("{}: expected error {code:?}, got {other:?}", self.name),
        }
    }

    /// Sends a private chat line to `to` and returns its text: what `to` receives next (after
    /// presence) must be this line, which proves nothing else reached it in between.
    pub async fn marker(&mut self, to: &str, text: &str) {
        let id = self.id;
        self.send_json(json!({"type": "message", "id": id, "text": text, "target": to, "date": 1}))
            .await;
    }

    /// Reads until the server closes; returns the close frame.
    pub async fn expect_close(&mut self) -> Option<CloseFrame> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match timeout(left, self.socket.next())
                .await
                .expect("no close within the deadline")
            {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::Protocol(_),
                ))
                | None => return None,
                Some(Err(e)) => panic!("socket error while waiting for close: {e}"),
            }
        }
    }
}

/// A chat line's text, for matching.
pub fn chat_text(frame: &FromServer) -> Option<&str> {
    match frame {
        FromServer::Message { text, .. } => Some(text),
        _ => None,
    }
}

/// A realistic SDP of about `len` bytes.
pub fn sdp(kind: &str, len: usize) -> Value {
    let mut body = String::from("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n");
    while body.len() < len {
        body.push_str("a=candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0\r\n");
    }
    json!({"type": kind, "sdp": body})
}
