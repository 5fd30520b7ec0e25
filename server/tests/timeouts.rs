//! The accept loop's timeouts and shutdown: a client trickling its request header is cut at the
//! header-read timeout while others are served; an idle keep-alive connection is closed; a
//! client that stopped reading its response is closed at the stall timeout; and shutdown
//! finishes within its deadline even with a client that stopped reading its response and
//! another stuck mid-request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod serve_support;

use std::time::Duration;

use serve_support::{Options, Running, exchange, scratch};
use server::{Settings, Timeouts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

use crate::common::DEADLINE;

const HEADER_READ: Duration = Duration::from_millis(800);

fn short() -> Timeouts {
    Timeouts {
        header_read: HEADER_READ,
        ..Timeouts::default()
    }
}

/// Whether the server has closed `tcp`: a read that ends (EOF, reset) within `wait`. Anything
/// the server sent first (a 408) is skipped.
async fn closed_within(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn a_client_trickling_its_header_is_cut_while_others_are_served() {
    let server = Running::start(Options {
        timeouts: short(),
        ..Options::default()
    })
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    let request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut sent = 0;
    let mut cut = false;
    let mut others_served = 0;
    // One byte every 50 ms (the whole header would take over 6 s); between bytes, another
    // client gets an answer and a WebSocket login.
    while sent < request.len() {
        if slow.write_all(&request[sent..=sent]).await.is_err() {
            cut = true;
            break;
        }
        sent += 1;
        if closed_within(&mut slow, Duration::from_millis(50)).await {
            cut = true;
            break;
        }
        if others_served < 3 {
            let mut other = TcpStream::connect(server.addr).await.unwrap();
            let response = exchange(
                &mut other,
                "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            )
            .await;
            assert!(response.starts_with("HTTP/1.1 200"), "{response}");
            others_served += 1;
        }
    }
    let elapsed = started.elapsed();
    assert!(
        cut,
        "the trickling client sent its whole header ({sent} bytes)"
    );
    assert!(sent < request.len());
    assert!(elapsed >= HEADER_READ, "cut too early: {elapsed:?}");
    assert!(
        elapsed < HEADER_READ + Duration::from_secs(2),
        "cut too late: {elapsed:?}"
    );
    assert_eq!(others_served, 3);
    // And a WebSocket login works meanwhile too.
    let ws = serve_support::ws_login(server.addr, "carol").await;
    drop(ws);
    server.stop_within(DEADLINE).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = Running::start(Options {
        timeouts: short(),
        ..Options::default()
    })
    .await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = timeout(DEADLINE, tcp.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    let idle_since = Instant::now();
    assert!(closed_within(&mut tcp, DEADLINE).await);
    let idle = idle_since.elapsed();
    assert!(idle >= HEADER_READ - Duration::from_millis(50), "{idle:?}");
    assert!(idle < HEADER_READ + Duration::from_secs(2), "{idle:?}");
    server.stop_within(DEADLINE).await;
}

#[tokio::test]
async fn shutdown_finishes_within_its_deadline_with_half_open_connections() {
    // A file far larger than the socket buffers, for a client that stops reading it.
    let dist = scratch("shutdown-dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dist.join("big.bin"), vec![7u8; 64 * 1024 * 1024]).unwrap();
    let deadline = Duration::from_millis(1500);
    let server = Running::start(Options {
        settings: Settings {
            dist,
            ..Settings::default()
        },
        timeouts: Timeouts {
            // Neither timer may end these connections before shutdown does.
            header_read: Duration::from_secs(60),
            stall: Duration::from_secs(60),
            shutdown: deadline,
            ..Timeouts::default()
        },
        ..Options::default()
    })
    .await;
    // Stopped reading: asks for the big file and never reads; wait until the server has
    // started answering (the response head arrived).
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    timeout(DEADLINE, stalled.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    // Mid-request: half a header, then silence.
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    // And an ordinary logged-in session, which gets its Close frame.
    let mut alice = serve_support::ws_login(server.addr, "alice").await;

    let took = server.stop_within(deadline + Duration::from_secs(3)).await;
    assert!(
        took >= deadline,
        "the stalled response should have held shutdown until the deadline: {took:?}"
    );
    assert!(
        took < deadline + Duration::from_secs(2),
        "shutdown overran its deadline: {took:?}"
    );
    alice.expect_close().await;
    assert!(closed_within(&mut half, DEADLINE).await);
    // The stalled client gets the rest of what was buffered, then the end.
    let mut sink = vec![0u8; 1 << 20];
    let drained = timeout(DEADLINE, async {
        loop {
            match stalled.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the stalled connection was never closed");
}

#[tokio::test]
async fn killing_the_connections_ends_blocked_reads_and_writes() {
    use server::serve::guard::Connections;
    let connections = Connections::default();
    // A socket with nothing to read, and one whose peer does not read (a 16-byte pipe).
    let (reader, _reader_peer) = tokio::io::duplex(16);
    let (writer, _writer_peer) = tokio::io::duplex(16);
    let mut reader = connections.guard(reader);
    let mut writer = connections.guard(writer);
    assert_eq!(connections.open(), 2);
    let read = tokio::spawn(async move {
        let mut buf = [0u8; 8];
        reader.read(&mut buf).await
    });
    let write = tokio::spawn(async move { writer.write_all(&[1u8; 4096]).await });
    // Both are blocked: neither finishes on its own.
    tokio::task::yield_now().await;
    assert!(!read.is_finished() && !write.is_finished());
    connections.kill_all();
    let read = timeout(DEADLINE, read).await.unwrap().unwrap();
    let write = timeout(DEADLINE, write).await.unwrap().unwrap();
    assert_eq!(
        read.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionAborted
    );
    assert_eq!(
        write.unwrap_err().kind(),
        std::io::ErrorKind::ConnectionAborted
    );
    // Dropped sockets leave the registry; one accepted after the kill starts dead.
    assert_eq!(connections.open(), 0);
    let (late, _late_peer) = tokio::io::duplex(16);
    let mut late = connections.guard(late);
    assert!(late.write_all(b"x").await.is_err());
}

/// The TCP state (`/proc/net/tcp`, e.g. 1 established, 4 FIN-WAIT-1) of the server's end of the
/// connection from `client` to `server`; `None` once the kernel has forgotten it.
fn server_end_state(server: std::net::SocketAddr, client: std::net::SocketAddr) -> Option<u8> {
    let hex = |addr: std::net::SocketAddr| match addr.ip() {
        std::net::IpAddr::V4(ip) => format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(ip.octets()),
            addr.port()
        ),
        std::net::IpAddr::V6(_) => String::new(),
    };
    let (local, remote) = (hex(server), hex(client));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&local.as_str()) && fields.get(2) == Some(&remote.as_str()))
            .then(|| u8::from_str_radix(fields[3], 16).unwrap())
    })
}

#[tokio::test]
async fn a_client_that_stopped_reading_its_response_is_closed_at_the_stall_timeout() {
    const STALL: Duration = Duration::from_millis(500);
    let dist = scratch("stall-dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    std::fs::write(dist.join("big.bin"), vec![7u8; 64 * 1024 * 1024]).unwrap();
    let server = Running::start(Options {
        settings: Settings {
            dist,
            ..Settings::default()
        },
        timeouts: Timeouts {
            header_read: Duration::from_secs(60),
            stall: STALL,
            ..Timeouts::default()
        },
        ..Options::default()
    })
    .await;
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    let client = stalled.local_addr().unwrap();
    stalled
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    timeout(DEADLINE, stalled.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    assert_eq!(
        server_end_state(server.addr, client),
        Some(1),
        "established"
    );
    // The client reads no more. The server's end leaves ESTABLISHED once the stall timer closed
    // it (its FIN waits behind the unread data: FIN-WAIT-1). How long the kernel's buffers take
    // to fill before bytes stop moving depends on the machine's load, so the bound is generous;
    // without the stall timer the connection stays established for good.
    let bound = Duration::from_secs(30);
    let started = Instant::now();
    let mut poll = tokio::time::interval(Duration::from_millis(20));
    loop {
        poll.tick().await;
        if server_end_state(server.addr, client) != Some(1) {
            break;
        }
        assert!(
            started.elapsed() < bound,
            "the stalled connection was never closed"
        );
    }
    // Others are served meanwhile and after.
    let mut other = TcpStream::connect(server.addr).await.unwrap();
    let response = exchange(
        &mut other,
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    server.stop_within(DEADLINE).await;
}
