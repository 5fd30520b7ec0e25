//! The connection and the login as the page sees them: the socket's state, where the login
//! stands on the current socket, who we are once the server confirmed it, and the `username`
//! frame that is due.
//!
//! The server only sends user lists to logged-in clients, after a possible `rejectusername`, so
//! the first list after our `username` confirms the login ([`AppState::confirm_login`]). After a
//! reconnect the page takes its session back with `resume` when it has one, else logs in
//! again with the name it had.

use shared::{Feature, ToServer};

use super::AppState;
use super::session::Session;

/// The features this client understands, announced in `username` and `resume`.
pub const FEATURES: [Feature; 7] = [
    Feature::UserlistDelta,
    Feature::PlainText,
    Feature::IceServers,
    Feature::Resume,
    Feature::Heartbeat,
    Feature::MediaState,
    Feature::GroupCall,
];

/// The WebSocket's state as the person sees it (`data-state` of the connection indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Online,
    /// The socket dropped and the page tries again by itself: the next try is due at
    /// `retry_at_ms` (Unix ms), or is under way (`None`). Back to `Online` once logged in again.
    Reconnecting {
        retry_at_ms: Option<u64>,
    },
    /// Nothing to keep (no name asked for yet): the page waits for Retry or a login.
    Lost,
}

impl Connection {
    /// The `data-state` value of the UI contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Online => "online",
            Connection::Reconnecting { .. } => "reconnecting",
            Connection::Lost => "lost",
        }
    }
}

/// Who we are, once the server confirmed the login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    /// The name the server gave (after `rejectusername`, the one it chose).
    pub name: String,
    /// The name the person asked for.
    pub asked: String,
}

impl Me {
    /// The server gave another name than the one asked for.
    pub fn name_changed(&self) -> bool {
        self.name != self.asked
    }
}

/// Where the login stands on the current socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Login {
    /// Nothing sent on this socket yet.
    NotSent,
    /// `username` sent; `given` is the name from `rejectusername`, if one came.
    Sent { given: Option<String> },
    /// `resume` sent; waiting for `resumed` or `resume-failed`.
    Resuming,
    /// The first user list after `username` arrived: we are in.
    Done,
}

/// The first frame due on the socket with this id: `username`, or `resume` when the page has
/// a session to take back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginDue {
    Username {
        id: u64,
        name: String,
        /// In a room: its passcode and capacity (issue 13).
        passcode: Option<String>,
        capacity: Option<u32>,
    },
    Resume {
        id: u64,
        token: String,
        ack: u64,
        /// This page read the session from `sessionStorage` (a reload).
        fresh: bool,
    },
}

impl LoginDue {
    /// The socket this is due on.
    pub fn id(&self) -> u64 {
        match self {
            LoginDue::Username { id, .. } | LoginDue::Resume { id, .. } => *id,
        }
    }

    /// The frame, dated `now_ms`, announcing the features this client understands.
    pub fn frame(&self, now_ms: u64) -> ToServer {
        match self {
            LoginDue::Username {
                id,
                name,
                passcode,
                capacity,
            } => ToServer::Username {
                id: Some(*id),
                name: name.clone(),
                date: Some(now_ms),
                features: FEATURES.to_vec(),
                passcode: passcode.clone(),
                capacity: *capacity,
            },
            LoginDue::Resume {
                token, ack, fresh, ..
            } => ToServer::Resume {
                token: token.clone(),
                ack: *ack,
                fresh: *fresh,
                features: FEATURES.to_vec(),
            },
        }
    }
}

impl AppState {
    /// A user list arrived: if it answers our `username`, we are in (under the name the server
    /// gave, if it gave one).
    pub(super) fn confirm_login(&mut self) {
        let Login::Sent { given } = &self.login else {
            return;
        };
        let Some(name) = given.clone().or_else(|| self.login_name()) else {
            return;
        };
        self.logged_in_as(name);
    }

    /// We are in, under `name` (the server's), by a login or a resume: the name we asked for
    /// is kept to tell whether the server changed it.
    pub(super) fn logged_in_as(&mut self, name: String) {
        let asked = match (&self.me, &self.wanted) {
            (Some(me), _) => me.asked.clone(),
            (None, Some(wanted)) => wanted.clone(),
            (None, None) => name.clone(),
        };
        self.me = Some(Me { name, asked });
        self.login = Login::Done;
        self.back_online();
    }

    /// `rejectusername`: the server gives us another name than the one we sent.
    pub(super) fn renamed(&mut self, name: String) {
        match &mut self.login {
            Login::Sent { given } => *given = Some(name),
            Login::Done => {
                if let Some(me) = &mut self.me {
                    me.name = name;
                }
            }
            Login::NotSent | Login::Resuming => {}
        }
    }

    /// The name to log in with: after a reconnect the one we had, else the one asked for.
    pub(super) fn login_name(&self) -> Option<String> {
        self.me
            .as_ref()
            .map(|me| me.name.clone())
            .or_else(|| self.wanted.clone())
    }

    /// The login that is due now, if any: the socket has its id, nothing was sent on it yet,
    /// and there is a session to resume or a name to log in with.
    pub fn login_due(&self) -> Option<LoginDue> {
        if self.login != Login::NotSent {
            return None;
        }
        let id = self.conn_id?;
        if let Some(Session {
            token, ack, fresh, ..
        }) = &self.session
        {
            return Some(LoginDue::Resume {
                id,
                token: token.clone(),
                ack: *ack,
                fresh: *fresh,
            });
        }
        let (passcode, capacity) = self.room_login();
        Some(LoginDue::Username {
            id,
            name: self.login_name()?,
            passcode,
            capacity,
        })
    }

    /// The `username` frame to send now, if one is due (`now_ms` is the clock for `date`).
    pub fn login_frame(&self, now_ms: u64) -> Option<ToServer> {
        self.login_due().map(|due| due.frame(now_ms))
    }

    /// Logged in on the current socket.
    pub fn logged_in(&self) -> bool {
        self.login == Login::Done && self.conn_id.is_some()
    }

    /// A login is under way (the form shows "Joining…").
    pub fn joining(&self) -> bool {
        self.me.is_none() && self.wanted.is_some()
    }
}
