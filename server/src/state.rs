//! [`AppState`]: what every request handler and session shares — the lobby's registry, the
//! rooms, the settings, admission (origin check and connection caps), readiness, and the
//! shutdown machinery.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admission::Admission;
use crate::config::Settings;
use crate::members::ConnId;
use crate::registry::Registry;
use crate::rooms::Rooms;

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The public lobby (`/`, `/ws` without `room`).
    pub registry: Arc<Registry>,
    /// The rooms (`/r/<room>`, `/ws?room=<room>`, issue 13).
    pub rooms: Arc<Rooms>,
    pub settings: Arc<Settings>,
    /// Cancelled when the server shuts down: every session closes its socket.
    pub shutdown: CancellationToken,
    /// Every session task, so that shutdown can wait for them (axum's graceful shutdown does
    /// not wait for upgraded WebSockets, tokio-rs/axum#3003).
    pub tracker: TaskTracker,
    /// Who may open the WebSocket, and the connections open.
    pub admission: Arc<Admission>,
    /// Whether `/readyz` says ready (it also says not once shutdown has begun).
    pub ready: Readiness,
    next_id: Arc<AtomicU64>,
}

/// Whether the server wants new clients. Set at start (a server that answers `/readyz` is
/// listening); whoever must hold them off clears it (a shutdown that drains first, a TLS
/// listener still waiting for its certificate) and may set it again.
#[derive(Debug, Clone)]
pub struct Readiness(Arc<AtomicBool>);

impl Default for Readiness {
    fn default() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }
}

impl Readiness {
    pub fn set(&self, ready: bool) {
        self.0.store(ready, Ordering::Relaxed);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

impl AppState {
    /// The state for `settings`; with a state file, its sessions are back, away, with their
    /// grace window counted from now.
    pub fn new(settings: Settings) -> Self {
        let registry = crate::rooms::new_registry(&settings, None);
        let settings = Arc::new(settings);
        let (shutdown, tracker) = (CancellationToken::new(), TaskTracker::new());
        let rooms = Rooms::new(
            settings.clone(),
            &registry,
            tracker.clone(),
            shutdown.clone(),
        );
        let mut highest = 0;
        if let Some(path) = &settings.state_file {
            let saved = crate::state_file::load_all(path);
            let in_rooms: usize = saved.rooms.iter().map(|r| r.sessions.len()).sum();
            if !saved.sessions.is_empty() || in_rooms > 0 {
                // Counts only: room names are never logged.
                tracing::info!(
                    sessions = saved.sessions.len() + in_rooms,
                    rooms = saved.rooms.len(),
                    "sessions back from the state file"
                );
            }
            let until = tokio::time::Instant::now() + settings.limits.resume_grace;
            highest = registry.restore(&saved.sessions, until);
            highest = highest.max(rooms.restore(&saved.rooms, until));
        }
        Self {
            admission: Arc::new(Admission::new(settings.admission.clone())),
            ready: Readiness::default(),
            registry: Arc::new(registry),
            rooms: Arc::new(rooms),
            settings,
            shutdown,
            tracker,
            // Ids of sessions from the state file are never handed out again.
            next_id: Arc::new(AtomicU64::new(highest + 1)),
        }
    }

    /// A connection id never used before in this process. Ids are never reused, so a stale id
    /// left anywhere can only miss, never hit someone else.
    pub fn next_conn_id(&self) -> ConnId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}
