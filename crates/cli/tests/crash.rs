//! Every write survives a kill and a crowd: `ltikeys` SIGKILLed at random points of many writes
//! (key generation, rotation, revocation, registration and deployment edits, bundle import)
//! leaves a sound database, every write it reported done intact, and the keychain in step with
//! it once the next command has started; and several processes writing at once lose nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::Value;

use crate::support::{Env, KEYCHAIN};

/// Writes run by default; `LTIKEYS_KILL_WRITES` asks for more (or fewer, while iterating).
const WRITES: usize = 1000;
/// How many of them are killed: one in three.
const KILL_ONE_IN: u32 = 3;
const TOOLS: [&str; 3] = ["Storm A", "Storm B", "Storm C"];
/// The tool the storm's bundle brings.
const BUNDLED_TOOL: &str = "Storm Bundle";

/// What the test knows of a record: written (reported done), gone (its removal reported done),
/// or either (a write to it was killed, before or after it took effect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    Present,
    Absent,
    Unknown,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    KeyNew,
    Rotate,
    Revoke,
    RegistrationAdd,
    RegistrationRemove,
    DeploymentAdd,
    DeploymentRemove,
    BundleImport,
}

impl Op {
    fn pick(rng: &mut StdRng) -> Op {
        match rng.gen_range(0..100) {
            0..=14 => Op::KeyNew,
            15..=24 => Op::Rotate,
            25..=29 => Op::Revoke,
            30..=39 => Op::RegistrationAdd,
            40..=44 => Op::RegistrationRemove,
            45..=74 => Op::DeploymentAdd,
            75..=94 => Op::DeploymentRemove,
            _ => Op::BundleImport,
        }
    }
}

/// The outcome of one write: finished with its stdout, or killed.
enum Ran {
    Done { code: i32, stdout: String },
    Killed,
}

struct Storm {
    env: Env,
    rng: StdRng,
    /// Typical time of an unkilled run of each operation, to kill within it.
    typical: BTreeMap<&'static str, Duration>,
    /// Kids reported generated (or imported): each must be listed at the end.
    kids: BTreeSet<(String, String)>,
    /// Kids reported revoked: revoked at the end, their private half gone.
    revoked: BTreeSet<(String, String)>,
    /// The current key of each tool as last reported, while no later rotation was killed.
    current: BTreeMap<String, Option<String>>,
    /// Registrations by client_id, and deployment ids by (client_id, deployment id).
    registrations: BTreeMap<String, Known>,
    deployments: BTreeMap<(String, String), Known>,
    killed: usize,
    reported: usize,
}

impl Storm {
    fn run(&mut self, what: &'static str, args: &[&str]) -> Ran {
        let kill = self.rng.gen_ratio(1, KILL_ONE_IN);
        let typical = self
            .typical
            .get(what)
            .copied()
            .unwrap_or(Duration::from_millis(100));
        let mut child = self
            .env
            .cmd(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        if kill {
            let at = typical.mul_f64(self.rng.gen_range(0.0..1.2));
            while started.elapsed() < at {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                self.killed += 1;
                return Ran::Killed;
            }
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("database is locked"),
            "ltikeys {args:?}: {stderr}"
        );
        let code = output.status.code().expect("not killed");
        if !kill {
            let took = started.elapsed();
            let entry = self.typical.entry(what).or_insert(took);
            *entry = (*entry * 3 + took) / 4;
        }
        if code == 0 {
            self.reported += 1;
        }
        Ran::Done {
            code,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        }
    }

    fn tool(&mut self) -> &'static str {
        TOOLS[self.rng.gen_range(0..TOOLS.len())]
    }

    fn keys(&self, tool: &str) -> Vec<Value> {
        self.env
            .json(&["key", "list", "--tool", tool, "--json"])
            .as_array()
            .unwrap()
            .clone()
    }

    /// Runs `op` if it applies now; false when it does not (no previous key to revoke, say).
    fn step(&mut self, op: Op, registration_ids: &BTreeMap<String, String>) -> bool {
        match op {
            Op::KeyNew => {
                let tool = self.tool();
                if let Ran::Done { code: 0, stdout } =
                    self.run("key new", &["key", "new", "--tool", tool, "--next"])
                {
                    self.kids.insert((tool.into(), stdout.trim().into()));
                }
            }
            Op::Rotate => {
                let tool = self.tool();
                match self.run("key rotate", &["key", "rotate", "--tool", tool, "--json"]) {
                    Ran::Done { code: 0, stdout } => {
                        let plan: Value = serde_json::from_str(&stdout).unwrap();
                        let current = plan["current"].as_str().unwrap().to_string();
                        if let Some(generated) = plan["generated"].as_str() {
                            self.kids.insert((tool.into(), generated.into()));
                        }
                        self.kids.insert((tool.into(), current.clone()));
                        self.current.insert(tool.into(), Some(current));
                    }
                    Ran::Done { .. } => {}
                    Ran::Killed => {
                        self.current.insert(tool.into(), None);
                    }
                }
            }
            Op::Revoke => {
                let tool = self.tool();
                let previous: Vec<String> = self
                    .keys(tool)
                    .iter()
                    .filter(|k| k["status"] == "previous")
                    .map(|k| k["kid"].as_str().unwrap().to_string())
                    .collect();
                let Some(kid) = previous.first() else {
                    return false;
                };
                let args = ["key", "revoke", "--tool", tool, "--kid", kid, "--yes"];
                if let Ran::Done { code: 0, .. } = self.run("key revoke", &args) {
                    self.revoked.insert((tool.into(), kid.clone()));
                }
            }
            Op::RegistrationAdd | Op::RegistrationRemove => {
                let client_id = format!("storm-{}", self.rng.gen_range(0..12));
                let known = self
                    .registrations
                    .get(&client_id)
                    .copied()
                    .unwrap_or(Known::Absent);
                if matches!(op, Op::RegistrationAdd) && known != Known::Present {
                    let tool = self.tool();
                    let args = [
                        "registration",
                        "add",
                        "--tool",
                        tool,
                        "--platform",
                        "Storm LMS",
                        "--client-id",
                        &client_id,
                    ];
                    let ran = self.run("registration add", &args);
                    self.settle_registration(&client_id, ran, Known::Present);
                } else if matches!(op, Op::RegistrationRemove) && known == Known::Present {
                    let id = self.registration_id(&client_id);
                    let ran = self.run("registration remove", &["registration", "remove", &id]);
                    self.settle_registration(&client_id, ran, Known::Absent);
                } else {
                    return false;
                }
            }
            Op::DeploymentAdd | Op::DeploymentRemove => {
                let (client_id, id) = {
                    let picked = self.rng.gen_range(0..registration_ids.len());
                    let (c, i) = registration_ids.iter().nth(picked).unwrap();
                    (c.clone(), i.clone())
                };
                let deployment = format!("d-{}", self.rng.gen_range(0..20));
                let key = (client_id, deployment.clone());
                let (verb, after) = match op {
                    Op::DeploymentAdd => ("add", Known::Present),
                    _ => ("remove", Known::Absent),
                };
                let args = ["registration", "deployment", verb, &id, &deployment];
                match self.run("deployment", &args) {
                    Ran::Done { code: 0, .. } => {
                        self.deployments.insert(key, after);
                    }
                    // Refused: already there, or not there: either way now as `after` says,
                    // unless an earlier killed write left it unknown.
                    Ran::Done { .. } => {
                        if self.deployments.get(&key) != Some(&Known::Unknown) {
                            self.deployments.insert(key, after);
                        }
                    }
                    Ran::Killed => {
                        self.deployments.insert(key, Known::Unknown);
                    }
                }
            }
            Op::BundleImport => {
                let bundle = self.env.scratch.path().join("bundle.zip");
                let passphrase = self.env.scratch.path().join("passphrase");
                let args = [
                    "bundle",
                    "import",
                    bundle.to_str().unwrap(),
                    "--passphrase-file",
                    passphrase.to_str().unwrap(),
                ];
                self.run("bundle import", &args);
            }
        }
        true
    }

    fn settle_registration(&mut self, client_id: &str, ran: Ran, after: Known) {
        let known = match ran {
            Ran::Done { code: 0, .. } => after,
            Ran::Done { .. } => self
                .registrations
                .get(client_id)
                .copied()
                .unwrap_or(Known::Absent),
            Ran::Killed => Known::Unknown,
        };
        self.registrations.insert(client_id.into(), known);
    }

    fn registration_id(&self, client_id: &str) -> String {
        self.env
            .json(&["registration", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["client_id"] == client_id)
            .map(|r| r["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| "gone".into())
    }

    /// Everything the test knows holds, after one command has started (and repaired).
    fn verify(&self) {
        // A write killed since the last command that repairs (a `key` command, `status`) left
        // an operation for this start to finish: it is finished now, and said so, once.
        let first = self.env.json(&["status", "--json"]);
        assert_eq!(first["keychain_available"], true, "{first}");
        let repaired = first["repairs"].as_array().unwrap();
        assert!(
            repaired.is_empty() || self.killed > 0,
            "repairs without a killed write: {first}"
        );
        for repair in repaired {
            assert_eq!(repair["error"], Value::Null, "a repair failed: {first}");
        }
        let status = self.env.json(&["status", "--json"]);
        assert_eq!(
            status["repairs"],
            Value::Array(vec![]),
            "a repair is done once, not again at the next start: {status}"
        );
        assert_eq!(
            status["orphans"],
            Value::Array(vec![]),
            "a keychain entry without its row: {status}"
        );
        integrity_ok(&self.env.data.path().join("ltikeys.sqlite3"));

        let tools = self.env.json(&["tool", "list", "--json"]);
        let bundled = tools
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == BUNDLED_TOOL);
        for tool in TOOLS.into_iter().chain(bundled.then_some(BUNDLED_TOOL)) {
            let keys = self.keys(tool);
            let Some(tool_id) = keys
                .first()
                .map(|k| k["tool_id"].as_str().unwrap().to_string())
            else {
                assert_eq!(tool, BUNDLED_TOOL, "{tool} has lost every key");
                continue;
            };
            let current: Vec<&str> = keys
                .iter()
                .filter(|k| k["status"] == "current")
                .map(|k| k["kid"].as_str().unwrap())
                .collect();
            assert_eq!(current.len(), 1, "{tool} has current keys {current:?}");
            if let Some(Some(reported)) = self.current.get(tool) {
                assert_eq!(
                    current[0], reported,
                    "{tool}: the reported rotation is lost"
                );
            }
            for key in &keys {
                let kid = key["kid"].as_str().unwrap();
                let has_entry = keychain_has(&format!("{tool_id}/{kid}"));
                let shown = key["private_key"].as_str().unwrap();
                assert_eq!(
                    shown == "present",
                    has_entry,
                    "{tool} {kid} shows its private key {shown} and the keychain entry is {}",
                    if has_entry { "there" } else { "gone" }
                );
                if key["status"] == "revoked" {
                    assert!(!has_entry, "revoked {tool} {kid} keeps its private half");
                }
            }
            for (t, kid) in self.kids.iter().filter(|(t, _)| t == tool) {
                assert!(
                    keys.iter().any(|k| k["kid"] == kid.as_str()),
                    "{t}: the generated key {kid} is lost"
                );
            }
            for (t, kid) in self.revoked.iter().filter(|(t, _)| t == tool) {
                let key = keys.iter().find(|k| k["kid"] == kid.as_str()).unwrap();
                assert_eq!(
                    key["status"], "revoked",
                    "{t} {kid}: the revocation is lost"
                );
            }
        }

        let registrations = self.env.json(&["registration", "list", "--json"]);
        let registrations = registrations.as_array().unwrap();
        let listed = |client_id: &str| registrations.iter().find(|r| r["client_id"] == client_id);
        for (client_id, known) in &self.registrations {
            match known {
                Known::Present => assert!(listed(client_id).is_some(), "{client_id} is lost"),
                Known::Absent => assert!(listed(client_id).is_none(), "{client_id} came back"),
                Known::Unknown => {}
            }
        }
        for ((client_id, deployment), known) in &self.deployments {
            let there = listed(client_id).is_some_and(|r| {
                r["deployments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["deployment_id"] == deployment.as_str())
            });
            match known {
                Known::Present => assert!(there, "{client_id} {deployment} is lost"),
                Known::Absent => assert!(!there, "{client_id} {deployment} came back"),
                Known::Unknown => {}
            }
        }
    }
}

/// `PRAGMA integrity_check` of the database, read-only.
fn integrity_ok(db: &Path) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(result, "ok");
}

/// Whether the keychain holds an entry for `account` under the app's service, asked of the
/// Secret Service one entry at a time: a search of every entry, with the other tests' entries
/// coming and going beside the storm's, is not an answer to rely on.
fn keychain_has(account: &str) -> bool {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "ltikeys", "username", account])
        .stdin(Stdio::null())
        .output()
        .expect("secret-tool (package libsecret-tools)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => true,
        // secret-tool answers 1 and says nothing when no entry matches.
        Some(1) if stderr.trim().is_empty() => false,
        _ => panic!(
            "secret-tool lookup {account} failed: {:?} {stderr}",
            out.status
        ),
    }
}

fn setup() -> (Env, BTreeMap<String, String>) {
    let env = Env::new();
    for tool in TOOLS {
        env.tool(tool);
        env.ok(&["key", "new", "--tool", tool]);
    }
    env.ok(&["platform", "add", "Storm LMS", "--preset", "canvas-cloud"]);
    // The deployments' registrations stay; those of the storm come and go beside them.
    let mut registration_ids = BTreeMap::new();
    for (n, tool) in TOOLS.iter().enumerate() {
        let client_id = format!("fixed-{n}");
        let id = env.register(tool, "Storm LMS", &client_id);
        registration_ids.insert(client_id, id);
    }

    // A bundle of another data directory, with its private key, for the storm to import.
    let source = Env::new();
    source.tool(BUNDLED_TOOL);
    source.ok(&["key", "new", "--tool", BUNDLED_TOOL]);
    source.ok(&["platform", "add", "Bundle LMS", "--preset", "canvas-cloud"]);
    let id = source.register(BUNDLED_TOOL, "Bundle LMS", "bundled-1");
    source.ok(&["registration", "deployment", "add", &id, "bd-1"]);
    let passphrase = env.scratch.path().join("passphrase");
    std::fs::write(&passphrase, "storm passphrase 2026").unwrap();
    let bundle = env.scratch.path().join("bundle.zip");
    source.ok(&[
        "bundle",
        "export",
        &id,
        "--out",
        bundle.to_str().unwrap(),
        "--include-private",
        "--passphrase-file",
        passphrase.to_str().unwrap(),
    ]);
    (env, registration_ids)
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn writes_killed_at_random_points_lose_nothing_reported_and_leave_the_keychain_in_step() {
    let _ = KEYCHAIN;
    let writes = std::env::var("LTIKEYS_KILL_WRITES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(WRITES);
    let seed = std::env::var("LTIKEYS_KILL_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("kill storm: {writes} writes, seed {seed} (LTIKEYS_KILL_SEED repeats it)");
    let (env, registration_ids) = setup();
    let mut storm = Storm {
        env,
        rng: StdRng::seed_from_u64(seed),
        typical: BTreeMap::new(),
        kids: BTreeSet::new(),
        revoked: BTreeSet::new(),
        current: BTreeMap::new(),
        registrations: BTreeMap::new(),
        deployments: BTreeMap::new(),
        killed: 0,
        reported: 0,
    };
    let mut ran = 0;
    while ran < writes {
        let op = Op::pick(&mut storm.rng);
        if storm.step(op, &registration_ids) {
            ran += 1;
            if ran % 250 == 0 {
                storm.verify();
            }
        }
    }
    storm.verify();
    eprintln!(
        "kill storm: {} killed, {} reported done, {} keys generated and kept, typical ms {:?}",
        storm.killed,
        storm.reported,
        storm.kids.len(),
        storm
            .typical
            .iter()
            .map(|(k, v)| (*k, v.as_millis()))
            .collect::<Vec<_>>()
    );
    assert!(
        storm.killed >= writes / 5,
        "only {} of {writes} writes were killed",
        storm.killed
    );
}

/// One writer's share of [`four_writers_at_once_lose_nothing_and_keep_one_current_key`]: its
/// own deployment ids and registrations, and key generations and rotations of the shared tool.
fn writer(env: &Env, n: usize, registration: &str) -> (Vec<String>, Vec<String>) {
    let mut kids = vec![];
    let mut failures = vec![];
    for step in 0..24 {
        let args = ltikeys_core::testing::shared_write(n, step, registration);
        let out = env.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        match ltikeys_core::testing::shared_write_outcome(step, &args, &out) {
            Ok(kid) => kids.extend(kid),
            Err(refused) => failures.push(refused),
        }
    }
    (kids, failures)
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn four_writers_at_once_lose_nothing_and_keep_one_current_key() {
    let env = Env::new();
    env.tool("Shared");
    env.ok(&["key", "new", "--tool", "Shared"]);
    env.ok(&["platform", "add", "Shared LMS", "--preset", "canvas-cloud"]);
    let registration = env.register("Shared", "Shared LMS", "shared-1");
    let results: Vec<(Vec<String>, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|n| {
                let env = &env;
                let registration = registration.as_str();
                scope.spawn(move || writer(env, n, registration))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let failures: Vec<&String> = results.iter().flat_map(|(_, f)| f).collect();
    assert!(failures.is_empty(), "writes refused: {failures:#?}");

    let keys = env.json(&["key", "list", "--tool", "Shared", "--json"]);
    let keys = keys.as_array().unwrap();
    for kid in results.iter().flat_map(|(k, _)| k) {
        assert!(
            keys.iter().any(|k| k["kid"] == kid.as_str()),
            "key {kid} is lost"
        );
    }
    let current = keys.iter().filter(|k| k["status"] == "current").count();
    assert_eq!(current, 1, "{keys:#?}");
    assert!(
        keys.iter().all(|k| k["private_key"] == "present"),
        "{keys:#?}"
    );

    let registrations = env.json(&["registration", "list", "--json"]);
    let registrations = registrations.as_array().unwrap();
    let shared = registrations
        .iter()
        .find(|r| r["client_id"] == "shared-1")
        .unwrap();
    for n in 0..4 {
        for step in (0..24).filter(|s| s % 4 == 2) {
            let deployment = format!("w{n}-d{step}");
            assert!(
                shared["deployments"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["deployment_id"] == deployment.as_str()),
                "deployment {deployment} is lost"
            );
        }
        for step in (0..24).filter(|s| s % 4 == 3) {
            let client_id = format!("w{n}-c{step}");
            assert!(
                registrations
                    .iter()
                    .any(|r| r["client_id"] == client_id.as_str()),
                "registration {client_id} is lost"
            );
        }
    }
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["orphans"], Value::Array(vec![]), "{status}");
    assert_eq!(status["repairs"], Value::Array(vec![]), "{status}");
}
