//! The `server` binary: configuration, logging, the runtime, and `run` until SIGINT/SIGTERM.

use server::{AppState, Config};
use tracing_subscriber::EnvFilter;

fn main() -> std::io::Result<()> {
    let config = Config::load();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    runtime(config.workers)?.block_on(serve(config))
}

/// One core (`--workers 1`, or a process restricted to one CPU, as the benchmark pins it): a
/// current-thread runtime, which skips the multi-thread scheduler's cross-thread queues and
/// wake-ups that only cost time when there is no other core to steal work. Otherwise tokio's
/// work-stealing runtime with one worker per core (`available_parallelism` respects CPU
/// affinity) or the number asked for.
fn runtime(workers: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let workers = workers.unwrap_or(cores).max(1);
    let mut builder = if workers == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    };
    builder.enable_all().build()
}

async fn serve(config: Config) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, dist = %config.dist.display(), "listening: open http://{addr}/");
    let state = AppState::new(config.settings());
    server::run(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: closing every session");
}
