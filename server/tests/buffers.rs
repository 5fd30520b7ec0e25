//! Buffers shrink back after large frames: connections that each read a 60 KB frame or had one
//! relayed to them keep, afterwards, about what they kept before (measured as live heap bytes
//! as the resident memory of the test process, which runs the server on one thread; the clients
//! are raw sockets whose own memory does not change). Freed memory is reused by the next pair,
//! while memory a connection keeps adds up: 100 pairs make the difference plain.
//!
//! With axum's socket (tungstenite's buffers kept at their largest size) each pair kept
//! ~120 KiB more after the exchange: 60 KB of read buffer at the sender's connection and 60 KB
//! of write buffer at the receiver's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DEADLINE, TestServer, sdp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// This process's resident memory in KiB (the server runs in it; the raw clients keep a fixed
/// few KiB each).
fn rss_kib() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: i64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4
}

/// A WebSocket client written by hand on a plain TCP socket, so that what it keeps is fixed
/// (one small read buffer) whatever it sends or receives.
struct Raw {
    stream: BufReader<TcpStream>,
}

impl Raw {
    async fn connect(server: &TestServer) -> Self {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let request = format!(
            "GET /ws HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
             Sec-WebSocket-Protocol: json\r\n\r\n",
            server.addr
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut stream = BufReader::with_capacity(1024, stream);
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(stream.read_u8().await.unwrap());
        }
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
        Self { stream }
    }

    /// Sends one masked text frame.
    async fn send(&mut self, value: &Value) {
        let payload = value.to_string().into_bytes();
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x12, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.get_mut().write_all(&frame).await.unwrap();
    }

    /// The next text message (fragments joined), with its frame count.
    async fn message(&mut self) -> (Value, usize) {
        let mut text = Vec::new();
        let mut frames = 0;
        loop {
            let b0 = self.stream.read_u8().await.unwrap();
            let b1 = self.stream.read_u8().await.unwrap();
            let len = match b1 & 0x7f {
                126 => u64::from(self.stream.read_u16().await.unwrap()),
                127 => self.stream.read_u64().await.unwrap(),
                n => u64::from(n),
            };
            let mut payload = vec![0; len as usize];
            self.stream.read_exact(&mut payload).await.unwrap();
            // Pings and other control frames are not what is waited for here.
            if b0 & 0x08 != 0 {
                continue;
            }
            frames += 1;
            text.extend_from_slice(&payload);
            if b0 & 0x80 != 0 {
                return (serde_json::from_slice(&text).unwrap(), frames);
            }
        }
    }

    /// Reads messages until one has type `kind`; returns it and its frame count.
    async fn wait_for(&mut self, kind: &str) -> (Value, usize) {
        timeout(DEADLINE, async {
            loop {
                let (message, frames) = self.message().await;
                if message["type"] == kind {
                    return (message, frames);
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no {kind} within the deadline"))
    }

    async fn login(server: &TestServer, name: &str) -> Self {
        let mut raw = Self::connect(server).await;
        let (id, _) = raw.wait_for("id").await;
        raw.send(&json!({"type": "username", "id": id["id"], "name": name, "date": 1, "features": ["userlist-delta"]}))
            .await;
        raw.wait_for("userlist").await;
        raw
    }
}

/// One exchange: a 60 KB offer from the sender to the receiver, then one more frame from the
/// sender, answered (so its session has read again since the large frame).
/// Returns how many frames the offer came in.
async fn exchange(sender: &mut Raw, receiver: &mut Raw, i: usize, offer: &Value) -> usize {
    sender
        .send(&json!({"type": "video-offer", "name": format!("sender{i}"), "target": format!("receiver{i}"), "sdp": offer}))
        .await;
    let (got, frames) = receiver.wait_for("video-offer").await;
    assert_eq!(&got["sdp"], offer);
    sender.send(&json!({"type": "no-such-type"})).await;
    sender.wait_for("error").await;
    frames
}

#[tokio::test]
async fn connections_return_to_a_small_footprint_after_60_kb_frames() {
    let server = TestServer::start().await;
    let pairs = 100;
    let mut senders = Vec::new();
    let mut receivers = Vec::new();
    for i in 0..pairs {
        senders.push(Raw::login(&server, &format!("sender{i}")).await);
        receivers.push(Raw::login(&server, &format!("receiver{i}")).await);
    }
    let offer = sdp("offer", 60_000);
    // A first exchange grows the heap for what every exchange needs while it runs.
    exchange(&mut senders[0], &mut receivers[0], 0, &offer).await;
    let before = rss_kib();
    let mut fewest_frames = usize::MAX;
    for (i, (sender, receiver)) in senders.iter_mut().zip(&mut receivers).enumerate().skip(1) {
        fewest_frames = fewest_frames.min(exchange(sender, receiver, i, &offer).await);
    }
    let after = rss_kib();
    let per_pair = (after - before) as f64 / (pairs - 1) as f64;
    println!("RSS {before} KiB before, {after} KiB after: {per_pair:.1} KiB more per pair");
    assert!(
        per_pair < 16.0,
        "{per_pair:.1} KiB per pair kept after one 60 KB frame each way"
    );
    // Sent in fragments of a few KiB: the write buffer never held the whole 60 KB.
    assert!(
        fewest_frames >= 14,
        "60 KB in {fewest_frames} frames: not fragmented"
    );
    drop((senders, receivers));
    server.stop().await.unwrap();
}
