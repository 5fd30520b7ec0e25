//! Getting a room socket into its room (issue 13): a `username` (which creates the room when
//! it does not exist, with the login's passcode and capacity) or a `resume` of a session of
//! that room. The passcode is checked (or hashed, for a new room) before the join, outside
//! every lock; [`Rooms::join`](crate::rooms::Rooms::join) then makes sure the room is still the
//! one checked, and runs the login under the rooms' lock. Once in, the socket's frames go to
//! its room's registry only (see [`crate::rooms::Seat`]).

use axum::extract::ws::Message;
use futures_util::{Sink, Stream};
use shared::limits::ROOM_CAPACITY;
use shared::{ErrorCode, UserName};

use super::{CLOSE_POLICY, End, Session, Step};
use crate::control::{Control, control};
use crate::dispatch::dispatch;
use crate::inbound::{Inbound, Refusal};
use crate::rooms::passcode::{self, Passcode, TRIES_PER_CONNECTION};
use crate::rooms::{JoinError, Room, RoomSettings, Seat};

/// How many times a login looks at the room again when it changed meanwhile (created or
/// forgotten by someone else between the check and the join).
const JOIN_ATTEMPTS: usize = 4;

impl<S> Session<'_, S>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    /// A `username` or `resume` from a room socket that is not in its room yet.
    pub(super) async fn enter_room(&mut self, frame: Inbound<'_>) -> Step {
        let Some(name) = self.conn.seat.room_name().cloned() else {
            return Ok(());
        };
        if let Inbound::Resume { .. } = frame {
            let resumed = match self.state.rooms.get(&name) {
                // Only a session of this room can be found in its registry.
                Some(room) => control(&mut self.conn, &room.registry, &frame).map(|c| (c, room)),
                None => None,
            };
            return match resumed {
                Some((Control::Resumed(resumed), room)) => {
                    self.conn.seat = joined(name, room);
                    self.on_control(Control::Resumed(resumed)).await
                }
                Some((other, _)) => self.on_control(other).await,
                None => {
                    let refusal = Refusal::new(
                        ErrorCode::ResumeFailed,
                        "no session to resume with this token; log in with `username`",
                    );
                    self.on_control(Control::Refused(refusal)).await
                }
            };
        }
        let Inbound::Login {
            name: user,
            passcode,
            capacity,
            ..
        } = &frame
        else {
            return Ok(());
        };
        // What costs nothing is checked first, so that no bad login costs a hash.
        if let Err(e) = UserName::parse(user) {
            return self
                .write_error(Refusal::new(ErrorCode::BadName, e.to_string()))
                .await;
        }
        let passcode = match Passcode::parse(passcode.clone()) {
            Ok(passcode) => passcode,
            Err(refusal) => return self.write_error(refusal).await,
        };
        let capacity = *capacity;
        let rooms = self.state.rooms.clone();
        for _ in 0..JOIN_ATTEMPTS {
            let seen = rooms.get(&name);
            let settings = match &seen {
                Some(room) => {
                    if let Err(refusal) = self.check_passcode(room, passcode.as_ref()).await {
                        return self.refuse_passcode(refusal).await;
                    }
                    RoomSettings::default()
                }
                None => match new_settings(passcode.clone(), capacity).await {
                    Ok(settings) => settings,
                    Err(refusal) => return self.write_error(refusal).await,
                },
            };
            let conn = &mut *self.conn;
            let login = |registry: &_| dispatch(conn, registry, frame.clone());
            match rooms.join(&name, seen.as_ref(), || settings, login) {
                Ok((room, replies)) => {
                    self.conn.seat = joined(name, room);
                    if !replies.is_empty() {
                        self.write_replies(replies).await?;
                    }
                    return self.write_session().await;
                }
                Err(JoinError::Refused(refusal)) => return self.write_error(refusal).await,
                Err(JoinError::Changed) => {}
            }
        }
        let busy = Refusal::new(ErrorCode::ServerBusy, "the room kept changing; try again");
        self.write_error(busy).await
    }

    /// Whether `passcode` opens `room`; a wrong one counts against this connection and the
    /// room's budget (reserved before the check, so concurrent checks cannot overspend it).
    async fn check_passcode(
        &mut self,
        room: &Room,
        passcode: Option<&Passcode>,
    ) -> Result<(), Refusal> {
        let Some(hash) = &room.settings.passcode else {
            return Ok(());
        };
        let Some(passcode) = passcode else {
            return Err(Refusal::new(
                ErrorCode::PasscodeRequired,
                "this room has a passcode",
            ));
        };
        if let Seat::Room {
            wrong_passcodes, ..
        } = &mut self.conn.seat
        {
            *wrong_passcodes += 1;
        }
        if !room.failures.reserve() {
            return Err(Refusal::new(
                ErrorCode::BadPasscode,
                "too many wrong passcodes for this room lately; try again in a minute",
            ));
        }
        if passcode::verify(hash, passcode.clone()).await {
            room.failures.refund();
            if let Seat::Room {
                wrong_passcodes, ..
            } = &mut self.conn.seat
            {
                *wrong_passcodes -= 1;
            }
            return Ok(());
        }
        Err(Refusal::new(ErrorCode::BadPasscode, "wrong passcode"))
    }

    /// Answers a passcode refusal; the connection's last allowed wrong passcode closes it.
    async fn refuse_passcode(&mut self, refusal: Refusal) -> Step {
        let spent = matches!(
            self.conn.seat,
            Seat::Room { wrong_passcodes, .. } if wrong_passcodes >= TRIES_PER_CONNECTION
        );
        self.write_error(refusal).await?;
        if spent {
            self.close(CLOSE_POLICY, "too many wrong passcodes").await;
            return Err(End::WrongPasscodes);
        }
        Ok(())
    }
}

fn joined(name: shared::RoomName, room: std::sync::Arc<Room>) -> Seat {
    Seat::Room {
        name,
        joined: Some(room),
        wrong_passcodes: 0,
    }
}

/// The settings a login would give the room it creates: its capacity checked, its passcode
/// hashed (the slow part, off the async threads).
async fn new_settings(
    passcode: Option<Passcode>,
    capacity: Option<u32>,
) -> Result<RoomSettings, Refusal> {
    if let Some(capacity) = capacity
        && !ROOM_CAPACITY.contains(&capacity)
    {
        return Err(Refusal::new(
            ErrorCode::BadMessage,
            format!(
                "bad `username`: a room's capacity is {} to {}",
                ROOM_CAPACITY.start(),
                ROOM_CAPACITY.end()
            ),
        ));
    }
    let passcode = match passcode {
        Some(passcode) => Some(passcode::hash(passcode).await.ok_or_else(|| {
            Refusal::new(ErrorCode::ServerBusy, "cannot hash the passcode; try again")
        })?),
        None => None,
    };
    Ok(RoomSettings { passcode, capacity })
}
