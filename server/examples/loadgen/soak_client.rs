//! One client of the soak scenario: logs in as `s<index>`, reads everything, answers calls the
//! way a browser would (an offer gets an answer; an answer gets a candidate and then a hang-up
//! from the caller), and obeys the driver's commands: reconnect (churn), call someone, send a
//! private chat line. When the server drops it, it connects again.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use shared::FromServer;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::client::{self, OUR_FEATURES, Ws};
use crate::error::Result;

/// What the driver asks one client to do.
#[derive(Debug, Clone, Copy)]
pub enum Cmd {
    /// Close the socket and log in again on a new one (churn).
    Reconnect,
    /// Ring client `n` (offer → answer → candidates → hang-up).
    Call(usize),
    /// A private chat line to client `n`.
    Chat(usize),
}

/// Counters every client adds to.
#[derive(Default)]
pub struct Counters {
    pub online: AtomicUsize,
    pub logins: AtomicU64,
    pub reconnects: AtomicU64,
    /// Connections the server ended (not asked for by the driver).
    pub dropped: AtomicU64,
    pub relays_sent: AtomicU64,
    pub relays_received: AtomicU64,
    pub chats_received: AtomicU64,
    pub errors: AtomicU64,
}

pub fn name(n: usize) -> String {
    format!("s{n:05}")
}

pub struct SoakClient {
    pub index: usize,
    pub url: String,
    pub commands: mpsc::Receiver<Cmd>,
    pub connecting: Arc<Semaphore>,
    pub counters: Arc<Counters>,
    pub stop: CancellationToken,
}

/// How a connection ended.
enum Ended {
    Stop,
    Reconnect,
    Dropped,
}

impl SoakClient {
    pub async fn run(mut self) -> Result<()> {
        loop {
            let ws = match self.connect().await {
                Ok(ws) => ws,
                Err(_) if self.stop.is_cancelled() => return Ok(()),
                Err(_) => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    tokio::select! {
                        () = self.stop.cancelled() => return Ok(()),
                        () = tokio::time::sleep(Duration::from_millis(500)) => continue,
                    }
                }
            };
            // Commands sent while this client was away are stale (the driver picks clients at
            // random): obeying a queued `Reconnect` now would churn it again at once.
            while self.commands.try_recv().is_ok() {}
            self.counters.online.fetch_add(1, Ordering::SeqCst);
            let ended = self.session(ws).await;
            self.counters.online.fetch_sub(1, Ordering::SeqCst);
            match ended {
                Ended::Stop => return Ok(()),
                Ended::Reconnect => self.counters.reconnects.fetch_add(1, Ordering::Relaxed),
                Ended::Dropped => self.counters.dropped.fetch_add(1, Ordering::Relaxed),
            };
        }
    }

    async fn connect(&self) -> Result<Ws> {
        let _permit = self.connecting.acquire().await;
        let mut ws = client::connect(&self.url, client::Buffer::Small).await?;
        let id = client::read_id(&mut ws, Instant::now() + Duration::from_secs(30)).await?;
        client::send_login(&mut ws, id, &name(self.index), &OUR_FEATURES).await?;
        self.counters.logins.fetch_add(1, Ordering::Relaxed);
        Ok(ws)
    }

    async fn session(&mut self, mut ws: Ws) -> Ended {
        loop {
            tokio::select! {
                () = self.stop.cancelled() => {
                    let _ = ws.close(None).await;
                    return Ended::Stop;
                }
                cmd = self.commands.recv() => {
                    let frame = match cmd {
                        None => return Ended::Stop,
                        Some(Cmd::Reconnect) => {
                            let _ = ws.close(None).await;
                            return Ended::Reconnect;
                        }
                        Some(Cmd::Call(n)) => json!({"type": "video-offer", "target": name(n),
                            "sdp": {"type": "offer", "sdp": SDP}}),
                        Some(Cmd::Chat(n)) => json!({"type": "message", "target": name(n),
                            "text": "soak", "date": 1}),
                    };
                    if let Some(Cmd::Call(_)) = cmd {
                        self.counters.relays_sent.fetch_add(1, Ordering::Relaxed);
                    }
                    if ws.send(Message::text(frame.to_string())).await.is_err() {
                        return Ended::Dropped;
                    }
                }
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if self.react(&mut ws, &text).await.is_err() {
                            return Ended::Dropped;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ended::Dropped,
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    /// Plays the callee and caller parts of a call; counts chat and errors.
    async fn react(&self, ws: &mut Ws, text: &str) -> Result<()> {
        let counters = &self.counters;
        let replies = match client::frame_kind(text) {
            "userlist" | "userlist-delta" | "rejectusername" => return Ok(()),
            "message" => {
                counters.chats_received.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            "error" => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            _ => match FromServer::from_json(text) {
                Ok(FromServer::VideoOffer { name, .. }) => vec![json!({
                    "type": "video-answer", "target": name,
                    "sdp": {"type": "answer", "sdp": SDP}})],
                Ok(FromServer::VideoAnswer { name, .. }) => vec![
                    json!({"type": "new-ice-candidate", "target": name, "candidate": {
                        "candidate": "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host",
                        "sdpMid": "0", "sdpMLineIndex": 0}}),
                    json!({"type": "hang-up", "target": name}),
                ],
                _ => Vec::new(),
            },
        };
        counters.relays_received.fetch_add(1, Ordering::Relaxed);
        for reply in &replies {
            ws.feed(Message::text(reply.to_string())).await?;
        }
        if !replies.is_empty() {
            counters
                .relays_sent
                .fetch_add(replies.len() as u64, Ordering::Relaxed);
            ws.flush().await?;
        }
        Ok(())
    }
}

/// A short session description: the soak is about memory and descriptors over time, not bytes.
const SDP: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
