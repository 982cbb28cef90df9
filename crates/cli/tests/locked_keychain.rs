//! A locked keychain, alone in its test binary: locking would fail the keychain tests beside it.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

mod support;

use support::{in_keychain, lock_keychain, unlock_keychain, Env};

/// Unlocks the keychain again however the test ends.
struct Locked;

impl Drop for Locked {
    fn drop(&mut self) {
        unlock_keychain();
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn revoke_with_a_locked_keychain_says_what_happened_and_the_next_start_finishes_it() {
    let env = Env::new();
    let id = env.tool("Locked");
    env.ok(&["key", "new", "--tool", "Locked", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Locked", "--kid", "old", "--next"]);
    let account = format!("{id}/old");

    let locked = Locked;
    lock_keychain();
    let out = env.run(&["key", "revoke", "--tool", "Locked", "--kid", "old", "--yes"]);
    drop(locked);

    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the revocation itself is done: {stderr}"
    );
    assert!(stdout.contains("revoked old: unpublished"), "{stdout}");
    assert!(
        !stdout.contains("removed from the keychain"),
        "it never claims a removal that did not happen: {stdout}"
    );
    assert!(
        stderr.contains("still in the OS keychain") && stderr.contains("locked"),
        "{stderr}"
    );
    assert!(in_keychain(&account), "it is indeed still there");
    let jwks = env.json(&["jwks", "--tool", "Locked"]);
    assert_eq!(
        jwks["keys"].as_array().unwrap().len(),
        1,
        "unpublished: {jwks}"
    );

    let text = env.ok(&["status"]);
    assert!(
        text.contains("kid old of tool 'Locked'") && text.contains("has been removed"),
        "{text}"
    );
    assert!(!in_keychain(&account), "finished at the next start");
    assert!(in_keychain(&format!("{id}/cur")));
}
