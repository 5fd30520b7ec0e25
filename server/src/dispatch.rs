//! Dispatch: one decoded client frame applied to the registry, synchronously, with what to send
//! back to that client alone. No socket and no waiting: the session writes the replies, and
//! frames for others go through the registry into their outboxes.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use shared::{ErrorCode, FromServer, UserName};

use crate::chat::{chat_frames, check_text};
use crate::inbound::{Inbound, Refusal};
use crate::members::{ConnId, Features};
use crate::outbox::Outbox;
use crate::registry::Registry;
use crate::relay::Relay;
use crate::resumable::Handle;

/// What dispatch knows of one connection.
#[derive(Debug)]
pub struct ConnState {
    /// Who this is in the registry: the connection's own id, or after a resume the id of the
    /// session it took over.
    pub id: ConnId,
    /// This connection's id (the `id` frame), which `id` members of frames may also carry.
    pub socket: ConnId,
    /// The name given at login; `None` until then.
    pub name: Option<UserName>,
    /// Frames for this client from other sessions; given at the first login.
    pub outbox: Option<Arc<Outbox>>,
    /// The features announced at login or resume.
    pub features: Features,
    /// A `resume` session just issued at login: its token (for the `session` frame) and handle.
    pub issued: Option<(String, Handle)>,
    /// The `resume` session this socket is attached to, once its frames are numbered.
    pub resume: Option<Handle>,
    /// The page said `leaving`: a lost socket keeps the session only for the leave window.
    pub leaving: bool,
}

impl ConnState {
    pub fn new(id: ConnId) -> Self {
        Self {
            id,
            socket: id,
            name: None,
            outbox: None,
            features: Features::default(),
            issued: None,
            resume: None,
            leaving: false,
        }
    }
}

/// Frames that answer a frame to its sender only.
#[derive(Debug, Default, PartialEq)]
pub struct Replies {
    /// `rejectusername`: the name given differs from the one asked for.
    pub renamed: Option<FromServer>,
    /// Send `ice-servers` (made by the session: it holds the TURN settings and the clock).
    pub ice_servers: bool,
}

impl Replies {
    /// Nothing to send back.
    pub fn is_empty(&self) -> bool {
        self.renamed.is_none() && !self.ice_servers
    }
}

/// Applies `frame` from the connection `conn`.
pub fn dispatch(
    conn: &mut ConnState,
    registry: &Registry,
    frame: Inbound<'_>,
) -> Result<Replies, Refusal> {
    if let Inbound::Login {
        id, name, features, ..
    } = frame
    {
        check_id(conn, id)?;
        return login(conn, registry, &name, Features::from_list(&features));
    }
    let Some(me) = conn.name.as_ref() else {
        return Err(Refusal::new(
            ErrorCode::NotLoggedIn,
            "log in with `username` first",
        ));
    };
    match frame {
        // Handled by the session (`crate::control`): they concern this socket alone.
        Inbound::Login { .. }
        | Inbound::Resume { .. }
        | Inbound::Leaving
        | Inbound::Ping { .. } => Ok(Replies::default()),
        Inbound::Chat {
            id,
            text,
            date,
            target,
        } => {
            check_id(conn, id)?;
            check_text(&text)?;
            let frames = chat_frames(conn.id, me, text, date, target.clone());
            registry
                .chat(conn.id, target.as_deref(), &frames)
                .map_err(refuse_target)?;
            Ok(Replies::default())
        }
        Inbound::Relay(relay) => {
            forward(conn.id, me, registry, &relay)?;
            crate::metrics::relayed(relay.kind.type_name());
            Ok(Replies::default())
        }
        Inbound::MediaState(state) => {
            registry
                .media_state(conn.id, &state)
                .map_err(|code| match code {
                    ErrorCode::NotInCall => Refusal::new(code, NOT_IN_A_CALL_WITH),
                    code => refuse_target(code),
                })?;
            Ok(Replies::default())
        }
        Inbound::GetIceServers => Ok(Replies {
            renamed: None,
            ice_servers: true,
        }),
    }
}

/// The hot path: a relay serialised once, straight from the received text.
fn forward(
    from: ConnId,
    me: &UserName,
    registry: &Registry,
    relay: &Relay<'_>,
) -> Result<(), Refusal> {
    match &relay.target {
        Some(target) => {
            let frame: Utf8Bytes = relay.to_json(me.as_str(), target).into();
            registry
                .relay(from, target, frame, relay.call_event())
                .map_err(refuse_target)
        }
        // MDN's hang-up: to the call partner, whose name the registry knows.
        None => registry
            .hang_up_partner(from, relay.reason)
            .map_err(|code| Refusal::new(code, "`hang-up` without a target, and no call to end")),
    }
}

fn login(
    conn: &mut ConnState,
    registry: &Registry,
    raw: &str,
    features: Features,
) -> Result<Replies, Refusal> {
    let requested =
        UserName::parse(raw).map_err(|e| Refusal::new(ErrorCode::BadName, e.to_string()))?;
    let joined = registry.login(conn.id, &requested, features);
    if let Some(outbox) = joined.outbox {
        conn.outbox = Some(outbox);
    }
    conn.features = features;
    if joined.session.is_some() {
        conn.issued = joined.session;
    }
    let renamed = (joined.name.as_str() != raw).then(|| FromServer::RejectUsername {
        id: conn.id,
        name: joined.name.to_string(),
    });
    let first_login = conn.name.is_none();
    conn.name = Some(joined.name);
    Ok(Replies {
        renamed,
        ice_servers: features.ice_servers && first_login,
    })
}

/// A frame may carry the connection's `id` (after a resume, the session's is also accepted),
/// and then it must be the right one.
fn check_id(conn: &ConnState, id: Option<u64>) -> Result<(), Refusal> {
    match id {
        Some(id) if id != conn.socket && id != conn.id => Err(Refusal::new(
            ErrorCode::BadId,
            format!("this connection's id is {}", conn.socket),
        )),
        _ => Ok(()),
    }
}

/// Why a `media-state` frame was refused with `not-in-call`.
const NOT_IN_A_CALL_WITH: &str =
    "`media-state` goes only to the partner of a call in progress; nobody got this";

fn refuse_target(code: ErrorCode) -> Refusal {
    let message = match code {
        ErrorCode::UnknownTarget => "the target is not online",
        ErrorCode::SelfTarget => "the target is yourself",
        ErrorCode::NotInCall => {
            "you are neither in a call nor at the ends of an open offer with the target \
             (an answer needs an offer from it); nobody got this"
        }
        ErrorCode::RecentlyDeclined => {
            "the target declined your call moments ago; try again later (nobody got this)"
        }
        ErrorCode::ServerBusy => "the server's chat budget is spent; nobody got this, try again",
        _ => "refused",
    };
    Refusal::new(code, message)
}

#[cfg(test)]
mod tests;
