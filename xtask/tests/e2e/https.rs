//! A whole call over `https://` and `wss://` (issue 10): the server runs with
//! `--tls-self-signed`, and each Chromium trusts exactly that certificate's key
//! (`--ignore-certificate-errors-spki-list=<the hash the server logged>`), never a blanket
//! ignore. The page must be a secure context on https, its socket on wss, and the call must
//! carry media both ways.

use serde_json::json;

use crate::TestResult;
use crate::harness::{ServerOptions, World};
use crate::scenario::{assert_quiet_consoles, close_all, connect, hang_up_and_check, pair};

#[tokio::test]
async fn call_over_https_and_wss_with_the_self_signed_certificate() -> TestResult {
    crate::wait::limit(async {
        let options = ServerOptions {
            // An empty key file: a new key for this run, nothing written.
            args: ["--tls-self-signed", "--tls-self-signed-key", ""]
                .map(String::from)
                .to_vec(),
        };
        let world = World::start_with(
            "call_over_https_and_wss_with_the_self_signed_certificate",
            options,
        )
        .await?;
        assert!(world.url.starts_with("https://"), "{}", world.url);
        let (alice, bob) = pair(&world, "", "alice", "bob").await?;
        for page in [&alice, &bob] {
            let context = page
                .js(
                    "return [location.protocol, window.isSecureContext];",
                    vec![],
                )
                .await?;
            assert_eq!(context, json!(["https:", true]), "{}", page.label);
        }
        connect(&alice, "alice", &bob, "bob").await?;
        hang_up_and_check(&alice, &bob).await?;
        assert_quiet_consoles(&[&alice, &bob]).await?;
        close_all([alice, bob]).await;
        Ok(())
    })
    .await
}
