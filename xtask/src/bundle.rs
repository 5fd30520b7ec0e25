//! The size of the built client: every `.wasm` and `.js` file in `dist/`, raw and gzip
//! (`gzip -9`, what a server would send).

use std::path::Path;
use std::process::Command;

use crate::shell::Error;

/// One built file and its sizes in bytes.
pub struct Entry {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

/// Measures `dist/`.
pub fn measure(dist: &Path) -> Result<Vec<Entry>, Error> {
    let read = std::fs::read_dir(dist).map_err(|source| Error::Io {
        what: format!("reading {} (build the client first)", dist.display()),
        source,
    })?;
    let mut entries = Vec::new();
    for item in read.flatten() {
        let path = item.path();
        let is_bundle = path
            .extension()
            .is_some_and(|ext| ext == "wasm" || ext == "js");
        if !is_bundle {
            continue;
        }
        let raw = item.metadata().map(|m| m.len()).unwrap_or(0);
        let gzip = gzip_len(&path).ok_or_else(|| {
            Error::Invalid(format!(
                "could not gzip {} (is gzip installed?)",
                path.display()
            ))
        })?;
        entries.push(Entry {
            name: item.file_name().to_string_lossy().into_owned(),
            raw,
            gzip,
        });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// The gzip size of one file.
fn gzip_len(path: &Path) -> Option<u64> {
    let output = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

/// A printable table with a total line.
pub fn render(entries: &[Entry]) -> String {
    let mut out = String::from("bundle (dist/):\n");
    for entry in entries {
        out.push_str(&format!(
            "    {:<40} {:>9} B raw {:>9} B gzip\n",
            entry.name, entry.raw, entry.gzip
        ));
    }
    let raw: u64 = entries.iter().map(|e| e.raw).sum();
    let gzip: u64 = entries.iter().map(|e| e.gzip).sum();
    out.push_str(&format!(
        "    {:<40} {:>9} B raw {:>9} B gzip ({:.1} KB gzip)\n",
        "total wasm + js",
        raw,
        gzip,
        gzip as f64 / 1024.0
    ));
    out
}
