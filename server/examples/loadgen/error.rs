//! The load generator's error type: every way a scenario can fail to run (as opposed to a
//! figure that misses its target, which is a result, not an error).

use tokio_tungstenite::tungstenite;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("websocket: {0}")]
    Ws(Box<tungstenite::Error>),
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("timed out {0}")]
    Timeout(String),
    #[error("server: {0}")]
    Server(String),
    #[error("task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<tungstenite::Error> for BenchError {
    fn from(e: tungstenite::Error) -> Self {
        Self::Ws(Box::new(e))
    }
}

pub type Result<T> = std::result::Result<T, BenchError>;
