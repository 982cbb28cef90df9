//! What every command shares: where the data lives, the PEM files picked for import, and the
//! checks and key generations that may be cancelled.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use ltikeys_core::dynreg::serve::Control;
use tokio::sync::OnceCell;

use ltikeys_core::store::{default_data_dir, DataWatch};
use ltikeys_core::{PlatformIndex, Result, Vault};

use crate::commands::checks::RunningChecks;
use crate::commands::keys::RunningKeygens;
use crate::commands::private::PickedPems;

/// The app's state: the data directory, and what one command leaves for a later one. Each
/// command opens its own connection, so a slow command (key generation, a keychain call) never
/// blocks another.
pub struct AppState {
    data_dir: PathBuf,
    picked: Mutex<PickedPems>,
    picked_bundle: Mutex<Option<PathBuf>>,
    checks: Mutex<RunningChecks>,
    keygens: Mutex<RunningKeygens>,
    dynreg: Mutex<Option<Arc<Control>>>,
    /// The connection that answers whether the database changed, opened at the first question.
    watch: Mutex<Option<DataWatch>>,
    /// Every platform with its registrations, by the data stamp it is read at: read once, by
    /// whichever command asks first, and shared with the others while it is read.
    platforms: Mutex<Option<(i64, IndexSlot)>>,
}

/// Where one read of the platform index lands.
pub(crate) type IndexSlot = Arc<OnceCell<Arc<PlatformIndex>>>;

impl AppState {
    /// From `LTIKEYS_DATA_DIR` or the OS data directory.
    pub fn from_env() -> Result<Self> {
        let data_dir = default_data_dir()?;
        // Open once now so a broken database is reported at start-up.
        Vault::open(&data_dir)?;
        let state = AppState::new(data_dir);
        *state.watch.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(DataWatch::open(&state.data_dir)?);
        Ok(state)
    }

    /// Over the data directory `data_dir`, with nothing picked and no check running.
    pub fn new(data_dir: PathBuf) -> Self {
        AppState {
            data_dir,
            picked: Mutex::default(),
            picked_bundle: Mutex::default(),
            checks: Mutex::default(),
            keygens: Mutex::default(),
            dynreg: Mutex::default(),
            watch: Mutex::default(),
            platforms: Mutex::default(),
        }
    }

    /// The data directory.
    pub fn data_dir(&self) -> &PathBuf {
        &self.data_dir
    }

    /// A vault over the database and the OS keychain.
    pub fn vault(&self) -> Result<Vault> {
        Vault::open(&self.data_dir)
    }

    /// The PEM files picked and not imported yet.
    pub(crate) fn picked(&self) -> MutexGuard<'_, PickedPems> {
        // A panic while the lock was held leaves nothing half-done in these maps.
        self.picked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The bundle chosen for import and not imported yet.
    pub(crate) fn picked_bundle(&self) -> MutexGuard<'_, Option<PathBuf>> {
        self.picked_bundle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Dynamic Registration running, if any.
    pub(crate) fn dynreg(&self) -> MutexGuard<'_, Option<Arc<Control>>> {
        self.dynreg.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The key generations running, by tool.
    pub(crate) fn keygens(&self) -> MutexGuard<'_, RunningKeygens> {
        self.keygens.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A number that changes whenever anyone (this window, the command line, another window)
    /// commits to the database; see [`DataWatch::stamp`].
    pub fn data_stamp(&self) -> Result<i64> {
        let mut held = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        let watch = match &mut *held {
            Some(watch) => watch,
            empty => empty.insert(DataWatch::open(&self.data_dir)?),
        };
        watch.stamp()
    }

    /// The platforms and registrations read at data stamp `stamp`, if they were read.
    #[cfg(test)]
    pub(crate) fn platform_index(&self, stamp: i64) -> Option<Arc<PlatformIndex>> {
        let held = self.platforms.lock().unwrap_or_else(|p| p.into_inner());
        held.as_ref()
            .filter(|(at, _)| *at == stamp)
            .and_then(|(_, slot)| slot.get().cloned())
    }

    /// Where the index at data stamp `stamp` is read: the slot kept for that stamp (read, or
    /// being read), or a new one kept in place of another stamp's (stamps are only told equal
    /// or not: see [`DataWatch::stamp`]).
    pub(crate) fn platform_index_slot(&self, stamp: i64) -> IndexSlot {
        let mut held = self.platforms.lock().unwrap_or_else(|p| p.into_inner());
        match &*held {
            Some((at, slot)) if *at == stamp => Arc::clone(slot),
            _ => {
                let slot = IndexSlot::default();
                *held = Some((stamp, Arc::clone(&slot)));
                slot
            }
        }
    }

    /// Whether the platform index was read before, at a stamp other than `stamp`: the
    /// platforms page has been shown, and what it showed is out of date.
    pub(crate) fn platform_index_stale(&self, stamp: i64) -> bool {
        let held = self.platforms.lock().unwrap_or_else(|p| p.into_inner());
        held.as_ref().is_some_and(|(at, _)| *at != stamp)
    }

    /// The checks running under a ticket.
    pub(crate) fn checks(&self) -> MutexGuard<'_, RunningChecks> {
        self.checks.lock().unwrap_or_else(|p| p.into_inner())
    }
}
