//! Room clients for the rooms tests: sockets on `/ws?room=<room>`, logins with a passcode or a
//! capacity, and `resume` on a room's socket.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shared::{ErrorCode, FromServer};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::common::resume::Session;
use super::common::{Client, DEADLINE, TestServer};

/// A socket of `room` that has read its `id` (not logged in).
pub async fn connect_room(server: &TestServer, room: &str) -> Client {
    let url = format!("{}?room={room}", server.ws_url());
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("json"));
    let (socket, _) = timeout(DEADLINE, tokio_tungstenite::connect_async(request))
        .await
        .unwrap()
        .unwrap();
    let mut client = Client {
        socket,
        id: 0,
        name: String::new(),
    };
    match client.next().await {
        FromServer::Id { id } => client.id = id,
        other => panic!("first frame was not `id`: {other:?}"),
    }
    client
}

/// The `username` frame with `extra` members (`passcode`, `capacity`).
pub fn username(client: &Client, name: &str, features: &[&str], extra: Value) -> Value {
    let mut frame =
        json!({"type": "username", "id": client.id, "name": name, "features": features});
    if let (Some(frame), Value::Object(extra)) = (frame.as_object_mut(), extra) {
        frame.extend(extra);
    }
    frame
}

/// Reads until `client` has seen itself in a user list (taking the name it was given).
pub async fn until_listed(client: &mut Client) {
    loop {
        match client.next().await {
            FromServer::RejectUsername { name, .. } => client.name = name,
            FromServer::UserList { users } if users.contains(&client.name) => return,
            FromServer::UserList { .. } | FromServer::IceServers { .. } => {}
            other => panic!("unexpected frame while logging in: {other:?}"),
        }
    }
}

/// A client logged in to `room` with `features`.
pub async fn login_room(server: &TestServer, room: &str, name: &str, features: &[&str]) -> Client {
    login_room_with(server, room, name, features, json!({})).await
}

/// A client logged in to `room`, its `username` carrying `extra`.
pub async fn login_room_with(
    server: &TestServer,
    room: &str,
    name: &str,
    features: &[&str],
    extra: Value,
) -> Client {
    let mut client = connect_room(server, room).await;
    let frame = username(&client, name, features, extra);
    client.send_json(frame).await;
    client.name = name.to_owned();
    until_listed(&mut client).await;
    client
}

/// Sends a login into the client's room with `extra`; the answer must be the error `code`.
pub async fn refused_login(client: &mut Client, name: &str, extra: Value, code: ErrorCode) {
    let frame = username(client, name, &[], extra);
    client.send_json(frame).await;
    client.expect_error(code).await;
}

/// A `resume` client logged in to `room`; returns once it has its token and is listed.
pub async fn login_room_resume(server: &TestServer, room: &str, name: &str) -> Session {
    let mut client = connect_room(server, room).await;
    let frame = username(&client, name, &["resume"], json!({}));
    client.send_json(frame).await;
    client.name = name.to_owned();
    let mut session = Session {
        client,
        token: String::new(),
        seen: 0,
        base: 0,
    };
    loop {
        match session.next().await {
            FromServer::Session { token, .. } => {
                session.token = token;
                session.base = session.seen;
                break;
            }
            FromServer::RejectUsername { .. } | FromServer::IceServers { .. } => {}
            other => panic!("unexpected frame before `session`: {other:?}"),
        }
    }
    let me = session.client.name.clone();
    session
        .wait_for(|f| matches!(f, FromServer::UserList { users } if users.contains(&me)))
        .await;
    session
}

/// Resumes `token` on a new socket of `room` (`None`: the lobby): the new name, or the error.
pub async fn resume_in(
    server: &TestServer,
    room: Option<&str>,
    token: &str,
) -> Result<(Client, String), ErrorCode> {
    let mut client = match room {
        Some(room) => connect_room(server, room).await,
        None => server.connect().await,
    };
    let frame = json!({"type": "resume", "token": token, "ack": 0, "features": ["resume"]});
    client.send_json(frame).await;
    match client.next().await {
        FromServer::Resumed { name, .. } => Ok((client, name)),
        FromServer::Error { code, .. } => Err(code),
        other => panic!("unexpected answer to `resume`: {other:?}"),
    }
}
