//! Installs what is missing and skips what is present: the wasm32 target, trunk, wasm-bindgen-cli
//! (exactly the `wasm-bindgen` version in Cargo.lock), binaryen's wasm-opt from npm, and Debian's
//! chromium, chromium-driver, coturn, iproute2, util-linux, nftables (the end-to-end tests drop
//! the browsers' UDP with `nft` to force an ICE restart) and pebble (the ACME test server the
//! server's `tests/acme` gets a certificate from), and axe-core from npm (the accessibility
//! checks the end-to-end tests inject into the page). Every source is a package registry
//! (crates.io, npm, apt); nothing is downloaded from elsewhere.

use std::path::{Path, PathBuf};

use crate::shell::{self, Error, note, probe, step};

/// trunk's version: 0.22.1 declares rust-version 1.96.1 but builds and works on our 1.95.
const TRUNK_VERSION: &str = "0.22.1";
/// binaryen 132 is the first that reads rustc's current wasm (reference types, `table.fill`).
const BINARYEN_NPM: &str = "binaryen@132";
const BINARYEN_MAJOR: &str = "132";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// axe-core, exactly: the e2e tests (`tests/e2e/accessibility.rs`) inject its `axe.min.js`. A
/// new version may add rules, so moving it is a deliberate change.
const AXE_CORE_VERSION: &str = "4.14.1";
/// Its own npm prefix under `.tools`: an install with `--no-save` into binaryen's prefix would
/// prune binaryen (npm removes the packages its manifest does not list).
const AXE_PREFIX: &str = ".tools/axe";

/// Debian packages the browser tests need, each with the program that shows it is installed.
const APT_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
    ("turnserver", "coturn"),
    ("ip", "iproute2"),
    ("unshare", "util-linux"),
    ("nft", "nftables"),
    // The deployment tests: the systemd unit is checked by systemd-analyze.
    ("systemd-analyze", "systemd"),
    // ... and nginx in front of the server with the shipped proxy configuration.
    ("nginx", "nginx"),
    ("pebble", "pebble"),
];

/// Which tools a subcommand needs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Building the client and the server.
    Build,
    /// Building plus running browsers (tests, benchmark).
    Browsers,
}

/// Makes sure every tool for `needs` is installed.
pub fn ensure(needs: Needs) -> Result<(), Error> {
    step("Tools (installing only what is missing)");
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_binaryen()?;
    if needs == Needs::Browsers {
        ensure_apt()?;
        ensure_firefox()?;
        ensure_axe_core()?;
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<(), Error> {
    let installed = probe(shell::command("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|line| line.trim() == WASM_TARGET) => {
            note(&format!("rust target {WASM_TARGET}: present"));
            Ok(())
        }
        Some(_) => {
            note(&format!("rust target {WASM_TARGET}: missing, installing"));
            shell::run(shell::command("rustup").args(["target", "add", WASM_TARGET]))
        }
        // Without rustup the toolchain came from elsewhere; cargo will say if the target is absent.
        None => {
            note("rustup not found: assuming the toolchain already has the wasm32 target");
            Ok(())
        }
    }
}

fn ensure_trunk() -> Result<(), Error> {
    let version = probe(shell::command("trunk").arg("--version"));
    if version_matches(version.as_deref(), TRUNK_VERSION) {
        note(&format!("trunk {TRUNK_VERSION}: present"));
        return Ok(());
    }
    note(&format!(
        "trunk {TRUNK_VERSION}: {} — installing from crates.io (takes ~10 minutes on 2 cores)",
        describe_found(version.as_deref())
    ));
    shell::run(shell::cargo().args([
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
        "--ignore-rust-version",
    ]))
}

fn ensure_wasm_bindgen() -> Result<(), Error> {
    let lock_path = shell::root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path).map_err(|source| Error::Io {
        what: format!("reading {}", lock_path.display()),
        source,
    })?;
    let wanted = locked_version(&lock, "wasm-bindgen").ok_or_else(|| {
        Error::Invalid(format!(
            "no wasm-bindgen package in {}",
            lock_path.display()
        ))
    })?;
    let version = probe(shell::command("wasm-bindgen").arg("--version"));
    let runner = probe(shell::command("wasm-bindgen-test-runner").arg("--version"));
    if version_matches(version.as_deref(), &wanted) && version_matches(runner.as_deref(), &wanted) {
        note(&format!("wasm-bindgen-cli {wanted}: present"));
        return Ok(());
    }
    note(&format!(
        "wasm-bindgen-cli {wanted} (= Cargo.lock): {} — installing from crates.io",
        describe_found(version.as_deref())
    ));
    // No `--locked`: the CLI's own lockfile pins a webpki-roots version the registry no longer
    // serves (it fails here with `--locked`).
    shell::run(shell::cargo().args(["install", "wasm-bindgen-cli", "--version", &wanted]))
}

fn ensure_binaryen() -> Result<(), Error> {
    let wasm_opt = shell::tools_bin().join("wasm-opt");
    let version = probe(std::process::Command::new(&wasm_opt).arg("--version"));
    if version
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {BINARYEN_MAJOR}")))
    {
        note(&format!(
            "wasm-opt (binaryen {BINARYEN_MAJOR}, npm): present in .tools"
        ));
        return Ok(());
    }
    note(&format!(
        "wasm-opt (binaryen {BINARYEN_MAJOR}): {} — installing from npm into .tools",
        describe_found(version.as_deref())
    ));
    shell::run(shell::command("npm").args([
        "install",
        "--prefix",
        ".tools",
        "--no-save",
        "--no-audit",
        "--no-fund",
        BINARYEN_NPM,
    ]))
}

fn ensure_axe_core() -> Result<(), Error> {
    let manifest = shell::root()
        .join(AXE_PREFIX)
        .join("node_modules/axe-core/package.json");
    let found = std::fs::read_to_string(&manifest).ok();
    let wanted = format!("\"version\": \"{AXE_CORE_VERSION}\"");
    if found.as_deref().is_some_and(|text| text.contains(&wanted)) {
        note(&format!(
            "axe-core {AXE_CORE_VERSION} (npm): present in {AXE_PREFIX}"
        ));
        return Ok(());
    }
    note(&format!(
        "axe-core {AXE_CORE_VERSION}: {} — installing from npm into {AXE_PREFIX}",
        if found.is_some() {
            "another version"
        } else {
            "not found"
        }
    ));
    shell::run(shell::command("npm").args([
        "install",
        "--prefix",
        AXE_PREFIX,
        "--no-save",
        "--no-audit",
        "--no-fund",
        &format!("axe-core@{AXE_CORE_VERSION}"),
    ]))
}

fn ensure_apt() -> Result<(), Error> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .filter(|(program, package)| {
            let found = find_program(program);
            match &found {
                Some(path) => note(&format!("{package}: present ({})", path.display())),
                None => note(&format!("{package}: missing ({program} not found)")),
            }
            found.is_none()
        })
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    note(&format!("installing from Debian: {}", missing.join(" ")));
    let sudo = !shell::is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            shell::command("sudo")
        } else {
            shell::command("apt-get")
        };
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    shell::run(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y"]);
    install.args(&missing);
    shell::run(&mut install)
}

/// Firefox for the autoplay tests (it enforces the autoplay policy; our Chromium is told not to):
/// Debian's `firefox-esr`, and geckodriver from crates.io (Debian has no package for it).
fn ensure_firefox() -> Result<(), Error> {
    /// The geckodriver that drives Debian's firefox-esr 153 here.
    const GECKODRIVER_VERSION: &str = "0.37.1";
    match find_program("firefox-esr") {
        Some(path) => note(&format!("firefox-esr: present ({})", path.display())),
        None => {
            note("firefox-esr: missing, installing from Debian");
            let (program, prefix): (&str, &[&str]) = if shell::is_root() {
                ("apt-get", &[])
            } else {
                ("sudo", &["apt-get"])
            };
            for args in [&["update"][..], &["install", "-y", "firefox-esr"][..]] {
                let mut apt = shell::command(program);
                apt.args(prefix)
                    .args(args)
                    .env("DEBIAN_FRONTEND", "noninteractive");
                shell::run(&mut apt)?;
            }
        }
    }
    let version = probe(shell::command("geckodriver").arg("--version"));
    if version_matches(version.as_deref(), GECKODRIVER_VERSION) {
        note(&format!("geckodriver {GECKODRIVER_VERSION}: present"));
        return Ok(());
    }
    note(&format!(
        "geckodriver {GECKODRIVER_VERSION}: {} — installing from crates.io (~3 minutes)",
        describe_found(version.as_deref())
    ));
    shell::run(shell::cargo().args(["install", "geckodriver", "--version", GECKODRIVER_VERSION]))
}

/// The path of `program` on our tool PATH, if it is there.
pub fn find_program(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&shell::tool_path())
        .map(|dir| dir.join(program))
        .find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The version Cargo.lock records for `package` (the first entry when there are several).
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines.next()?.trim();
            let quoted = version.strip_prefix("version = ")?;
            return Some(quoted.trim_matches('"').to_owned());
        }
    }
    None
}

/// Whether a `--version` output names exactly `wanted` (as a whole word: 0.2.13 ≠ 0.2.130).
fn version_matches(output: Option<&str>, wanted: &str) -> bool {
    output.is_some_and(|text| {
        text.split_whitespace()
            .any(|word| word.trim_start_matches('v') == wanted)
    })
}

fn describe_found(output: Option<&str>) -> String {
    match output {
        Some(text) => format!("found `{}`", text.trim()),
        None => "not found".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.50"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn reads_the_exact_package_from_the_lock() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.50")
        );
        assert_eq!(locked_version(LOCK, "trunk"), None);
    }

    #[test]
    fn version_must_match_as_a_whole_word() {
        assert!(version_matches(Some("wasm-bindgen 0.2.130\n"), "0.2.130"));
        assert!(version_matches(Some("trunk 0.22.1"), "0.22.1"));
        assert!(!version_matches(Some("wasm-bindgen 0.2.13"), "0.2.130"));
        assert!(!version_matches(Some("wasm-bindgen 0.2.1300"), "0.2.130"));
        assert!(!version_matches(None, "0.2.130"));
    }

    #[test]
    fn reads_the_workspace_lock() {
        let lock = std::fs::read_to_string(shell::root().join("Cargo.lock")).unwrap_or_default();
        let version = locked_version(&lock, "wasm-bindgen");
        assert!(
            version.is_some_and(|v| v.starts_with("0.2.")),
            "Cargo.lock lists wasm-bindgen 0.2.x"
        );
    }
}
