//! Helpers shared by integration tests. Each test crate uses a subset, hence the allow.
#![allow(dead_code, reason = "each test binary uses a different part")]

pub mod doubles;
pub mod http1;
pub mod metadata;
pub mod misbehaving;
pub mod s3s_server;
pub mod sts;
