//! The deployment files in `deploy/` are the ones we test: the systemd unit passes
//! `systemd-analyze verify` and scores "OK" on `systemd-analyze security`; coturn started with
//! `deploy/turnserver.conf` relays to a public address but refuses every private, loopback and
//! link-local peer (an open TURN server is a door into the LAN).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::TestResult;
use crate::harness::process::Group;
use crate::harness::{free_udp_and_tcp_port, root};

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
