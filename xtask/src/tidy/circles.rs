//! `import-circle`: no files of a crate that lean on each other in a circle.
//!
//! A file leans on another when its code names a path into that file's module (read by
//! `tidy/imports.rs`): `use crate::a::…`, `use super::…`, `use self::…`, a `use` of a child
//! module by its bare name, or a `crate::`/`super::`/`self::` path anywhere in code. The path
//! lands in the file of the longest module prefix that has one (re-exports are not followed).
//! Edges from a module to its own submodules are not counted: a parent declares, re-exports and
//! delegates to its children, which is structure, not a second concept leaning back; the rule is
//! about files that lean on each other sideways (`state.rs` ↔ `text.rs`) or in a longer loop.
//!
//! Crates are found by folder: `src/`, `tests/`, `examples/` and `benches/` of a package, and
//! any folder holding a `main.rs` or `lib.rs` (a multi-file test or example).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::imports::{Named, named_paths};
use super::{Finding, Repo};

/// The crate folder of `.rs` file `path` and the file's module path in that crate.
pub fn module_of(path: &str, entries: &BTreeSet<String>) -> Option<(String, Vec<String>)> {
    let mut dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    loop {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let parent = dir.rsplit_once('/').map_or("", |(up, _)| up);
        let in_package = |up: &str| {
            entries.contains(&if up.is_empty() {
                "Cargo.toml".to_owned()
            } else {
                format!("{up}/Cargo.toml")
            })
        };
        let has = |file: &str| entries.contains(&format!("{dir}/{file}"));
        let is_root = has("main.rs")
            || has("lib.rs")
            || (["src", "tests", "examples", "benches"].contains(&name) && in_package(parent));
        if is_root {
            let rel = path.strip_prefix(dir)?.trim_start_matches('/');
            let mut module: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_owned)
                .collect();
            let last = module.last().map(String::as_str);
            if last == Some("mod") || (module.len() == 1 && matches!(last, Some("main" | "lib"))) {
                module.pop();
            }
            return Some((dir.to_owned(), module));
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent;
    }
}

/// An edge: `from` leans on `to` at `line` through `via`.
#[derive(Debug, Clone)]
struct Edge {
    to: String,
    line: usize,
    via: String,
}

/// `import-circle` over every crate of `repo`.
pub fn circles(repo: &Repo) -> Vec<Finding> {
    let entries = repo.entries();
    // (crate folder, module path) -> file
    let mut files: BTreeMap<(String, Vec<String>), String> = BTreeMap::new();
    for (path, _) in repo.texts(".rs") {
        if let Some(key) = module_of(path, &entries) {
            files.entry(key).or_insert_with(|| path.to_owned());
        }
    }
    let mut edges: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
    for (path, text) in repo.texts(".rs") {
        let Some((root, module)) = module_of(path, &entries) else {
            continue;
        };
        for named in named_paths(text) {
            let Some(target) = resolve(&named, &module, |m| {
                files.contains_key(&(root.clone(), m.to_vec()))
            }) else {
                continue;
            };
            // Sideways or upwards only: never to itself or its own submodules.
            if target.starts_with(&module) {
                continue;
            }
            if let Some(to) = files.get(&(root.clone(), target)) {
                edges.entry(path.to_owned()).or_default().push(Edge {
                    to: to.clone(),
                    line: named.line,
                    via: named.segments.join("::"),
                });
            }
        }
    }
    report(&edges)
}

/// The module a named path lands in (longest prefix with a file), relative to `module`.
fn resolve(
    named: &Named,
    module: &[String],
    is_file: impl Fn(&[String]) -> bool,
) -> Option<Vec<String>> {
    let mut here: Vec<String> = module.to_vec();
    here.extend(named.inline.iter().cloned());
    let mut segments = named.segments.iter().peekable();
    let mut full = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("self") => {
            segments.next();
            here
        }
        Some("super") => {
            while segments.peek().is_some_and(|s| *s == "super") {
                segments.next();
                here.pop()?;
            }
            here
        }
        Some(first) if named.in_use => {
            // A bare `use child::…` names a submodule of this module (2018 paths).
            let mut child = here.clone();
            child.push(first.to_owned());
            if !is_file(&child) {
                return None;
            }
            here
        }
        _ => return None,
    };
    full.extend(segments.cloned());
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|prefix| is_file(prefix))
}

/// One finding per circle (a strongly connected group of files), naming one loop through it.
fn report(edges: &BTreeMap<String, Vec<Edge>>) -> Vec<Finding> {
    let nodes: BTreeSet<&String> = edges
        .keys()
        .chain(edges.values().flatten().map(|e| &e.to))
        .collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([from.clone()]);
        while let Some(node) = queue.pop_front() {
            for edge in edges.get(&node).into_iter().flatten() {
                if seen.insert(edge.to.clone()) {
                    queue.push_back(edge.to.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut findings = Vec::new();
    for node in &nodes {
        if done.contains(*node) || !reachable[node].contains(*node) {
            continue;
        }
        let group: BTreeSet<String> = reachable[node]
            .iter()
            .filter(|other| reachable.get(other).is_some_and(|r| r.contains(*node)))
            .cloned()
            .collect();
        done.extend(group.iter().cloned());
        let chain = shortest_loop(node, edges);
        let first_line = chain.first().map_or(1, |(_, e)| e.line);
        let steps: Vec<String> = chain
            .iter()
            .map(|(from, e)| format!("{from}:{} uses `{}` ({})", e.line, e.via, e.to))
            .collect();
        findings.push(Finding::new(
            node,
            first_line,
            "import-circle",
            format!(
                "files that lean on each other ({}): {}",
                group.into_iter().collect::<Vec<_>>().join(", "),
                steps.join("; ")
            ),
        ));
    }
    findings
}

/// The shortest loop from `start` back to itself, as (file, edge) steps.
fn shortest_loop<'a>(
    start: &str,
    edges: &'a BTreeMap<String, Vec<Edge>>,
) -> Vec<(String, &'a Edge)> {
    let mut came: BTreeMap<String, (String, &Edge)> = BTreeMap::new();
    let mut queue = VecDeque::from([start.to_owned()]);
    while let Some(node) = queue.pop_front() {
        for edge in edges.get(&node).into_iter().flatten() {
            if edge.to == start {
                let mut chain = vec![(node.clone(), edge)];
                let mut at = node.clone();
                while at != start {
                    let Some((from, e)) = came.get(&at) else {
                        break;
                    };
                    chain.push((from.clone(), e));
                    at = from.clone();
                }
                chain.reverse();
                return chain;
            }
            if !came.contains_key(&edge.to) && edge.to != start {
                came.insert(edge.to.clone(), (node.clone(), edge));
                queue.push_back(edge.to.clone());
            }
        }
    }
    Vec::new()
}
