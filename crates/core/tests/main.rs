//! Integration tests of the core, one module per area; fixtures beside them.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

mod canvas;
mod check;
mod jwt;
mod keychain;
mod pem;
mod pem_tools;
mod platforms;
mod team;
mod thumbprint;
mod token;

use std::path::PathBuf;

pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}
