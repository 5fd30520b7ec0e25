//! Test clients of `resume` sessions: a [`Client`] that counts the frames it reads (the count
//! a real client reports as `ack`) and keeps its current token.

use serde_json::json;
use shared::{ErrorCode, FromServer};

use super::{Client, TestServer};

/// A logged-in (or resumed) `resume` client.
pub struct Session {
    pub client: Client,
    pub token: String,
    /// Text frames read since `id`.
    pub seen: u64,
    /// `seen` minus the session's frame count.
    pub base: u64,
}

impl Session {
    /// The session's frame count: what the client reports as `ack`.
    pub fn ack(&self) -> u64 {
        self.seen - self.base
    }

    pub async fn next(&mut self) -> FromServer {
        let text = self.client.next_text().await;
        self.seen += 1;
        FromServer::from_json(&text).unwrap_or_else(|e| panic!("bad frame {text}: {e}"))
    }

    /// The next frame that is not a user list.
    pub async fn next_non_presence(&mut self) -> FromServer {
        loop {
            match self.next().await {
                FromServer::UserList { .. } | FromServer::UserListDelta { .. } => {}
                other => return other,
            }
        }
    }

    pub async fn wait_for(&mut self, want: impl Fn(&FromServer) -> bool) -> FromServer {
        loop {
            let frame = self.next().await;
            if want(&frame) {
                return frame;
            }
        }
    }

    /// Sends `ping` with the frame count and waits for `pong`.
    pub async fn ping(&mut self) {
        let ack = self.ack();
        self.client
            .send_json(json!({"type": "ping", "ack": ack}))
            .await;
        self.wait_for(|f| matches!(f, FromServer::Pong)).await;
    }
}

impl TestServer {
    /// Logs in a client with `resume` (and `features`); returns once it has its token and has
    /// seen itself in a user list.
    pub async fn login_resume(&self, name: &str, features: &[&str]) -> Session {
        let mut features = features.to_vec();
        features.push("resume");
        let mut client = self.connect().await;
        client.send_username(name, &features).await;
        client.name = name.to_owned();
        let mut session = Session {
            client,
            token: String::new(),
            seen: 0,
            base: 0,
        };
        loop {
            match session.next().await {
                FromServer::RejectUsername { name, .. } => session.client.name = name,
                FromServer::IceServers { .. } => {}
                FromServer::Session { token, grace } => {
                    assert!(grace > 0);
                    session.token = token;
                    session.base = session.seen;
                    break;
                }
                other => panic!("unexpected frame before `session`: {other:?}"),
            }
        }
        let me = session.client.name.clone();
        session
            .wait_for(|f| matches!(f, FromServer::UserList { users } if users.contains(&me)))
            .await;
        session
    }

    /// Opens a socket and resumes with `token`, having received `ack` frames. `Ok` with the
    /// session and the `resumed` frame, or `Err` with the (still open) client and the error.
    pub async fn resume(
        &self,
        token: &str,
        ack: u64,
        fresh: bool,
        features: &[&str],
    ) -> Result<(Session, FromServer), (Client, ErrorCode)> {
        let mut features = features.to_vec();
        features.push("resume");
        let mut client = self.connect().await;
        let mut frame = json!({"type": "resume", "token": token, "ack": ack, "features": features});
        if fresh {
            frame["fresh"] = json!(true);
        }
        client.send_json(frame).await;
        match client.next().await {
            FromServer::Resumed {
                name,
                token,
                ack,
                grace,
                partner,
            } => {
                client.name = name.clone();
                let resumed = FromServer::Resumed {
                    name,
                    token: token.clone(),
                    ack,
                    grace,
                    partner,
                };
                // The count stands at `ack` right after `resumed`.
                let session = Session {
                    client,
                    token,
                    seen: ack + 1,
                    base: 1,
                };
                Ok((session, resumed))
            }
            FromServer::Error { code, .. } => Err((client, code)),
            other => panic!("unexpected answer to `resume`: {other:?}"),
        }
    }
}

/// A `user-state` frame.
pub fn user_state(name: &str, state: shared::Presence, fresh: bool) -> FromServer {
    FromServer::UserState {
        name: name.into(),
        state,
        fresh,
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session({})", self.client.name)
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({}, {})", self.id, self.name)
    }
}
