//! The machinery around the measured server: pinning the generator to its own core, building
//! and starting the release `server` binary pinned to the other core on a free loopback port,
//! and reading its CPU time and memory from `/proc`.

use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::time::{Instant, sleep};

use crate::error::{BenchError, Result};

/// Set in the environment of the re-executed, pinned generator.
const PINNED_ENV: &str = "LOADGEN_PINNED";
/// The core the server runs on; the generator takes the other one.
pub const SERVER_CPU: &str = "0";
pub const GENERATOR_CPU: &str = "1";

/// Re-runs this program under `taskset -c 1` unless that already happened. Returns the exit
/// code of the pinned run, or `None` when this process is the pinned one.
pub fn reexec_pinned() -> Result<Option<i32>> {
    if std::env::var_os(PINNED_ENV).is_some() {
        return Ok(None);
    }
    let exe = std::env::current_exe()?;
    let status = Command::new("taskset")
        .args(["-c", GENERATOR_CPU])
        .arg(exe)
        .args(std::env::args_os().skip(1))
        .env(PINNED_ENV, "1")
        .status()
        .map_err(|e| BenchError::Server(format!("cannot run taskset (util-linux): {e}")))?;
    Ok(Some(status.code().unwrap_or(1)))
}

/// The workspace root, from this example's manifest directory.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `target/` of the build that produced this example (`target/<profile>/examples/loadgen`).
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Builds the release server binary and returns its path.
pub fn build_server() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("building: cargo build --release -p server --bin server");
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "server", "--bin", "server"])
        .current_dir(workspace_root())
        .status()?;
    if !status.success() {
        return Err(BenchError::Server(format!("cargo build failed: {status}")));
    }
    Ok(target_dir().join("release").join("server"))
}

/// Raises this process's soft open-file limit to its hard limit (no privilege needed), so that
/// it and the servers it starts can hold the idle scenario's sockets. Returns the new limit.
pub fn raise_nofile() -> u64 {
    let pid = std::process::id().to_string();
    let hard = nofile_limit(1);
    if let Some(hard) = hard {
        let arg = format!("--nofile={hard}:{hard}");
        let _ = Command::new("prlimit").args(["--pid", &pid, &arg]).status();
    }
    nofile_limit(0).unwrap_or(1024)
}

/// Column 0 (soft) or 1 (hard) of "Max open files" in /proc/self/limits.
fn nofile_limit(column: usize) -> Option<u64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .nth(column)?
        .parse()
        .ok()
}

/// Clock ticks per second for `/proc/<pid>/stat` times.
pub fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// User + system CPU time of a process (all its threads, dead ones included).
pub fn cpu_time(pid: &str, ticks: u64) -> Result<Duration> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces; the fields after its closing parenthesis do not.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let parse = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
    match (parse(11), parse(12)) {
        (Some(user), Some(system)) => Ok(Duration::from_nanos(
            (user + system).saturating_mul(1_000_000_000) / ticks.max(1),
        )),
        _ => Err(BenchError::Server(format!("unreadable /proc/{pid}/stat"))),
    }
}

/// Busy time of each CPU (everything but idle and iowait) from `/proc/stat`, to tell how much
/// of the pinned cores other processes took during a measurement.
pub fn cpu_busy(ticks: u64) -> Vec<Duration> {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    stat.lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .map(|l| {
            let fields: Vec<u64> = l
                .split_whitespace()
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal …
            let busy: u64 = fields
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 3 && *i != 4 && *i < 8)
                .map(|(_, v)| v)
                .sum();
            Duration::from_nanos(busy.saturating_mul(1_000_000_000) / ticks.max(1))
        })
        .collect()
}

/// What other processes took of the server's and the generator's cores over a window:
/// busy time of each core minus our own process's CPU time on it, as a share of the window.
pub fn others_share(
    before: &[Duration],
    after: &[Duration],
    server_cpu: Duration,
    generator_cpu: Duration,
    window: Duration,
) -> String {
    let busy = |cpu: usize| {
        after
            .get(cpu)
            .zip(before.get(cpu))
            .map_or(Duration::ZERO, |(a, b)| a.saturating_sub(*b))
    };
    let share = |d: Duration| 100.0 * d.as_secs_f64() / window.as_secs_f64().max(1e-9);
    format!(
        "other processes took {:.0}% of the server's core and {:.0}% of the generator's",
        share(busy(0).saturating_sub(server_cpu)),
        share(busy(1).saturating_sub(generator_cpu))
    )
}

/// A `VmRSS`/`VmHWM`-style line of `/proc/<pid>/status`, in KiB.
pub fn status_kib(pid: &str, key: &str) -> Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| BenchError::Server(format!("no {key} in /proc/{pid}/status")))
}

/// The long flags (`--state-file`, …) the server binary lists in its `--help`, to use what it
/// supports and nothing else.
pub fn server_flags(bin: &Path) -> Vec<String> {
    let help = Command::new(bin)
        .arg("--help")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    help.split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.trim_end_matches([',', '=']).to_owned())
        .collect()
}

/// How the server is started.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    pub bin: PathBuf,
    pub pin: bool,
    pub log_dir: PathBuf,
    /// Passed to every server after the scenario's own arguments.
    pub extra_args: Vec<String>,
}

/// A running server; killed and reaped on drop.
pub struct ServerProcess {
    child: Child,
    pid: String,
    pub addr: SocketAddr,
    dist: PathBuf,
    log: PathBuf,
    ticks: u64,
}

impl ServerProcess {
    /// Starts the server on a free loopback port (`RUST_LOG=warn`, an empty `--dist`) and waits
    /// until it accepts connections.
    pub async fn start(spec: &ServerSpec, label: &str, extra_args: &[&str]) -> Result<Self> {
        // Port 0 hands out a free port; it is released for the server to bind a moment later.
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut server = Self::spawn_at(spec, label, extra_args, addr)?;
        server.wait_ready().await?;
        Ok(server)
    }

    /// Starts the server on `addr` (a restart on the same port) without waiting for it to
    /// listen: the caller measures from the moment it starts (see [`Self::wait_ready`]).
    pub fn spawn_at(
        spec: &ServerSpec,
        label: &str,
        extra_args: &[&str],
        addr: SocketAddr,
    ) -> Result<Self> {
        let dist =
            std::env::temp_dir().join(format!("loadgen-dist-{}-{label}", std::process::id()));
        fs::create_dir_all(&dist)?;
        fs::create_dir_all(&spec.log_dir)?;
        let log = spec.log_dir.join(format!("server-{label}.log"));
        let log_file = fs::File::create(&log)?;
        let mut command = if spec.pin {
            let mut c = Command::new("taskset");
            c.args(["-c", SERVER_CPU]).arg(&spec.bin);
            c
        } else {
            Command::new(&spec.bin)
        };
        command
            .arg("--addr")
            .arg(addr.to_string())
            .arg("--dist")
            .arg(&dist);
        // A server with a state file writes one by default in its working folder: give each run
        // its own beside its log, unless the scenario chose one (herd restarts on it).
        if !extra_args.contains(&"--state-file")
            && server_flags(&spec.bin).iter().any(|f| f == "--state-file")
        {
            command
                .arg("--state-file")
                .arg(spec.log_dir.join(format!("server-{label}.state.json")));
        }
        // The scenarios open more connections, from loopback, than the default cap allows.
        if server_flags(&spec.bin)
            .iter()
            .any(|f| f == "--max-connections")
        {
            command.args(["--max-connections", "0"]);
        }
        command
            .args(extra_args)
            .args(&spec.extra_args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        let child = command
            .spawn()
            .map_err(|e| BenchError::Server(format!("cannot start {}: {e}", spec.bin.display())))?;
        // taskset execs the server, so the child's pid is the server's.
        let pid = child.id().to_string();
        Ok(Self {
            child,
            pid,
            addr,
            dist,
            log,
            ticks: clock_ticks(),
        })
    }

    /// Waits until the server accepts connections (10 s at most).
    pub async fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(BenchError::Server(format!(
                    "exited at start ({status}); log {}:\n{}",
                    self.log.display(),
                    self.log_tail()
                )));
            }
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(BenchError::Timeout(
                    "waiting for the server to listen".into(),
                ));
            }
            sleep(Duration::from_millis(10)).await;
        }
    }

    /// Kills the server with SIGKILL, as a crash or an OOM kill would, and reaps it.
    pub fn kill_hard(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// The server's process id, for reading its `/proc` entries.
    pub fn pid(&self) -> &str {
        &self.pid
    }

    pub fn url(&self) -> String {
        self.url_in(None)
    }

    /// The WebSocket URL of a room (`/ws?room=<room>`, issue 13), or of the lobby for `None`.
    pub fn url_in(&self, room: Option<&str>) -> String {
        match room {
            Some(room) => format!("ws://{}/ws?room={room}", self.addr),
            None => format!("ws://{}/ws", self.addr),
        }
    }

    pub fn cpu(&self) -> Result<Duration> {
        cpu_time(&self.pid, self.ticks)
    }

    pub fn rss_kib(&self) -> Result<u64> {
        status_kib(&self.pid, "VmRSS")
    }

    pub fn peak_rss_kib(&self) -> Result<u64> {
        status_kib(&self.pid, "VmHWM")
    }

    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }

    /// Warning lines the server logged (slow clients dropped, etc.), for the printout.
    pub fn log_lines(&self) -> usize {
        fs::read_to_string(&self.log).map_or(0, |t| t.lines().count())
    }
}

impl Drop for ServerProcess {
    /// SIGTERM first (the server closes its sessions and exits; a profiler wrapping it gets to
    /// write its data), SIGKILL if it is still there after a few seconds.
    fn drop(&mut self) {
        // Already reaped (killed by `kill_hard`): its pid may belong to another process now.
        if let Ok(Some(_)) = self.child.try_wait() {
            let _ = fs::remove_dir_all(&self.dist);
            return;
        }
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.pid])
            .status();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dist);
    }
}
