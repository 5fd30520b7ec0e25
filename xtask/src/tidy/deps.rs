//! `unused-dep`: every dependency a `Cargo.toml` lists is named in the code that can see it (a
//! machete-style check of our own).
//!
//! A dependency's name in code is its key with `-` as `_` (a `package = "…"` rename keeps the
//! key). It must appear as an identifier in code (not in a comment or a string) of the crate's:
//! `src/` and the folders of `[lib]`/`[[bin]]` paths for `[dependencies]`; those and `tests/`,
//! `examples/`, `benches/` and the folders of `[[test]]`/`[[example]]`/`[[bench]]` paths for
//! `[dev-dependencies]`; the build script for `[build-dependencies]`; the same for their
//! `[target.'cfg(…)'.*]` forms. Each `[workspace.dependencies]` entry must be taken by some member
//! (`workspace = true`). [`ALLOWED`] lists the few crates that are used without being named,
//! each with its reason.

use std::collections::BTreeSet;

use super::lex;
use super::{Finding, Repo};

/// `(manifest, dependency, why it is needed though no code names it)`.
pub const ALLOWED: [(&str, &str, &str); 0] = [];

/// The dependency tables of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

impl DepKind {
    fn table(self) -> &'static str {
        match self {
            Self::Normal => "dependencies",
            Self::Dev => "dev-dependencies",
            Self::Build => "build-dependencies",
        }
    }

    /// Whether code at `rel` (relative to the crate's folder) can see this kind of dependency;
    /// `targets` are the folders of the manifest's explicit target paths ([`target_dirs`]).
    pub fn sees(self, rel: &str, targets: &Targets) -> bool {
        let under = |dirs: &[String]| dirs.iter().any(|dir| rel.starts_with(dir.as_str()));
        match self {
            Self::Normal => rel.starts_with("src/") || under(&targets.built),
            Self::Dev => {
                ["src/", "tests/", "examples/", "benches/"]
                    .iter()
                    .any(|dir| rel.starts_with(dir))
                    || under(&targets.built)
                    || under(&targets.dev)
            }
            Self::Build => rel == "build.rs",
        }
    }
}

/// Folders (relative, ending in `/`) of a manifest's explicit target paths: `built` for
/// `[lib]`/`[[bin]]`, `dev` for `[[test]]`/`[[example]]`/`[[bench]]` (cargo-fuzz puts its
/// targets in `fuzz_targets/`, for one).
#[derive(Debug, Default)]
pub struct Targets {
    pub built: Vec<String>,
    pub dev: Vec<String>,
}

/// The [`Targets`] of a parsed manifest.
pub fn target_dirs(manifest: &toml::Table) -> Targets {
    let dirs = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|key| manifest.get(*key))
            .flat_map(|value| match value {
                toml::Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            })
            .filter_map(|target| {
                let path = target.get("path")?.as_str()?;
                Some(
                    path.rsplit_once('/')
                        .map_or(String::new(), |(dir, _)| format!("{dir}/")),
                )
            })
            .collect()
    };
    Targets {
        built: dirs(&["lib", "bin"]),
        dev: dirs(&["test", "example", "bench"]),
    }
}

/// One dependency entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub key: String,
    pub kind: DepKind,
    /// `Some(cfg)` for a `[target.<cfg>.*]` table.
    pub target: Option<String>,
    pub from_workspace: bool,
}

/// The dependency entries of a parsed manifest.
pub fn entries(manifest: &toml::Table) -> Vec<Dep> {
    let mut deps = Vec::new();
    let mut take = |table: &toml::Table, target: Option<&str>| {
        for kind in [DepKind::Normal, DepKind::Dev, DepKind::Build] {
            let Some(list) = table.get(kind.table()).and_then(toml::Value::as_table) else {
                continue;
            };
            for (key, value) in list {
                let from_workspace = value
                    .get("workspace")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(false);
                deps.push(Dep {
                    key: key.clone(),
                    kind,
                    target: target.map(str::to_owned),
                    from_workspace,
                });
            }
        }
    };
    take(manifest, None);
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for (cfg, table) in targets {
            if let Some(table) = table.as_table() {
                take(table, Some(cfg));
            }
        }
    }
    deps
}

/// The line of `dep`'s entry in the manifest text (1 when it cannot be told).
fn line_of(text: &str, dep: &Dep) -> usize {
    let table = dep.kind.table();
    let header = |line: &str| {
        let line = line.trim();
        line.starts_with('[')
            && line.ends_with(&format!("{table}]"))
            && dep
                .target
                .as_ref()
                .is_none_or(|cfg| line.contains(cfg.as_str()))
            && (dep.target.is_some() || line == format!("[{table}]"))
    };
    let own_table = |line: &str| line.trim() == format!("[{table}.{}]", dep.key);
    let mut in_table = false;
    for (i, line) in text.lines().enumerate() {
        if own_table(line) {
            return i + 1;
        }
        if line.trim_start().starts_with('[') {
            in_table = header(line);
            continue;
        }
        let key = line.trim_start();
        let names_key = key
            .strip_prefix(dep.key.as_str())
            .is_some_and(|rest| rest.starts_with([' ', '=', '.']));
        if in_table && names_key {
            return i + 1;
        }
    }
    1
}

/// The identifiers named in code by the `.rs` files of the crate in `dir` that `kind` reaches.
fn names_seen(repo: &Repo, dir: &str, kind: DepKind, targets: &Targets) -> BTreeSet<String> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut names = BTreeSet::new();
    for (path, text) in repo.texts(".rs") {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        if !kind.sees(rel, targets) {
            continue;
        }
        for line in lex::lines(text) {
            names.extend(lex::idents(&line.code).map(|(_, ident)| ident.to_owned()));
        }
    }
    names
}

/// `unused-dep` over every manifest of `repo`.
pub fn unused(repo: &Repo) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut taken_from_workspace = BTreeSet::new();
    let mut workspace: Option<(&str, &str, Vec<String>)> = None;
    for (path, text) in repo.texts("Cargo.toml") {
        let manifest: toml::Table = match text.parse() {
            Ok(table) => table,
            Err(error) => {
                findings.push(Finding::new(
                    path,
                    1,
                    "unused-dep",
                    format!("unreadable: {error}"),
                ));
                continue;
            }
        };
        if let Some(shared) = manifest
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(toml::Value::as_table)
        {
            workspace = Some((path, text, shared.keys().cloned().collect()));
        }
        let dir = path.strip_suffix("Cargo.toml").unwrap_or_default();
        let dir = dir.trim_end_matches('/');
        let deps = entries(&manifest);
        taken_from_workspace.extend(
            deps.iter()
                .filter(|d| d.from_workspace)
                .map(|d| d.key.clone()),
        );
        if manifest.get("package").is_none() {
            continue;
        }
        let targets = target_dirs(&manifest);
        for kind in [DepKind::Normal, DepKind::Dev, DepKind::Build] {
            let seen = names_seen(repo, dir, kind, &targets);
            for dep in deps.iter().filter(|d| d.kind == kind) {
                let name = dep.key.replace('-', "_");
                let allowed = ALLOWED
                    .iter()
                    .any(|(manifest, key, _)| *manifest == path && *key == dep.key);
                if !seen.contains(&name) && !allowed {
                    findings.push(Finding::new(
                        path,
                        line_of(text, dep),
                        "unused-dep",
                        format!(
                            "`{}` ({}) is never named in the code that can use it; remove it, \
                             or add it to tidy's allow-list with the reason",
                            dep.key,
                            kind.table()
                        ),
                    ));
                }
            }
        }
    }
    if let Some((path, text, keys)) = workspace {
        for key in keys.iter().filter(|k| !taken_from_workspace.contains(*k)) {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(&format!("{key} ")))
                .map_or(1, |i| i + 1);
            findings.push(Finding::new(
                path,
                line,
                "unused-dep",
                format!("`{key}` in [workspace.dependencies] is taken by no member"),
            ));
        }
    }
    findings
}
