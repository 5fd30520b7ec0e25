//! A child process in its own process group, killed with its whole group on drop (also when a
//! test panics). chromedriver's Chromium processes stay in chromedriver's group, so killing the
//! group leaves no browser behind.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::TestResult;

pub struct Group {
    name: &'static str,
    child: Child,
}

impl Group {
    /// Starts `cmd` as the leader of a new process group, its output appended to `log`.
    pub fn spawn(name: &'static str, cmd: &mut Command, log: &Path) -> TestResult<Self> {
        use std::os::unix::process::CommandExt;
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        let child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("could not start {name} ({:?}): {e}", cmd.get_program()))?;
        Ok(Self { name, child })
    }

    /// An error when the process has already exited (it failed to start properly).
    pub fn check_running(&mut self, log: &Path) -> TestResult {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(20).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                Err(format!(
                    "{} exited early ({status}); last log lines:\n{}",
                    self.name,
                    tail.join("\n")
                )
                .into())
            }
        }
    }
}

impl Group {
    /// Waits (15 s at most) until something accepts TCP connections on `addr`, failing early with
    /// the log's tail when the process exits first.
    pub async fn wait_listening(&mut self, addr: &str, log: &Path) -> TestResult {
        let what = format!("{} to listen on {addr}", self.name);
        crate::wait::until(&what, std::time::Duration::from_secs(15), || {
            let running = self.check_running(log);
            let addr = addr.to_owned();
            async move {
                running?;
                Ok(tokio::net::TcpStream::connect(&addr).await.ok().map(|_| ()))
            }
        })
        .await
    }

    /// The process group id (the leader's pid).
    pub fn group_id(&self) -> u32 {
        self.child.id()
    }
}

/// Live (not zombie) processes in process group `pgid`, from `/proc/<pid>/stat`.
pub fn live_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // Fields after the command name (which may hold spaces) start after the last ')':
            // state, ppid, pgrp, …
            let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.first().is_some_and(|state| *state != "Z")
                && fields.get(2) == Some(&pgid.to_string().as_str())
        })
        .collect()
}

impl Drop for Group {
    fn drop(&mut self) {
        // Only a real group leader: pid 0 or 1 would mean our own group or every process.
        if let Ok(pid) = i32::try_from(self.child.id())
            && pid > 1
        {
            // The group may already be gone; nothing else to do then.
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = self.child.wait();
    }
}
