//! `cargo xtask shorten-imports`: after `trunk build` (a `post_build` hook in Trunk.toml), gives
//! the wasm's imports short names, in the wasm and in its JS glue alike.
//!
//! wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` (the hash makes it unique);
//! the page has ~260 of them, written twice (the wasm's import section and the glue's import
//! object), and the hex digits do not compress: ~9 KB of the bundle's gzip (bundle diet, issue
//! 13). Each import is renamed `a`, `b`, … `Z`, `aa`, … in both files. The import object's key is
//! the only place the glue names an import; a name found anywhere else, or not exactly once, stops
//! the build rather than risk a page that cannot link.

use std::path::{Path, PathBuf};

use crate::shell::Error;

/// Renames the imports of the `.wasm` in trunk's staging folder (`TRUNK_STAGING_DIR`, else
/// `dist/`) and the keys of its JS glue.
pub fn shorten_imports() -> Result<(), Error> {
    let dir =
        std::env::var_os("TRUNK_STAGING_DIR").map_or_else(|| PathBuf::from("dist"), PathBuf::from);
    let wasm_path = only_file(&dir, "_bg.wasm")?;
    let js_path = only_file(&dir, ".js")?;
    let wasm = read(&wasm_path)?;
    let js = String::from_utf8(read(&js_path)?)
        .map_err(|_| Error::Invalid(format!("{} is not UTF-8", js_path.display())))?;
    let (wasm, renames) = rename_imports(&wasm).map_err(Error::Invalid)?;
    let js = rename_keys(&js, &renames).map_err(Error::Invalid)?;
    write(&wasm_path, &wasm)?;
    write(&js_path, js.as_bytes())
}

/// The one file in `dir` whose name ends with `suffix`.
fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf, Error> {
    let read = std::fs::read_dir(dir).map_err(|source| Error::Io {
        what: format!("reading {}", dir.display()),
        source,
    })?;
    let found: Vec<PathBuf> = read
        .flatten()
        .map(|item| item.path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    match <[PathBuf; 1]>::try_from(found) {
        Ok([path]) => Ok(path),
        Err(found) => Err(Error::Invalid(format!(
            "expected one `*{suffix}` in {}, found {}",
            dir.display(),
            found.len()
        ))),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        what: format!("reading {}", path.display()),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        what: format!("writing {}", path.display()),
        source,
    })
}

/// The `index`th short name: `a`…`z`, `A`…`Z`, then two characters and more (a JS identifier).
pub fn short_name(mut index: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut name = vec![FIRST[index % FIRST.len()]];
    index /= FIRST.len();
    while index > 0 {
        index -= 1;
        name.push(REST[index % REST.len()]);
        index /= REST.len();
    }
    String::from_utf8_lossy(&name).into_owned()
}

/// Each import's old name and its new one.
pub type Renames = Vec<(String, String)>;

/// The module with its imports renamed, and the names.
pub fn rename_imports(wasm: &[u8]) -> Result<(Vec<u8>, Renames), String> {
    let mut reader = Reader { bytes: wasm, at: 8 };
    if wasm.get(..4) != Some(b"\0asm".as_slice()) || wasm.len() < 8 {
        return Err("not a wasm module".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut renames = Vec::new();
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()? as usize;
        let body = reader.take(size)?;
        if id != 2 {
            out.push(id);
            push_leb(&mut out, size as u64);
            out.extend_from_slice(body);
            continue;
        }
        let mut section = Reader { bytes: body, at: 0 };
        let count = section.leb()?;
        let mut new_body = Vec::new();
        push_leb(&mut new_body, count);
        for index in 0..count as usize {
            let module = section.name()?;
            let field = section.name()?;
            let start = section.at;
            section.import_desc()?;
            let new = short_name(index);
            push_name(&mut new_body, module);
            push_name(&mut new_body, &new);
            new_body.extend_from_slice(&body[start..section.at]);
            renames.push((field.to_owned(), new));
        }
        if section.at != body.len() {
            return Err("bytes left over in the import section".into());
        }
        out.push(id);
        push_leb(&mut out, new_body.len() as u64);
        out.extend_from_slice(&new_body);
    }
    Ok((out, renames))
}

/// The glue with each import object key renamed; each old name must be there exactly once, as a
/// key (`name:`).
pub fn rename_keys(js: &str, renames: &Renames) -> Result<String, String> {
    let lookup: std::collections::HashMap<&str, &str> = renames
        .iter()
        .map(|(old, new)| (old.as_str(), new.as_str()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(js.len());
    let mut rest = js;
    while let Some(start) = rest.find(is_ident) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let len = word.find(|c: char| !is_ident(c)).unwrap_or(word.len());
        let (word, after) = word.split_at(len);
        match lookup.get(word) {
            Some(new) => {
                if !after.trim_start().starts_with(':') || !seen.insert(word) {
                    return Err(format!(
                        "the JS glue names import `{word}` outside its import object"
                    ));
                }
                out.push_str(new);
            }
            None => out.push_str(word),
        }
        rest = after;
    }
    out.push_str(rest);
    if seen.len() != renames.len() {
        return Err(format!(
            "the JS glue has {} of the wasm's {} imports",
            seen.len(),
            renames.len()
        ));
    }
    Ok(out)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    push_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

/// A cursor over a module's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self.bytes.get(self.at).ok_or("the module ends early")?;
        self.at += 1;
        Ok(byte)
    }

    fn leb(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a number too long".into())
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or("the module ends early")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let len = self.leb()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| "a name that is not UTF-8".into())
    }

    /// Skips one import's description: function, table, memory, global or tag.
    fn import_desc(&mut self) -> Result<(), String> {
        match self.byte()? {
            0x00 => self.leb().map(drop),
            0x01 => {
                self.byte()?;
                self.limits()
            }
            0x02 => self.limits(),
            0x03 => self.take(2).map(drop),
            0x04 => {
                self.byte()?;
                self.leb().map(drop)
            }
            kind => Err(format!("an import of unknown kind {kind:#x}")),
        }
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
