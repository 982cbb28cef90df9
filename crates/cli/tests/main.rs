//! `ltikeys` as a black box, one module per command noun; here what spans them all.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken fixtures by design.

mod bundle;
mod canvas;
mod canvas_api;
mod check;
mod crash;
mod dynreg;
mod in_step;
mod key;
mod output;
mod platform;
mod registration;
mod support;
mod team;
mod token;
mod tool;

use std::process::Command;

use support::{add_quiz_engine, Env, KEYCHAIN};

#[test]
fn json_is_one_flag_taken_before_or_after_the_command() {
    let env = Env::new();
    let id = add_quiz_engine(&env);
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    for command in [
        &["tool", "list"][..],
        &["tool", "show", "Quiz Engine"],
        &["platform", "list"],
        &["canvas", "placements"],
        &["canvas", "export", "--tool", "Quiz Engine"],
    ] {
        let before = env.json(&[&["--json"], command].concat());
        let after = env.json(&[command, &["--json"]].concat());
        assert_eq!(
            before, after,
            "{command:?}: the flag means the same in both places"
        );
        assert!(
            before.is_array() || before.is_object(),
            "{command:?} --json prints a JSON document: {before}"
        );
    }
    assert_eq!(env.json(&["--json", "tool", "list"])[0]["id"], id.as_str());
    let text = env.ok(&["tool", "list"]);
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "without --json the listing is text: {text}"
    );
    assert_eq!(
        env.json(&["canvas", "export", "--tool", "Quiz Engine"]),
        env.json(&["canvas", "export", "--tool", "Quiz Engine", "--json"]),
        "canvas export prints JSON with or without the flag"
    );
}

#[test]
fn every_command_help_shows_the_json_flag() {
    let env = Env::new();
    for command in [
        &["tool", "list"][..],
        &["key", "rotate"],
        &["registration", "handoff"],
        &["check", "platforms"],
        &["jwks"],
    ] {
        let help = env.ok(&[command, &["--help"]].concat());
        assert!(
            help.contains("--json") && help.contains("Print JSON instead of text"),
            "ltikeys {command:?} --help lists --json: {help}"
        );
    }
}

#[test]
fn a_new_data_directory_opened_by_many_processes_at_once_works_for_all() {
    for round in 0..20 {
        let env = Env::new();
        let dir = env.data.path().join("new");
        let children: Vec<_> = (0..8)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_ltikeys"))
                    .args(["tool", "list", "--json"])
                    .env("LTIKEYS_DATA_DIR", &dir)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
        }
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn status_reports_the_keychain() {
    let env = Env::new();
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["keychain_available"], true, "{status} ({KEYCHAIN})");
    assert_eq!(status["data_dir"], env.data.path().display().to_string());
}
