//! The page's UI state as one reducer: connection, login, who is online, the lobby chat, server
//! notices and the call as the call layer reports it.
//!
//! [`AppState::apply`] is pure (no browser, no I/O) so it is unit-tested on the host. What must be
//! sent because of the state (the `username` frame once the socket has its id, chat frames) is
//! computed by pure functions too ([`AppState::login_frame`], [`AppState::chat_frame`]); the app
//! sends them from effects and callbacks.

use std::rc::Rc;

use shared::limits::MAX_CHAT_CHARS;
use shared::{ErrorCode, Feature, FromServer, ToServer, UserName};

use crate::call::{CallPhase, CallView};
use crate::text::server_error_sentence;

/// How many chat lines the page keeps; older ones are dropped so a long session stays light.
pub const MAX_CHAT_LINES: usize = 500;

/// The features this client understands, announced in `username`.
pub const FEATURES: [Feature; 3] = [
    Feature::UserlistDelta,
    Feature::PlainText,
    Feature::IceServers,
];

/// The WebSocket's state as the person sees it (`data-state` of the connection indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Online,
    Lost,
}

impl Connection {
    /// The `data-state` value of the UI contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Online => "online",
            Connection::Lost => "lost",
        }
    }
}

/// One line of the lobby chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// Local sequence number, unique for the page's life (the list key).
    pub seq: u64,
    /// Milliseconds since the Unix epoch, as the message carried it.
    pub date: u64,
    pub name: String,
    pub text: String,
    /// Sent to us alone (the `target` extension).
    pub private: bool,
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
enum Login {
    /// Nothing sent on this socket yet.
    NotSent,
    /// `username` sent; `given` is the name from `rejectusername`, if one came.
    Sent { given: Option<String> },
    /// The first user list after `username` arrived: we are in.
    Done,
}

/// A `username` frame to send on the socket with this id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginDue {
    pub id: u64,
    pub name: String,
}

impl LoginDue {
    /// The frame, dated `now_ms`, announcing the features this client understands.
    pub fn frame(&self, now_ms: u64) -> ToServer {
        ToServer::Username {
            id: Some(self.id),
            name: self.name.clone(),
            date: Some(now_ms),
            features: FEATURES.to_vec(),
        }
    }
}

/// Why a chat text cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatError {
    Empty,
    TooLong,
    Offline,
}

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
    /// A problem with the login, shown under the name field.
    pub login_error: Option<String>,
    /// Who is online, in the server's order.
    pub users: Vec<String>,
    /// Shared so that components can take the log as a cheap prop.
    pub chat: Rc<Vec<ChatLine>>,
    next_seq: u64,
    /// A polite sentence about the last `error` frame.
    pub server_notice: Option<String>,
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
            users: Vec::new(),
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
        self.users.clear();
    }

    fn on_frame(&mut self, frame: FromServer) {
        match frame {
            FromServer::Id { id } => {
                self.conn_id = Some(id);
                self.login = Login::NotSent;
                self.connection = Connection::Online;
            }
            FromServer::RejectUsername { name, .. } => match &mut self.login {
                Login::Sent { given } => *given = Some(name),
                Login::Done => {
                    if let Some(me) = &mut self.me {
                        me.name = name;
                    }
                }
                Login::NotSent => {}
            },
            FromServer::UserList { users } => {
                self.users.clear();
                for user in users {
                    self.add_user(user);
                }
                self.confirm_login();
            }
            FromServer::UserListDelta { joined, left } => {
                self.users.retain(|user| !left.contains(user));
                for user in joined {
                    self.add_user(user);
                }
                self.confirm_login();
            }
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
                let sentence = server_error_sentence(code, &message);
                if self.me.is_none() && matches!(self.login, Login::Sent { .. }) {
                    // Refused before we got in: the login form is still shown, say it there.
                    self.login = Login::NotSent;
                    self.wanted = None;
                    self.login_error = Some(sentence);
                } else {
                    self.server_notice = Some(sentence);
                }
            }
            // Signaling and ICE servers are the call layer's; it gets every frame itself.
            FromServer::VideoOffer { .. }
            | FromServer::VideoAnswer { .. }
            | FromServer::NewIceCandidate { .. }
            | FromServer::HangUp { .. }
            | FromServer::IceServers { .. } => {}
        }
    }

    fn add_user(&mut self, user: String) {
        if !self.users.contains(&user) {
            self.users.push(user);
        }
    }

    /// The server sends user lists only to logged-in clients, after a possible
    /// `rejectusername`: the first list after our `username` confirms the login.
    fn confirm_login(&mut self) {
        let Login::Sent { given } = &self.login else {
            return;
        };
        let Some(name) = given.clone().or_else(|| self.login_name()) else {
            return;
        };
        let asked = match (&self.me, &self.wanted) {
            (Some(me), _) => me.asked.clone(),
            (None, Some(wanted)) => wanted.clone(),
            (None, None) => name.clone(),
        };
        self.me = Some(Me { name, asked });
        self.login = Login::Done;
    }

    fn push_chat(&mut self, name: String, text: String, date: u64, private: bool) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let lines = Rc::make_mut(&mut self.chat);
        lines.push(ChatLine {
            seq,
            date,
            name,
            text,
            private,
        });
        if lines.len() > MAX_CHAT_LINES {
            let extra = lines.len() - MAX_CHAT_LINES;
            lines.drain(..extra);
        }
    }

    /// The name to log in with: after a reconnect the one we had, else the one asked for.
    fn login_name(&self) -> Option<String> {
        self.me
            .as_ref()
            .map(|me| me.name.clone())
            .or_else(|| self.wanted.clone())
    }

    /// The login that is due now, if any: the socket has its id, a name is wanted and nothing
    /// was sent on this socket yet.
    pub fn login_due(&self) -> Option<LoginDue> {
        if self.login != Login::NotSent {
            return None;
        }
        Some(LoginDue {
            id: self.conn_id?,
            name: self.login_name()?,
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

    /// The chat frame for `text`, or why it cannot be sent.
    pub fn chat_frame(&self, text: &str, now_ms: u64) -> Result<ToServer, ChatError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ChatError::Empty);
        }
        if text.chars().count() > MAX_CHAT_CHARS {
            return Err(ChatError::TooLong);
        }
        if !self.logged_in() {
            return Err(ChatError::Offline);
        }
        Ok(ToServer::Message {
            id: self.conn_id,
            text: text.to_owned(),
            date: Some(now_ms),
            target: None,
        })
    }

    /// Whether `user` can be called from the list now: not ourselves, no call going on,
    /// and the socket is logged in.
    pub fn can_call(&self, user: &str) -> bool {
        self.can_place_calls() && self.me.as_ref().is_some_and(|me| me.name != user)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn name(raw: &str) -> UserName {
        UserName::parse(raw).unwrap()
    }

    fn run(state: &mut AppState, actions: impl IntoIterator<Item = Action>) {
        for action in actions {
            state.apply(action);
        }
    }

    fn list(users: &[&str]) -> Action {
        Action::Server(FromServer::UserList {
            users: users.iter().map(|u| u.to_string()).collect(),
        })
    }

    /// Alice's name went out on socket 1; then `replies` (the server's answer and what follows).
    fn alice_sent_her_name(replies: impl IntoIterator<Item = Action>) -> AppState {
        let mut s = AppState::default();
        run(
            &mut s,
            [
                Action::Server(FromServer::Id { id: 1 }),
                Action::Login(name("alice")),
                Action::LoginSent { id: 1 },
            ],
        );
        run(&mut s, replies);
        s
    }

    /// A state logged in as `alice` on socket 7, with bob online.
    fn logged_in() -> AppState {
        let mut s = AppState::default();
        run(
            &mut s,
            [
                Action::SocketOpened,
                Action::Server(FromServer::Id { id: 7 }),
                Action::Login(name("alice")),
                Action::LoginSent { id: 7 },
                list(&["bob", "alice"]),
            ],
        );
        s
    }

    #[test]
    fn starts_connecting_without_login() {
        let s = AppState::default();
        assert_eq!(s.connection, Connection::Connecting);
        assert_eq!(s.connection.as_str(), "connecting");
        assert!(s.me.is_none());
        assert_eq!(s.login_frame(1), None);
    }

    #[test]
    fn username_is_sent_once_the_id_and_the_name_are_both_known() {
        // Name first, id later.
        let mut s = AppState::default();
        s.apply(Action::Login(name("  alice ")));
        assert!(s.joining());
        assert_eq!(s.login_frame(5), None, "no id yet");
        s.apply(Action::SocketOpened);
        assert_eq!(s.connection, Connection::Online);
        s.apply(Action::Server(FromServer::Id { id: 9 }));
        let frame = s.login_frame(5).unwrap();
        assert_eq!(
            frame,
            ToServer::Username {
                id: Some(9),
                name: "alice".into(),
                date: Some(5),
                features: vec![
                    Feature::UserlistDelta,
                    Feature::PlainText,
                    Feature::IceServers
                ],
            }
        );
        s.apply(Action::LoginSent { id: 9 });
        assert_eq!(s.login_frame(6), None, "sent only once per socket");

        // Id first, name later.
        let mut s = AppState::default();
        s.apply(Action::Server(FromServer::Id { id: 3 }));
        assert_eq!(s.login_frame(1), None, "no name yet");
        s.apply(Action::Login(name("bob")));
        assert!(matches!(
            s.login_frame(1),
            Some(ToServer::Username { id: Some(3), .. })
        ));
    }

    #[test]
    fn the_first_user_list_confirms_the_login() {
        let s = logged_in();
        let me = s.me.clone().unwrap();
        assert_eq!(me.name, "alice");
        assert!(!me.name_changed());
        assert!(s.logged_in());
        assert!(!s.joining());
        assert_eq!(s.users, vec!["bob", "alice"]);
    }

    #[test]
    fn rejectusername_gives_the_name_actually_used() {
        let mut s = alice_sent_her_name([Action::Server(FromServer::RejectUsername {
            id: 1,
            name: "alice2".into(),
        })]);
        assert!(s.me.is_none(), "not in before the user list");
        s.apply(list(&["alice", "alice2"]));
        let me = s.me.clone().unwrap();
        assert_eq!(me.name, "alice2");
        assert_eq!(me.asked, "alice");
        assert!(me.name_changed());
    }

    #[test]
    fn a_refused_login_goes_back_to_the_form_with_the_reason() {
        let s = alice_sent_her_name([Action::Server(FromServer::Error {
            code: ErrorCode::BadName,
            message: "the name is empty".into(),
        })]);
        assert!(s.me.is_none());
        assert!(!s.joining());
        assert!(s.login_error.is_some());
        assert_eq!(s.server_notice, None);
    }

    #[test]
    fn a_new_try_after_a_refused_login_clears_the_error() {
        let mut s = alice_sent_her_name([Action::Server(FromServer::Error {
            code: ErrorCode::BadName,
            message: "no".into(),
        })]);
        assert!(s.login_error.is_some());
        assert_eq!(s.login_frame(1), None, "nothing wanted any more");
        s.apply(Action::Login(name("bob")));
        assert_eq!(s.login_error, None);
        let Some(ToServer::Username { name, .. }) = s.login_frame(1) else {
            panic!("the session goes on after an error: the new name is sent on it");
        };
        assert_eq!(name, "bob");
    }

    #[test]
    fn userlist_delta_adds_and_removes_without_duplicates() {
        let mut s = logged_in();
        s.apply(Action::Server(FromServer::UserListDelta {
            joined: vec!["carol".into(), "bob".into()],
            left: vec![],
        }));
        assert_eq!(s.users, vec!["bob", "alice", "carol"]);
        s.apply(Action::Server(FromServer::UserListDelta {
            joined: vec![],
            left: vec!["bob".into()],
        }));
        assert_eq!(s.users, vec!["alice", "carol"]);
    }

    #[test]
    fn a_lost_socket_keeps_the_lobby_and_retry_logs_in_again_with_the_given_name() {
        let mut s = alice_sent_her_name([
            Action::Server(FromServer::RejectUsername {
                id: 1,
                name: "alice2".into(),
            }),
            list(&["alice", "alice2"]),
            Action::SocketLost,
        ]);
        assert_eq!(s.connection, Connection::Lost);
        assert!(s.me.is_some(), "the lobby stays visible");
        assert!(s.users.is_empty(), "the old list is stale");
        assert!(!s.logged_in());
        let attempt = s.attempt;
        s.apply(Action::Reconnect);
        assert_eq!(s.attempt, attempt + 1);
        assert_eq!(s.connection, Connection::Connecting);
        assert_eq!(s.login_frame(1), None, "no id on the new socket yet");
        s.apply(Action::SocketOpened);
        s.apply(Action::Server(FromServer::Id { id: 2 }));
        let Some(ToServer::Username { id, name, .. }) = s.login_frame(1) else {
            panic!("a login is due on the new socket");
        };
        assert_eq!((id, name.as_str()), (Some(2), "alice2"));
        s.apply(Action::LoginSent { id: 2 });
        s.apply(list(&["alice2"]));
        assert!(s.logged_in());
        let me = s.me.unwrap();
        assert_eq!((me.name.as_str(), me.asked.as_str()), ("alice2", "alice"));
    }

    #[test]
    fn submitting_the_login_after_the_socket_was_lost_reconnects() {
        let mut s = AppState::default();
        s.apply(Action::SocketLost);
        let attempt = s.attempt;
        s.apply(Action::Login(name("alice")));
        assert_eq!(s.attempt, attempt + 1);
        assert_eq!(s.connection, Connection::Connecting);
    }

    #[test]
    fn an_idle_login_page_reconnects_quietly_when_the_server_closes_it() {
        let mut s = AppState::default();
        run(
            &mut s,
            [
                Action::SocketOpened,
                Action::Server(FromServer::Id { id: 1 }),
                Action::Server(FromServer::Error {
                    code: ErrorCode::LoginTimeout,
                    message: "no login in time".into(),
                }),
            ],
        );
        assert_eq!(s.server_notice, None, "nothing to alarm the person");
        let attempt = s.attempt;
        s.apply(Action::SocketLost);
        assert_eq!(s.attempt, attempt + 1, "a new socket at once");
        assert_eq!(s.connection, Connection::Connecting);
        assert_eq!(s.conn_id, None);
        // A plain failure of the new socket is shown as lost (no reconnect loop).
        s.apply(Action::SocketLost);
        assert_eq!(s.attempt, attempt + 1);
        assert_eq!(s.connection, Connection::Lost);
    }

    #[test]
    fn a_login_sent_on_an_old_socket_is_ignored() {
        let mut s = AppState::default();
        s.apply(Action::Server(FromServer::Id { id: 1 }));
        s.apply(Action::Login(name("alice")));
        s.apply(Action::SocketLost);
        s.apply(Action::LoginSent { id: 1 });
        s.apply(Action::Reconnect);
        s.apply(Action::Server(FromServer::Id { id: 2 }));
        assert!(s.login_frame(1).is_some());
    }

    #[test]
    fn chat_lines_keep_sender_text_and_privacy_and_are_bounded() {
        let mut s = logged_in();
        s.apply(Action::Server(FromServer::Message {
            id: 1,
            name: "<img src=x onerror=alert(1)>".into(),
            text: "<b>hi</b>".into(),
            date: 1_700_000_000_000,
            target: None,
        }));
        s.apply(Action::Server(FromServer::Message {
            id: 1,
            name: "bob".into(),
            text: "psst".into(),
            date: 1,
            target: Some("alice".into()),
        }));
        assert_eq!(s.chat.len(), 2);
        assert_eq!(s.chat[0].name, "<img src=x onerror=alert(1)>");
        assert_eq!(s.chat[0].text, "<b>hi</b>");
        assert!(!s.chat[0].private);
        assert!(s.chat[1].private);
        assert_ne!(s.chat[0].seq, s.chat[1].seq);

        for i in 0..MAX_CHAT_LINES + 10 {
            s.apply(Action::Server(FromServer::Message {
                id: 1,
                name: "bob".into(),
                text: i.to_string(),
                date: 1,
                target: None,
            }));
        }
        assert_eq!(s.chat.len(), MAX_CHAT_LINES);
        assert_eq!(
            s.chat.last().unwrap().text,
            (MAX_CHAT_LINES + 9).to_string()
        );
    }

    #[test]
    fn chat_frames_are_validated() {
        let s = logged_in();
        assert_eq!(s.chat_frame("   ", 1), Err(ChatError::Empty));
        assert_eq!(
            s.chat_frame(&"x".repeat(MAX_CHAT_CHARS + 1), 1),
            Err(ChatError::TooLong)
        );
        assert!(s.chat_frame(&"é".repeat(MAX_CHAT_CHARS), 1).is_ok());
        assert_eq!(
            s.chat_frame(" hello ", 42),
            Ok(ToServer::Message {
                id: Some(7),
                text: "hello".into(),
                date: Some(42),
                target: None,
            })
        );
        let mut lost = s.clone();
        lost.apply(Action::SocketLost);
        assert_eq!(lost.chat_frame("hello", 1), Err(ChatError::Offline));
    }

    #[test]
    fn server_errors_after_login_become_a_dismissable_notice() {
        let mut s = logged_in();
        s.apply(Action::Server(FromServer::Error {
            code: ErrorCode::RateLimited,
            message: "slow down".into(),
        }));
        assert!(s.server_notice.is_some());
        assert!(s.me.is_some(), "still logged in");
        s.apply(Action::DismissServerNotice);
        assert_eq!(s.server_notice, None);
    }

    #[test]
    fn calls_are_offered_only_to_others_while_idle_and_online() {
        let mut s = logged_in();
        assert!(s.can_call("bob"));
        assert!(!s.can_call("alice"), "not oneself");
        s.apply(Action::Call(CallView {
            phase: CallPhase::Calling { peer: "bob".into() },
            ..CallView::default()
        }));
        assert!(!s.can_call("bob"), "not while in a call");
        s.apply(Action::Call(CallView::default()));
        assert!(s.can_call("bob"));
        s.apply(Action::SocketLost);
        assert!(!s.can_call("bob"), "not while offline");
    }

    #[test]
    fn a_rename_after_login_updates_the_name() {
        let mut s = logged_in();
        s.apply(Action::Server(FromServer::RejectUsername {
            id: 7,
            name: "alice3".into(),
        }));
        assert_eq!(s.me.unwrap().name, "alice3");
    }

    #[test]
    fn signaling_frames_leave_the_ui_state_alone() {
        let mut s = logged_in();
        let before = s.clone();
        s.apply(Action::Server(FromServer::HangUp {
            name: "bob".into(),
            target: "alice".into(),
            reason: None,
        }));
        s.apply(Action::Server(FromServer::IceServers {
            ice_servers: vec![],
            expires: None,
        }));
        assert_eq!(s, before);
    }
}
