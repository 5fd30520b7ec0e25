//! Unit tests of the socket adapter over an in-memory connection, against a tokio-tungstenite
//! client: long messages arrive whole both ways, frames read after a large one are not lost, and
//! the buffers are replaced after a large frame (read or written), not after small ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::{SinkExt, StreamExt};
use tokio::io::DuplexStream;
use tokio_tungstenite::WebSocketStream;
use tungstenite::protocol::{Role, WebSocketConfig};

use super::*;

async fn pair() -> (Socket<DuplexStream>, WebSocketStream<DuplexStream>) {
    let (a, b) = tokio::io::duplex(8192);
    let config = WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0);
    let client = WebSocketStream::from_raw_socket(b, Role::Client, None).await;
    (Socket::new(a, config), client)
}

fn text(len: usize, seed: u8) -> String {
    // Multi-byte characters, so fragments cut through them.
    let mut s = String::new();
    let mut i = 0u32;
    while s.len() < len {
        s.push(char::from_u32(0x3b1 + (i + u32::from(seed)) % 20).unwrap());
        i += 1;
    }
    s
}

async fn next_text(socket: &mut Socket<DuplexStream>) -> String {
    match socket.next().await.unwrap().unwrap() {
        Message::Text(t) => t.as_str().to_owned(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_long_message_goes_out_in_fragments_and_arrives_whole() {
    let (mut server, mut client) = pair().await;
    let long = text(60_000, 1);
    let sent = long.clone();
    let writer = tokio::spawn(async move {
        server.send(Message::Text(sent.into())).await.unwrap();
        server
    });
    match client.next().await.unwrap().unwrap() {
        tungstenite::Message::Text(t) => assert_eq!(t.as_str(), long),
        other => panic!("{other:?}"),
    }
    let mut server = writer.await.unwrap();
    assert_eq!(
        server.shrinks(),
        1,
        "replaced once after the large write was flushed"
    );
    // Still a working socket both ways after the replacement.
    server.send(Message::Text("after".into())).await.unwrap();
    match client.next().await.unwrap().unwrap() {
        tungstenite::Message::Text(t) => assert_eq!(t.as_str(), "after"),
        other => panic!("{other:?}"),
    }
    client
        .send(tungstenite::Message::Text("back".into()))
        .await
        .unwrap();
    assert_eq!(next_text(&mut server).await, "back");
    assert_eq!(server.shrinks(), 1, "small frames replace nothing");
}

#[tokio::test]
async fn frames_after_a_large_one_survive_the_buffer_replacement() {
    let (mut server, mut client) = pair().await;
    let long = text(60_000, 2);
    let sent = long.clone();
    // Large, small, large, small, sent back to back so reads run past the large frames.
    let writer = tokio::spawn(async move {
        for m in [sent.clone(), "one".into(), sent, "two".into()] {
            client
                .feed(tungstenite::Message::Text(m.into()))
                .await
                .unwrap();
        }
        client.flush().await.unwrap();
        client
    });
    assert_eq!(next_text(&mut server).await, long);
    assert_eq!(next_text(&mut server).await, "one");
    assert_eq!(next_text(&mut server).await, long);
    assert_eq!(next_text(&mut server).await, "two");
    let mut client = writer.await.unwrap();
    // The replies flush, and the flush replaces the buffers if the read did not already.
    server.send(Message::Text("ok".into())).await.unwrap();
    assert!(server.shrinks() >= 1, "shrinks: {}", server.shrinks());
    match client.next().await.unwrap().unwrap() {
        tungstenite::Message::Text(t) => assert_eq!(t.as_str(), "ok"),
        other => panic!("{other:?}"),
    }
    // Still a working socket both ways after the replacement.
    client
        .send(tungstenite::Message::Text("three".into()))
        .await
        .unwrap();
    assert_eq!(next_text(&mut server).await, "three");
}

#[tokio::test]
async fn a_ping_is_answered_and_small_frames_shrink_nothing() {
    let (mut server, mut client) = pair().await;
    client
        .send(tungstenite::Message::Ping(Bytes::from_static(b"p")))
        .await
        .unwrap();
    client
        .send(tungstenite::Message::Text("hi".into()))
        .await
        .unwrap();
    assert!(matches!(
        server.next().await.unwrap().unwrap(),
        Message::Ping(_)
    ));
    assert_eq!(next_text(&mut server).await, "hi");
    server.send(Message::Text("x".into())).await.unwrap();
    match client.next().await.unwrap().unwrap() {
        tungstenite::Message::Pong(p) => assert_eq!(&p[..], b"p"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.shrinks(), 0);
}
