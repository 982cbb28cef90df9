//! `ltikeys canvas register | deployments | switch | status | update | token`: Canvas's LTI
//! registrations API, against a Canvas on 127.0.0.1 that answers as Canvas does, with the token
//! in the real keychain.

use std::sync::{Arc, Mutex};

use ltikeys_core::testing::{
    canvas_api, FakeCanvas, Server, CANVAS_ADMIN_TOKEN, CANVAS_TEACHER_TOKEN,
};
use serde_json::Value;

use crate::support::{add_quiz_engine, in_keychain, Env};

struct Canvas {
    env: Env,
    server: Server,
    state: Arc<Mutex<FakeCanvas>>,
    platform_id: String,
    token_file: String,
}

impl Canvas {
    /// A data directory with "Quiz Engine" and the Canvas platform "Acme Canvas", and a Canvas.
    fn new() -> Canvas {
        let env = Env::new();
        add_quiz_engine(&env);
        env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
        let platform_id = env.json(&["platform", "list", "--json"])[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let token_file = env.file("token.txt", &format!("{CANVAS_ADMIN_TOKEN}\n"));
        let (server, state) = canvas_api();
        Canvas {
            env,
            server,
            state,
            platform_id,
            token_file,
        }
    }

    fn register(&self) -> Value {
        self.env.json(&[
            "canvas",
            "register",
            "--tool",
            "Quiz Engine",
            "--platform",
            "Acme Canvas",
            "--account",
            "1",
            "--token-file",
            &self.token_file,
            "--canvas-url",
            self.server.base(),
            "--json",
        ])
    }

    fn canvas(&self) -> std::sync::MutexGuard<'_, FakeCanvas> {
        self.state.lock().unwrap()
    }
}

fn no_token_anywhere(env: &Env, outputs: &[&str]) {
    for out in outputs {
        assert!(
            !out.contains(CANVAS_ADMIN_TOKEN),
            "the token was printed: {out}"
        );
    }
    for entry in std::fs::read_dir(env.data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(CANVAS_ADMIN_TOKEN.len())
                    .any(|w| w == CANVAS_ADMIN_TOKEN.as_bytes()),
                "{} holds the token",
                path.display()
            );
        }
    }
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn register_creates_the_key_in_canvas_and_records_client_id_and_deployment() {
    let c = Canvas::new();
    let made = c.register();
    let reg = &made["registration"];
    assert_eq!(reg["client_id"], "10000000000040", "{made:#}");
    assert_eq!(reg["canvas"]["account_id"], "1");
    assert_eq!(reg["canvas"]["registration_id"], "40");
    assert_eq!(made["canvas"]["binding"], "on");
    assert_eq!(
        reg["deployments"][0]["deployment_id"],
        format!("40:{:040x}", 40)
    );
    assert_eq!(reg["deployments"][0]["label"], "Acme University (account)");
    {
        let canvas = c.canvas();
        let sent = &canvas.registrations[0].configuration;
        assert_eq!(sent["title"], "Quiz Engine");
        assert_eq!(
            sent["oidc_initiation_url"],
            "https://quiz.example.edu/lti/login"
        );
        assert_eq!(
            sent["public_jwk_url"],
            "https://quiz.example.edu/.well-known/jwks.json"
        );
        assert_eq!(sent["redirect_uris"].as_array().unwrap().len(), 2);
    }
    // Every call carried the admin's token.
    let requests = c.server.requests();
    assert!(requests.len() >= 2);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(&*format!("Bearer {CANVAS_ADMIN_TOKEN}"))
        );
    }
    // Recorded here: the registration, its link and the Canvas URL on the platform.
    let id = reg["id"].as_str().unwrap();
    let shown = c.env.ok(&["registration", "show", id]);
    assert!(
        shown.contains("in Canvas:    account 1, registration 40"),
        "{shown}"
    );
    assert!(shown.contains("Acme University (account)"), "{shown}");
    let platform = c.env.json(&["platform", "show", "Acme Canvas", "--json"]);
    assert_eq!(platform["base_url"], c.server.base());
    // The token is in the keychain, not in the data directory or any output.
    let account = format!("api-token:{}", c.platform_id);
    assert!(in_keychain(&account));
    no_token_anywhere(&c.env, &[&made.to_string(), &shown]);
    // Removing the platform's token removes the keychain entry.
    c.env
        .ok(&["canvas", "token", "--platform", "Acme Canvas", "--forget"]);
    assert!(!in_keychain(&account));
    let err = c.env.fails(&["canvas", "deployments", id]);
    assert!(
        err.contains("none is stored") && err.contains("--token-file"),
        "{err}"
    );
}

/// A platform removed while the keychain does not answer keeps its API token there only until
/// the next `ltikeys status` that reaches the keychain.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_token_the_keychain_kept_at_a_platform_removal_goes_at_the_next_status() {
    let c = Canvas::new();
    let made = c.register();
    let id = made["registration"]["id"].as_str().unwrap();
    let account = format!("api-token:{}", c.platform_id);
    assert!(in_keychain(&account));
    c.env.ok(&["registration", "remove", id]);
    c.env
        .ok_without_keychain(&["platform", "remove", "Acme Canvas"]);
    assert!(
        in_keychain(&account),
        "the keychain that did not answer kept it"
    );
    c.env.ok(&["status"]);
    assert!(!in_keychain(&account), "the next status removed it");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn deployments_made_in_canvas_are_recorded_with_their_context_names_across_pages() {
    let c = Canvas::new();
    let made = c.register();
    let id = made["registration"]["id"].as_str().unwrap().to_string();
    let biology = c.canvas().install_in_course(40, 101, "Biology 101");
    // The stored token serves: no --token-file this time.
    let synced = c.env.json(&["canvas", "deployments", &id, "--json"]);
    assert_eq!(synced["added"], serde_json::json!([biology]), "{synced:#}");
    let labels: Vec<&str> = synced["registration"]["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Acme University (account)", "Biology 101 (course)"]
    );
    // Again: nothing new.
    let again = c.env.json(&["canvas", "deployments", &id, "--json"]);
    assert_eq!(again["added"], serde_json::json!([]));
    // Many, two per page: every page is read.
    {
        let mut canvas = c.canvas();
        canvas.per_page = 2;
        for n in 0..5 {
            canvas.install_in_course(40, 200 + n, &format!("Course {n}"));
        }
    }
    let text = c.env.ok(&["canvas", "deployments", &id]);
    assert!(text.contains("5 new deployment ids recorded"), "{text}");
    let reg = c.env.json(&["registration", "show", &id, "--json"]);
    assert_eq!(reg["deployments"].as_array().unwrap().len(), 7);
    assert!(c
        .server
        .requests()
        .iter()
        .any(|r| r.path.contains("page=4")));
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_registration_is_turned_off_and_on_and_its_configuration_kept_up_to_date() {
    let c = Canvas::new();
    let made = c.register();
    let id = made["registration"]["id"].as_str().unwrap().to_string();
    let out = c.env.ok(&["canvas", "switch", &id, "off"]);
    assert!(out.contains("is off in Canvas"), "{out}");
    assert_eq!(c.canvas().registrations[0].binding, "off");
    c.env.ok(&["canvas", "switch", &id, "on"]);
    assert_eq!(c.canvas().registrations[0].binding, "on");

    // Up to date: exit 0. After the tool changes: exit 1, naming what differs.
    let status = c.env.ok(&["canvas", "status", &id]);
    assert!(
        status.contains("its configuration is the tool's"),
        "{status}"
    );
    c.env.ok(&[
        "tool",
        "edit",
        "Quiz Engine",
        "--description",
        "Quizzes, graded",
    ]);
    let stale = c.env.code(&["canvas", "status", &id], 1);
    assert!(
        stale.contains("differs from the tool's in: description"),
        "{stale}"
    );
    let json = c.env.run(&["canvas", "status", &id, "--json"]);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["differences"], serde_json::json!(["description"]));
    c.env.ok(&["canvas", "update", &id]);
    assert_eq!(
        c.canvas().registrations[0].configuration["description"],
        "Quizzes, graded"
    );
    c.env.ok(&["canvas", "status", &id]);
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn a_registration_made_by_hand_is_linked_by_its_client_id() {
    let c = Canvas::new();
    c.register();
    // A second data directory knows the same registration, added by hand.
    let other = Env::new();
    add_quiz_engine(&other);
    other.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let id = other.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000040",
    ]);
    let err = other.fails(&[
        "canvas",
        "deployments",
        &id,
        "--token-file",
        &c.token_file,
        "--canvas-url",
        c.server.base(),
    ]);
    assert!(
        err.contains("was not made through Canvas's registrations API")
            && err.contains("--account"),
        "{err}"
    );
    let synced = other.json(&["canvas", "deployments", &id, "--account", "1", "--json"]);
    assert_eq!(synced["registration"]["canvas"]["registration_id"], "40");
    assert_eq!(synced["added"].as_array().unwrap().len(), 1);
    // A client_id Canvas does not know is said so.
    let stray = other.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000999",
    ]);
    let err = other.fails(&["canvas", "deployments", &stray, "--account", "1"]);
    assert!(err.contains("LTI registration not found"), "{err}");
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn refusals_are_explained_and_record_nothing() {
    let c = Canvas::new();
    let base = c.server.base().to_string();
    let register = |env: &Env, token: &str, account: &str, platform: &str| {
        let file = env.file("t.txt", token);
        env.fails(&[
            "canvas",
            "register",
            "--tool",
            "Quiz Engine",
            "--platform",
            platform,
            "--account",
            account,
            "--token-file",
            &file,
            "--canvas-url",
            &base,
        ])
    };
    let err = register(&c.env, "7~wrong", "1", "Acme Canvas");
    assert!(
        err.contains("mistyped, expired or revoked") && err.contains("Invalid access token."),
        "{err}"
    );
    assert!(
        !err.contains("7~wrong"),
        "the token is never repeated: {err}"
    );
    let err = register(&c.env, CANVAS_TEACHER_TOKEN, "1", "Acme Canvas");
    assert!(err.contains("Manage LTI registrations"), "{err}");
    let err = register(&c.env, CANVAS_ADMIN_TOKEN, "2", "Acme Canvas");
    assert!(
        err.contains("not found") && err.contains("root account"),
        "{err}"
    );
    let err = register(&c.env, CANVAS_ADMIN_TOKEN, "sub/2", "Acme Canvas");
    assert!(err.contains("not a Canvas account id"), "{err}");
    let err = register(&c.env, "two words", "1", "Acme Canvas");
    assert!(
        err.contains("API token") && !err.contains("two words"),
        "{err}"
    );
    c.env.ok(&[
        "platform",
        "add",
        "Uni Moodle",
        "--preset",
        "moodle",
        "--base-url",
        "https://moodle.example.edu",
    ]);
    let err = register(&c.env, CANVAS_ADMIN_TOKEN, "1", "Uni Moodle");
    assert!(
        err.contains("only Canvas has this registrations API") && err.contains("dynreg"),
        "{err}"
    );
    // A tool Canvas's schema would refuse is refused before anything is sent.
    c.env.ok(&[
        "tool",
        "add",
        "Bare",
        "--launch-url",
        "https://bare.example.edu/launch",
    ]);
    let file = c.env.file("t.txt", CANVAS_ADMIN_TOKEN);
    let err = c.env.fails(&[
        "canvas",
        "register",
        "--tool",
        "Bare",
        "--platform",
        "Acme Canvas",
        "--account",
        "1",
        "--token-file",
        &file,
    ]);
    assert!(err.contains("login") || err.contains("redirect"), "{err}");
    // An address that is not Canvas: a web page.
    let page = Server::always(
        ltikeys_core::testing::Reply::new(200, "<html>Sign in</html>").content_type("text/html"),
    );
    let err = c.env.fails(&[
        "canvas",
        "register",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--account",
        "1",
        "--canvas-url",
        page.base(),
    ]);
    assert!(err.contains("web page"), "{err}");
    assert!(c.canvas().registrations.is_empty());
    assert_eq!(
        c.env.json(&["registration", "list", "--json"]),
        serde_json::json!([])
    );
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn without_registrations_next_the_registration_is_made_and_the_admin_told_where_deployments_are() {
    let c = Canvas::new();
    c.canvas().registrations_next = false;
    let made = c.register();
    assert_eq!(made["registration"]["client_id"], "10000000000040");
    assert_eq!(made["registration"]["deployments"], serde_json::json!([]));
    let notes = made["notes"].to_string();
    assert!(
        notes.contains("LTI Registrations Next") && notes.contains("Deployment Id"),
        "{notes}"
    );
}

#[test]
fn a_token_file_that_is_missing_or_not_text_is_refused() {
    let env = Env::new();
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let bin = env.scratch.path().join("bin");
    std::fs::write(&bin, [0xff, 0xfe, 0x00]).unwrap();
    let big = env.scratch.path().join("big");
    std::fs::write(&big, "x".repeat(10_000)).unwrap();
    let missing = std::path::PathBuf::from("/nonexistent/t");
    for (file, said) in [
        (&missing, "/nonexistent/t"),
        (&bin, "not text"),
        (&big, "--token-file"),
    ] {
        let err = env.fails(&[
            "canvas",
            "token",
            "--platform",
            "Acme Canvas",
            "--token-file",
            file.to_str().unwrap(),
        ]);
        assert!(err.contains(said), "{}: {err}", file.display());
    }
}
