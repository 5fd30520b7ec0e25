//! The page's UI state as one reducer: connection, login, who is online, the lobby chat, server
//! notices and the call as the call layer reports it.
//!
//! The state holds facts, never sentences: a refused login or a server error is kept as its
//! [`ServerError`] (code and the server's words), a refused chat text as a [`ChatError`], the
//! call's notice as the call layer's `CallNotice`. `crate::text` makes the words when the page
//! is drawn; this module does not know it.
//!
//! [`AppState::apply`] is pure (no browser, no I/O, no clock: time and the backoff's random
//! sample come in with the actions) so it is unit-tested on the host. What must be sent because
//! of the state (`username` or `resume` once the socket has its id, chat frames, the queued call
//! frames, `ping`, `leaving`) is computed by pure functions too ([`AppState::login_frame`],
//! [`AppState::chat_frame`], [`AppState::outbox`], [`AppState::ping`],
//! [`AppState::leaving_frame`]); the app sends them from effects, hooks and callbacks.
//!
//! Layout: this file is the reducer (the state, its actions, what a frame does); `login`
//! holds the connection and login, `link` reconnecting, the resumable session and the frames
//! waiting for it, `session` the session's facts and its `sessionStorage` record, `backoff`
//! the reconnect delays, `heartbeat` the ping and dead-link clock, `chat` the chat log and its
//! frames, `notice` the facts about server errors, `room` the page's place (lobby or room,
//! issue 13) and its passcode. Who is online is a [`Roster`] (`crate::roster`), which the page
//! owns.

pub mod backoff;
mod chat;
pub mod heartbeat;
mod link;
#[cfg(test)]
mod link_tests;
mod login;
mod notice;
mod room;
#[cfg(test)]
mod room_tests;
mod session;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::rc::Rc;

use shared::{ErrorCode, FromServer, ToServer, UserName};

pub use chat::{ChatError, ChatLine, MAX_CHAT_LINES};
pub use login::{Connection, FEATURES, LoginDue, Me};
pub use notice::ServerError;
pub use room::{Entry, RoomFormError, passcode_from};
pub use session::{MAX_OUTBOX, Session, StoredSession};

use self::login::Login;
use crate::call::{CallPhase, CallView};
use crate::roster::{Roster, RosterChange};

/// Everything the page shows apart from media streams.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    pub connection: Connection,
    /// Bumped to open a new socket (Retry, or the retry timer); the socket effect is keyed on it.
    pub attempt: u32,
    /// Tries since the page was last logged in (the backoff's exponent).
    retries: u32,
    /// When the first of those tries' sockets was lost (the outage bounds the backoff).
    offline_since_ms: Option<u64>,
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
    /// The session to resume after a lost socket (the server sent `session`), if any.
    pub session: Option<Session>,
    /// Frames from the call layer waiting for the session to be up again (bounded).
    outbox: VecDeque<ToServer>,
    /// Bumped each time the login is really gone (no session to resume, the resume failed, the
    /// queue overflowed): the page then tells the call layer `socket_lost`.
    pub lost_sessions: u32,
    /// The server's last `group-call` list names us (issue 13): a 1:1 offer is answered busy.
    pub in_group_call: bool,
    /// Where the page is (lobby or room) and what its room logins carry (issue 13).
    pub entry: Entry,
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
            retries: 0,
            offline_since_ms: None,
            session: None,
            outbox: VecDeque::new(),
            lost_sessions: 0,
            in_group_call: false,
            entry: Entry::default(),
        }
    }
}

impl AppState {
    /// A reloaded page's state: the session read from `sessionStorage`, to be resumed (with
    /// `fresh`) as soon as the socket has its id. The lobby shows at once under the stored
    /// name, so the login form does not flash.
    pub fn restored(stored: StoredSession) -> Self {
        Self {
            wanted: Some(stored.name.clone()),
            me: Some(Me {
                name: stored.name.clone(),
                asked: stored.name,
            }),
            session: Some(Session {
                token: stored.token,
                ack: stored.ack,
                counting: false,
                fresh: true,
            }),
            ..Self::default()
        }
    }
}

/// What happens to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The person submitted the login form with a valid name (the form validates it).
    Login(UserName),
    /// The login frame due (`username` or `resume`) went out on the socket with this id.
    LoginSent {
        id: u64,
    },
    SocketOpened,
    /// The socket closed, or was given up as dead, at `now_ms`; `jitter` (in `[0, 1]`, from
    /// `Math.random()`) draws the delay of the next try.
    SocketLost {
        now_ms: u64,
        jitter: f64,
    },
    /// Open a new socket now: Retry, Retry now, or the retry timer ran out.
    Reconnect,
    /// A frame from the call layer, to send now or once the session is back.
    Outgoing(ToServer),
    /// The first this many frames of the queue went out.
    Flushed(usize),
    /// A frame from the server.
    Server(FromServer),
    /// A frame from the server this page cannot read (logged, otherwise ignored; still counted
    /// on a numbered session, or a resume would have it sent again).
    UnreadableFrame,
    /// The call layer's new view of the call.
    Call(CallView),
    DismissServerNotice,
    /// The passcode typed into the login form (sent right before its `Login`).
    Passcode(String),
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
                    self.login = if self.session.is_some() {
                        Login::Resuming
                    } else {
                        Login::Sent { given: None }
                    };
                }
            }
            Action::SocketOpened => self.socket_works(),
            Action::SocketLost { now_ms, jitter } => self.socket_lost(now_ms, jitter),
            Action::Reconnect => self.start_connecting(),
            Action::Outgoing(frame) => self.queue(frame),
            Action::Flushed(sent) => self.flushed(sent),
            Action::Server(frame) => self.on_frame(frame),
            Action::UnreadableFrame => self.count_frame(None),
            Action::Call(view) => self.call = view,
            Action::DismissServerNotice => self.server_notice = None,
            Action::Passcode(raw) => self.set_passcode(&raw),
        }
    }

    /// The socket is open: online, unless the page is reconnecting, which ends once it is
    /// logged in again.
    fn socket_works(&mut self) {
        if !matches!(self.connection, Connection::Reconnecting { .. }) {
            self.connection = Connection::Online;
        }
    }

    fn on_frame(&mut self, frame: FromServer) {
        self.count_frame(Some(&frame));
        if let Some(change) = RosterChange::from_frame(&frame) {
            self.roster.apply(change);
            self.confirm_login();
            return;
        }
        match frame {
            FromServer::Id { id } => {
                self.conn_id = Some(id);
                self.login = Login::NotSent;
                self.socket_works();
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
            FromServer::Error {
                code: ErrorCode::ResumeFailed,
                ..
            } if self.login == Login::Resuming => self.on_resume_failed(),
            // Signaling that crossed the end of a call (a candidate still on its way, both sides
            // hanging up at once): the server drops it and says so, and there is nothing to tell
            // the person — the call is already over on both sides.
            FromServer::Error {
                code: ErrorCode::NotInCall,
                ..
            } => {}
            FromServer::Error { code, message } => {
                if matches!(self.connection, Connection::Reconnecting { .. }) {
                    // The socket works; what it refused is said in the page.
                    self.connection = Connection::Online;
                }
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
            | FromServer::MediaState { .. }
            | FromServer::GroupSignal { .. }
            | FromServer::IceServers { .. }
            | FromServer::Pong => {}
            FromServer::GroupCall { members } => {
                self.in_group_call = self
                    .me
                    .as_ref()
                    .is_some_and(|me| members.contains(&me.name))
            }
            FromServer::Session { token, .. } => self.on_session(token),
            FromServer::Resumed {
                name, token, ack, ..
            } => self.on_resumed(name, token, ack),
            FromServer::UserState { name, state, .. } => self.roster.set_presence(&name, state),
        }
    }

    /// Whether `user` can be called from the list now: someone else who is online, no call
    /// going on, and the socket is logged in. (The call machine keeps no list of who is online;
    /// this is where an offline name is kept from being called.)
    pub fn can_call(&self, user: &str) -> bool {
        self.can_place_calls()
            && self.roster.contains(user)
            && !self.roster.is_reconnecting(user)
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
