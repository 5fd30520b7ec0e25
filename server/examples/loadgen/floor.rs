//! The floor: what relaying costs on this machine with no signaling logic at all. A trivial
//! relay (this same program, started with `--floor-server` and pinned like the server) pairs
//! connections in accept order and forwards every text frame verbatim to the partner, with the
//! real server's shape: one tokio task per connection, a bounded channel to the partner's task,
//! tungstenite with a 1 KiB read buffer and Nagle off. The throughput scenario's closed loop
//! and the latency scenario's open loop then run against it. Its CPU per message is the part of
//! the server's that tokio, tungstenite and the kernel's loopback TCP take; the rest is the
//! server's own work.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{WebSocketStream, accept_async_with_config};

use crate::client::{self, Buffer};
use crate::error::Result;
use crate::frames::PairFrames;
use crate::harness::ServerProcess;
use crate::latency;
use crate::pairs::Pair;
use crate::report::{Figure, Goal};
use crate::throughput::{Config, measure};

/// Frames that may wait for one connection (as the server's outbox).
const OUTBOX: usize = 128;

/// Serves the floor relay on `addr` until the process is stopped.
pub async fn serve(addr: &str) -> Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let config = WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0);
    let mut waiting = None;
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
        // The handshake is completed before the next accept, so connections pair up in the
        // order the generator opens them.
        let Ok(ws) = accept_async_with_config(tcp, Some(config)).await else {
            continue;
        };
        match waiting.take() {
            None => waiting = Some(ws),
            Some(first) => {
                let (to_first, first_rx) = mpsc::channel(OUTBOX);
                let (to_second, second_rx) = mpsc::channel(OUTBOX);
                tokio::spawn(connection(first, to_second, first_rx));
                tokio::spawn(connection(ws, to_first, second_rx));
            }
        }
    }
}

/// One connection: frames read go to the partner; frames from the partner are written.
async fn connection<S>(
    mut ws: WebSocketStream<S>,
    partner: mpsc::Sender<Utf8Bytes>,
    mut inbox: mpsc::Receiver<Utf8Bytes>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if partner.try_send(text).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                _ => return,
            },
            frame = inbox.recv() => match frame {
                Some(text) => {
                    if ws.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
        }
    }
}

/// Opens `n` raw pairs to the floor relay, one connection after the other (the relay pairs
/// them in accept order).
async fn raw_pairs(url: &str, n: usize) -> Result<Vec<Pair>> {
    let mut pairs = Vec::with_capacity(n);
    for p in 0..n {
        let caller = client::connect(url, Buffer::Relay).await?;
        let callee = client::connect(url, Buffer::Relay).await?;
        let frames = PairFrames::new(&format!("caller{p:03}"), &format!("callee{p:03}"));
        pairs.push(Pair {
            caller,
            callee,
            frames,
        });
    }
    Ok(pairs)
}

/// Runs the closed loop, then the open loop, against the floor relay.
pub async fn run(
    server: &ServerProcess,
    closed: &Config,
    open: &latency::Config,
) -> Result<Vec<Figure>> {
    println!(
        "\n== floor: the same loops through a verbatim relay (tokio + tungstenite + loopback, no protocol) =="
    );
    let url = server.url();
    let m = measure(server, closed, raw_pairs(&url, closed.pairs).await?, false).await?;
    println!("-- open loop at {} msg/s --", open.rate);
    let pairs = raw_pairs(&url, open.pairs).await?;
    let (latency, open_caveat) = latency::open_loop(server, open, pairs, false).await?;
    Ok(vec![
        Figure::new(
            "floor: relay CPU per message, no protocol",
            m.cpu_per_msg_us,
            "µs",
            Goal::Info,
        )
        .with_caveat(m.caveat.clone()),
        Figure::new(
            "floor: throughput, no protocol",
            m.rate,
            "msg/s",
            Goal::Info,
        )
        .with_caveat(m.caveat),
        Figure::new(
            &format!("floor: p99 at {} msg/s open loop, no protocol", open.rate),
            latency.p99.as_secs_f64() * 1e3,
            "ms",
            Goal::Info,
        )
        .with_caveat(open_caveat),
    ])
}
