//! Frames about the connection itself rather than about others: `resume` (take a session back
//! on this socket), `ping` (heartbeat, with the frame count of a `resume` session) and
//! `leaving`. Applied synchronously, like [`crate::dispatch`]; the session writes the answer.

use shared::ErrorCode;

use crate::dispatch::ConnState;
use crate::inbound::{Inbound, Refusal};
use crate::members::Features;
use crate::registry::{Registry, Resumed};
use crate::replay;

/// Rate-limit tokens a refused `resume` costs in all (the frame's own included): guessing
/// tokens is slow, and a flood of them soon hits the rate limit.
pub const FAILED_RESUME_COST: u32 = 10;

/// What the session must do for a connection frame.
#[derive(Debug)]
pub enum Control {
    /// Nothing to send.
    Quiet,
    Pong,
    /// The session is back on this socket: send `resumed` and the frames it missed.
    Resumed(Box<Resumed>),
    /// The resume was refused (`resume-failed`); it costs [`FAILED_RESUME_COST`].
    Refused(Refusal),
}

/// Applies `frame` if it concerns the connection itself; `None` for every other frame.
pub fn control(conn: &mut ConnState, registry: &Registry, frame: &Inbound<'_>) -> Option<Control> {
    Some(match frame {
        Inbound::Ping { ack } => {
            if let (Some(ack), Some(handle)) = (ack, &conn.resume) {
                replay::lock(&handle.replay).ack(*ack);
            }
            Control::Pong
        }
        Inbound::Leaving => {
            conn.leaving = conn.resume.is_some();
            Control::Quiet
        }
        Inbound::Resume {
            token,
            ack,
            fresh,
            features,
        } => {
            if conn.name.is_some() {
                return Some(refused("already logged in on this socket"));
            }
            let features = Features::from_list(features);
            match registry.resume(conn.socket, token, *ack, *fresh, features) {
                Some(resumed) => {
                    conn.id = resumed.handle.member;
                    conn.name = Some(resumed.name.clone());
                    conn.outbox = Some(resumed.outbox.clone());
                    conn.features = resumed.features;
                    Control::Resumed(Box::new(resumed))
                }
                None => refused("no session to resume with this token; log in with `username`"),
            }
        }
        _ => return None,
    })
}

fn refused(message: &str) -> Control {
    Control::Refused(Refusal::new(ErrorCode::ResumeFailed, message))
}
