//! The `server` binary: configuration, logging, the runtime, and `run_with` until
//! SIGINT/SIGTERM.

use server::metrics::LogFormat;
use server::{AppState, Config, Serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

fn main() -> std::io::Result<()> {
    let config = Config::load();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match config.ops.log_format {
        LogFormat::Json => logs.json().flatten_event(true).init(),
        LogFormat::Text => logs.init(),
    }
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
    let settings = config.settings();
    let client = match (&config.dist, settings.assets) {
        (Some(dist), _) => dist.display().to_string(),
        (None, Some(_)) => "built in".to_owned(),
        (None, None) => {
            let problem = "this binary has no client built in: pass --dist DIR (trunk's dist/), \
                           or build one with `cargo xtask dist`";
            tracing::error!("{problem}");
            return Err(std::io::Error::other(problem));
        }
    };
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(settings);
    let tls = match config.acme.settings() {
        Some(_) if config.serve.tls_cert.is_some() || config.serve.tls_self_signed => {
            let problem =
                "--acme-domain gets certificates itself: drop --tls-cert/--tls-self-signed";
            return Err(std::io::Error::other(problem));
        }
        Some(acme) => Some(
            server::tls::acme::acme_config(&acme, state.shutdown.clone(), &state.tracker)
                .await
                .map_err(std::io::Error::other)?,
        ),
        None => config
            .serve
            .tls_config(addr, state.shutdown.clone(), &state.tracker)
            .map_err(std::io::Error::other)?,
    };
    let redirect_listener = match config.serve.http_redirect_addr {
        Some(redirect) => Some(TcpListener::bind(redirect).await?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%addr, %client, "listening: open {scheme}://{addr}/");
    let serve = Serve {
        listener,
        tls,
        redirect_listener,
        timeouts: config.serve.timeouts(),
    };
    server::run_with(serve, state, shutdown_signal()).await?;
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
