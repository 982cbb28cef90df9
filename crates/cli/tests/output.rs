//! What every command shares on its way out: broken pipes, a full disk, a closed stdout, escapes.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;

use crate::support::{add_quiz_engine, Env};

/// Runs `args` with stdout into a pipe whose reader is already gone; returns the exit status and
/// stderr.
fn run_into_closed_pipe(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = env.cmd(args).stdout(writer).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_reader_that_went_away_ends_quietly_and_the_write_is_kept() {
    let env = Env::new();
    let (code, err) = run_into_closed_pipe(&env, &["tool", "add", "Gone Reader"]);
    assert_eq!(code, Some(0), "a broken pipe is a quiet success: {err}");
    assert_eq!(err, "", "nothing to say to a reader that went away");
    let (code, err) = run_into_closed_pipe(
        &env,
        &[
            "tool",
            "edit",
            "Gone Reader",
            "--description",
            "kept",
            "--json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "");
    let tool = env.json(&["tool", "show", "Gone Reader", "--json"]);
    assert_eq!(tool["description"], "kept", "both writes were committed");
    let (code, err) = run_into_closed_pipe(&env, &["tool", "list", "--json"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
}

/// `ltikeys tool show … | head -1` with more output than a pipe holds (64 KiB on Linux): the
/// writer is blocked mid-listing when the reader goes away.
#[test]
fn a_reader_that_stops_after_one_line_ends_a_long_listing_quietly() {
    let env = Env::new();
    let uris: Vec<String> = (0..2000)
        .map(|i| format!("https://quiz.example.edu/lti/launch/{i:04}"))
        .collect();
    let mut args = vec!["tool", "add", "Long Listing"];
    for uri in &uris {
        args.extend(["--redirect-uri", uri]);
    }
    env.ok(&args);
    let mut child = env
        .cmd(&["tool", "show", "Long Listing"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id:"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "no panic, no message");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_error_line_and_exit_status_one() {
    let env = Env::new();
    add_quiz_engine(&env);
    for args in [
        &["tool", "list"][..],
        &["tool", "list", "--json"],
        &["tool", "show", "Quiz Engine"],
        &["tool", "add", "Full Disk"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = env.cmd(args).stdout(Stdio::from(full)).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "ltikeys {args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.starts_with("error: could not write the output: No space left on device"),
            "{err}"
        );
    }
    let tools = env.json(&["tool", "list", "--json"]);
    assert_eq!(
        tools.as_array().unwrap().len(),
        2,
        "the tool was added though its id could not be printed"
    );
}

/// A closed stdout (`>&-`): the command does its work and exits cleanly.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_no_crash() {
    let env = Env::new();
    for args in [
        "tool add Closed >&-",
        "tool list >&-",
        "tool list --json >&-",
    ] {
        let out = env.sh(&format!("exec \"$0\" {args}"));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{args}: {err}");
        assert_eq!(err, "", "{args}");
    }
    assert_eq!(env.json(&["tool", "list", "--json"])[0]["name"], "Closed");
}

#[test]
fn names_with_terminal_escapes_are_shown_escaped_and_round_trip_in_json() {
    let env = Env::new();
    let evil = "Evil\x1b]0;pwned\x07\x1b[31m";
    let c1 = "C1\u{9b}31m \u{202e}gnp.exe";
    env.ok(&["tool", "add", evil]);
    env.ok(&["tool", "add", c1]);
    let text = env.ok(&["tool", "list"]);
    assert!(
        !text.contains(['\x1b', '\x07', '\u{9b}', '\u{202e}']),
        "no raw control character reaches the terminal: {text:?}"
    );
    assert!(text.contains(r"Evil\x1b]0;pwned\x07\x1b[31m"), "{text}");
    assert!(text.contains(r"C1\u{9b}31m \u{202e}gnp.exe"), "{text}");
    let json = env.ok(&["tool", "list", "--json"]);
    assert!(
        !json.contains(['\x1b', '\u{9b}', '\u{202e}']),
        "JSON carries escapes only: {json:?}"
    );
    assert!(json.contains(r"C1\u009b31m \u202egnp.exe"), "{json}");
    let tools: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<_> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&evil) && names.contains(&c1),
        "the names parse back exactly: {names:?}"
    );
    let err = env.fails(&["tool", "show", "nope\x1b[2J\u{9b}H"]);
    assert!(
        err.contains(r"'nope\x1b[2J\u{9b}H'") && !err.contains(['\x1b', '\u{9b}']),
        "error lines are escaped too: {err:?}"
    );
}
