//! [`Guarded`]: every accepted socket (plain or TLS) wrapped so that shutdown can end it when
//! its deadline passes, also after it was upgraded to a WebSocket and handed to a session, and
//! so that its connection can tell whether any byte moved lately (the stall timeout).
//!
//! [`Connections`] holds a weak link to every open socket; [`Connections::kill_all`] makes each
//! one's next read or write fail and wakes the task blocked on it. The cost on the hot path is
//! one relaxed atomic load per read or write, one relaxed add when bytes move, and a waker
//! registration only when the socket has nothing to give.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What a socket and whoever may kill it share.
#[derive(Default)]
pub struct Link {
    killed: AtomicBool,
    /// Reads and writes that moved bytes, for the stall timeout.
    progress: AtomicU64,
    read: AtomicWaker,
    write: AtomicWaker,
}

impl Link {
    /// A number that changes whenever bytes were read or written.
    pub fn progress(&self) -> u64 {
        self.progress.load(Ordering::Relaxed)
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.read.wake();
        self.write.wake();
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }
}

/// Every open socket, weakly. A std mutex: held to insert, remove or walk the map, never across
/// an await.
#[derive(Default, Clone)]
pub struct Connections {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Default)]
struct Registry {
    next: u64,
    links: HashMap<u64, Weak<Link>>,
    /// Set by `kill_all`: sockets accepted afterwards start dead.
    killed: bool,
}

impl Connections {
    /// Wraps `io` and registers it.
    pub fn guard<T>(&self, io: T) -> Guarded<T> {
        let link = Arc::new(Link::default());
        let id = match self.inner.lock() {
            Ok(mut registry) => {
                if registry.killed {
                    link.kill();
                }
                registry.next += 1;
                let id = registry.next;
                registry.links.insert(id, Arc::downgrade(&link));
                id
            }
            Err(_) => 0,
        };
        Guarded {
            io,
            link,
            id,
            connections: Arc::downgrade(&self.inner),
        }
    }

    /// Ends every open socket: its pending and next reads and writes fail.
    pub fn kill_all(&self) {
        let links: Vec<Weak<Link>> = match self.inner.lock() {
            Ok(mut registry) => {
                registry.killed = true;
                registry.links.values().cloned().collect()
            }
            Err(_) => return,
        };
        links
            .iter()
            .filter_map(Weak::upgrade)
            .for_each(|link| link.kill());
    }

    /// Sockets open now.
    pub fn open(&self) -> usize {
        self.inner.lock().map_or(0, |registry| registry.links.len())
    }
}

fn killed() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "server shut down")
}

/// A socket that [`Connections::kill_all`] can end; it unregisters itself when dropped.
pub struct Guarded<T> {
    io: T,
    link: Arc<Link>,
    id: u64,
    connections: Weak<Mutex<Registry>>,
}

impl<T> Guarded<T> {
    pub fn link(&self) -> Arc<Link> {
        self.link.clone()
    }

    pub fn get_ref(&self) -> &T {
        &self.io
    }
}

impl<T> Drop for Guarded<T> {
    fn drop(&mut self) {
        if let Some(registry) = self.connections.upgrade()
            && let Ok(mut registry) = registry.lock()
        {
            registry.links.remove(&self.id);
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.link.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.io).poll_read(cx, buf) {
            Poll::Pending => {
                self.link.read.register(cx.waker());
                // A kill between the first check and the registration would be missed.
                if self.link.is_killed() {
                    return Poll::Ready(Err(killed()));
                }
                Poll::Pending
            }
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.link.progress.fetch_add(1, Ordering::Relaxed);
                }
                Poll::Ready(result)
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> Guarded<T> {
    fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if self.link.is_killed() {
            return Poll::Ready(Err(killed()));
        }
        match op(Pin::new(&mut self.io), cx) {
            Poll::Pending => {
                self.link.write.register(cx.waker());
                if self.link.is_killed() {
                    return Poll::Ready(Err(killed()));
                }
                Poll::Pending
            }
            ready => ready,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = self.poll_io(cx, |io, cx| io.poll_write(cx, buf));
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            self.link.progress.fetch_add(1, Ordering::Relaxed);
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = self.poll_io(cx, |io, cx| io.poll_write_vectored(cx, bufs));
        if let Poll::Ready(Ok(n)) = written
            && n > 0
        {
            self.link.progress.fetch_add(1, Ordering::Relaxed);
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_io(cx, |io, cx| io.poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_io(cx, |io, cx| io.poll_shutdown(cx))
    }
}
