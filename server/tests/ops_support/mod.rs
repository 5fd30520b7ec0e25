//! Helpers of the operations tests (admission, metrics, probes): plain HTTP/1.1 requests, a
//! WebSocket handshake with chosen headers that reports a refusal's status and body, and the
//! metrics text read into numbers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const DEADLINE: Duration = Duration::from_secs(5);

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An HTTP response: status, headers (lower-case names), body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// `GET path` on a fresh connection (`Connection: close`), read to the end.
pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    let work = async {
        let mut tcp = TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tcp.read_to_end(&mut raw).await.unwrap();
        String::from_utf8(raw).unwrap()
    };
    let raw = timeout(DEADLINE, work)
        .await
        .expect("no HTTP reply in time");
    let (head, body) = raw.split_once("\r\n\r\n").expect("no end of headers");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A WebSocket handshake to `/ws` (offering `json`) with `headers` added; a refusal comes back
/// as its reply.
pub async fn ws(addr: SocketAddr, headers: &[(&'static str, &str)]) -> Result<Socket, Reply> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("json"));
    for (name, value) in headers {
        request
            .headers_mut()
            .append(*name, HeaderValue::from_str(value).unwrap());
    }
    let connected = timeout(DEADLINE, tokio_tungstenite::connect_async(request))
        .await
        .expect("no handshake reply in time");
    match connected {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(Reply {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect(),
            body: response
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
        }),
        Err(e) => panic!("handshake failed: {e}"),
    }
}

/// A handshake that must succeed.
pub async fn ws_ok(addr: SocketAddr, headers: &[(&'static str, &str)]) -> Socket {
    match ws(addr, headers).await {
        Ok(socket) => socket,
        Err(reply) => panic!("refused with {}: {}", reply.status, reply.body),
    }
}

/// A handshake that must be refused with `status`; returns the reply.
pub async fn ws_refused(addr: SocketAddr, headers: &[(&'static str, &str)], status: u16) -> Reply {
    match ws(addr, headers).await {
        Ok(_) => panic!("accepted, expected {status}"),
        Err(reply) => {
            assert_eq!(reply.status, status, "{}", reply.body);
            reply
        }
    }
}

/// Retries a handshake until it is accepted (a connection given back is counted as soon as its
/// session ends, which the client does not see).
pub async fn ws_eventually(addr: SocketAddr, headers: &[(&'static str, &str)]) -> Socket {
    let deadline = Instant::now() + DEADLINE;
    loop {
        match ws(addr, headers).await {
            Ok(socket) => return socket,
            Err(reply) if Instant::now() < deadline => {
                let _ = reply;
                tokio::task::yield_now().await;
            }
            Err(reply) => panic!("still refused: {} {}", reply.status, reply.body),
        }
    }
}

/// The samples of an OpenMetrics text: `name{labels}` → value.
pub fn parse_metrics(text: &str) -> HashMap<String, f64> {
    assert!(text.trim_end().ends_with("# EOF"), "no # EOF:\n{text}");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), value.parse().unwrap())
        })
        .collect()
}

/// Scrapes `/metrics` at `addr`.
pub async fn scrape(addr: SocketAddr) -> HashMap<String, f64> {
    let reply = get(addr, "/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.headers["content-type"].starts_with("application/openmetrics-text"),
        "{:?}",
        reply.headers
    );
    parse_metrics(&reply.body)
}

/// A sample's value (0 when absent: a labelled counter appears at its first increment).
pub fn value(samples: &HashMap<String, f64>, name: &str) -> f64 {
    samples.get(name).copied().unwrap_or(0.0)
}
