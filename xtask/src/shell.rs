//! Running commands: the repository root, the PATH our tools live on, logged command lines and
//! the error type every subcommand returns.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// Why a subcommand failed.
#[derive(Debug)]
pub enum Error {
    /// Bad command line.
    Usage(String),
    /// A program could not be started at all.
    Spawn {
        program: String,
        source: std::io::Error,
    },
    /// A program ran and reported failure.
    Failed { command: String, status: ExitStatus },
    /// A file could not be read or written.
    Io {
        what: String,
        source: std::io::Error,
    },
    /// Something the automation needs is not in the expected shape.
    Invalid(String),
    /// Some test suites failed (the summary was already printed).
    TestsFailed { failed_suites: usize },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(text) => f.write_str(text),
            Self::Spawn { program, source } => write!(f, "could not start `{program}`: {source}"),
            Self::Failed { command, status } => write!(f, "`{command}` failed ({status})"),
            Self::Io { what, source } => write!(f, "{what}: {source}"),
            Self::Invalid(text) => f.write_str(text),
            Self::TestsFailed { failed_suites } => write!(f, "{failed_suites} suite(s) failed"),
        }
    }
}

impl std::error::Error for Error {}

/// The workspace root (xtask lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where npm puts binaryen's `wasm-opt` (see `tools::ensure_binaryen`).
pub fn tools_bin() -> PathBuf {
    root().join(".tools").join("node_modules").join(".bin")
}

/// PATH with our private tools first (binaryen's wasm-opt must win over any system one: Debian's
/// binaryen cannot read rustc's current wasm) and cargo's bin folder present (fresh shells may
/// lack it after `cargo install`).
pub fn tool_path() -> OsString {
    let mut dirs = vec![tools_bin()];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_else(|_| std::env::var_os("PATH").unwrap_or_default())
}

/// A command started in the repository root with [`tool_path`] as its PATH.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(root()).env("PATH", tool_path());
    cmd
}

/// `cargo`, the same one that runs us.
pub fn cargo() -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command(&cargo)
}

/// `cargo <args>` as an owned command.
pub fn cargo_with(args: &[&str]) -> Command {
    let mut cmd = cargo();
    cmd.args(args);
    cmd
}

/// `trunk` with the settings that keep it off the network: no update check; its build tools come
/// from PATH (Trunk.toml sets `offline = true`).
pub fn trunk() -> Command {
    let mut cmd = command("trunk");
    cmd.env("TRUNK_SKIP_VERSION_CHECK", "true");
    cmd
}

/// Prints a step heading.
pub fn step(text: &str) {
    println!("\n==> {text}");
}

/// Prints a log line under the current step.
pub fn note(text: &str) {
    println!("    {text}");
}

/// The command line as a person would type it, for logs and errors.
pub fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` with inherited output; an error unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result<(), Error> {
    let line = describe(cmd);
    note(&format!("$ {line}"));
    let status = cmd.status().map_err(|source| Error::Spawn {
        program: cmd.get_program().to_string_lossy().into_owned(),
        source,
    })?;
    succeeded(status, line)
}

/// `Ok` when `status` is a success, else the error that names `command`.
pub fn succeeded(status: std::process::ExitStatus, command: String) -> Result<(), Error> {
    if status.success() {
        Ok(())
    } else {
        Err(Error::Failed { command, status })
    }
}

/// Runs `cmd` quietly and returns its stdout when it succeeds; `None` when it cannot be started
/// or fails (used to probe whether a tool is present).
pub fn probe(cmd: &mut Command) -> Option<String> {
    let output = cmd.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// True when running as root (apt needs it; [`crate::netns`] enters its namespace accordingly).
pub fn is_root() -> bool {
    probe(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}
