//! Rotation from the command line, against the real OS keychain: the status machine, refusals,
//! revocation, the policy, and two processes rotating one tool at once.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    data: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Env {
            data: tempfile::tempdir().unwrap(),
        };
        env.ok(&[
            "tool",
            "add",
            "Quiz",
            "--launch-url",
            "https://quiz.example.edu/launch",
        ]);
        env
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ltikeys"));
        cmd.args(args).env("LTIKEYS_DATA_DIR", self.data.path());
        cmd
    }

    fn out(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.out(args);
        assert!(
            out.status.success(),
            "ltikeys {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.out(args);
        assert!(!out.status.success(), "ltikeys {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn statuses(&self) -> Vec<(String, String)> {
        let keys = self.json(&["key", "list", "--tool", "Quiz", "--json"]);
        keys.as_array()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["kid"].as_str().unwrap().to_string(),
                    k["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn published(&self) -> Vec<String> {
        let jwks = self.json(&["jwks", "--tool", "Quiz"]);
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn rotate_retire_and_revoke_from_the_command_line() {
    let env = Env::new();
    let err = env.fails(&["key", "new", "--tool", "Quiz", "--next"]);
    assert!(
        err.contains("--next") && err.contains("no current key"),
        "{err}"
    );
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k1"]);
    env.ok(&["key", "new", "--tool", "Quiz", "--kid", "k2", "--next"]);

    // The dry run changes nothing and says the lead time is not over (k2 is brand new).
    let plan = env.json(&["key", "rotate", "--tool", "Quiz", "--dry-run", "--json"]);
    assert_eq!(plan["promote"], "k2");
    assert_eq!(plan["demote"], "k1");
    assert_eq!(plan["lead_time_skipped"], true);
    assert_eq!(
        env.statuses(),
        [
            ("k1".into(), "current".into()),
            ("k2".into(), "next".into())
        ]
    );

    let out = env.json(&["key", "rotate", "--tool", "Quiz", "--json"]);
    assert_eq!(
        (out["current"].as_str(), out["previous"].as_str()),
        (Some("k2"), Some("k1"))
    );
    assert!(out["reminders"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains("public JWK")));
    assert_eq!(
        env.statuses(),
        [
            ("k1".into(), "previous".into()),
            ("k2".into(), "current".into())
        ]
    );
    assert_eq!(
        env.published(),
        ["k1", "k2"],
        "the previous key stays published"
    );
    let keys = env.json(&["key", "list", "--tool", "Quiz", "--json"]);
    assert!(
        keys[0]["unpublish_after"].is_string() && keys[0]["signing_to"].is_string(),
        "{keys}"
    );
    assert!(keys[1]["signing_from"].is_string());

    // Inside the overlap window: refused with the time it becomes safe; --force overrides.
    let err = env.fails(&["key", "retire", "--tool", "Quiz", "--kid", "k1"]);
    assert!(
        err.contains("overlap window until") && err.contains("--force"),
        "{err}"
    );
    let err = env.fails(&["key", "retire", "--tool", "Quiz", "--kid", "k2"]);
    assert!(err.contains("only a previous key"), "{err}");
    env.ok(&["key", "retire", "--tool", "Quiz", "--kid", "k1", "--force"]);
    assert_eq!(env.published(), ["k2"]);

    // Revoking the current key with no next key: a new key signs, the old one is gone for good.
    let out = env.json(&[
        "key", "revoke", "--tool", "Quiz", "--kid", "k2", "--yes", "--json",
    ]);
    let new = out["current"].as_str().unwrap().to_string();
    assert_eq!(env.published(), std::slice::from_ref(&new));
    let keys = env.json(&["key", "list", "--tool", "Quiz", "--json"]);
    let k2 = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "k2")
        .unwrap();
    assert_eq!(
        (k2["status"].as_str(), k2["private_key"].as_str()),
        (Some("revoked"), Some("missing"))
    );
    let err = env.fails(&["key", "revoke", "--tool", "Quiz", "--kid", "k2", "--yes"]);
    assert!(err.contains("already revoked"), "{err}");
}

#[test]
fn the_policy_is_shown_set_and_checked() {
    let env = Env::new();
    let state = env.json(&["tool", "policy", "Quiz", "--json"]);
    assert_eq!(state["policy"]["pre_publish_secs"], 86_400);
    assert_eq!(state["policy"]["overlap_secs"], 604_800);
    assert_eq!(state["policy"]["rotate_every_secs"], Value::Null);
    let state = env.json(&[
        "tool",
        "policy",
        "Quiz",
        "--pre-publish",
        "2d",
        "--overlap",
        "36h",
        "--rotate-every",
        "90d",
        "--json",
    ]);
    assert_eq!(state["policy"]["pre_publish_secs"], 172_800);
    assert_eq!(state["policy"]["overlap_secs"], 129_600);
    assert_eq!(state["policy"]["rotate_every_secs"], 7_776_000);
    let text = env.ok(&["tool", "policy", "Quiz"]);
    assert!(
        text.contains("overlap:      36h") && text.contains("rotate every: 90d"),
        "{text}"
    );
    let err = env.fails(&["tool", "policy", "Quiz", "--overlap", "a week"]);
    assert!(err.contains("--overlap") && err.contains("7d"), "{err}");
    let err = env.fails(&["tool", "policy", "Quiz", "--rotate-every", "1h"]);
    assert!(err.contains("rotate-every"), "{err}");
    env.ok(&["tool", "policy", "Quiz", "--rotate-every", "off"]);
    assert_eq!(
        env.json(&["tool", "policy", "Quiz", "--json"])["policy"]["rotate_every_secs"],
        Value::Null
    );
    let err = env.fails(&["key", "rotate", "--tool", "Quiz"]);
    assert!(err.contains("no current key"), "{err}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn concurrent_rotations_from_two_processes_leave_exactly_one_current() {
    let env = Env::new();
    env.ok(&["key", "new", "--tool", "Quiz"]);
    for round in 0..3 {
        let a = env
            .cmd(&["key", "rotate", "--tool", "Quiz", "--json"])
            .spawn()
            .unwrap();
        let b = env
            .cmd(&["key", "rotate", "--tool", "Quiz", "--json"])
            .spawn()
            .unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            a.status.success(),
            "round {round} A: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        assert!(
            b.status.success(),
            "round {round} B: {}",
            String::from_utf8_lossy(&b.stderr)
        );
        let statuses = env.statuses();
        let current: Vec<_> = statuses.iter().filter(|(_, s)| s == "current").collect();
        assert_eq!(current.len(), 1, "round {round}: {statuses:?}");
        let published = env.published();
        assert!(
            published.contains(&current[0].0),
            "the signing key is published"
        );
        let expected: Vec<_> = statuses
            .iter()
            .filter(|(_, s)| ["next", "current", "previous"].contains(&s.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(published, expected, "JWKS = next + current + previous");
    }
}
