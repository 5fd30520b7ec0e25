//! One certificate order over ACME (RFC 8555) with instant-acme: the account (created once,
//! then loaded from the cache), the order for every domain, each authorization answered with a
//! TLS-ALPN-01 challenge certificate in the resolver, then the CSR and the issued chain.

use std::sync::Arc;
use std::time::Duration;

use instant_acme::{
    Account, AccountBuilder, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier,
    NewAccount, NewOrder, OrderStatus, RetryPolicy,
};
use rustls::crypto::CryptoProvider;

use super::cache::Cache;
use super::flags::AcmeSettings;
use super::resolver::{AcmeResolver, ChallengeError, challenge_key};

/// How long the ACME server may take to validate the challenges, then to issue.
const POLL: RetryPolicy = RetryPolicy::new()
    .initial_delay(Duration::from_millis(250))
    .backoff(1.5)
    .timeout(Duration::from_secs(120));

/// Why an order failed (the renewal loop logs it and retries later).
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("ACME: {0}")]
    Acme(#[from] instant_acme::Error),
    #[error("ACME cache: {0}")]
    Cache(#[from] std::io::Error),
    #[error("cached ACME account: {0}")]
    Account(#[from] serde_json::Error),
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    #[error("the ACME server offers no tls-alpn-01 challenge for {0}")]
    NoTlsAlpn(String),
    #[error("authorization for {domain} is {status:?}")]
    Authorization {
        domain: String,
        status: AuthorizationStatus,
    },
    #[error("the order became invalid: {0}")]
    Invalid(String),
}

/// Orders a certificate for every domain of `settings`; returns its private key and chain as
/// PEM. Challenge certificates stay in `resolver` only while the order runs.
pub async fn order(
    settings: &AcmeSettings,
    cache: &Cache,
    resolver: &AcmeResolver,
    provider: &CryptoProvider,
) -> Result<String, OrderError> {
    let result = order_with_challenges(settings, cache, resolver, provider).await;
    resolver.clear_challenges();
    result
}

async fn order_with_challenges(
    settings: &AcmeSettings,
    cache: &Cache,
    resolver: &AcmeResolver,
    provider: &CryptoProvider,
) -> Result<String, OrderError> {
    let account = account(settings, cache).await?;
    let identifiers: Vec<Identifier> = settings
        .domains
        .iter()
        .map(|domain| Identifier::Dns(domain.clone()))
        .collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
    tracing::info!(url = order.url(), domains = ?settings.domains, "ACME order created");

    let mut authorizations = order.authorizations();
    while let Some(authorization) = authorizations.next().await {
        let mut authorization = authorization?;
        let domain = authorization.identifier().to_string();
        match authorization.status {
            AuthorizationStatus::Pending => {}
            AuthorizationStatus::Valid => continue,
            status => return Err(OrderError::Authorization { domain, status }),
        }
        let mut challenge = authorization
            .challenge(ChallengeType::TlsAlpn01)
            .ok_or_else(|| OrderError::NoTlsAlpn(domain.clone()))?;
        let digest = challenge.key_authorization().digest();
        let digest: [u8; 32] = digest
            .as_ref()
            .try_into()
            .map_err(|_| OrderError::Invalid("key authorization digest is not SHA-256".into()))?;
        let key = challenge_key(&domain, &digest, provider)?;
        resolver.add_challenge(&domain, Arc::new(key));
        challenge.set_ready().await?;
    }

    if order.poll_ready(&POLL).await? != OrderStatus::Ready {
        return Err(OrderError::Invalid(challenge_errors(&mut order).await));
    }
    let key_pem = order.finalize().await?;
    let chain_pem = order.poll_certificate(&POLL).await?;
    Ok(format!("{key_pem}{chain_pem}"))
}

/// The account from the cache, or a new one (agreeing to the CA's terms of service) stored there.
async fn account(settings: &AcmeSettings, cache: &Cache) -> Result<Account, OrderError> {
    let builder = builder(settings)?;
    if let Some(json) = cache.load_account()? {
        let credentials: AccountCredentials = serde_json::from_str(&json)?;
        return Ok(builder.from_credentials(credentials).await?);
    }
    let contact: Vec<&str> = settings.contact.iter().map(String::as_str).collect();
    let new = NewAccount {
        contact: &contact,
        terms_of_service_agreed: true,
        only_return_existing: false,
    };
    let (account, credentials) = builder
        .create(&new, settings.directory_url.clone(), None)
        .await?;
    cache.store_account(&serde_json::to_string(&credentials)?)?;
    tracing::info!(id = account.id(), "ACME account created");
    Ok(account)
}

/// An HTTPS client for the directory: the system's roots, or only `--acme-directory-ca`.
fn builder(settings: &AcmeSettings) -> Result<AccountBuilder, instant_acme::Error> {
    match &settings.directory_ca {
        Some(ca) => Account::builder_with_root(ca),
        None => Account::builder(),
    }
}

/// What the ACME server said about the failed challenges of an invalid order.
async fn challenge_errors(order: &mut instant_acme::Order) -> String {
    let mut errors = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(authorization) = authorizations.next().await {
        let Ok(mut authorization) = authorization else {
            continue;
        };
        if authorization.refresh().await.is_err() {
            continue;
        }
        let domain = authorization.identifier().to_string();
        for challenge in &authorization.challenges {
            if let Some(error) = &challenge.error {
                errors.push(format!("{domain}: {error}"));
            }
        }
    }
    if errors.is_empty() {
        "no reason given".to_owned()
    } else {
        errors.join("; ")
    }
}
