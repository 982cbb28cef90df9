//! What every command shares: where the data lives.

use std::path::PathBuf;

use ltikeys_core::store::default_data_dir;
use ltikeys_core::{Result, Vault};

/// The app's state: the data directory. Each command opens its own connection, so a slow
/// command (key generation, a keychain call) never blocks another.
pub struct AppState {
    data_dir: PathBuf,
}

impl AppState {
    /// From `LTIKEYS_DATA_DIR` or the OS data directory.
    pub fn from_env() -> Result<Self> {
        let data_dir = default_data_dir()?;
        // Open once now so a broken database is reported at start-up.
        Vault::open(&data_dir)?;
        Ok(AppState { data_dir })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &PathBuf {
        &self.data_dir
    }

    /// A vault over the database and the OS keychain.
    pub fn vault(&self) -> Result<Vault> {
        Vault::open(&self.data_dir)
    }
}
