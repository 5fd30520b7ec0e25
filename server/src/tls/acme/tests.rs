//! Unit tests of the ACME parts that need no ACME server: when to renew and retry, the flags,
//! the cache files, PEM ↔ rustls key, and the challenge certificate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

use clap::Parser;
use rcgen::{CertificateParams, KeyPair, date_time_ymd};

use super::cache::Cache;
use super::cert::{CertError, Issued, validity};
use super::flags::{AcmeFlags, AcmeSettings, LETS_ENCRYPT};
use super::renew::{FIRST_RETRY, MAX_RETRY, MAX_WAIT, Validity, retry_delay};
use super::resolver::challenge_key;

const DAY: Duration = Duration::from_secs(24 * 3600);

fn ninety_days() -> (SystemTime, Validity) {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let validity = Validity {
        not_before: start,
        not_after: start + 90 * DAY,
    };
    (start, validity)
}

#[test]
fn renewal_is_due_when_a_third_of_the_lifetime_is_left() {
    let (start, validity) = ninety_days();
    assert_eq!(validity.renew_at(), start + 60 * DAY);
    // Long waits are cut to a day, so the clock is looked at again.
    assert_eq!(validity.wait_before_renewal(start + 10 * DAY), MAX_WAIT);
    let hour = Duration::from_secs(3600);
    assert_eq!(validity.wait_before_renewal(start + 60 * DAY - hour), hour);
    assert_eq!(
        validity.wait_before_renewal(start + 60 * DAY),
        Duration::ZERO
    );
    assert_eq!(
        validity.wait_before_renewal(start + 61 * DAY),
        Duration::ZERO
    );
    assert_eq!(
        validity.wait_before_renewal(start + 100 * DAY),
        Duration::ZERO
    );
    // A 6-day certificate renews with 2 days left.
    let short = Validity {
        not_before: start,
        not_after: start + 6 * DAY,
    };
    assert_eq!(short.renew_at(), start + 4 * DAY);
    // A nonsensical period (ends before it starts) is due at its end.
    let inverted = Validity {
        not_before: start + DAY,
        not_after: start,
    };
    assert_eq!(inverted.renew_at(), start);
}

#[test]
fn an_expired_certificate_is_not_served() {
    let (start, validity) = ninety_days();
    assert!(validity.serves_at(start + 89 * DAY));
    assert!(!validity.serves_at(start + 90 * DAY));
}

#[test]
fn failed_orders_back_off_from_a_minute_to_three_hours() {
    assert_eq!(retry_delay(1), FIRST_RETRY);
    assert_eq!(retry_delay(2), 2 * FIRST_RETRY);
    assert_eq!(retry_delay(3), 4 * FIRST_RETRY);
    assert_eq!(retry_delay(8), 128 * FIRST_RETRY);
    assert_eq!(retry_delay(9), MAX_RETRY);
    assert_eq!(retry_delay(u32::MAX), MAX_RETRY);
    assert_eq!(retry_delay(0), FIRST_RETRY);
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    acme: AcmeFlags,
}

fn settings(args: &[&str]) -> Option<AcmeSettings> {
    let args = std::iter::once("server").chain(args.iter().copied());
    Cli::try_parse_from(args).unwrap().acme.settings()
}

#[test]
fn flags_turn_acme_on_with_a_domain() {
    assert_eq!(settings(&[]), None);
    let on = settings(&[
        "--acme-domain",
        "Call.Example.org.",
        "--acme-domain",
        "www.example.org",
        "--acme-contact",
        "admin@example.org",
        "--acme-contact",
        "mailto:ops@example.org",
    ])
    .unwrap();
    assert_eq!(on.domains, ["call.example.org", "www.example.org"]);
    assert_eq!(
        on.contact,
        ["mailto:admin@example.org", "mailto:ops@example.org"]
    );
    assert_eq!(on.directory_url, LETS_ENCRYPT);
    assert_eq!(on.cache_dir, std::path::Path::new("acme-cache"));
    assert_eq!(on.directory_ca, None);
}

fn cache_settings(tag: &str, domains: &[&str], directory: &str) -> AcmeSettings {
    AcmeSettings {
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        contact: Vec::new(),
        cache_dir: std::env::temp_dir()
            .join(format!("server-acme-cache-{tag}-{}", std::process::id())),
        directory_url: directory.to_owned(),
        directory_ca: None,
    }
}

#[test]
fn the_cache_keeps_one_certificate_per_directory_and_domains_for_the_owner_only() {
    let a = cache_settings("files", &["a.example", "b.example"], LETS_ENCRYPT);
    let _ = std::fs::remove_dir_all(&a.cache_dir);
    let cache = Cache::new(&a);
    cache.create_dir().unwrap();
    assert_eq!(cache.load_certificate().unwrap(), None);
    assert_eq!(cache.load_account().unwrap(), None);
    cache.store_certificate("pem text").unwrap();
    cache.store_account("{}").unwrap();
    assert_eq!(
        cache.load_certificate().unwrap().as_deref(),
        Some("pem text")
    );
    assert_eq!(cache.load_account().unwrap().as_deref(), Some("{}"));
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&a.cache_dir), 0o700);
    assert_eq!(mode(cache.certificate_path()), 0o600);

    // The same domains in another order share the file; other domains or another directory
    // start afresh.
    let reordered = cache_settings("files", &["b.example", "a.example"], LETS_ENCRYPT);
    assert_eq!(
        Cache::new(&reordered)
            .load_certificate()
            .unwrap()
            .as_deref(),
        Some("pem text")
    );
    let fewer = cache_settings("files", &["a.example"], LETS_ENCRYPT);
    assert_eq!(Cache::new(&fewer).load_certificate().unwrap(), None);
    let staging = cache_settings("files", &["a.example", "b.example"], "https://staging/dir");
    assert_eq!(Cache::new(&staging).load_certificate().unwrap(), None);
    assert_eq!(Cache::new(&staging).load_account().unwrap(), None);
    std::fs::remove_dir_all(&a.cache_dir).unwrap();
}

fn self_signed(key: &KeyPair) -> String {
    let mut params = CertificateParams::new(vec!["call.example.org".to_owned()]).unwrap();
    params.not_before = date_time_ymd(2026, 1, 1);
    params.not_after = date_time_ymd(2026, 4, 1);
    params.self_signed(key).unwrap().pem()
}

#[test]
fn a_cached_pem_becomes_a_served_key_with_its_validity() {
    let provider = rustls::crypto::ring::default_provider();
    let key = KeyPair::generate().unwrap();
    let pem = format!("{}{}", key.serialize_pem(), self_signed(&key));
    let issued = Issued::from_pem(&pem, &provider).unwrap();
    let (start, ninety) = ninety_days();
    assert_eq!(issued.validity, ninety);
    assert_eq!(issued.validity.not_before, start);
    assert_eq!(issued.key.cert.len(), 1);

    // A key that is not the certificate's, or no key, is refused.
    let other = KeyPair::generate().unwrap();
    let mismatched = format!("{}{}", other.serialize_pem(), self_signed(&key));
    assert!(matches!(
        Issued::from_pem(&mismatched, &provider),
        Err(CertError::Key(_))
    ));
    assert!(matches!(
        Issued::from_pem(&self_signed(&key), &provider),
        Err(CertError::NoKey)
    ));
    assert!(matches!(
        Issued::from_pem(&key.serialize_pem(), &provider),
        Err(CertError::NoCertificate)
    ));
}

#[test]
fn the_challenge_certificate_carries_the_key_authorization_digest() {
    let provider = rustls::crypto::ring::default_provider();
    let digest = [7u8; 32];
    let key = challenge_key("call.example.org", &digest, &provider).unwrap();
    let der = &key.cert[0];
    assert!(validity(der).is_some());
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    // id-pe-acmeIdentifier (RFC 8737), critical, an OCTET STRING of the digest.
    let extension = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.31")
        .expect("acmeIdentifier extension");
    assert!(extension.critical);
    let mut expected = vec![0x04, 32];
    expected.extend_from_slice(&digest);
    assert_eq!(extension.value, expected.as_slice());
    let san = cert.subject_alternative_name().unwrap().unwrap();
    assert_eq!(
        format!("{:?}", san.value.general_names),
        r#"[DNSName("call.example.org")]"#
    );
}

#[test]
fn the_directory_client_for_public_acme_servers_can_be_built() {
    // Without --acme-directory-ca the client trusts the system's roots through rustls' process
    // default provider: it panics if the build has more than one provider (e.g. aws-lc added by
    // some dependency), which this catches before a real host does.
    assert!(instant_acme::Account::builder().is_ok());
}
