//! The index of online names: exact names for addressing, and look-alike keys
//! ([`UserName::keys`]) for uniqueness, so `Alice`, `аlice` or `ＡＬＩＣＥ` can't stand beside
//! `alice`. Plain data owned by [`super::Members`].

use std::collections::HashMap;

use shared::{NameKey, UserName};

/// Invariant (kept by [`Names::insert`] after [`Names::unique`], and [`Names::remove`]): every
/// key of a held name maps to its holder and no other, so no two online names look alike.
/// Generic over the holder's id (a connection id) so this file needs nothing of its parent.
#[derive(Debug)]
pub struct Names<Id> {
    by_name: HashMap<UserName, Id>,
    by_key: HashMap<NameKey, Id>,
    /// Where the numbering of a taken name goes on (kept under a key someone online holds, and
    /// dropped when they leave): without it, the thousandth `alice` would fold 999 numbered
    /// names under the registry lock before finding a free one.
    next_number: HashMap<NameKey, u32>,
}

impl<Id> Default for Names<Id> {
    fn default() -> Self {
        Self {
            by_name: HashMap::new(),
            by_key: HashMap::new(),
            next_number: HashMap::new(),
        }
    }
}

impl<Id: Copy + Eq> Names<Id> {
    /// Who holds exactly `name`.
    pub fn get(&self, name: &str) -> Option<Id> {
        self.by_name.get(name).copied()
    }

    pub fn insert(&mut self, name: &UserName, id: Id) {
        self.by_name.insert(name.clone(), id);
        for key in name.keys() {
            self.by_key.insert(key, id);
        }
    }

    /// Frees `name` and its keys (those that are `id`'s: all of them, by the invariant), with
    /// the numbering hints kept under them.
    pub fn remove(&mut self, name: &UserName, id: Id) {
        if self.by_name.get(name) == Some(&id) {
            self.by_name.remove(name);
        }
        for key in name.keys() {
            if self.by_key.get(&key) == Some(&id) {
                self.by_key.remove(&key);
                self.next_number.remove(&key);
            }
        }
    }

    /// `requested` if free for `id` (or already its own), else a free numbered variant: the
    /// first one, or after the last one given for this name while its holder stays online.
    pub fn unique(&mut self, id: Id, requested: &UserName) -> UserName {
        if self.is_free(id, requested) {
            return requested.clone();
        }
        let [base, _] = requested.keys();
        let mut n = self.next_number.get(&base).copied().unwrap_or(2);
        // At most one variant per online name can be taken before one is free.
        loop {
            let candidate = requested.numbered(n);
            n = n.saturating_add(1);
            if self.is_free(id, &candidate) {
                // Only under a key someone holds, so that it goes when they leave.
                if self.by_key.contains_key(&base) {
                    self.next_number.insert(base, n);
                }
                return candidate;
            }
        }
    }

    /// No other holder has `name` or a name that looks like it.
    fn is_free(&self, id: Id, name: &UserName) -> bool {
        let mine = |owner: &Id| *owner == id;
        self.by_name.get(name).is_none_or(mine)
            && name
                .keys()
                .iter()
                .all(|key| self.by_key.get(key).is_none_or(mine))
    }
}
