//! Dropping the media's packets with nftables, inside the test's loopback-only network namespace:
//! a network change under a live call (the media's candidate pairs die; signaling, on the
//! server's port, does not). The rule lives in its own table, removed when the [`PortBlock`] is
//! dropped (also when the test fails), so nothing outlasts the test.
//!
//! Only the given ports (the browsers' ICE candidate ports) are dropped, UDP and TCP alike:
//! Chromium also pairs ICE-TCP candidates and would quietly move the media there if only UDP
//! were dropped. A test running beside it keeps its own media.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::TestResult;

/// `nft` (Debian's nftables, installed by `cargo xtask test`); `NFT` overrides.
fn nft() -> Command {
    let program = std::env::var("NFT").ok().unwrap_or_else(|| {
        ["/usr/sbin/nft", "/sbin/nft"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or("nft")
            .to_owned()
    });
    Command::new(program)
}

/// An nftables table that drops UDP and TCP from and to some ports while it exists (or, with
/// [`PortBlock::loss_from`], a share of the UDP sent from them).
pub struct PortBlock {
    table: String,
    lifted: bool,
}

impl PortBlock {
    /// Drops every UDP datagram and TCP segment sent from or to one of `ports`, on arrival (the
    /// input hook): the sender notices nothing, as on a real network that lost them (dropped on
    /// output, `sendto` would fail with EPERM instead).
    pub fn ports(ports: &[u16]) -> TestResult<Self> {
        Self::with_rules(ports, |set| {
            format!(
                "udp sport {{ {set} }} drop\n    udp dport {{ {set} }} drop\n    \
                 tcp sport {{ {set} }} drop\n    tcp dport {{ {set} }} drop"
            )
        })
    }

    /// Drops `percent` % of the UDP datagrams sent from one of `ports`, at random, on arrival:
    /// packet loss on one side's upload (its media), nothing else touched.
    pub fn loss_from(ports: &[u16], percent: u32) -> TestResult<Self> {
        Self::with_rules(ports, |set| {
            format!("udp sport {{ {set} }} numgen random mod 100 < {percent} drop")
        })
    }

    /// A table of its own whose input chain holds `rules(the ports as an nft set)`.
    fn with_rules(ports: &[u16], rules: impl FnOnce(&str) -> String) -> TestResult<Self> {
        // Never on the host's own firewall: only inside the test's namespace.
        super::namespace::require_loopback_only()?;
        if ports.is_empty() {
            return Err("no ports to block".into());
        }
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let table = format!(
            "e2e_block_{}_{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let set = ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let script = format!(
            "table inet {table} {{\n  chain input {{\n    type filter hook input priority 0; policy accept;\n    \
             {}\n  }}\n}}\n",
            rules(&set)
        );
        let mut child = nft()
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not run nft (Debian's nftables): {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(script.as_bytes())?;
        }
        let output = child.wait_with_output()?;
        if !output.status.success() {
            return Err(format!(
                "nft refused the rule ({}): {}\n{script}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into());
        }
        Ok(Self {
            table,
            lifted: false,
        })
    }

    /// Removes the rule now, reporting a failure (dropping does the same silently).
    pub fn lift(mut self) -> TestResult {
        self.lifted = true;
        self.delete()
    }

    fn delete(&self) -> TestResult {
        let output = nft()
            .args(["delete", "table", "inet", &self.table])
            .output()?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "nft could not delete table {}: {}",
                self.table,
                String::from_utf8_lossy(&output.stderr).trim()
            )
            .into())
        }
    }
}

impl Drop for PortBlock {
    fn drop(&mut self) {
        // On a failing test; the namespace dies with the test run anyway.
        if !self.lifted {
            let _ = self.delete();
        }
    }
}
