//! The browser client (being written).
pub mod call;
