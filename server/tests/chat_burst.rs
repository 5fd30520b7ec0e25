//! No amplification (issue 11 point 4) with 1,000 users online, all reading normally:
//! - one client's burst of 1,000 chat lines gets only chat's own burst through, everyone gets
//!   the same lines, and the rest is refused with one `chat-rate-limited` error;
//! - a backlog the server makes itself (300 lines fanned out to everyone at once, more than the
//!   old 256-frame outbox) gets no healthy reader dropped;
//! - many senders each within their chat rate cannot together exceed the server's fan-out
//!   budget: over it a line is refused with `server-busy` and reaches nobody, every other line
//!   reaches everyone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{Client, DEADLINE, TestServer};
use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::json;
use server::Settings;
use server::calls::CallEvent;
use server::chat::chat_frames;
use shared::{ErrorCode, FromServer, UserName};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const USERS: usize = 1_000;
/// Lines the server fans out at once to everyone, above the old 256-frame outbox.
const SERVER_BURST: usize = 300;
/// Longest a reader may wait for its next frame while the server writes to a thousand.
const READ_DEADLINE: Duration = Duration::from_secs(60);

/// Logs in `n` clients named `{prefix}{i}`, `batch` at a time.
async fn login_many(server: &TestServer, prefix: &str, n: usize, batch: usize) -> Vec<Client> {
    let mut clients = Vec::with_capacity(n);
    for start in (0..n).step_by(batch) {
        let logins = (start..(start + batch).min(n)).map(|i| {
            let name = format!("{prefix}{i}");
            async move { login(server, &name).await }
        });
        clients.extend(join_all(logins).await);
    }
    clients
}

/// A logged-in client with `userlist-delta`, once it has seen itself in its list (a long first
/// list comes as a `userlist` and then deltas).
async fn login(server: &TestServer, name: &str) -> Client {
    let mut client = server.connect().await;
    client.send_username(name, &["userlist-delta"]).await;
    client.name = name.to_owned();
    loop {
        match client.next().await {
            FromServer::UserList { users: names }
            | FromServer::UserListDelta { joined: names, .. }
                if names.iter().any(|u| u == name) =>
            {
                return client;
            }
            FromServer::UserList { .. } | FromServer::UserListDelta { .. } => {}
            other => panic!("{name}: unexpected frame while logging in: {other:?}"),
        }
    }
}

/// A client that reads normally until the chat line `end`: every chat line's text, counted,
/// and the client (still connected). Fails if its connection ends first.
type Read = Result<(BTreeMap<String, usize>, Client), String>;

fn reader(mut client: Client) -> JoinHandle<Read> {
    tokio::spawn(async move {
        let mut lines = BTreeMap::new();
        loop {
            let message = match timeout(READ_DEADLINE, client.socket.next()).await {
                Err(_) => return Err(format!("{}: nothing for a minute", client.name)),
                Ok(None) => return Err(format!("{}: connection ended", client.name)),
                Ok(Some(Err(e))) => return Err(format!("{}: {e}", client.name)),
                Ok(Some(Ok(message))) => message,
            };
            let text = match message {
                Message::Text(text) => text,
                Message::Close(close) => return Err(format!("{}: closed {close:?}", client.name)),
                _ => continue,
            };
            match FromServer::from_json(&text).unwrap() {
                FromServer::Message { text, .. } if text == "end" => return Ok((lines, client)),
                FromServer::Message { text, .. } => *lines.entry(text).or_default() += 1,
                FromServer::UserList { .. } | FromServer::UserListDelta { .. } => {}
                other => return Err(format!("{}: unexpected {other:?}", client.name)),
            }
        }
    })
}

/// A broadcast chat line from `id` named `name`, put straight into the registry (as its
/// session would).
fn broadcast(server: &TestServer, id: u64, name: &str, text: &str) -> Result<(), ErrorCode> {
    let name = UserName::parse(name).unwrap();
    let frames = chat_frames(id, &name, text.to_owned(), Some(1), None);
    server.state.registry.chat(id, None, &frames)
}

#[tokio::test]
async fn a_chat_burst_with_1000_users_online_refuses_the_excess_and_drops_no_healthy_reader() {
    let mut settings = Settings::default();
    // Chat keeps its default rate and burst; the frame rate and the fan-out budget are lifted
    // so that chat's own limit is what the flood meets, and the server-made burst is not refused.
    settings.limits.rate_per_sec = 100_000;
    settings.limits.rate_burst = 100_000;
    settings.flood.fanout_bytes_per_sec = 1 << 40;
    settings.flood.fanout_burst_bytes = 1 << 40;
    let chat_burst = settings.flood.chat_burst as usize;
    let server = TestServer::start_with(settings).await;
    let mut readers = Vec::new();
    for client in login_many(&server, "user", USERS, 100).await {
        readers.push((client.id, client.name.clone(), reader(client)));
    }
    let mut flooder = login(&server, "flooder").await;
    let (herald_id, herald_name) = (readers[0].0, readers[0].1.clone());

    // The flood: 1,000 lines as fast as the socket takes them, then a `ping` whose `pong`
    // says the server has handled all of them.
    for i in 0..USERS {
        let line =
            Message::text(json!({"type": "message", "text": format!("flood {i}")}).to_string());
        timeout(
            DEADLINE,
            futures_util::SinkExt::feed(&mut flooder.socket, line),
        )
        .await
        .unwrap()
        .unwrap();
    }
    flooder.send_json(json!({"type": "ping"})).await;
    let (mut echoed, mut errors) = (0, 0);
    loop {
        match flooder.next_non_presence().await {
            FromServer::Message { .. } => echoed += 1,
            FromServer::Error { code, .. } => {
                assert_eq!(code, ErrorCode::ChatRateLimited);
                errors += 1;
            }
            FromServer::Pong => break,
            other => panic!("flooder got {other:?}"),
        }
    }
    assert!(
        (chat_burst..chat_burst + 40).contains(&echoed),
        "{echoed} of the flood's lines went through"
    );
    assert!(errors >= 1, "the flooder was never told");

    // The server's own burst: every reader's outbox gets 300 lines at once (no await in
    // between: this runtime has one thread, so no session writes meanwhile).
    for i in 0..SERVER_BURST {
        broadcast(&server, herald_id, &herald_name, &format!("burst {i}")).unwrap();
    }
    broadcast(&server, herald_id, &herald_name, "end").unwrap();

    let results = join_all(readers.into_iter().map(|(_, _, r)| r)).await;
    let mut clients = Vec::new();
    for result in results {
        let (lines, client) = result.unwrap().unwrap_or_else(|e| panic!("{e}"));
        clients.push(client);
        let flood = lines.keys().filter(|t| t.starts_with("flood")).count();
        let burst = lines.keys().filter(|t| t.starts_with("burst")).count();
        assert_eq!(
            flood, echoed,
            "every reader gets the lines the flooder got back"
        );
        assert_eq!(burst, SERVER_BURST);
        assert!(lines.values().all(|&n| n == 1));
    }
    assert_eq!(server.state.registry.online_count(), USERS + 1);
    drop(clients);
}

#[tokio::test]
async fn many_senders_within_their_rate_cannot_exceed_the_fanout_budget() {
    const SENDERS: usize = 40;
    let mut settings = Settings::default();
    // Room for about ten lines (of under 100 bytes) to everyone, refilled very slowly.
    settings.flood.fanout_bytes_per_sec = 1;
    settings.flood.fanout_burst_bytes = 10 * 100 * (SENDERS as u64 + 1);
    let server = TestServer::start_with(settings).await;
    let mut senders = login_many(&server, "s", SENDERS, SENDERS).await;
    let mut judge = login(&server, "judge").await;
    // Each sends one line, well within chat's own rate.
    for sender in &mut senders {
        let text = format!("line from {}", sender.name);
        sender
            .send_json(json!({"type": "message", "text": text}))
            .await;
    }
    // Each learns its line's fate: echoed (it went to everyone) or refused.
    let mut sent = BTreeSet::new();
    let mut refused = 0;
    let mut seen = vec![BTreeSet::new(); SENDERS + 1];
    for (sender, got) in senders.iter_mut().zip(&mut seen) {
        let mine = format!("line from {}", sender.name);
        loop {
            match sender.next_non_presence().await {
                FromServer::Message { text, .. } if text == mine => {
                    sent.insert(mine.clone());
                    assert!(got.insert(mine));
                    break;
                }
                FromServer::Message { text, .. } => assert!(got.insert(text)),
                FromServer::Error { code, .. } => {
                    assert_eq!(code, ErrorCode::ServerBusy);
                    refused += 1;
                    break;
                }
                other => panic!("{}: {other:?}", sender.name),
            }
        }
    }
    assert!(refused > 0, "the budget refused nothing");
    assert!(sent.len() >= 5, "only {} lines went out", sent.len());
    // Every line is decided by now. An offer (not chat, so outside the budget) queued after
    // them ends what each client is to read: before it, each got exactly the lines that went
    // out, whole.
    let offer = |from: &str, to: &str| {
        let frame = json!({"type": "video-offer", "name": from, "target": to, "sdp": {"type": "offer", "sdp": "x"}});
        frame.to_string().into()
    };
    let registry = &server.state.registry;
    for sender in &senders {
        registry
            .relay(
                judge.id,
                &sender.name,
                offer("judge", &sender.name),
                CallEvent::Offer,
            )
            .unwrap();
    }
    registry
        .relay(
            senders[0].id,
            "judge",
            offer(&senders[0].name, "judge"),
            CallEvent::Offer,
        )
        .unwrap();
    for (client, mut got) in senders.iter_mut().chain([&mut judge]).zip(seen) {
        loop {
            match client.next_non_presence().await {
                FromServer::Message { text, .. } => assert!(got.insert(text)),
                FromServer::VideoOffer { .. } => break,
                other => panic!("{}: {other:?}", client.name),
            }
        }
        assert_eq!(
            got, sent,
            "{} got exactly the lines that went out",
            client.name
        );
    }
}
