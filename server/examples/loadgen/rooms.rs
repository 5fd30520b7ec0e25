//! Scenario `rooms` (issue 13; not part of `all`): 1,000 rooms of 4 users next to one public
//! lobby of 4,000, all on one server (8,000 sockets), in three phases so each one's cost shows:
//! 1. the lobby's 4,000 log in at once (as the `lobby` scenario, four times larger);
//! 2. next to them, the rooms' 4,000 log in at once (`/ws?room=<room>`); the lobby keeps reading
//!    and must receive nothing;
//! 3. one private message from each room to a user of the next room must be refused
//!    (`unknown-target`), then each room's users relay offer/answer/candidates in pairs
//!    (open loop, as the `latency` scenario, at the same total rate).
//!
//! Printed: login time until every list is exactly its room (or the lobby), presence frames and
//! bytes per client, the server's CPU per phase and its RSS, relay latency, and isolation (names
//! from elsewhere in any list, frames to the lobby during the room logins, cross-room targets
//! refused). For reference on this shared machine, the `lobby` and `latency` scenarios run
//! first, each on its own server (see `docs/BENCHMARKS.md`, "Issue 13: rooms at scale").
//! The clients and their login storm are in `rooms/member.rs`, the per-group sums in
//! `rooms/tally.rs`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::SinkExt;
use futures_util::future::join_all;
use shared::{ErrorCode, FromServer, ToServer};
use tokio::time::{Instant, sleep};
use tokio_tungstenite::tungstenite::Message;

use crate::client::{self, Track, Ws};
use crate::error::{BenchError, Result};
use crate::frames::PairFrames;
use crate::harness::{ServerProcess, ServerSpec};
use crate::pairs::Pair;
use crate::report::{Figure, Goal};
use crate::{latency, lobby};
use member::{Group, Joined, Member, Storm, log_in};
use tally::{Tally, presence_figure, report_storm};

mod member;
mod tally;

/// A login storm is given up this long after the first login.
const STORM_LIMIT: Duration = Duration::from_secs(60);
/// After every list is complete, late frames (a stale list, a leak) get this long to arrive.
const LINGER: Duration = Duration::from_millis(500);
/// One lobby member in this many keeps every name (the others count, as in `lobby`).
const CHECK_NAMES_EVERY: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Flags {
    /// Rooms of the `rooms` scenario.
    #[arg(long, default_value_t = 1000)]
    pub rooms: usize,
    /// Users in each room of the `rooms` scenario (paired up for the relays).
    #[arg(long, default_value_t = 4)]
    pub room_size: usize,
    /// Users in the public lobby next to the rooms.
    #[arg(long, default_value_t = 4000)]
    pub rooms_lobby: usize,
}

/// The reference scenarios, then the rooms next to the lobby; `sockets` is how many the
/// generator may open.
pub async fn run(spec: &ServerSpec, args: &crate::Args, sockets: usize) -> Vec<Figure> {
    let flags = &args.rooms;
    // Our clients only, like the rooms' (MDN-style ones get a bounded list since issue 11).
    let reference = lobby::Config {
        users: args.lobby_users,
        mdn_clients: 0,
    };
    let relay = latency::Config {
        pairs: args.pairs,
        rate: args.rate,
        duration: Duration::from_secs(args.latency_secs),
        pacing: args.pacing,
    };
    let needed = flags.rooms * flags.room_size + flags.rooms_lobby;
    if needed > sockets {
        let e = format!("{needed} sockets needed, the open-file limit allows {sockets}");
        return vec![Figure::failed("rooms", &e)];
    }
    let mut figures = crate::scenario(spec, "rooms-reference-lobby", &[], async |s| {
        lobby::run(s, &reference).await
    })
    .await;
    figures.extend(
        crate::scenario(spec, "rooms-reference-latency", &[], async |s| {
            latency::run(s, &relay).await
        })
        .await,
    );
    figures.extend(
        crate::scenario(spec, "rooms", &[], async |s| {
            measure(s, flags, &relay).await
        })
        .await,
    );
    figures
}

fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lobby's members: every name, each seeing all of them.
fn lobby_members(n: usize) -> Vec<Member> {
    let names: Vec<String> = (0..n).map(|i| format!("lobby{i:04}")).collect();
    let expected = Arc::new(names.iter().cloned().collect::<HashSet<_>>());
    let track = |i: usize| match i % CHECK_NAMES_EVERY {
        0 => Track::Names,
        _ => Track::Count,
    };
    let members = names.into_iter().enumerate();
    members
        .map(|(i, name)| Member {
            name,
            room: None,
            expected: expected.clone(),
            track: track(i),
        })
        .collect()
}

fn member_name(room: usize, k: usize) -> String {
    format!("r{room:04}-{k}")
}

/// Every room's members, room by room; each keeps every name (a room is small).
fn room_members(rooms: usize, size: usize) -> Vec<Member> {
    (0..rooms)
        .flat_map(|r| {
            let names: Vec<String> = (0..size).map(|k| member_name(r, k)).collect();
            let expected = Arc::new(names.iter().cloned().collect::<HashSet<_>>());
            names.into_iter().map(move |name| Member {
                name,
                room: Some(format!("loadgen-{r:04}")),
                expected: expected.clone(),
                track: Track::Names,
            })
        })
        .collect()
}

/// The three phases on one server.
async fn measure(
    server: &ServerProcess,
    flags: &Flags,
    relay: &latency::Config,
) -> Result<Vec<Figure>> {
    let (rooms, size) = (flags.rooms, flags.room_size);
    println!(
        "\n== rooms: {rooms} rooms of {size} next to a lobby of {} (load average {}) ==",
        flags.rooms_lobby,
        load_average()
    );
    let cpu_start = server.cpu()?;
    let sockets = flags.rooms_lobby + rooms * size;
    let (lobby, lobby_storm) =
        log_in(server, lobby_members(flags.rooms_lobby), STORM_LIMIT).await?;
    sleep(LINGER).await;
    let rss_lobby = server.rss_kib()?;
    let quiet_before = lobby.after_complete.load(Ordering::Relaxed);
    let (room_group, room_storm) = log_in(server, room_members(rooms, size), STORM_LIMIT).await?;
    sleep(LINGER).await;
    let rss_rooms = server.rss_kib()?;
    let to_lobby = lobby.after_complete.load(Ordering::Relaxed) - quiet_before;
    let mut in_rooms = room_group.finish().await?;
    let room_tally = Tally::of(&in_rooms);
    println!(
        "lobby members: {} frames after their lists were complete, while the rooms logged in",
        to_lobby
    );
    println!("server RSS {rss_lobby} KiB with the lobby, {rss_rooms} KiB with the rooms too");
    let mut figures = vec![report_storm("room", &room_storm, &in_rooms, &room_tally)];
    let (refused, probes) = probe_other_rooms(&mut in_rooms, size).await;
    println!("cross-room private messages refused with unknown-target: {refused} of {probes}");
    let pairs = room_pairs(in_rooms, size);
    let relay = latency::Config {
        pairs: pairs.len(),
        rate: relay.rate,
        duration: relay.duration,
        pacing: relay.pacing,
    };
    println!(
        "-- relays: {} pairs in their rooms, open loop at {} msg/s --",
        relay.pairs, relay.rate
    );
    let (latency, relay_caveat) = match relay.pairs {
        0 => (Default::default(), Some("no pair logged in".to_owned())),
        _ => latency::open_loop(server, &relay, pairs, true).await?,
    };
    let (lobby_figure, lobby_tally) = finish_lobby(lobby, &lobby_storm).await?;
    let cpu = server.cpu()?.saturating_sub(cpu_start);
    let peak = server.peak_rss_kib()?;
    println!(
        "server CPU {:.2} s in all, peak RSS {:.1} MiB; load average at the end {}",
        cpu.as_secs_f64(),
        peak as f64 / 1024.0,
        load_average()
    );
    let foreign = room_tally.foreign_frames + lobby_tally.foreign_frames;
    let seen: Vec<&String> = room_tally
        .foreign
        .iter()
        .chain(&lobby_tally.foreign)
        .collect();
    println!("isolation: {foreign} frames named someone from elsewhere {seen:?}");
    figures.extend([
        lobby_figure,
        presence_figure("room", &room_tally, false),
        presence_figure("room", &room_tally, true),
        presence_figure("lobby", &lobby_tally, false),
        presence_figure("lobby", &lobby_tally, true),
        Figure::new(
            "rooms: server CPU, room logins",
            room_storm.server_cpu.as_secs_f64(),
            "s",
            Goal::Info,
        ),
        Figure::new(
            "rooms: server CPU, lobby logins",
            lobby_storm.server_cpu.as_secs_f64(),
            "s",
            Goal::Info,
        ),
        Figure::new(
            &format!("rooms: server peak RSS, {sockets} sockets"),
            peak as f64 / 1024.0,
            "MiB",
            Goal::Info,
        ),
        Figure::info_micros("rooms: relay latency p50 in rooms", latency.p50),
        Figure::info_micros("rooms: relay latency p90 in rooms", latency.p90),
        Figure::new(
            "rooms: relay latency p99 in rooms",
            latency.p99.as_secs_f64() * 1e3,
            "ms",
            Goal::Info,
        )
        .with_caveat(relay_caveat),
        Figure::new(
            "rooms: frames naming someone from elsewhere",
            foreign as f64,
            "frames",
            Goal::AtMost(0.0),
        ),
        Figure::new(
            "rooms: frames to the lobby during room logins",
            to_lobby as f64,
            "frames",
            Goal::AtMost(0.0),
        ),
        Figure::new(
            "rooms: cross-room targets refused",
            refused as f64,
            "messages",
            Goal::AtLeast(probes as f64),
        ),
    ]);
    Ok(figures)
}

/// Ends the lobby members' reading (after the relays, so it covers every phase).
async fn finish_lobby(lobby: Group, storm: &Storm) -> Result<(Figure, Tally)> {
    let joined = lobby.finish().await?;
    let tally = Tally::of(&joined);
    Ok((report_storm("lobby", storm, &joined, &tally), tally))
}

/// Each room's first member sends a private message to the next room's first member; the
/// server must answer `unknown-target`. Returns (refused, sent).
async fn probe_other_rooms(joined: &mut [Joined], size: usize) -> (usize, usize) {
    let rooms = joined.len() / size.max(1);
    if rooms < 2 {
        return (0, 0);
    }
    let firsts = joined.iter_mut().step_by(size.max(1)).enumerate();
    let probes = firsts.map(|(r, j)| async move {
        let target = member_name((r + 1) % rooms, 0);
        match &mut j.ws {
            Some(ws) => probe(ws, target).await.unwrap_or(false),
            None => false,
        }
    });
    let refused = join_all(probes).await.into_iter().filter(|&r| r).count();
    (refused, rooms)
}

/// Sends one private message to `target`; true when the server refused it as unknown.
async fn probe(ws: &mut Ws, target: String) -> Result<bool> {
    let message = ToServer::Message {
        id: None,
        text: "cross-room probe".to_owned(),
        date: None,
        target: Some(target),
    };
    ws.send(Message::text(message.to_json())).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = client::next_text(ws, deadline)
            .await?
            .ok_or_else(|| BenchError::Protocol("closed after a probe".into()))?;
        if let Ok(FromServer::Error { code, .. }) = FromServer::from_json(&text) {
            return Ok(code == ErrorCode::UnknownTarget);
        }
    }
}

/// Pairs each room's members (0 with 1, 2 with 3, …) for the relays.
fn room_pairs(joined: Vec<Joined>, size: usize) -> Vec<Pair> {
    let mut sockets: Vec<Option<Ws>> = joined.into_iter().map(|j| j.ws).collect();
    let mut pairs = Vec::with_capacity(sockets.len() / 2);
    for r in 0..sockets.len() / size.max(1) {
        for k in (0..size.saturating_sub(1)).step_by(2) {
            let i = r * size + k;
            if let (Some(caller), Some(callee)) = (sockets[i].take(), sockets[i + 1].take()) {
                let frames = PairFrames::new(&member_name(r, k), &member_name(r, k + 1));
                pairs.push(Pair {
                    caller,
                    callee,
                    frames,
                });
            }
        }
    }
    pairs
}
