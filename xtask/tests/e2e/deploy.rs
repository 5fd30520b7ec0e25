//! The deployment files in `deploy/` are the ones we test: the systemd unit passes
//! `systemd-analyze verify` and scores "OK" on `systemd-analyze security`; coturn started with
//! `deploy/turnserver.conf` relays to a public address but refuses every private, loopback and
//! link-local peer (an open TURN server is a door into the LAN); nginx with the shipped `http` and
//! `location` parts carries the page and a whole call.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::TestResult;
use crate::harness::process::Group;
use crate::harness::{World, free_port, free_udp_and_tcp_port, root};
use crate::scenario::{close_all, connect, hang_up_and_check};

/// The most `systemd-analyze security` may rate the unit (0 = locked down, 10 = unsafe;
/// "OK" is below 2.5). Ours scores 1.6.
const MAX_EXPOSURE: f64 = 2.0;

fn deploy_file(name: &str) -> PathBuf {
    root().join("deploy").join(name)
}

fn fresh_dir(test: &str) -> TestResult<PathBuf> {
    let dir = root().join("target").join("e2e").join(test);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn run(cmd: &mut Command) -> TestResult<(bool, String)> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run {:?}: {e}", cmd.get_program()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

#[test]
fn systemd_unit_verifies_and_is_sandboxed() -> TestResult {
    let unit = std::fs::read_to_string(deploy_file("parley.service"))?;
    for line in [
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "NoNewPrivileges=yes",
    ] {
        assert!(
            unit.lines().any(|l| l.trim() == line),
            "deploy/parley.service lacks `{line}`"
        );
    }
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .ok_or("no ExecStart in deploy/parley.service")?;
    assert!(
        !exec.contains("secret"),
        "a secret on the command line: {exec}"
    );
    // `verify` wants the program to exist: point it at the release binary the suite built.
    let binary = root().join("target").join("release").join("server");
    let program = exec.split_whitespace().next().unwrap_or_default();
    let dir = fresh_dir("systemd_unit_verifies_and_is_sandboxed")?;
    let path = dir.join("parley.service");
    std::fs::write(&path, unit.replace(program, &binary.display().to_string()))?;

    let (ok, text) = run(Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .current_dir(&dir))?;
    assert!(
        ok && text.trim().is_empty(),
        "systemd-analyze verify:\n{text}"
    );

    let (_, text) = run(Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--no-pager"])
        .arg(&path)
        .current_dir(&dir))?;
    let exposure: f64 = text
        .lines()
        .find_map(|l| l.split_once("Overall exposure level for parley.service:"))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no exposure level in:\n{text}"))?;
    assert!(
        exposure <= MAX_EXPOSURE,
        "exposure {exposure} > {MAX_EXPOSURE}:\n{text}"
    );
    Ok(())
}

/// coturn's TURN REST credentials, as Parley mints them: `<expiry>:<user>` and its HMAC-SHA1.
/// One user per peer tried: the file's `user-quota` bounds each user's allocations.
fn turn_credentials(secret: &str, peer: &str) -> TestResult<(String, String)> {
    let expiry = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + 600;
    let user = format!("{expiry}:deploy-test-{peer}");
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())?;
    mac.update(user.as_bytes());
    let password = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Ok((user, password))
}

/// What `turnutils_uclient` reports when asked to relay to `peer`: `Ok(true)` when the channel
/// to it was bound, `Ok(false)` when coturn refused the peer (403 Forbidden IP).
async fn relay_to(port: u16, secret: &str, peer: &str, dir: &Path) -> TestResult<bool> {
    let (user, password) = turn_credentials(secret, peer)?;
    let log = dir.join(format!("uclient-{peer}.log"));
    let mut cmd = Command::new("turnutils_uclient");
    cmd.args(["-e", peer, "-n", "1", "-c", "-u", &user, "-w", &password])
        .args(["-p", &port.to_string(), "127.0.0.1"]);
    let mut client = Group::spawn("turnutils_uclient", &mut cmd, &log)?;
    let what = format!("coturn's answer for peer {peer}");
    let bound = crate::wait::until(&what, Duration::from_secs(10), || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let exited = client.check_running(&log).is_err();
        async move {
            if text.contains("Forbidden IP") {
                return Ok(Some(false));
            }
            if text.contains("Total connect time") {
                return Ok(Some(true));
            }
            if exited {
                return Err(format!("turnutils_uclient exited without an answer:\n{text}").into());
            }
            Ok(None)
        }
    })
    .await?;
    drop(client);
    Ok(bound)
}

#[tokio::test]
async fn coturn_config_refuses_private_peers() -> TestResult {
    crate::wait::limit(async {
        let dir = fresh_dir("coturn_config_refuses_private_peers")?;
        let secret = "deploy-test-secret";
        let port = free_udp_and_tcp_port()?;
        let log = dir.join("coturn.log");
        let mut cmd = Command::new("turnserver");
        // The shipped file, with only what a loopback test must change given on the command line
        // (which coturn lets override the file).
        cmd.arg("-c")
            .arg(deploy_file("turnserver.conf"))
            .arg(format!("--static-auth-secret={secret}"))
            .args(["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
            .arg(format!("--listening-port={port}"))
            .args(["--no-tls", "--no-dtls", "--log-file=stdout"])
            .arg(format!("--pidfile={}", dir.join("coturn.pid").display()))
            .arg(format!("--userdb={}", dir.join("turndb").display()));
        let mut coturn = Group::spawn("coturn", &mut cmd, &log)?;
        coturn
            .wait_listening(&format!("127.0.0.1:{port}"), &log)
            .await?;

        // A public address: bound. The test runs in a namespace with only `lo`, so nothing is sent
        // anywhere; this shows the refusals below come from the file, not from the set-up.
        assert!(
            relay_to(port, secret, "198.51.101.7", &dir).await?,
            "coturn refused a public peer: see {}",
            dir.display()
        );
        for peer in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.1",
        ] {
            assert!(
                !relay_to(port, secret, peer, &dir).await?,
                "coturn with deploy/turnserver.conf relayed to {peer}"
            );
        }
        Ok(())
    })
    .await
}

/// nginx started with the shipped `http` and `location` parts in front of `upstream`, listening
/// on `port`; killed on drop.
struct Nginx {
    url: String,
    _process: Group,
}

impl Nginx {
    async fn start(dir: &Path, upstream: &str, port: u16) -> TestResult<Self> {
        let parts = root().join("deploy").join("nginx");
        let http = std::fs::read_to_string(parts.join("parley-http.conf"))?;
        let shipped = "server 127.0.0.1:8080;";
        assert!(http.contains(shipped), "parley-http.conf names no upstream");
        let http = http.replace(shipped, &format!("server {upstream};"));
        let http_part = dir.join("parley-http.conf");
        std::fs::write(&http_part, http)?;
        let d = dir.display();
        let conf = format!(
            "worker_processes 1;\n\
             pid {d}/nginx.pid;\n\
             error_log {d}/nginx-error.log info;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n\
               access_log {d}/nginx-access.log;\n\
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
               include {http};\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 include {locations};\n\
               }}\n\
             }}\n",
            http = http_part.display(),
            locations = parts.join("parley-locations.conf").display(),
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let log = dir.join("nginx.log");
        let mut cmd = Command::new(nginx_program());
        cmd.arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf_path)
            // Run as whoever runs the test (as root, nginx would switch its worker to `nobody`,
            // who cannot write the temp folders here).
            .args(["-g", "daemon off; master_process on; user root root;"]);
        let mut process = Group::spawn("nginx", &mut cmd, &log)?;
        let addr = format!("127.0.0.1:{port}");
        process.wait_listening(&addr, &log).await?;
        Ok(Self {
            url: format!("http://{addr}"),
            _process: process,
        })
    }
}

/// Debian puts nginx in /usr/sbin, which a user's PATH may lack.
fn nginx_program() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

#[tokio::test]
async fn call_through_nginx_with_the_shipped_config() -> TestResult {
    crate::wait::limit(async {
        let world = World::start("call_through_nginx_with_the_shipped_config").await?;
        let upstream = world
            .url
            .strip_prefix("http://")
            .ok_or("the server's URL is not http")?;
        let nginx = Nginx::start(&world.dir, upstream, free_port()?).await?;
        let alice = world.page_at("alice", &format!("{}/", nginx.url)).await?;
        let bob = world.page_at("bob", &format!("{}/", nginx.url)).await?;
        assert_eq!(alice.login("alice").await?, "alice");
        assert_eq!(bob.login("bob").await?, "bob");
        alice.wait_for_user("bob").await?;
        bob.wait_for_user("alice").await?;
        connect(&alice, "alice", &bob, "bob").await?;
        hang_up_and_check(&alice, &bob).await?;
        close_all([alice, bob]).await;
        // nginx logs a WebSocket when it ends: the pages are closed now.
        let access = world.dir.join("nginx-access.log");
        crate::wait::until(
            "nginx's log of the pages' WebSockets",
            Duration::from_secs(10),
            || {
                let log = std::fs::read_to_string(&access).unwrap_or_default();
                let upgraded = log.matches("\"GET /ws HTTP/1.1\" 101").count();
                async move { Ok((upgraded >= 2).then_some(())) }
            },
        )
        .await?;
        Ok(())
    })
    .await
}

#[test]
fn shipped_config_file_is_understood_and_secrets_stay_hidden() -> TestResult {
    let dir = fresh_dir("shipped_config_file_is_understood_and_secrets_stay_hidden")?;
    let secret = "deploy-test-turn-secret";
    let secret_file = dir.join("turn-secret");
    std::fs::write(&secret_file, format!("{secret}\n"))?;
    let binary = root().join("target").join("release").join("server");
    // As the systemd unit runs it: the file, and the secret from a credential file.
    let (ok, text) = run(Command::new(&binary)
        .arg("--config")
        .arg(deploy_file("parley.toml"))
        .arg("--print-config")
        .env("SERVER_TURN_SECRET_FILE", &secret_file)
        .current_dir(&dir))?;
    assert!(ok, "the server refused deploy/parley.toml:\n{text}");
    for expected in [
        "acme-domain = [\"call.example.org\"]",
        "http-redirect-addr = \"0.0.0.0:80\"",
        "metrics-addr = \"127.0.0.1:9100\"",
        "state-file = \"/var/lib/parley/parley-state.json\"",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` not in effect:\n{text}"
        );
    }
    assert!(
        !text.contains(secret),
        "the TURN secret was printed:\n{text}"
    );
    Ok(())
}
