//! Who is online: the one list of users the page keeps, and what a server frame says about it.
//!
//! The server announces presence with `userlist` (the whole list) and, for clients that asked
//! for it, `userlist-delta` (who joined, who left). [`RosterChange::from_frame`] reads either
//! frame into one meaning, and [`Roster::apply`] is the only place that meaning changes a list.
//!
//! Ownership: the page state ([`crate::state::AppState`]) owns the [`Roster`]; it draws the user
//! list and decides whom the person may call (only someone on it). The call machine keeps no
//! list of its own: all it needs is whether the person it is in a call with went away, which it
//! asks of the same change ([`RosterChange::removes`]) when the frame reaches it. So the rule of
//! who is still online is written once and both sides read every frame the same way.
//!
//! Presence (`user-state`, feature `resume`): a user whose socket is away within the server's
//! grace window is still on the list, marked reconnecting ([`Roster::set_presence`]) until
//! `online` or until they leave. A `userlist` (a login, or a resume after a server restart)
//! starts the marks over: the server follows it with a `user-state` for each user away then.
//! `user-state` is not a [`RosterChange`]: the call machine reads it for its partner itself.

use std::rc::Rc;

use shared::{FromServer, Presence};

/// Who is online, in the server's order, without duplicates, and who of them is reconnecting.
///
/// Shared behind an `Rc` so the page can hand it to components as a cheap prop; a change copies
/// the list only while a component still holds the old one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    users: Rc<Vec<String>>,
    /// Listed users whose socket is away (a subset of `users`).
    reconnecting: Rc<Vec<String>>,
}

/// What one presence frame says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterChange {
    /// `userlist`: exactly these users are online.
    Replace(Vec<String>),
    /// `userlist-delta`: these joined, these left (a name in both stays online).
    Delta {
        joined: Vec<String>,
        left: Vec<String>,
    },
}

impl RosterChange {
    /// The presence news in `frame`, if it carries any.
    pub fn from_frame(frame: &FromServer) -> Option<Self> {
        match frame {
            FromServer::UserList { users } => Some(Self::Replace(users.clone())),
            FromServer::UserListDelta { joined, left } => Some(Self::Delta {
                joined: joined.clone(),
                left: left.clone(),
            }),
            _ => None,
        }
    }

    /// After this change `user` is not online any more (whether or not they were before).
    pub fn removes(&self, user: &str) -> bool {
        match self {
            Self::Replace(users) => !users.iter().any(|u| u == user),
            Self::Delta { joined, left } => {
                left.iter().any(|u| u == user) && !joined.iter().any(|u| u == user)
            }
        }
    }
}

impl Roster {
    /// The list after `change`: left users removed first, then joined ones added at the end.
    pub fn apply(&mut self, change: RosterChange) {
        let users = Rc::make_mut(&mut self.users);
        match change {
            RosterChange::Replace(new) => {
                users.clear();
                for user in new {
                    add(users, user);
                }
                if !self.reconnecting.is_empty() {
                    Rc::make_mut(&mut self.reconnecting).clear();
                }
            }
            RosterChange::Delta { joined, left } => {
                users.retain(|user| !left.contains(user));
                for user in joined {
                    add(users, user);
                }
                if self.reconnecting.iter().any(|u| left.contains(u)) {
                    Rc::make_mut(&mut self.reconnecting).retain(|u| !left.contains(u));
                }
            }
        }
    }

    /// `user-state`: `user` is reconnecting, or back. Names not on the list are ignored.
    pub fn set_presence(&mut self, user: &str, presence: Presence) {
        let marked = self.is_reconnecting(user);
        match presence {
            Presence::Reconnecting if !marked && self.contains(user) => {
                Rc::make_mut(&mut self.reconnecting).push(user.to_owned());
            }
            Presence::Online if marked => {
                Rc::make_mut(&mut self.reconnecting).retain(|u| u != user);
            }
            _ => {}
        }
    }

    /// `user`'s socket is away; the server keeps their name and call for now.
    pub fn is_reconnecting(&self, user: &str) -> bool {
        self.reconnecting.iter().any(|u| u == user)
    }

    /// Nobody known online (the socket that told us is gone).
    pub fn clear(&mut self) {
        if !self.users.is_empty() {
            Rc::make_mut(&mut self.users).clear();
        }
        if !self.reconnecting.is_empty() {
            Rc::make_mut(&mut self.reconnecting).clear();
        }
    }

    pub fn contains(&self, user: &str) -> bool {
        self.users.iter().any(|u| u == user)
    }

    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(String::as_str)
    }
}

impl<S: Into<String>> FromIterator<S> for Roster {
    /// A roster of these names (duplicates dropped), as a `userlist` would give it.
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let mut roster = Roster::default();
        roster.apply(RosterChange::Replace(
            names.into_iter().map(Into::into).collect(),
        ));
        roster
    }
}

fn add(users: &mut Vec<String>, user: String) {
    if !users.contains(&user) {
        users.push(user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(roster: &Roster) -> Vec<&str> {
        roster.iter().collect()
    }

    fn delta(joined: &[&str], left: &[&str]) -> RosterChange {
        RosterChange::Delta {
            joined: joined.iter().map(|s| s.to_string()).collect(),
            left: left.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_list_replaces_and_a_delta_removes_then_adds_without_duplicates() {
        let mut roster: Roster = ["bob", "alice", "bob"].into_iter().collect();
        assert_eq!(names(&roster), ["bob", "alice"]);
        roster.apply(delta(&["carol", "bob"], &[]));
        assert_eq!(names(&roster), ["bob", "alice", "carol"]);
        roster.apply(delta(&[], &["bob"]));
        assert_eq!(names(&roster), ["alice", "carol"]);
        roster.apply(delta(&["bob"], &["bob"]));
        assert_eq!(names(&roster), ["alice", "carol", "bob"], "left then back");
        roster.apply(RosterChange::Replace(vec!["dave".into()]));
        assert_eq!(names(&roster), ["dave"]);
        assert!(roster.contains("dave") && !roster.contains("bob"));
        roster.clear();
        assert!(roster.is_empty());
    }

    #[test]
    fn removes_agrees_with_apply() {
        let changes = [
            RosterChange::Replace(vec!["alice".into()]),
            RosterChange::Replace(vec!["alice".into(), "bob".into()]),
            delta(&[], &["bob"]),
            delta(&["bob"], &["bob"]),
            delta(&["carol"], &[]),
        ];
        for change in changes {
            let mut roster: Roster = ["alice", "bob"].into_iter().collect();
            let removes = change.removes("bob");
            roster.apply(change.clone());
            assert_eq!(removes, !roster.contains("bob"), "{change:?}");
        }
    }

    #[test]
    fn only_presence_frames_are_changes() {
        let list = FromServer::UserList {
            users: vec!["a".into()],
        };
        assert_eq!(
            RosterChange::from_frame(&list),
            Some(RosterChange::Replace(vec!["a".into()]))
        );
        assert_eq!(RosterChange::from_frame(&FromServer::Id { id: 1 }), None);
    }

    #[test]
    fn presence_marks_listed_users_until_they_are_back_or_gone() {
        let mut roster: Roster = ["alice", "bob", "carol"].into_iter().collect();
        roster.set_presence("bob", Presence::Reconnecting);
        roster.set_presence("bob", Presence::Reconnecting);
        roster.set_presence("zed", Presence::Reconnecting);
        assert!(roster.is_reconnecting("bob"));
        assert!(!roster.is_reconnecting("zed"), "not on the list: ignored");
        assert!(roster.contains("bob"), "still listed while away");
        roster.set_presence("bob", Presence::Online);
        assert!(!roster.is_reconnecting("bob"));

        roster.set_presence("bob", Presence::Reconnecting);
        roster.set_presence("carol", Presence::Reconnecting);
        roster.apply(delta(&[], &["bob"]));
        assert!(
            !roster.is_reconnecting("bob"),
            "gone after the grace window"
        );
        roster.apply(delta(&["bob"], &[]));
        assert!(!roster.is_reconnecting("bob"), "a new login is online");
        assert!(roster.is_reconnecting("carol"));
        roster.apply(RosterChange::Replace(vec!["carol".into(), "dave".into()]));
        assert!(
            !roster.is_reconnecting("carol"),
            "a full list starts over (user-state frames follow it)"
        );
        roster.set_presence("carol", Presence::Reconnecting);
        roster.clear();
        assert!(!roster.is_reconnecting("carol"));
    }

    #[test]
    fn user_state_is_not_a_list_change() {
        let frame = FromServer::UserState {
            name: "bob".into(),
            state: Presence::Reconnecting,
            fresh: false,
        };
        assert_eq!(RosterChange::from_frame(&frame), None);
    }

    #[test]
    fn clones_share_until_one_changes() {
        let mut roster: Roster = ["alice"].into_iter().collect();
        let shown = roster.clone();
        roster.apply(delta(&["bob"], &[]));
        assert_eq!(names(&shown), ["alice"], "a prop keeps what it was given");
        assert_eq!(names(&roster), ["alice", "bob"]);
    }
}
