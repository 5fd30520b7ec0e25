//! One accepted connection: the TLS handshake (with its timeout) when serving HTTPS, then
//! hyper's HTTP/1.1 with upgrades (WebSocket) and its header-read timer, our stall timer, and
//! shutdown: graceful first (the request in flight finishes, keep-alive ends), dropped at the
//! deadline.
//!
//! Each request gets `ConnectInfo<SocketAddr>` in its extensions (the router's handlers take
//! the peer's address from there) and, over TLS, `Strict-Transport-Security`.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::STRICT_TRANSPORT_SECURITY;
use axum::http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tower_service::Service as _;

use super::Shared;
use super::guard::{Guarded, Link};
use super::redirect;
use crate::tls::ACME_TLS_ALPN;

/// HSTS on every response over TLS: browsers then never try plain HTTP for a year.
const HSTS: &str = "max-age=31536000";

/// What a listener serves.
pub enum Kind {
    /// The application, over TLS when `tls` is set.
    App {
        router: Router,
        tls: Option<TlsAcceptor>,
    },
    /// Plain HTTP answering every request with a redirect to HTTPS on this port.
    Redirect { https_port: u16 },
}

/// Serves one connection until it ends, its timers cut it, or shutdown drops it.
pub(crate) async fn run(
    io: Guarded<TcpStream>,
    peer: SocketAddr,
    kind: Arc<Kind>,
    shared: Arc<Shared>,
) {
    let link = io.link();
    match &*kind {
        Kind::App {
            router,
            tls: Some(acceptor),
        } => {
            let handshake =
                tokio::time::timeout(shared.timeouts.tls_handshake, acceptor.accept(io));
            let mut stream = match handshake.await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            // An ACME TLS-ALPN-01 validation: the certificate of the handshake was the answer.
            if stream.get_ref().1.alpn_protocol() == Some(ACME_TLS_ALPN) {
                let _ = stream.shutdown().await;
                return;
            }
            let service = Svc::App {
                router: router.clone(),
                peer,
                hsts: true,
            };
            http(stream, link, service, &shared).await;
        }
        Kind::App { router, tls: None } => {
            let service = Svc::App {
                router: router.clone(),
                peer,
                hsts: false,
            };
            http(io, link, service, &shared).await;
        }
        Kind::Redirect { https_port } => {
            let service = Svc::Redirect {
                https_port: *https_port,
            };
            http(io, link, service, &shared).await;
        }
    }
}

/// HTTP/1.1 on `io` until the connection closes (or is upgraded and handed to a session).
async fn http<I>(io: I, link: Arc<Link>, service: Svc, shared: &Shared)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let timeouts = shared.timeouts;
    // hyper's own HTTP/1.1 connection (hyper-util's `auto` builder would add HTTP/2, which
    // WebSocket does not use here): its timer is what enforces `header_read_timeout`.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    let connection = builder
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(connection);
    let mut stall =
        tokio::time::interval_at(tokio::time::Instant::now() + timeouts.stall, timeouts.stall);
    let mut seen = link.progress();
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "HTTP connection ended with an error");
                }
                return;
            }
            () = shared.graceful.cancelled(), if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = shared.hard.cancelled() => return,
            _ = stall.tick() => {
                let now = link.progress();
                if now == seen {
                    tracing::debug!("HTTP connection stalled: closed");
                    return;
                }
                seen = now;
            }
        }
    }
}

/// The per-connection service hyper calls for each request.
#[derive(Clone)]
enum Svc {
    App {
        router: Router,
        peer: SocketAddr,
        hsts: bool,
    },
    Redirect {
        https_port: u16,
    },
}

type Reply = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Svc {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Reply;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        match self {
            Self::App { router, peer, hsts } => {
                request.extensions_mut().insert(ConnectInfo(*peer));
                let mut router = router.clone();
                let hsts = *hsts;
                Box::pin(async move {
                    let mut response = router.call(request).await?;
                    if hsts {
                        response
                            .headers_mut()
                            .insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
                    }
                    Ok(response)
                })
            }
            Self::Redirect { https_port } => {
                let response = redirect::to_https(&request, *https_port);
                Box::pin(std::future::ready(Ok(response)))
            }
        }
    }
}
