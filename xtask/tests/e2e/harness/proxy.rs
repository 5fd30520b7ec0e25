//! A TCP proxy the test controls, standing between the pages and the server: it forwards bytes
//! both ways (HTTP and the WebSocket alike, it knows neither), and on command cuts every
//! connection with a FIN and refuses new ones for a while ([`Proxy::cut`]), or stops forwarding
//! without closing anything ([`Proxy::hold`] … [`Proxy::release`]): a silent dead link, as when
//! the network goes away under an open socket.
//!
//! Pages load the app from the proxy's address, so their `ws://<page host>/ws` goes through it too.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::TestResult;

/// What the proxy does with bytes and connections right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// Accepts and keeps connections but moves no byte either way.
    Hold,
    /// Every connection closed (FIN both ways), the port closed until `until`.
    Cut {
        until: Instant,
    },
}

pub struct Proxy {
    /// `http://127.0.0.1:<port>` (no trailing slash): what pages load.
    pub url: String,
    pub port: u16,
    mode: Arc<watch::Sender<Mode>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// A proxy on a free loopback port forwarding to `127.0.0.1:<target>`.
    pub async fn start(target: u16) -> TestResult<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let (mode, _) = watch::channel(Mode::Forward);
        let mode = Arc::new(mode);
        let accept = tokio::spawn(accept_loop(listener, port, target, Arc::clone(&mode)));
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            mode,
            accept,
        })
    }

    /// Closes every connection with a FIN (both ways) and refuses new connections (the port is
    /// closed) for `outage`; then forwards again by itself. Returns at once.
    pub fn cut(&self, outage: Duration) {
        self.mode.send_replace(Mode::Cut {
            until: Instant::now() + outage,
        });
    }

    /// Stops moving bytes, both ways and for new connections too, without closing anything.
    pub fn hold(&self) {
        self.mode.send_replace(Mode::Hold);
    }

    /// Forwards again after [`Proxy::hold`] (or ends a cut early); held bytes flow on.
    pub fn release(&self) {
        self.mode.send_replace(Mode::Forward);
    }

    /// Whether the proxy forwards now (a cut ends by itself).
    pub fn is_forwarding(&self) -> bool {
        *self.mode.borrow() == Mode::Forward
    }

    /// Waits (with a deadline) until a cut has ended and the port accepts again.
    pub async fn wait_forwarding(&self, timeout: Duration) -> TestResult {
        let addr = format!("127.0.0.1:{}", self.port);
        crate::wait::until("the proxy to forward again", timeout, || {
            let forwarding = self.is_forwarding();
            let addr = addr.clone();
            async move { Ok((forwarding && TcpStream::connect(&addr).await.is_ok()).then_some(())) }
        })
        .await
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // The accept task owns every connection task (a JoinSet): aborting it ends them all.
        self.accept.abort();
    }
}

/// Accepts while forwarding or holding; while cut, the listener is closed (connections are
/// refused) and bound again on the same port when the cut ends.
async fn accept_loop(
    listener: TcpListener,
    port: u16,
    target: u16,
    mode: Arc<watch::Sender<Mode>>,
) {
    let mut listener = Some(listener);
    let mut connections = JoinSet::new();
    let mut changes = mode.subscribe();
    loop {
        let current = *changes.borrow_and_update();
        if let Mode::Cut { until } = current {
            listener = None;
            tokio::select! {
                () = tokio::time::sleep_until(until) => {
                    // Only this cut ends here; a newer command already replaced it otherwise.
                    mode.send_if_modified(|m| {
                        let same = *m == current;
                        if same {
                            *m = Mode::Forward;
                        }
                        same
                    });
                }
                changed = changes.changed() => if changed.is_err() { return },
            }
            continue;
        }
        let Some(open) = listener.as_ref() else {
            match rebind(port) {
                Ok(again) => listener = Some(again),
                Err(e) => {
                    eprintln!("proxy: could not listen on port {port} again: {e}");
                    return;
                }
            }
            continue;
        };
        tokio::select! {
            accepted = open.accept() => match accepted {
                Ok((client, _)) => {
                    connections.spawn(connection(client, target, mode.subscribe()));
                }
                Err(e) => eprintln!("proxy: accept failed: {e}"),
            },
            changed = changes.changed() => if changed.is_err() { return },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

fn rebind(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    // Connections of before the cut may sit in TIME_WAIT on this port.
    socket.set_reuseaddr(true)?;
    socket.bind(([127, 0, 0, 1], port).into())?;
    socket.listen(128)
}

/// One proxied connection: bytes both ways while forwarding, none while held, and a FIN both
/// ways on a cut. A side that closes is passed on as a FIN to the other.
///
/// Only the reads race against a change of mode (a read that loses the race has taken no byte);
/// a write, once bytes are read, always completes, so no byte is lost or reordered.
async fn connection(client: TcpStream, target: u16, mut mode: watch::Receiver<Mode>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
        // The server is down (restarting): the client sees its connection closed.
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut up = vec![0; 16 * 1024];
    let mut down = vec![0; 16 * 1024];
    let (mut up_done, mut down_done) = (false, false);
    while !(up_done && down_done) {
        let current = *mode.borrow_and_update();
        match current {
            Mode::Cut { .. } => {
                let _ = client_write.shutdown().await;
                let _ = server_write.shutdown().await;
                return;
            }
            Mode::Hold => {
                if mode.changed().await.is_err() {
                    return;
                }
            }
            Mode::Forward => {
                tokio::select! {
                    read = client_read.read(&mut up), if !up_done => {
                        up_done = !pass_on(read, &up, &mut server_write).await;
                    }
                    read = server_read.read(&mut down), if !down_done => {
                        down_done = !pass_on(read, &down, &mut client_write).await;
                    }
                    changed = mode.changed() => if changed.is_err() { return },
                }
            }
        }
    }
}

/// Writes what a read returned to the other side; `false` when this direction has ended (EOF or
/// an error), after passing the FIN on.
async fn pass_on(read: std::io::Result<usize>, buffer: &[u8], to: &mut OwnedWriteHalf) -> bool {
    match read {
        Ok(0) | Err(_) => {
            let _ = to.shutdown().await;
            false
        }
        Ok(n) => to.write_all(&buffer[..n]).await.is_ok(),
    }
}
