//! RSA key generation raced on every core: the prime search is a random wait, so several
//! searches started at once finish, first of them, far sooner and far more evenly than one.
//! In a process that has a window to keep drawing, the searches can run at the lowest thread
//! priority ([`yield_to_interactive_work`]) so that they take only the time nothing else wants.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use aws_lc_rs::rsa::KeyPair as LcKeyPair;

use super::KeySize;
use crate::error::{Error, Result};

/// The most searches raced at once, however many cores there are.
pub const MAX_RACERS: usize = 8;

/// How often a waiting generation looks at its cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// Whether this process's searches run at the lowest thread priority.
static YIELDING: AtomicBool = AtomicBool::new(false);

/// From now on, this process's key generations search at the lowest thread priority (on
/// Linux, a nice value of 19 on each search's thread), so that whatever else wants the cores
/// (a window's input and drawing) comes first and the searches take what is left. On an idle
/// machine a generation takes as long as before. The app asks for this; the command line,
/// which has nothing else to do meanwhile, does not.
pub fn yield_to_interactive_work() {
    YIELDING.store(true, Ordering::SeqCst);
}

/// The searches raced by default: one per core the process may use, up to [`MAX_RACERS`].
pub fn default_racers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .clamp(1, MAX_RACERS)
}

/// Generates a key of `size` with `racers` searches at once and returns the first one found.
///
/// Each search runs on a thread of its own. The others are not waited for: each finishes in
/// the background and its key is dropped, and aws-lc wipes a key's memory as it frees it.
/// Once `cancelled` is set, the call returns [`Error::Cancelled`] within a few tens of
/// milliseconds, and every key found after is dropped the same way.
pub(super) fn race(size: KeySize, racers: usize, cancelled: &AtomicBool) -> Result<LcKeyPair> {
    let yielding = YIELDING.load(Ordering::SeqCst);
    first_of(racers, yielding, cancelled, move || {
        LcKeyPair::generate(size.lc()).ok()
    })
    .map_err(|e| e.unwrap_or(Error::Crypto("RSA key generation")))
}

/// Runs `search` on `racers` threads at once (each at the lowest priority when `yielding`) and
/// returns the first `Some` it gives. Fails with `Some(Error::Cancelled)` once `cancelled` is
/// set, and with `None` when every search gave `None`. Runs it on this thread alone, at this
/// thread's priority, when no thread can be started.
fn first_of<T: Send + 'static>(
    racers: usize,
    yielding: bool,
    cancelled: &AtomicBool,
    search: impl Fn() -> Option<T> + Send + Clone + 'static,
) -> std::result::Result<T, Option<Error>> {
    let cancel = || {
        Some(Error::Cancelled {
            what: "key generation",
        })
    };
    let racers = racers.clamp(1, MAX_RACERS);
    // Room for every result: a search never blocks on a receiver that has gone.
    let (found, results) = mpsc::sync_channel(racers);
    let mut started = 0;
    for _ in 0..racers {
        let found = found.clone();
        let search = search.clone();
        let spawned = std::thread::Builder::new()
            .name("keygen".into())
            .spawn(move || {
                if yielding {
                    // A search left at the usual priority is only slower for the window, so a
                    // system that refuses the change is no reason to fail.
                    let _ = thread_priority::set_current_thread_priority(
                        thread_priority::ThreadPriority::Min,
                    );
                }
                let _ = found.send(search());
            });
        if spawned.is_ok() {
            started += 1;
        }
    }
    drop(found);
    if started == 0 {
        return search().ok_or(None);
    }
    let mut failed = 0;
    loop {
        if cancelled.load(Ordering::SeqCst) {
            return Err(cancel());
        }
        match results.recv_timeout(CANCEL_POLL) {
            Ok(Some(_)) if cancelled.load(Ordering::SeqCst) => return Err(cancel()),
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {
                failed += 1;
                if failed == started {
                    return Err(None);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use aws_lc_rs::signature::KeyPair as _;

    use super::*;

    #[test]
    fn the_first_key_found_has_the_asked_size() {
        let never = AtomicBool::new(false);
        for racers in [1, 2, 3] {
            let key = race(KeySize::Bits2048, racers, &never).unwrap();
            assert_eq!(key.public_modulus_len() * 8, 2048, "with {racers} racers");
        }
    }

    #[test]
    fn racers_are_clamped_to_at_least_one_and_at_most_the_cap() {
        let never = AtomicBool::new(false);
        assert!(race(KeySize::Bits2048, 0, &never).is_ok());
        assert!(race(KeySize::Bits2048, 1000, &never).is_ok());
        assert!((1..=MAX_RACERS).contains(&default_racers()));
    }

    #[test]
    fn racing_keys_are_distinct() {
        let never = AtomicBool::new(false);
        let a = race(KeySize::Bits2048, 2, &never).unwrap();
        let b = race(KeySize::Bits2048, 2, &never).unwrap();
        assert_ne!(a.public_key().as_ref(), b.public_key().as_ref());
    }

    #[test]
    fn a_cancelled_generation_returns_at_once_with_no_key() {
        let cancelled = AtomicBool::new(true);
        let started = Instant::now();
        let err = race(KeySize::Bits4096, 2, &cancelled).unwrap_err();
        assert!(matches!(err, Error::Cancelled { .. }), "{err:?}");
        assert_eq!(err.kind(), crate::error::ErrorKind::Cancelled);
        // A 4096-bit search takes far longer than this; the call must not wait for it.
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn cancelling_while_searching_stops_the_wait_and_drops_what_is_found_after() {
        let cancelled = std::sync::Arc::new(AtomicBool::new(false));
        let flag = cancelled.clone();
        let (finish, finished) = mpsc::channel::<()>();
        let finished = std::sync::Arc::new(std::sync::Mutex::new(finished));
        let waiter = std::thread::spawn(move || {
            first_of(2, false, &flag, move || {
                // A search that ends only when told to, long after the cancel.
                let _ = finished
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(5));
                Some(7)
            })
        });
        std::thread::sleep(Duration::from_millis(50));
        let set_at = Instant::now();
        cancelled.store(true, Ordering::SeqCst);
        let result = waiter.join().unwrap();
        let waited = set_at.elapsed();
        assert!(
            matches!(result, Err(Some(Error::Cancelled { .. }))),
            "{result:?}"
        );
        assert!(
            waited < Duration::from_millis(500),
            "took {waited:?} after the cancel"
        );
        drop(finish);
    }

    #[test]
    fn the_first_search_to_finish_wins_and_failures_are_passed_over() {
        let never = AtomicBool::new(false);
        let turn = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // The first search started fails at once, the second finds 42 after a while.
        let found = first_of(2, false, &never, move || {
            match turn.fetch_add(1, Ordering::SeqCst) {
                0 => None,
                _ => {
                    std::thread::sleep(Duration::from_millis(30));
                    Some(42)
                }
            }
        });
        assert_eq!(found.unwrap(), 42);
    }

    #[test]
    fn every_search_failing_is_an_error_not_a_wait() {
        let never = AtomicBool::new(false);
        let result = first_of(3, false, &never, || None::<u8>);
        assert!(matches!(result, Err(None)), "{result:?}");
    }

    /// This thread's nice value, from `/proc/thread-self/stat` (the 19th field, counted after
    /// the command name, which may hold spaces, in parentheses).
    #[cfg(target_os = "linux")]
    fn this_threads_nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        after_name.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn yielding_searches_run_at_the_lowest_priority_and_the_others_at_the_callers() {
        let never = AtomicBool::new(false);
        let caller = this_threads_nice();
        let yielding = first_of(2, true, &never, || Some(this_threads_nice())).unwrap();
        assert_eq!(yielding, 19, "a yielding search's nice value");
        let usual = first_of(2, false, &never, || Some(this_threads_nice())).unwrap();
        assert_eq!(usual, caller, "a search's nice value when not yielding");
        assert_eq!(this_threads_nice(), caller, "the caller's own is unchanged");
    }
}
