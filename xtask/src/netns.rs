//! Wraps a command so it runs in a private network namespace that has only `lo`, brought up.
//!
//! The browser tests may send traffic to loopback only, but Chromium leaves loopback out of ICE
//! when another interface exists and would pair candidates on the machine's real interface. In a
//! namespace with only `lo` (and Chromium's `--allow-loopback-in-peer-connection`) the only
//! candidate is 127.0.0.1. As root (CI) that is `unshare --net`; as anyone else it is an
//! unprivileged user namespace mapped to root inside (`unshare --user --map-root-user --net`),
//! which most kernels allow. When neither works the suite fails with the reason, never skips.
//! Build before entering: the namespace has no network, so cargo runs `--offline` inside it.

use std::process::Command;

use crate::shell::{self, Error};

/// How to enter the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `unshare --net`: needs root.
    AsRoot,
    /// `unshare --user --map-root-user --net`: an unprivileged user namespace.
    UserNamespace,
}

impl Entry {
    /// The way that works for this process: as root, the plain one; else the user namespace,
    /// tried once so a kernel that forbids it is reported here, with what to do.
    pub fn for_this_process() -> Result<Self, Error> {
        if shell::is_root() {
            return Ok(Self::AsRoot);
        }
        let probe = wrap(&Command::new("true"), Self::UserNamespace).output();
        match probe {
            Ok(output) if output.status.success() => Ok(Self::UserNamespace),
            Ok(output) => Err(Error::Invalid(format!(
                "the browser tests need a private network namespace: not root, and an \
                 unprivileged user namespace was refused (`unshare --user --map-root-user --net`: \
                 {}); run as root (CI does) or allow user namespaces \
                 (sysctl kernel.unprivileged_userns_clone=1, or AppArmor's \
                 kernel.apparmor_restrict_unprivileged_userns=0)",
                String::from_utf8_lossy(&output.stderr).trim()
            ))),
            Err(error) => Err(Error::Spawn {
                program: "unshare".to_owned(),
                source: error,
            }),
        }
    }

    fn flags(self) -> &'static [&'static str] {
        match self {
            Self::AsRoot => &["--net"],
            Self::UserNamespace => &["--user", "--map-root-user", "--net"],
        }
    }
}

/// `cmd`, re-targeted to run in a namespace with only `lo` (up), entered the way that works for
/// this process; its environment and working directory are carried over.
pub fn loopback_only(cmd: &Command) -> Result<Command, Error> {
    Ok(wrap(cmd, Entry::for_this_process()?))
}

/// `cmd` under `unshare` entered by `entry`, with `lo` brought up first.
pub fn wrap(cmd: &Command, entry: Entry) -> Command {
    let mut wrapped = Command::new("unshare");
    wrapped
        .args(entry.flags())
        .args(["sh", "-c", r#"ip link set lo up && exec "$@""#, "sh"])
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
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &Command) -> Vec<String> {
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn keeps_program_arguments_environment_and_directory() {
        let mut inner = Command::new("cargo");
        inner
            .args(["test", "--offline"])
            .env("A", "1")
            .current_dir("/tmp");
        for (entry, flags) in [
            (Entry::AsRoot, &["--net"][..]),
            (
                Entry::UserNamespace,
                &["--user", "--map-root-user", "--net"],
            ),
        ] {
            let wrapped = wrap(&inner, entry);
            let args = args(&wrapped);
            assert_eq!(wrapped.get_program(), "unshare");
            assert_eq!(&args[..flags.len()], flags);
            assert_eq!(&args[flags.len() + 4..], ["cargo", "test", "--offline"]);
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
    }

    /// The interfaces that `wrapped` (running `cat /proc/self/net/dev`) sees.
    fn interfaces_seen(mut wrapped: Command) -> Vec<String> {
        let output = wrapped
            .output()
            .unwrap_or_else(|e| panic!("unshare could not start: {e}"));
        assert!(
            output.status.success(),
            "unshare failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .skip(2)
            .filter_map(|line| line.split(':').next())
            .map(|name| name.trim().to_owned())
            .collect()
    }

    fn net_dev() -> Command {
        let mut cmd = Command::new("cat");
        cmd.arg("/proc/self/net/dev");
        cmd
    }

    /// Whatever this process is, `loopback_only` works (or the test fails with why it cannot:
    /// the browser suites would fail the same way).
    #[test]
    fn the_namespace_has_only_loopback() {
        let wrapped = loopback_only(&net_dev()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(interfaces_seen(wrapped), ["lo"]);
    }

    /// The unprivileged way works too (as root it is tried as well, so CI keeps it working for
    /// people who run the tests as themselves).
    #[test]
    fn an_unprivileged_user_namespace_has_only_loopback() {
        assert_eq!(
            interfaces_seen(wrap(&net_dev(), Entry::UserNamespace)),
            ["lo"]
        );
    }
}
