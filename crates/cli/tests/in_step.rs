//! The keychain and the database in step: races, kills, orphans, a next key that cannot sign.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{clear_in_keychain, in_keychain, kids, put_in_keychain, Env, KEYCHAIN};

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.cmd(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `args` with `LTIKEYS_PAUSE_AT=point`, waits until it stops there, and SIGKILLs it.
fn kill_at(env: &Env, point: &str, args: &[&str]) {
    let mut child = env
        .cmd(args)
        .env("LTIKEYS_PAUSE_AT", point)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line.contains("paused at") {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx.recv_timeout(Duration::from_secs(30));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        line.as_deref().ok(),
        Some(format!("paused at {point}").as_str()),
        "ltikeys {args:?} never reached {point}"
    );
}

/// Exports the private key: this fails unless the keychain entry is the key on record.
fn assert_entry_matches_record(env: &Env, tool: &str, kid: &str) {
    let out = env
        .scratch
        .path()
        .join(format!("{}.pem", kid.replace(':', "_")));
    env.export_unencrypted(tool, kid, &out);
}

fn no_orphans_and_nothing_to_repair(env: &Env) {
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["keychain_available"], true, "{status}");
    assert_eq!(status["orphans"], serde_json::json!([]), "{status}");
    assert_eq!(status["repairs"], serde_json::json!([]), "{status}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn concurrent_generations_of_one_kid_keep_the_winners_key_and_leave_nothing_else() {
    let env = Env::new();
    let id = env.tool("Race");
    env.ok(&["key", "new", "--tool", "Race", "--kid", "first"]);
    for round in 0..9 {
        let kid = format!("same-{round}");
        let racers = 2 + round % 3;
        let children: Vec<Child> = (0..racers)
            .map(|_| {
                spawn(
                    &env,
                    &["key", "new", "--tool", "Race", "--kid", &kid, "--next"],
                )
            })
            .collect();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let winners = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(
            winners, 1,
            "round {round}: exactly one process gets kid {kid}"
        );
        for loser in outs.iter().filter(|o| !o.status.success()) {
            let err = String::from_utf8_lossy(&loser.stderr);
            assert!(err.contains(&format!("kid '{kid}'")), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
        assert!(in_keychain(&format!("{id}/{kid}")), "{KEYCHAIN}");
        assert_entry_matches_record(&env, "Race", &kid);
    }
    // Timestamp kids: processes started within one second pick the same kid.
    for round in 0..4 {
        // A fresh second for each round, or its kid is taken already.
        std::thread::sleep(Duration::from_millis(1100));
        let children: Vec<Child> = (0..3)
            .map(|_| {
                spawn(
                    &env,
                    &[
                        "key",
                        "new",
                        "--tool",
                        "Race",
                        "--kid-scheme",
                        "timestamp",
                        "--next",
                    ],
                )
            })
            .collect();
        let mut won = vec![];
        let mut lost = vec![];
        for out in children.into_iter().map(|c| c.wait_with_output().unwrap()) {
            if out.status.success() {
                won.push(String::from_utf8(out.stdout).unwrap().trim().to_string());
            } else {
                lost.push(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        assert!(!won.is_empty(), "round {round}: someone wins: {lost:?}");
        for kid in &won {
            assert_entry_matches_record(&env, "Race", kid);
        }
    }
    let keys = kids(&env, "Race");
    assert!(
        keys.iter().all(|(_, _, private)| private == "present"),
        "{keys:?}"
    );
    no_orphans_and_nothing_to_repair(&env);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_kill_between_the_keychain_write_and_the_record_is_undone_at_the_next_start() {
    let env = Env::new();
    let id = env.tool("Kill");
    env.ok(&["key", "new", "--tool", "Kill", "--kid", "cur"]);
    kill_at(
        &env,
        "keychain-written",
        &["key", "new", "--tool", "Kill", "--kid", "cut", "--next"],
    );
    let account = format!("{id}/cut");
    assert!(
        in_keychain(&account),
        "the kill left a private key without its row"
    );

    let out = env.run(&["status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("generation of kid cut of tool 'Kill'") && text.contains("undone"),
        "status reports what it undid: {text}"
    );
    assert!(!in_keychain(&account), "and removed the orphan");
    assert!(text.contains("orphan private keys: none"), "{text}");
    assert_eq!(kids(&env, "Kill").len(), 1, "no row for the cut-short key");

    env.ok(&["key", "new", "--tool", "Kill", "--kid", "cut", "--next"]);
    assert_entry_matches_record(&env, "Kill", "cut");
    no_orphans_and_nothing_to_repair(&env);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_revoke_cut_short_by_a_kill_is_finished_at_the_next_start() {
    let env = Env::new();
    let id = env.tool("Revoke");
    env.ok(&["key", "new", "--tool", "Revoke", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Revoke", "--kid", "old", "--next"]);
    kill_at(
        &env,
        "revoked",
        &["key", "revoke", "--tool", "Revoke", "--kid", "old", "--yes"],
    );
    let account = format!("{id}/old");
    assert!(
        in_keychain(&account),
        "the kill came before the keychain removal"
    );

    // Any key command starts by finishing it.
    let out = env.run(&["key", "list", "--tool", "Revoke"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("kid old of tool 'Revoke'") && err.contains("has been removed"),
        "{err}"
    );
    assert!(
        !in_keychain(&account),
        "a revoked key never keeps its private half"
    );
    assert!(in_keychain(&format!("{id}/cur")));
    let keys = kids(&env, "Revoke");
    assert!(
        keys.contains(&("old".into(), "revoked".into(), "missing".into())),
        "{keys:?}"
    );
    no_orphans_and_nothing_to_repair(&env);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn orphan_entries_are_reported_and_removed_only_when_confirmed() {
    let env = Env::new();
    let id = env.tool("Orphans");
    env.ok(&["key", "new", "--tool", "Orphans", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Orphans", "--kid", "old", "--next"]);
    env.ok(&[
        "key", "revoke", "--tool", "Orphans", "--kid", "old", "--yes",
    ]);
    // Left behind by an older version, or by hand: one kid without a row, one revoked key's.
    put_in_keychain(&format!("{id}/ghost"), b"0\x00");
    put_in_keychain(&format!("{id}/old"), b"0\x00");
    // Another data directory's entry is not ours to judge.
    let elsewhere = "t0fffffff/theirs".to_string();
    put_in_keychain(&elsewhere, b"0\x00");

    let text = env.ok(&["status"]);
    assert!(text.contains("orphan private keys: 2"), "{text}");
    assert!(
        text.contains("tool 'Orphans' kid ghost (no key has this kid)"),
        "{text}"
    );
    assert!(
        text.contains("tool 'Orphans' kid old (its key was revoked)"),
        "{text}"
    );
    assert!(!text.contains("theirs"), "{text}");

    let err = env.fails(&["status", "--remove-orphans"]);
    assert!(
        err.contains("--yes"),
        "not a terminal: it asks for --yes: {err}"
    );
    assert!(
        in_keychain(&format!("{id}/ghost")),
        "nothing removed unconfirmed"
    );

    let status = env.json(&["status", "--remove-orphans", "--yes", "--json"]);
    assert_eq!(status["removed"].as_array().unwrap().len(), 2, "{status}");
    assert_eq!(status["orphans"], serde_json::json!([]), "{status}");
    assert!(!in_keychain(&format!("{id}/ghost")));
    assert!(!in_keychain(&format!("{id}/old")));
    assert!(in_keychain(&format!("{id}/cur")), "live keys stay");
    assert!(
        in_keychain(&elsewhere),
        "other data directories' entries stay"
    );
    clear_in_keychain(&elsewhere);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn rotate_refuses_a_next_key_whose_private_key_is_missing() {
    let env = Env::new();
    let id = env.tool("Rotate");
    env.ok(&["key", "new", "--tool", "Rotate", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Rotate", "--kid", "nxt", "--next"]);
    clear_in_keychain(&format!("{id}/nxt"));
    let err = env.fails(&["key", "rotate", "--tool", "Rotate"]);
    assert!(
        err.contains("next key 'nxt'") && err.contains("missing from the OS keychain"),
        "{err}"
    );
    assert!(
        err.contains("--next") && err.contains("key import"),
        "names the fixes: {err}"
    );
    assert_eq!(
        kids(&env, "Rotate"),
        vec![
            ("cur".into(), "current".into(), "present".into()),
            ("nxt".into(), "next".into(), "missing".into()),
        ],
        "nothing changed"
    );
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn tool_remove_takes_every_private_key_of_the_tool_out_of_the_keychain() {
    let env = Env::new();
    let id = env.tool("Gone");
    let stays = env.tool("Stays");
    env.ok(&["key", "new", "--tool", "Gone", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Gone", "--kid", "nxt", "--next"]);
    env.ok(&["key", "new", "--tool", "Gone", "--kid", "old", "--next"]);
    env.ok(&["key", "revoke", "--tool", "Gone", "--kid", "old", "--yes"]);
    env.ok(&["key", "new", "--tool", "Stays", "--kid", "cur"]);
    assert!(in_keychain(&format!("{id}/cur")), "{KEYCHAIN}");

    let removed = env.json(&["tool", "remove", "Gone", "--yes", "--json"]);
    let keys = removed["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, ["cur", "nxt", "old"], "{removed}");
    assert!(
        keys.iter().all(|k| k["private_key"]["removed"] == true),
        "{removed}"
    );
    for kid in ["cur", "nxt", "old"] {
        assert!(
            !in_keychain(&format!("{id}/{kid}")),
            "the private key of {kid} left the real keychain"
        );
    }
    assert!(
        in_keychain(&format!("{stays}/cur")),
        "another tool's key stays"
    );
    assert_entry_matches_record(&env, "Stays", "cur");
    no_orphans_and_nothing_to_repair(&env);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_tool_removal_cut_short_by_a_kill_is_finished_at_the_next_start() {
    let env = Env::new();
    let id = env.tool("Kill");
    env.ok(&["key", "new", "--tool", "Kill", "--kid", "cur"]);
    env.ok(&["key", "new", "--tool", "Kill", "--kid", "nxt", "--next"]);
    kill_at(&env, "tool-removed", &["tool", "remove", "Kill", "--yes"]);
    for kid in ["cur", "nxt"] {
        assert!(
            in_keychain(&format!("{id}/{kid}")),
            "the kill came after the commit and before the keychain removals"
        );
    }
    let err = env.fails(&["tool", "show", "Kill"]);
    assert!(err.contains("no tool named"), "the records are gone: {err}");

    let text = env.ok(&["status"]);
    for kid in ["cur", "nxt"] {
        assert!(
            text.contains(&format!("kid {kid} of tool '{id}'"))
                && text.contains("has been removed"),
            "status finishes the removal of {kid}, naming the gone tool by its id: {text}"
        );
        assert!(
            !in_keychain(&format!("{id}/{kid}")),
            "{kid} left the keychain"
        );
    }
    no_orphans_and_nothing_to_repair(&env);
}
