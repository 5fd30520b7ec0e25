//! The link to the server across lost sockets: reconnecting by itself (with
//! [`backoff`](super::backoff)), the session (`session`, `resume`, `resumed`, `resume-failed`),
//! the numbered-frame count, and the frames waiting for the socket to come back.
//!
//! Rules (`docs/PROTOCOL.md`, "Resume and heartbeat"):
//! - A lost socket with a session keeps the name, the list and the queue, and the next socket
//!   sends `resume`; without one (MDN's server never sends `session`) the page logs in again
//!   with `username` as before, and the session is gone ([`AppState::lost_sessions`]).
//! - Frames the call layer sends while the session is not up wait in order (at most
//!   [`MAX_OUTBOX`]; one more drops the session, as a failed resume does) and go out after
//!   `resumed`. A failed resume drops them and logs in with the name the page had.
//! - The page pings only on a session the server numbered, and says `leaving` on `pagehide`
//!   only then.

use shared::{FromServer, ToServer};

use super::AppState;
use super::backoff;
use super::login::{Connection, Login};
use super::session::{MAX_OUTBOX, Session, StoredSession};

impl AppState {
    /// The socket closed (or was given up as dead) at `now_ms`; `jitter` in `[0, 1]` draws the
    /// delay of the next try.
    pub(super) fn socket_lost(&mut self, now_ms: u64, jitter: f64) {
        if std::mem::take(&mut self.idle_closed) {
            // The server closes sockets nobody logs in on (after a few seconds on the login
            // form): not a failure, so open a fresh one at once. This cannot spin: only a socket
            // that reached the server gets that notice.
            self.start_connecting();
            return;
        }
        self.forget_socket();
        if !self.wants_connection() {
            self.connection = Connection::Lost;
            return;
        }
        let since = *self.offline_since_ms.get_or_insert(now_ms);
        let delay = backoff::delay_ms(self.retries, now_ms.saturating_sub(since), jitter);
        self.retries = self.retries.saturating_add(1);
        self.connection = Connection::Reconnecting {
            retry_at_ms: Some(now_ms.saturating_add(delay)),
        };
    }

    /// Open a new socket now (Retry, Retry now, the retry timer, or a login after a loss).
    pub(super) fn start_connecting(&mut self) {
        self.attempt = self.attempt.wrapping_add(1);
        self.connection = match self.connection {
            Connection::Reconnecting { .. } => Connection::Reconnecting { retry_at_ms: None },
            _ => Connection::Connecting,
        };
        self.forget_socket();
    }

    /// What belonged to the old socket: its id and its login; without a session to resume
    /// also the list, the queue and the session itself (the call layer is told it is gone).
    pub(super) fn forget_socket(&mut self) {
        let was_in = self.login == Login::Done;
        self.conn_id = None;
        self.idle_closed = false;
        self.login = Login::NotSent;
        match &mut self.session {
            Some(session) => session.counting = false,
            None => {
                self.roster.clear();
                self.outbox.clear();
                if was_in {
                    self.lost_sessions = self.lost_sessions.wrapping_add(1);
                }
            }
        }
    }

    /// Logged in again: the indicator goes quietly back to online, the backoff starts over.
    pub(super) fn back_online(&mut self) {
        self.connection = Connection::Online;
        self.retries = 0;
        self.offline_since_ms = None;
    }

    /// The page has something to reconnect for: a name, or a session.
    fn wants_connection(&self) -> bool {
        self.me.is_some() || self.wanted.is_some() || self.session.is_some()
    }

    /// Counts a numbered frame (every frame after `session`/`resumed` on this socket; `None`:
    /// one the page could not read).
    pub(super) fn count_frame(&mut self, frame: Option<&FromServer>) {
        let numbered = !matches!(
            frame,
            Some(FromServer::Session { .. } | FromServer::Resumed { .. })
        );
        if let Some(session) = self.session.as_mut().filter(|s| s.counting && numbered) {
            session.ack = session.ack.wrapping_add(1);
        }
    }

    /// `session`: the server made our login resumable; numbering starts.
    pub(super) fn on_session(&mut self, token: String) {
        if matches!(self.login, Login::Sent { .. } | Login::Done) {
            self.session = Some(Session::live(token, 0));
        }
    }

    /// `resumed`: the session is back on this socket, under the server's name for us.
    pub(super) fn on_resumed(&mut self, name: String, token: String, ack: u64) {
        if self.login != Login::Resuming {
            return;
        }
        self.session = Some(Session::live(token, ack));
        self.logged_in_as(name);
    }

    /// `resume-failed` answering our `resume`: log in afresh with the name we had.
    pub(super) fn on_resume_failed(&mut self) {
        self.drop_session();
        self.login = Login::NotSent;
    }

    /// The session cannot be resumed any more: forget it, what waited for it and the list it
    /// kept (the call layer is told the session is gone).
    fn drop_session(&mut self) {
        if self.session.take().is_some() {
            self.lost_sessions = self.lost_sessions.wrapping_add(1);
        }
        self.outbox.clear();
        self.roster.clear();
    }

    /// A frame from the call layer: kept in order until it is sent, while there is a session
    /// to send it on; dropped otherwise (no socket and nothing to resume, as before).
    pub(super) fn queue(&mut self, frame: ToServer) {
        if !(self.logged_in() || self.session.is_some()) {
            return;
        }
        self.outbox.push_back(frame);
        if self.outbox.len() > MAX_OUTBOX {
            self.drop_session();
        }
    }

    /// The first `sent` frames of the queue went out.
    pub(super) fn flushed(&mut self, sent: usize) {
        let sent = sent.min(self.outbox.len());
        self.outbox.drain(..sent);
    }

    /// The frames waiting to go out, in order.
    pub fn outbox(&self) -> impl Iterator<Item = &ToServer> {
        self.outbox.iter()
    }

    /// The queue can go out now: logged in on a live socket and something is waiting.
    pub fn flush_due(&self) -> bool {
        self.logged_in() && !self.outbox.is_empty()
    }

    /// The server confirmed a session to this page (`session` or `resumed`): losing the socket
    /// keeps the call, `pagehide` says `leaving` instead of hanging up.
    pub fn resumable(&self) -> bool {
        self.session.as_ref().is_some_and(|s| !s.fresh)
    }

    /// What the call layer is told about signaling: `Some(true)` up (logged in), `Some(false)`
    /// down with the session kept, `None` down with no session (it is told `socket_lost`).
    pub fn signaling(&self) -> Option<bool> {
        if self.logged_in() {
            Some(true)
        } else if self.resumable() {
            Some(false)
        } else {
            None
        }
    }

    /// The `resume` in flight answers a reload: its `resumed` rebuilds the call afresh.
    pub fn fresh_resume_pending(&self) -> bool {
        self.login == Login::Resuming && self.session.as_ref().is_some_and(|s| s.fresh)
    }

    /// The heartbeat's `ping` (with the count so far), on a numbered session that is up.
    pub fn ping(&self) -> Option<ToServer> {
        let session = self.session.as_ref().filter(|s| s.counting)?;
        self.logged_in().then_some(ToServer::Ping {
            ack: Some(session.ack),
        })
    }

    /// Whether the page watches the socket for silence: it has a session to resume and a socket
    /// is open or opening (not waiting for the retry timer).
    pub fn watch_link(&self) -> bool {
        self.session.is_some()
            && !matches!(
                self.connection,
                Connection::Lost
                    | Connection::Reconnecting {
                        retry_at_ms: Some(_)
                    }
            )
    }

    /// What `pagehide` sends: `leaving` on a resumable session that is up (MDN's server: none).
    pub fn leaving_frame(&self) -> Option<ToServer> {
        (self.resumable() && self.logged_in()).then_some(ToServer::Leaving)
    }

    /// The record for `sessionStorage`, while there is a session.
    pub fn stored_session(&self) -> Option<StoredSession> {
        let session = self.session.as_ref()?;
        // `session` may come before the list that confirms the login: then the name is the
        // one `rejectusername` gave, if any.
        let given = match &self.login {
            Login::Sent { given } if self.me.is_none() => given.clone(),
            _ => None,
        };
        Some(StoredSession {
            token: session.token.clone(),
            name: given.or_else(|| self.login_name())?,
            ack: session.ack,
            room: self.entry.route.room().cloned(),
        })
    }
}
