//! Wraps a command so it runs in a private network namespace that has only `lo`, brought up.
//!
//! The browser tests may send traffic to loopback only, but Chromium leaves loopback out of ICE
//! when another interface exists and would pair candidates on the machine's real interface. In a
//! namespace with only `lo` (and Chromium's `--allow-loopback-in-peer-connection`) the only
//! candidate is 127.0.0.1. Needs root (CI runs as root). Build before entering: the namespace has
//! no network, so cargo runs `--offline` inside it.

use std::process::Command;

use crate::shell::{self, Error};

/// `cmd`, re-targeted to run under `unshare -n` with `lo` up; its environment and working
/// directory are carried over.
pub fn loopback_only(cmd: &Command) -> Result<Command, Error> {
    if !shell::is_root() {
        return Err(Error::Invalid(
            "the browser tests run in a private network namespace (`unshare -n`), which needs \
             root; run as root (CI does)"
                .to_owned(),
        ));
    }
    let mut wrapped = Command::new("unshare");
    wrapped
        .args(["-n", "sh", "-c", r#"ip link set lo up && exec "$@""#, "sh"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    Ok(wrapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_program_arguments_environment_and_directory() {
        if !shell::is_root() {
            return;
        }
        let mut inner = Command::new("cargo");
        inner
            .args(["test", "--offline"])
            .env("A", "1")
            .current_dir("/tmp");
        let wrapped = loopback_only(&inner).unwrap_or_else(|e| panic!("{e}"));
        let args: Vec<String> = wrapped
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(wrapped.get_program(), "unshare");
        assert_eq!(args[0], "-n");
        assert_eq!(&args[5..], ["cargo", "test", "--offline"]);
        assert_eq!(
            wrapped.get_current_dir(),
            Some(std::path::Path::new("/tmp"))
        );
        assert!(
            wrapped
                .get_envs()
                .any(|(k, v)| k == "A" && v == Some("1".as_ref()))
        );
    }

    #[test]
    fn the_namespace_has_only_loopback() {
        if !shell::is_root() {
            return;
        }
        let inner = {
            let mut cmd = Command::new("cat");
            cmd.arg("/proc/self/net/dev");
            cmd
        };
        let Ok(mut wrapped) = loopback_only(&inner) else {
            return;
        };
        let output = wrapped.output().unwrap_or_else(|e| panic!("unshare: {e}"));
        assert!(
            output.status.success(),
            "unshare failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        let interfaces: Vec<&str> = text
            .lines()
            .skip(2)
            .filter_map(|line| line.split(':').next())
            .map(str::trim)
            .collect();
        assert_eq!(interfaces, ["lo"]);
    }
}
