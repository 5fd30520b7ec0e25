//! TLS: serving HTTPS. [`acme`] gets and renews certificates automatically over ACME
//! (TLS-ALPN-01).

pub mod acme;
