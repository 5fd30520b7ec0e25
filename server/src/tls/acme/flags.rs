//! The ACME flags (`--acme-domain`, `--acme-contact`, `--acme-cache`, `--acme-directory`,
//! `--acme-directory-ca`) and the [`AcmeSettings`] they produce.

use std::path::PathBuf;

/// Let's Encrypt's production directory, the default ACME server.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// Automatic certificates over ACME (TLS-ALPN-01: the ACME server checks the domain on port 443,
/// so the TLS listener must be reachable there).
#[derive(Debug, Clone, clap::Args)]
pub struct AcmeFlags {
    /// Domain to get a certificate for over ACME, e.g. `call.example.org` (repeatable; in the
    /// environment, comma-separated). Setting one turns ACME on.
    #[arg(
        long = "acme-domain",
        env = "SERVER_ACME_DOMAIN",
        value_delimiter = ','
    )]
    pub acme_domain: Vec<String>,

    /// Contact for the ACME account, e.g. `admin@example.org` (`mailto:` is added when missing;
    /// repeatable; in the environment, comma-separated).
    #[arg(
        long = "acme-contact",
        env = "SERVER_ACME_CONTACT",
        value_delimiter = ','
    )]
    pub acme_contact: Vec<String>,

    /// Folder keeping the ACME account key and the certificate (created, mode 0700), reused at
    /// restart while the certificate is valid.
    #[arg(long, env = "SERVER_ACME_CACHE", default_value = "acme-cache")]
    pub acme_cache: PathBuf,

    /// ACME directory URL (default: Let's Encrypt production; its staging directory is
    /// `https://acme-staging-v02.api.letsencrypt.org/directory`).
    #[arg(long, env = "SERVER_ACME_DIRECTORY", default_value = LETS_ENCRYPT)]
    pub acme_directory: String,

    /// PEM file of the CA that signs the ACME server's own HTTPS certificate, trusted instead of
    /// the system's roots for the directory (a private or test ACME server such as pebble).
    #[arg(long, env = "SERVER_ACME_DIRECTORY_CA")]
    pub acme_directory_ca: Option<PathBuf>,
}

/// What the ACME task needs; `None` in `Settings` when no domain is given (ACME off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeSettings {
    /// Names on the certificate (the first is also its subject).
    pub domains: Vec<String>,
    /// Account contact URIs (`mailto:…`).
    pub contact: Vec<String>,
    /// Where the account key and the certificate are kept.
    pub cache_dir: PathBuf,
    /// The ACME directory URL.
    pub directory_url: String,
    /// A CA trusted (instead of the system's roots) for the directory's HTTPS.
    pub directory_ca: Option<PathBuf>,
}

impl AcmeFlags {
    /// The settings these flags ask for, or `None` when no `--acme-domain` is given.
    pub fn settings(&self) -> Option<AcmeSettings> {
        let domains: Vec<String> = self
            .acme_domain
            .iter()
            .map(|domain| domain.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|domain| !domain.is_empty())
            .collect();
        if domains.is_empty() {
            return None;
        }
        let contact = self
            .acme_contact
            .iter()
            .map(|contact| contact.trim())
            .filter(|contact| !contact.is_empty())
            .map(|contact| {
                if contact.contains(':') {
                    contact.to_owned()
                } else {
                    format!("mailto:{contact}")
                }
            })
            .collect();
        Some(AcmeSettings {
            domains,
            contact,
            cache_dir: self.acme_cache.clone(),
            directory_url: self.acme_directory.clone(),
            directory_ca: self.acme_directory_ca.clone(),
        })
    }
}
