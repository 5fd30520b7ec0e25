//! Logs in the callers and callees of the relay scenarios: every client connects, logs in with
//! our client's features and reads until its list holds everyone, so no relay is sent to a
//! target the server does not know yet.

use std::time::Duration;

use futures_util::future::try_join_all;
use tokio::time::Instant;

use crate::client::{self, OUR_FEATURES, Roster, Track, Ws};
use crate::error::Result;
use crate::frames::PairFrames;

/// A logged-in pair and the frames it exchanges.
pub struct Pair {
    pub caller: Ws,
    pub callee: Ws,
    pub frames: PairFrames,
}

pub async fn login_pairs(url: &str, pairs: usize) -> Result<Vec<Pair>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let total = pairs * 2;
    let names: Vec<String> = (0..pairs)
        .flat_map(|p| [format!("caller{p:03}"), format!("callee{p:03}")])
        .collect();
    let clients = try_join_all(names.iter().map(|name| async move {
        let mut ws = client::connect(url, client::Buffer::Relay).await?;
        let id = client::read_id(&mut ws, deadline).await?;
        client::send_login(&mut ws, id, name, &OUR_FEATURES).await?;
        let mut roster = Roster::new(Track::Count, true);
        client::read_until_complete(&mut ws, &mut roster, total, None, deadline).await?;
        Ok::<_, crate::error::BenchError>(ws)
    }))
    .await?;
    let mut clients = clients.into_iter();
    let mut out = Vec::with_capacity(pairs);
    for p in 0..pairs {
        if let (Some(caller), Some(callee)) = (clients.next(), clients.next()) {
            let frames = PairFrames::new(&names[2 * p], &names[2 * p + 1]);
            out.push(Pair {
                caller,
                callee,
                frames,
            });
        }
    }
    Ok(out)
}
