//! The config file (TOML, `--config FILE` or `SERVER_CONFIG`) and `--print-config`.
//!
//! Generic over clap's `Command`, so every flag, including those flattened in from other files,
//! can be set in the file without code of its own: the file's keys are the long flag names
//! (`turn-ttl = 600`, `stun = ["stun:a:3478", "stun:b:3478"]`), and each value found becomes the
//! matching argument's *default* before the command line is parsed. clap then applies its own
//! order, which is the documented precedence: flags > environment > file > built-in defaults.
//! A key that names no flag is an error naming it (a typo must not be silently ignored).
//!
//! `--print-config` prints the effective configuration in the same format (so it can start a
//! config file), with every secret redacted. A flag is a secret when it is declared with
//! `hide_env_values = true` (clap's own "do not show this value" mark), e.g. `--turn-secret`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{ArgAction, ArgMatches, Command, CommandFactory, FromArgMatches};
use toml::{Table, Value};

use super::Config;
use crate::turn::flags::SecretError;

/// What `--print-config` shows instead of a secret.
pub const REDACTED: &str = "<redacted>";

/// Long names that are about reading the configuration, not settings in it.
const NOT_SETTINGS: &[&str] = &["config", "print-config", "help", "version"];

/// Why the configuration could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A bad flag or value (clap's own message; `--help` and `--version` come this way too).
    #[error(transparent)]
    Clap(#[from] clap::Error),
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid TOML: {source}")]
    Toml {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error(
        "the config file {path}: unknown key `{key}` (keys are the long flag names, as in `--help`)"
    )]
    UnknownKey { path: PathBuf, key: String },
    #[error("the config file {path}: key `{key}`: {what}")]
    BadValue {
        path: PathBuf,
        key: String,
        what: &'static str,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// The configuration from `args` (the program name first), the environment and the config file;
/// with the TURN secret file read. Also returns the effective configuration for `--print-config`.
pub fn load_from<I, T>(args: I) -> Result<(Config, Table), ConfigError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let mut command = Config::command();
    if let Some(path) = config_path(&command, &args) {
        command = with_file(command, &path)?;
    }
    let matches = command.clone().try_get_matches_from(&args)?;
    let mut config = Config::from_arg_matches(&matches)?;
    config.ice.read_secret_file()?;
    Ok((config, effective(&command, &matches)))
}

/// The config file named by `--config` or `SERVER_CONFIG`, found by a lenient first parse
/// (before the file's values exist, required flags may still be missing).
fn config_path(command: &Command, args: &[OsString]) -> Option<PathBuf> {
    let matches = command
        .clone()
        .ignore_errors(true)
        .try_get_matches_from(args)
        .ok()?;
    matches.get_one::<PathBuf>("config").cloned()
}

/// `command` with the values of the file at `path` as its arguments' defaults.
pub fn with_file(command: Command, path: &Path) -> Result<Command, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let table: Table = text.parse().map_err(|source| ConfigError::Toml {
        path: path.to_owned(),
        source: Box::new(source),
    })?;
    apply(command, &table).map_err(|(key, problem)| match problem {
        None => ConfigError::UnknownKey {
            path: path.to_owned(),
            key,
        },
        Some(what) => ConfigError::BadValue {
            path: path.to_owned(),
            key,
            what,
        },
    })
}

/// Sets each key of `table` as the default of the flag with that long name. Errors name the
/// key, with `None` for "no such flag" or what is wrong with its value.
pub fn apply(
    mut command: Command,
    table: &Table,
) -> Result<Command, (String, Option<&'static str>)> {
    for (key, value) in table {
        let arg = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(key.as_str()))
            .filter(|_| !NOT_SETTINGS.contains(&key.as_str()));
        let Some(arg) = arg else {
            return Err((key.clone(), None));
        };
        let many = matches!(arg.get_action(), ArgAction::Append);
        let values = match value {
            Value::Array(items) if many => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .ok_or((
                    key.clone(),
                    Some("list items must be strings, numbers or booleans"),
                ))?,
            Value::Array(_) => return Err((key.clone(), Some("takes one value, not a list"))),
            other => vec![scalar(other).ok_or((key.clone(), Some("a table is not a value")))?],
        };
        if arg.is_hide_env_values_set() && values.iter().any(|v| v == REDACTED) {
            return Err((
                key.clone(),
                Some("holds the redacted placeholder, not the secret"),
            ));
        }
        let id = arg.get_id().clone();
        command = command.mut_arg(id, |arg| arg.default_values(values));
    }
    Ok(command)
}

/// A scalar TOML value as the text a flag would be given.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Float(x) => Some(x.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        Value::Datetime(d) => Some(d.to_string()),
        Value::Array(_) | Value::Table(_) => None,
    }
}

/// The effective configuration: every setting that has a value, by its long name, secrets
/// redacted.
pub fn effective(command: &Command, matches: &ArgMatches) -> Table {
    let mut table = Table::new();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if NOT_SETTINGS.contains(&long) {
            continue;
        }
        let Ok(Some(raw)) = matches.try_get_raw(arg.get_id().as_str()) else {
            continue;
        };
        let values: Vec<Value> = raw
            .map(|v| match arg.is_hide_env_values_set() {
                true => Value::String(REDACTED.to_owned()),
                false => typed(&v.to_string_lossy()),
            })
            .collect();
        let value = match (matches!(arg.get_action(), ArgAction::Append), values.len()) {
            (true, _) => Value::Array(values),
            (false, 1) => values.into_iter().next().unwrap_or(Value::Boolean(false)),
            (false, _) => Value::Array(values),
        };
        table.insert(long.to_owned(), value);
    }
    table
}

/// A flag's text as the TOML value a person would write: numbers and booleans bare.
fn typed(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::Integer(n);
    }
    if let Ok(x) = text.parse::<f64>()
        && x.is_finite()
        && text.contains('.')
    {
        return Value::Float(x);
    }
    match text {
        "true" => Value::Boolean(true),
        "false" => Value::Boolean(false),
        _ => Value::String(text.to_owned()),
    }
}

impl Config {
    /// Like clap's `parse()`, with the config file: exits with clap's message (or the file's
    /// error) when something is wrong, and after printing the configuration on `--print-config`.
    pub fn load() -> Config {
        match load_from(std::env::args_os()) {
            Ok((config, effective)) if config.print_config => {
                print!(
                    "# The effective configuration (flags > environment > config file > defaults); secrets redacted.\n{effective}"
                );
                std::process::exit(0)
            }
            Ok((config, _)) => config,
            Err(ConfigError::Clap(e)) => e.exit(),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2)
            }
        }
    }
}
