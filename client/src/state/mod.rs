//! The page's UI state as one reducer: connection, login, who is online, the lobby chat, server
//! notices and the call as the call layer reports it.
//!
//! The state holds facts, never sentences: a refused login or a server error is kept as its
//! [`ServerError`] (code and the server's words), a refused chat text as a [`ChatError`], the
//! call's notice as the call layer's `CallNotice`. `crate::text` makes the words when the page
//! is drawn; this module does not know it.
//!
//! [`AppState::apply`] is pure (no browser, no I/O) so it is unit-tested on the host. What must be
//! sent because of the state (the `username` frame once the socket has its id, chat frames) is
//! computed by pure functions too ([`AppState::login_frame`], [`AppState::chat_frame`]); the app
//! sends them from effects and callbacks.
//!
//! Layout: this file is the reducer (the state, its actions, what a frame does); `login`
//! holds the connection and login, `chat` the chat log and its frames, `notice` the facts
//! about server errors. Who is online is a [`Roster`] (`crate::roster`), which the page owns.

mod chat;
mod login;
mod notice;
#[cfg(test)]
mod tests;

use std::rc::Rc;

use shared::{ErrorCode, FromServer, UserName};

pub use chat::{ChatError, ChatLine, MAX_CHAT_LINES};
pub use login::{Connection, FEATURES, LoginDue, Me};
pub use notice::ServerError;

use self::login::Login;
use crate::call::{CallPhase, CallView};
use crate::roster::{Roster, RosterChange};

/// Everything the page shows apart from media streams.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub connection: Connection,
    /// Bumped to open a new socket (Retry); the socket effect is keyed on it.
    pub attempt: u32,
    /// The current socket's id from the server's `id` frame.
    pub conn_id: Option<u64>,
    /// The name the person asked for on the login form.
    pub wanted: Option<String>,
    login: Login,
    /// Set once the server confirmed a login; the lobby is shown from then on.
    pub me: Option<Me>,
    /// Why the server refused the login, shown under the name field.
    pub login_error: Option<ServerError>,
    /// Who is online on the current socket (empty while there is none).
    pub roster: Roster,
    /// Shared so that components can take the log as a cheap prop.
    pub chat: Rc<Vec<ChatLine>>,
    next_seq: u64,
    /// The last `error` frame after login, until the person dismisses it.
    pub server_notice: Option<ServerError>,
    pub call: CallView,
    /// The server said it closes this socket because nobody logged in on it in time.
    idle_closed: bool,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            connection: Connection::Connecting,
            attempt: 0,
            conn_id: None,
            wanted: None,
            login: Login::NotSent,
            me: None,
            login_error: None,
            roster: Roster::default(),
            chat: Rc::new(Vec::new()),
            next_seq: 0,
            server_notice: None,
            call: CallView::default(),
            idle_closed: false,
        }
    }
}

/// What happens to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The person submitted the login form with a valid name (the form validates it).
    Login(UserName),
    /// The `username` frame went out on the socket with this id.
    LoginSent {
        id: u64,
    },
    SocketOpened,
    SocketLost,
    /// The person pressed Retry: open a new socket (and log in again on it).
    Reconnect,
    /// A frame from the server.
    Server(FromServer),
    /// The call layer's new view of the call.
    Call(CallView),
    DismissServerNotice,
}

impl AppState {
    /// The reducer: the state after `action`.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Login(name) => {
                self.wanted = Some(name.into_string());
                self.login_error = None;
                self.server_notice = None;
                // The server closes sockets that wait too long for a login: reconnect on submit.
                if self.connection == Connection::Lost {
                    self.start_connecting();
                }
            }
            Action::LoginSent { id } => {
                if self.conn_id == Some(id) && self.login == Login::NotSent {
                    self.login = Login::Sent { given: None };
                }
            }
            Action::SocketOpened => self.connection = Connection::Online,
            Action::SocketLost => {
                if std::mem::take(&mut self.idle_closed) {
                    // The server closes sockets nobody logs in on (after a few seconds on the
                    // login form): not a failure, so open a fresh one at once. This cannot spin:
                    // only a socket that reached the server gets that notice.
                    self.start_connecting();
                } else {
                    self.connection = Connection::Lost;
                    self.forget_socket();
                }
            }
            Action::Reconnect => self.start_connecting(),
            Action::Server(frame) => self.on_frame(frame),
            Action::Call(view) => self.call = view,
            Action::DismissServerNotice => self.server_notice = None,
        }
    }

    fn start_connecting(&mut self) {
        self.attempt = self.attempt.wrapping_add(1);
        self.connection = Connection::Connecting;
        self.forget_socket();
    }

    /// What belonged to the old socket: its id, its login, its view of who is online.
    fn forget_socket(&mut self) {
        self.conn_id = None;
        self.idle_closed = false;
        self.login = Login::NotSent;
        self.roster.clear();
    }

    fn on_frame(&mut self, frame: FromServer) {
        if let Some(change) = RosterChange::from_frame(&frame) {
            self.roster.apply(change);
            self.confirm_login();
            return;
        }
        match frame {
            FromServer::Id { id } => {
                self.conn_id = Some(id);
                self.login = Login::NotSent;
                self.connection = Connection::Online;
            }
            FromServer::RejectUsername { name, .. } => self.renamed(name),
            FromServer::Message {
                name,
                text,
                date,
                target,
                ..
            } => self.push_chat(name, text, date, target.is_some()),
            FromServer::Error {
                code: ErrorCode::LoginTimeout,
                ..
            } if self.me.is_none() && self.login == Login::NotSent => self.idle_closed = true,
            FromServer::Error { code, message } => {
                let error = ServerError { code, message };
                if self.me.is_none() && matches!(self.login, Login::Sent { .. }) {
                    // Refused before we got in: the login form is still shown, say it there.
                    self.login = Login::NotSent;
                    self.wanted = None;
                    self.login_error = Some(error);
                } else {
                    self.server_notice = Some(error);
                }
            }
            // Presence is handled above. Signaling and ICE servers are the call layer's; it gets
            // every frame itself.
            FromServer::UserList { .. }
            | FromServer::UserListDelta { .. }
            | FromServer::VideoOffer { .. }
            | FromServer::VideoAnswer { .. }
            | FromServer::NewIceCandidate { .. }
            | FromServer::HangUp { .. }
            | FromServer::IceServers { .. } => {}
            // Session resume and heartbeat: this page does not announce them yet.
            FromServer::Session { .. }
            | FromServer::Resumed { .. }
            | FromServer::Pong
            | FromServer::UserState { .. } => {}
        }
    }

    /// Whether `user` can be called from the list now: someone else who is online, no call
    /// going on, and the socket is logged in. (The call machine keeps no list of who is online;
    /// this is where an offline name is kept from being called.)
    pub fn can_call(&self, user: &str) -> bool {
        self.can_place_calls()
            && self.roster.contains(user)
            && self.me.as_ref().is_some_and(|me| me.name != user)
    }

    /// Calls can be placed now: logged in on a live socket and no call going on.
    pub fn can_place_calls(&self) -> bool {
        self.logged_in() && self.call.phase == CallPhase::Idle
    }
}

#[cfg(target_arch = "wasm32")]
impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}
