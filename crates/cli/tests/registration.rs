//! `ltikeys registration …`: client_ids, deployment ids, uniqueness and the hand-off.

use crate::support::two_tools;

#[test]
fn registrations_keep_deployments_and_refuse_duplicates() {
    let env = two_tools();
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    env.ok(&[
        "platform",
        "add",
        "Beta U Canvas",
        "--preset",
        "canvas-cloud",
    ]);
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Acme Canvas",
        "--client-id",
        "10000000000001",
        "--deployment-id",
        "2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2",
        "--deployment-id",
        "3:aaaa",
    ]);
    assert!(reg.starts_with('r') && reg.len() == 9, "{reg}");

    // Every Canvas cloud customer shares the issuer: the same client_id elsewhere is refused.
    let err = env.fails(&[
        "registration",
        "add",
        "--tool",
        "Video Notes",
        "--platform",
        "Beta U Canvas",
        "--client-id",
        "10000000000001",
    ]);
    assert!(
        err.contains("10000000000001")
            && err.contains("https://canvas.instructure.com")
            && err.contains(&reg),
        "{err}"
    );
    let err = env.fails(&[
        "registration",
        "add",
        "--tool",
        "Video Notes",
        "--platform",
        "Beta U Canvas",
        "--client-id",
        "10000000000002",
        "--deployment-id",
        "1:x",
        "--deployment-id",
        "1:x",
    ]);
    assert!(err.contains("'1:x' is given twice"), "{err}");

    env.ok(&[
        "registration",
        "deployment",
        "add",
        &reg,
        "7:bio",
        "--label",
        "Biology 101",
    ]);
    let err = env.fails(&["registration", "deployment", "add", &reg, "3:aaaa"]);
    assert!(
        err.contains("'3:aaaa'") && err.contains("already recorded"),
        "{err}"
    );
    env.ok(&["registration", "deployment", "remove", &reg, "3:aaaa"]);
    let err = env.fails(&["registration", "deployment", "remove", &reg, "3:aaaa"]);
    assert!(err.contains("no deployment id '3:aaaa'"), "{err}");

    let r = env.json(&["registration", "show", &reg, "--json"]);
    assert_eq!(r["client_id"], "10000000000001");
    assert_eq!(r["tool_name"], "Quiz Engine");
    assert_eq!(r["platform_name"], "Acme Canvas");
    assert_eq!(r["issuer"], "https://canvas.instructure.com");
    let deployments = r["deployments"].as_array().unwrap();
    let ids: Vec<&str> = deployments
        .iter()
        .map(|d| d["deployment_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["2:f97330a96452fc363a34e0ef6d8d0d3e9e1007d2", "7:bio"]);
    assert_eq!(deployments[1]["label"], "Biology 101");
    assert!(deployments[1]["added_at"].as_str().unwrap().contains('T'));

    let text = env.ok(&["registration", "show", &reg]);
    assert!(
        text.contains("Biology 101") && text.contains("7:bio"),
        "{text}"
    );
    let list = env.json(&["registration", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let list = env.json(&["registration", "list", "--tool", "Video Notes", "--json"]);
    assert!(list.as_array().unwrap().is_empty());
    let text = env.ok(&["registration", "list"]);
    assert!(
        text.contains(&reg) && text.contains("10000000000001"),
        "{text}"
    );

    let err = env.fails(&["registration", "show", "r00000000"]);
    assert!(err.contains("ltikeys registration list"), "{err}");
    let err = env.fails(&["platform", "remove", "Acme Canvas"]);
    assert!(err.contains("registration"), "{err}");
}

#[test]
fn handoff_prints_the_six_values_as_text_and_json() {
    let env = two_tools();
    env.ok(&["platform", "add", "Learn", "--preset", "blackboard"]);
    let client = "9c7a5b1e-2f0d-4c3a-8e6b-1d2f3a4b5c6d";
    let reg = env.id(&[
        "registration",
        "add",
        "--tool",
        "Quiz Engine",
        "--platform",
        "Learn",
        "--client-id",
        client,
    ]);
    let out = env.run(&["registration", "handoff", &reg]);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no deployment id"),
        "the missing deployment id is a warning on stderr: {stderr}"
    );
    env.ok(&["registration", "deployment", "add", &reg, "d9f1c0de"]);
    let jwks = format!(
        "https://developer.blackboard.com/api/v1/management/applications/{client}/jwks.json"
    );
    let text = env.ok(&["registration", "handoff", &reg]);
    for value in [
        "https://blackboard.com",
        client,
        "d9f1c0de",
        "https://developer.blackboard.com/api/v1/gateway/oidcauth",
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken",
        jwks.as_str(),
    ] {
        assert!(text.contains(value), "{value} missing from:\n{text}");
    }
    assert!(!text.contains("{client_id}"), "{text}");
    let h = env.json(&["registration", "handoff", &reg, "--json"]);
    assert_eq!(h["issuer"], "https://blackboard.com");
    assert_eq!(h["client_id"], client);
    assert_eq!(h["deployment_ids"], serde_json::json!(["d9f1c0de"]));
    assert_eq!(h["jwks_url"], jwks.as_str());
    assert_eq!(
        h["token_url"],
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken"
    );
    assert_eq!(
        h["auth_url"],
        "https://developer.blackboard.com/api/v1/gateway/oidcauth"
    );
    assert_eq!(h["findings"], serde_json::json!([]));
}

#[test]
fn registration_update_changes_the_client_id_and_moves_it_to_its_platform() {
    let env = two_tools();
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    env.ok(&["platform", "add", "Acme beta", "--preset", "canvas-beta"]);
    let add = |tool: &str, client_id: &str| {
        env.id(&[
            "registration",
            "add",
            "--tool",
            tool,
            "--platform",
            "Acme Canvas",
            "--client-id",
            client_id,
        ])
    };
    let reg = add("Quiz Engine", "1");
    let other = add("Video Notes", "2");

    let changed = env.json(&[
        "registration",
        "update",
        &reg,
        "--client-id",
        "11",
        "--json",
    ]);
    assert_eq!(changed["client_id"], "11");
    assert_eq!(changed["id"], reg.as_str());

    let err = env.fails(&["registration", "update", &reg, "--client-id", "2"]);
    assert!(
        err.contains("client_id '2' is already registered") && err.contains(&other),
        "{err}"
    );
    let err = env.fails(&["registration", "update", &reg]);
    assert!(err.contains("nothing to change"), "{err}");
    let err = env.fails(&["registration", "update", &reg, "--platform", "Nowhere"]);
    assert!(
        err.contains("no platform named or with id 'Nowhere'"),
        "{err}"
    );

    let text = env.ok(&[
        "registration",
        "update",
        &reg,
        "--platform",
        "Acme beta",
        "--client-id",
        "2",
    ]);
    assert!(
        text.contains("platform:     Acme beta")
            && text.contains("issuer:       https://canvas.beta.instructure.com")
            && text.contains("client_id:    2"),
        "prints the registration as it is now: {text}"
    );
    env.ok(&["registration", "remove", &other]);
    env.ok_stderr(&["platform", "remove", "Acme Canvas"]);
}
