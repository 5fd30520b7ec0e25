//! The ACME cache folder: the account's credentials (one file per directory URL) and the
//! certificate with its private key (one file per directory URL and set of domains, so changing
//! either starts afresh). Files are written whole (temporary file, then rename) and readable by
//! the owner only: both hold private keys.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::flags::AcmeSettings;

/// The files of one ACME configuration.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    account: PathBuf,
    certificate: PathBuf,
}

impl Cache {
    pub fn new(settings: &AcmeSettings) -> Self {
        let dir = settings.cache_dir.clone();
        let mut domains = settings.domains.clone();
        domains.sort();
        domains.dedup();
        let account = dir.join(format!(
            "account-{}.json",
            short_hash(&[settings.directory_url.as_str()])
        ));
        let mut parts = vec![settings.directory_url.as_str()];
        parts.extend(domains.iter().map(String::as_str));
        let certificate = dir.join(format!("certificate-{}.pem", short_hash(&parts)));
        Self {
            dir,
            account,
            certificate,
        }
    }

    /// Creates the folder (mode 0700) if it does not exist.
    pub fn create_dir(&self) -> io::Result<()> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
    }

    /// The certificate file's path (key PEM, then chain PEM).
    pub fn certificate_path(&self) -> &Path {
        &self.certificate
    }

    /// The account credentials (instant-acme's JSON), if stored.
    pub fn load_account(&self) -> io::Result<Option<String>> {
        read_if_exists(&self.account)
    }

    pub fn store_account(&self, json: &str) -> io::Result<()> {
        write_private(&self.account, json)
    }

    /// The certificate's private key and chain (PEM), if stored.
    pub fn load_certificate(&self) -> io::Result<Option<String>> {
        read_if_exists(&self.certificate)
    }

    pub fn store_certificate(&self, pem: &str) -> io::Result<()> {
        write_private(&self.certificate, pem)
    }
}

/// 16 hex digits of the SHA-256 of `parts` (each followed by a newline).
fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn read_if_exists(path: &Path) -> io::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `text` to a temporary file (mode 0600) beside `path`, syncs it and renames it over
/// `path`, so a crash leaves either the old file or the new one.
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)
}
