//! Platforms, registrations and discovery against a real store and OpenID configurations served
//! on 127.0.0.1 by the test itself.

use chrono::{DateTime, TimeZone, Utc};
use ltikeys_core::discovery::{self, LTI_PLATFORM_CONFIGURATION};
use ltikeys_core::testing::{Reply, Server};
use ltikeys_core::{
    DiscoverOptions, Error, ErrorKind, HttpClient, NewDeployment, NewPlatform, NewRegistration,
    PlatformFamily, PlatformUpdate, RegistrationUpdate, Severity, ToolProfile, Vault,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

/// A vault over a fresh database. The OS keychain is never touched: nothing here has keys.
fn vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::open(dir.path()).unwrap();
    for name in ["Quiz", "Video"] {
        vault
            .add_tool(
                ToolProfile {
                    name: name.into(),
                    ..ToolProfile::default()
                },
                now(),
            )
            .unwrap();
    }
    (dir, vault)
}

/// A 200 with the JSON document `body`.
fn json(body: serde_json::Value) -> Reply {
    Reply::new(200, body.to_string()).header("Content-Type", "application/json")
}

/// A Moodle openid-configuration as Moodle builds it, for the Moodle at `base`, with the LTI
/// platform-configuration object under `lti_key`.
fn moodle_configuration(base: &str, lti_key: &str) -> serde_json::Value {
    serde_json::json!({
        "issuer": base,
        "token_endpoint": format!("{base}/mod/lti/token.php"),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": format!("{base}/mod/lti/certs.php"),
        "authorization_endpoint": format!("{base}/mod/lti/auth.php"),
        "registration_endpoint": format!("{base}/mod/lti/openid-registration.php"),
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name"],
        lti_key: {
            "product_family_code": "moodle",
            "version": "4.1.2",
            "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]
        }
    })
}

/// A Moodle on 127.0.0.1: its configurations, a login page and a configuration as text/plain.
fn moodle_server() -> Server {
    Server::start(|request| {
        let base = &request.base;
        match request.path.as_str() {
            "/mod/lti/openid-configuration.php" => {
                json(moodle_configuration(base, LTI_PLATFORM_CONFIGURATION))
            }
            "/trailing-space/openid-configuration.php" => json(moodle_configuration(
                base,
                &format!("{LTI_PLATFORM_CONFIGURATION} "),
            )),
            "/login" => Reply::new(200, "<!DOCTYPE html><html><body>Log in</body></html>")
                .header("Content-Type", "text/html"),
            "/text-json" => Reply::new(
                200,
                moodle_configuration(base, LTI_PLATFORM_CONFIGURATION).to_string(),
            )
            .header("Content-Type", "text/plain"),
            _ => Reply::new(404, "not found").header("Content-Type", "text/plain"),
        }
    })
}

fn discover(
    vault: &mut Vault,
    name: &str,
    url: &str,
    options: DiscoverOptions,
) -> Result<ltikeys_core::DiscoveryOutcome, Error> {
    vault.discover_platform(
        name,
        Some(url),
        options,
        None,
        &HttpClient::default(),
        now(),
    )
}

#[test]
fn discovery_creates_a_platform_from_moodles_trailing_space_configuration() {
    let server = moodle_server();
    let base = server.base().to_string();
    let (_d, mut vault) = vault();
    let url = format!("{base}/trailing-space/openid-configuration.php");
    let outcome = discover(
        &mut vault,
        "Campus Moodle",
        &url,
        DiscoverOptions::default(),
    )
    .unwrap();
    assert!(outcome.created && outcome.applied);
    let p = outcome.platform.unwrap();
    assert_eq!(
        p.spec.family,
        PlatformFamily::Moodle,
        "read from the spaced key"
    );
    assert_eq!(p.spec.issuer, base);
    assert_eq!(p.spec.auth_url, format!("{base}/mod/lti/auth.php"));
    assert_eq!(p.spec.token_url, format!("{base}/mod/lti/token.php"));
    assert_eq!(p.spec.jwks_url, format!("{base}/mod/lti/certs.php"));
    assert_eq!(
        p.spec.openid_configuration_url.as_deref(),
        Some(url.as_str())
    );
    assert_eq!(outcome.discovered.version.as_deref(), Some("4.1.2"));
    let quirk = outcome
        .findings
        .iter()
        .find(|f| f.code == "lti-configuration-key-spaces")
        .expect("the stray space is reported");
    assert_eq!(quirk.severity, Severity::Info);
    assert!(outcome.changes.iter().all(|c| c.old.is_none() && c.applied));
    assert_eq!(vault.platform("campus moodle").unwrap().id, p.id);
    let actions: Vec<_> = vault
        .subject_events(&p.id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["platform discovered"]);
}

#[test]
fn discovery_diffs_an_existing_platform_and_holds_back_a_different_issuer() {
    let server = moodle_server();
    let base = server.base().to_string();
    let (_d, mut vault) = vault();
    let p = vault
        .add_platform(
            NewPlatform::from_preset(
                "Moodle",
                PlatformFamily::Moodle,
                Some("https://moodle.example.edu"),
            ),
            now(),
        )
        .unwrap();
    let reg = vault
        .add_registration(
            NewRegistration {
                tool: "Quiz".into(),
                platform: "Moodle".into(),
                client_id: "zTn6FWnZ4W21zmS".into(),
                deployments: vec![NewDeployment::new("43")],
            },
            now(),
        )
        .unwrap();
    let url = format!("{base}/mod/lti/openid-configuration.php");

    let dry = DiscoverOptions {
        accept_issuer: false,
        dry_run: true,
    };
    let outcome = discover(&mut vault, "Moodle", &url, dry).unwrap();
    assert!(!outcome.applied);
    assert_eq!(
        vault.platform("Moodle").unwrap(),
        p,
        "a dry run writes nothing"
    );

    let outcome = discover(&mut vault, "Moodle", &url, DiscoverOptions::default()).unwrap();
    assert!(outcome.applied && !outcome.created);
    let issuer = outcome
        .changes
        .iter()
        .find(|c| c.field == "issuer")
        .unwrap();
    assert_eq!(issuer.old.as_deref(), Some("https://moodle.example.edu"));
    assert_eq!(issuer.new.as_deref(), Some(base.as_str()));
    assert!(!issuer.applied, "a different issuer needs --accept-issuer");
    let mismatch = outcome
        .findings
        .iter()
        .find(|f| f.code == "issuer-mismatch")
        .expect("an issuer mismatch is a warning");
    assert_eq!(mismatch.severity, Severity::Warning);
    let after = vault.platform("Moodle").unwrap();
    assert_eq!(after.spec.issuer, "https://moodle.example.edu");
    assert_eq!(after.spec.auth_url, format!("{base}/mod/lti/auth.php"));
    let auth = outcome
        .changes
        .iter()
        .find(|c| c.field == "auth_url")
        .unwrap();
    assert_eq!(
        auth.old.as_deref(),
        Some("https://moodle.example.edu/mod/lti/auth.php")
    );
    assert!(auth.applied);

    let accept = DiscoverOptions {
        accept_issuer: true,
        dry_run: false,
    };
    let outcome = discover(&mut vault, "Moodle", &url, accept).unwrap();
    assert_eq!(
        outcome.changes.len(),
        1,
        "only the issuer was left: {:?}",
        outcome.changes
    );
    assert_eq!(vault.platform("Moodle").unwrap().spec.issuer, base);
    assert_eq!(
        vault.registration(&reg.id).unwrap().issuer,
        base,
        "registrations follow their platform's issuer"
    );

    let again = discover(&mut vault, "Moodle", &url, DiscoverOptions::default()).unwrap();
    assert!(again.changes.is_empty() && !again.applied);
}

#[test]
fn discovery_refuses_non_json_and_error_answers_and_creates_nothing() {
    let server = moodle_server();
    let base = server.base().to_string();
    let (_d, mut vault) = vault();
    let err = discover(
        &mut vault,
        "X",
        &format!("{base}/login"),
        DiscoverOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "discovery");
    let text = err.to_string();
    assert!(
        text.contains("not JSON") && text.contains("<!DOCTYPE html>"),
        "{text}"
    );
    let err = discover(
        &mut vault,
        "X",
        &format!("{base}/missing"),
        DiscoverOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(vault.platforms().unwrap().is_empty());

    let ok = discover(
        &mut vault,
        "X",
        &format!("{base}/text-json"),
        DiscoverOptions::default(),
    )
    .unwrap();
    assert!(ok
        .findings
        .iter()
        .any(|f| f.code == "not-json-content-type"));
}

#[test]
fn discovery_refuses_plain_http_to_other_hosts() {
    let (_d, mut vault) = vault();
    let err = discover(
        &mut vault,
        "X",
        "http://moodle.example.edu/mod/lti/openid-configuration.php",
        DiscoverOptions::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("uses http") && text.contains("https://"),
        "{text}"
    );
    let err = discovery::fetch(
        &HttpClient::default(),
        "http://10.0.0.1/.well-known/openid-configuration",
    )
    .unwrap_err();
    assert_eq!(err.kind(), "invalid");
    assert!(err.to_string().contains("uses http"), "{err}");
}

#[test]
fn discovery_uses_the_recorded_configuration_url() {
    let server = moodle_server();
    let base = server.base().to_string();
    let (_d, mut vault) = vault();
    vault
        .add_platform(
            NewPlatform::from_preset("Moodle", PlatformFamily::Moodle, Some(&base)),
            now(),
        )
        .unwrap();
    let outcome = vault
        .discover_platform(
            "Moodle",
            None,
            DiscoverOptions::default(),
            None,
            &HttpClient::default(),
            now(),
        )
        .unwrap();
    assert_eq!(
        outcome.url,
        format!("{base}/mod/lti/openid-configuration.php")
    );
    assert!(outcome.changes.is_empty(), "{:?}", outcome.changes);
    let err = vault
        .discover_platform(
            "Nowhere",
            None,
            DiscoverOptions::default(),
            None,
            &HttpClient::default(),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("openid_configuration_url"), "{err}");
    assert!(
        err.to_string()
            .contains("give the OpenID configuration URL"),
        "{err}"
    );
}

fn canvas(vault: &mut Vault, name: &str) {
    vault
        .add_platform(
            NewPlatform::from_preset(name, PlatformFamily::CanvasCloud, None),
            now(),
        )
        .unwrap();
}

fn register(
    vault: &mut Vault,
    tool: &str,
    platform: &str,
    client_id: &str,
) -> Result<ltikeys_core::Registration, Error> {
    vault.add_registration(
        NewRegistration {
            tool: tool.into(),
            platform: platform.into(),
            client_id: client_id.into(),
            deployments: vec![],
        },
        now(),
    )
}

#[test]
fn registration_briefs_say_what_the_full_registrations_say() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    canvas(&mut vault, "Beta U Canvas");
    // Video is registered first: within a platform the briefs still come by tool name.
    register(&mut vault, "Video", "Acme Canvas", "10000000000002").unwrap();
    let quiz = register(&mut vault, "Quiz", "Acme Canvas", "10000000000001").unwrap();
    register(&mut vault, "Quiz", "Beta U Canvas", "10000000000003").unwrap();
    for deployment in ["1:a", "2:b"] {
        vault
            .add_deployment(
                &quiz.id,
                NewDeployment {
                    deployment_id: deployment.into(),
                    label: None,
                },
                now(),
            )
            .unwrap();
    }
    let full = vault.registrations(None, None).unwrap();
    let briefs = vault.registration_briefs().unwrap();
    let as_briefs: Vec<_> = full
        .iter()
        .map(|r| ltikeys_core::RegistrationBrief {
            id: r.id.clone(),
            tool_id: r.tool_id.clone(),
            tool_name: r.tool_name.clone(),
            platform_id: r.platform_id.clone(),
            client_id: r.client_id.clone(),
            deployment_count: r.deployments.len() as u32,
        })
        .collect();
    let within = |list: &[ltikeys_core::RegistrationBrief], platform: &str| {
        list.iter()
            .filter(|b| b.platform_id == platform)
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(briefs.len(), 3);
    for platform in ["Acme Canvas", "Beta U Canvas"] {
        let id = vault.platform(platform).unwrap().id;
        assert_eq!(within(&briefs, &id), within(&as_briefs, &id), "{platform}");
    }
    let acme = vault.platform("Acme Canvas").unwrap().id;
    let names: Vec<_> = within(&briefs, &acme)
        .into_iter()
        .map(|b| (b.tool_name, b.deployment_count))
        .collect();
    assert_eq!(names, [("Quiz".to_string(), 2), ("Video".to_string(), 0)]);
}

#[test]
fn registrations_are_unique_by_issuer_and_client_id() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    canvas(&mut vault, "Beta U Canvas");
    let first = register(&mut vault, "Quiz", "Acme Canvas", "10000000000001").unwrap();
    assert!(
        first.id.starts_with('r') && first.id.len() == 9,
        "{}",
        first.id
    );
    assert_eq!(first.issuer, "https://canvas.instructure.com");

    // Same issuer (every Canvas cloud customer shares it), same client_id: refused.
    let err = register(&mut vault, "Video", "Beta U Canvas", "10000000000001").unwrap_err();
    match &err {
        Error::DuplicateRegistration {
            issuer,
            client_id,
            existing,
        } => {
            assert_eq!(issuer, "https://canvas.instructure.com");
            assert_eq!(client_id, "10000000000001");
            assert_eq!(existing, &first.id);
        }
        other => panic!("expected a duplicate registration, got {other}"),
    }
    assert!(err.to_string().contains("Fix:"), "{err}");

    // Another client_id on the same issuer, or the same client_id on another issuer: fine.
    register(&mut vault, "Video", "Beta U Canvas", "10000000000002").unwrap();
    vault
        .add_platform(
            NewPlatform::from_preset("Canvas beta", PlatformFamily::CanvasBeta, None),
            now(),
        )
        .unwrap();
    register(&mut vault, "Quiz", "Canvas beta", "10000000000001").unwrap();
    assert_eq!(vault.registrations(None, None).unwrap().len(), 3);
    assert_eq!(vault.registrations(Some("Quiz"), None).unwrap().len(), 2);
    assert_eq!(
        vault
            .registrations(None, Some("beta u canvas"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_database_itself_refuses_a_duplicate_issuer_and_client_id() {
    let (dir, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    let reg = register(&mut vault, "Quiz", "Acme Canvas", "10000000000001").unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("ltikeys.sqlite3")).unwrap();
    let err = conn
        .execute(
            "INSERT INTO registrations (id, tool_id, platform_id, issuer, client_id, created_at, updated_at)
             SELECT 'rdup', tool_id, platform_id, issuer, client_id, created_at, updated_at
             FROM registrations WHERE id = ?1",
            [&reg.id],
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
}

#[test]
fn an_issuer_change_that_would_collide_is_refused_and_changes_nothing() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    vault
        .add_platform(
            NewPlatform::from_preset(
                "Self-hosted",
                PlatformFamily::CanvasSelfHosted,
                Some("https://lms.example.edu"),
            ),
            now(),
        )
        .unwrap();
    let mut own = NewPlatform::from_preset(
        "Own issuer",
        PlatformFamily::CanvasSelfHosted,
        Some("https://lms2.example.edu"),
    );
    own.issuer = Some("https://lms2.example.edu".into());
    vault.add_platform(own, now()).unwrap();
    register(&mut vault, "Quiz", "Acme Canvas", "42").unwrap();
    // The self-hosted default issuer is Instructure's: the same client_id collides there.
    let err = register(&mut vault, "Video", "Self-hosted", "42").unwrap_err();
    assert_eq!(err.kind(), "duplicate_registration");
    let reg = register(&mut vault, "Video", "Own issuer", "42").unwrap();
    let err = vault
        .update_platform(
            "Own issuer",
            PlatformUpdate {
                issuer: Some("https://canvas.instructure.com".into()),
                ..PlatformUpdate::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), "duplicate_registration", "{err}");
    assert_eq!(
        vault.platform("Own issuer").unwrap().spec.issuer,
        "https://lms2.example.edu"
    );
    assert_eq!(
        vault.registration(&reg.id).unwrap().issuer,
        "https://lms2.example.edu"
    );
}

#[test]
fn deployments_are_unique_within_a_registration_and_keep_labels() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    let err = vault
        .add_registration(
            NewRegistration {
                tool: "Quiz".into(),
                platform: "Acme Canvas".into(),
                client_id: "1".into(),
                deployments: vec![NewDeployment::new("2:abc"), NewDeployment::new("2:abc")],
            },
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("'2:abc' is given twice"), "{err}");
    assert!(vault.registrations(None, None).unwrap().is_empty());

    let reg = vault
        .add_registration(
            NewRegistration {
                tool: "Quiz".into(),
                platform: "Acme Canvas".into(),
                client_id: "1".into(),
                deployments: vec![NewDeployment::new("2:abc")],
            },
            now(),
        )
        .unwrap();
    let later = now() + chrono::Duration::days(3);
    let reg = vault
        .add_deployment(
            &reg.id,
            NewDeployment {
                deployment_id: "7:def".into(),
                label: Some("Biology 101".into()),
            },
            later,
        )
        .unwrap();
    assert_eq!(reg.deployments.len(), 2);
    assert_eq!(reg.deployments[1].label.as_deref(), Some("Biology 101"));
    assert_eq!(reg.deployments[1].added_at, later);
    assert_eq!(reg.updated_at, later);

    let err = vault
        .add_deployment(&reg.id, NewDeployment::new("2:abc"), now())
        .unwrap_err();
    assert_eq!(err.kind(), "deployment_exists");
    assert!(err.to_string().contains("'2:abc'"), "{err}");

    let reg = vault.remove_deployment(&reg.id, "2:abc", now()).unwrap();
    assert_eq!(reg.deployments.len(), 1);
    let err = vault
        .remove_deployment(&reg.id, "2:abc", now())
        .unwrap_err();
    assert_eq!(err.kind(), "deployment_not_found");

    let actions: Vec<_> = vault
        .subject_events(&reg.id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "registration added",
            "deployment added",
            "deployment added",
            "deployment removed"
        ]
    );
}

#[test]
fn unknown_names_and_ids_are_clear_errors() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    assert_eq!(
        register(&mut vault, "Quiz", "Nope", "1")
            .unwrap_err()
            .kind(),
        "platform_not_found"
    );
    assert_eq!(
        register(&mut vault, "Nope", "Acme Canvas", "1")
            .unwrap_err()
            .kind(),
        "tool_not_found"
    );
    assert_eq!(
        vault.registration("r00000000").unwrap_err().kind(),
        "registration_not_found"
    );
    let err = vault
        .add_platform(
            NewPlatform::from_preset("ACME CANVAS", PlatformFamily::CanvasCloud, None),
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err.kind(),
        "platform_exists",
        "names are unique ignoring case"
    );
}

#[test]
fn validation_names_the_field_and_the_fix() {
    let (_d, mut vault) = vault();
    let err = vault
        .add_platform(
            NewPlatform::from_preset("M", PlatformFamily::Moodle, None),
            now(),
        )
        .unwrap_err();
    assert_eq!(err.field(), Some("base_url"), "{err}");
    assert!(
        err.to_string().contains("give the instance's base URL"),
        "{err}"
    );
    let err = vault
        .add_platform(
            NewPlatform::from_preset(
                "M",
                PlatformFamily::Moodle,
                Some("http://moodle.example.edu"),
            ),
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("base URL:"), "{err}");
    let mut custom = NewPlatform::from_preset("C", PlatformFamily::Custom, None);
    custom.issuer = Some("https://lms.example.edu".into());
    custom.auth_url = Some("https://lms.example.edu/auth".into());
    custom.token_url = Some("http://lms.example.edu/token".into());
    custom.jwks_url = Some("https://lms.example.edu/jwks".into());
    let err = vault.add_platform(custom, now()).unwrap_err();
    assert!(err.to_string().starts_with("token URL:"), "{err}");
    assert!(vault.platforms().unwrap().is_empty());

    canvas(&mut vault, "Acme Canvas");
    let err = register(&mut vault, "Quiz", "Acme Canvas", " ").unwrap_err();
    assert!(
        err.to_string().starts_with("client_id: it is empty"),
        "{err}"
    );
}

#[test]
fn platforms_in_use_stay_and_free_ones_go() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    let reg = register(&mut vault, "Quiz", "Acme Canvas", "1").unwrap();
    let err = vault.remove_platform("Acme Canvas", now()).unwrap_err();
    assert_eq!(err.kind(), "platform_in_use");
    vault.remove_registration(&reg.id, now()).unwrap();
    vault.remove_platform("Acme Canvas", now()).unwrap();
    assert!(vault.platforms().unwrap().is_empty());
}

#[test]
fn a_registrations_client_id_and_platform_change_but_never_to_a_taken_pair() {
    let (_d, mut vault) = vault();
    canvas(&mut vault, "Acme Canvas");
    canvas(&mut vault, "Beta U Canvas");
    vault
        .add_platform(
            NewPlatform::from_preset("Canvas beta", PlatformFamily::CanvasBeta, None),
            now(),
        )
        .unwrap();
    let mistaken = register(&mut vault, "Quiz", "Acme Canvas", "1").unwrap();
    let other = register(&mut vault, "Video", "Beta U Canvas", "2").unwrap();
    let later = now() + chrono::Duration::hours(1);
    let update = |client_id: Option<&str>, platform: Option<&str>| RegistrationUpdate {
        client_id: client_id.map(String::from),
        platform: platform.map(String::from),
    };
    let changes = |vault: &Vault| {
        vault
            .subject_events(&mistaken.id)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "registration changed")
            .map(|e| e.detail)
            .collect::<Vec<_>>()
    };

    let changed = vault
        .update_registration(&mistaken.id, update(Some(" 11 "), None), later)
        .unwrap();
    assert_eq!(changed.client_id, "11", "trimmed as on add");
    assert_eq!(
        (changed.id, changed.created_at),
        (mistaken.id.clone(), now())
    );
    assert_eq!(changed.updated_at, later);
    assert_eq!(changes(&vault), ["client_id 1 -> 11"]);

    // The same issuer (every Canvas cloud) with another registration's client_id: refused.
    let err = vault
        .update_registration(&mistaken.id, update(Some("2"), None), later)
        .unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateRegistration { existing, client_id, .. }
            if existing == &other.id && client_id == "2"),
        "{err}"
    );
    let err = vault
        .update_registration(&mistaken.id, update(Some("1 1"), None), later)
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::Invalid, Some("client_id"))
    );
    assert_eq!(vault.registration(&mistaken.id).unwrap().client_id, "11");

    // On another issuer that client_id is free: the registration moves there with it.
    let moved = vault
        .update_registration(&mistaken.id, update(Some("2"), Some("canvas beta")), later)
        .unwrap();
    assert_eq!(
        (
            moved.platform_name.as_str(),
            moved.issuer.as_str(),
            moved.client_id.as_str()
        ),
        ("Canvas beta", "https://canvas.beta.instructure.com", "2")
    );
    assert_eq!(
        changes(&vault)[1],
        "client_id 11 -> 2, platform Acme Canvas -> Canvas beta (https://canvas.beta.instructure.com)"
    );
    // The platform it was wrongly on has no registration left, and can go.
    vault.remove_platform("Acme Canvas", now()).unwrap();

    // A change to nothing writes nothing.
    let same = vault
        .update_registration(&mistaken.id, update(Some("2"), Some("Canvas beta")), now())
        .unwrap();
    assert_eq!(same, moved);
    assert_eq!(changes(&vault).len(), 2);

    for (registration, update, kind) in [
        (
            mistaken.id.as_str(),
            update(None, Some("nope")),
            "platform_not_found",
        ),
        ("rnope", update(Some("3"), None), "registration_not_found"),
    ] {
        let err = vault
            .update_registration(registration, update, now())
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
    }
}

#[test]
fn handoff_gives_the_six_values_with_blackboards_client_id_filled_in() {
    let (_d, mut vault) = vault();
    vault
        .add_platform(
            NewPlatform::from_preset("Learn", PlatformFamily::Blackboard, None),
            now(),
        )
        .unwrap();
    let client = "9c7a5b1e-2f0d-4c3a-8e6b-1d2f3a4b5c6d";
    let reg = register(&mut vault, "Quiz", "Learn", client).unwrap();
    vault
        .add_deployment(&reg.id, NewDeployment::new("a1b2c3"), now())
        .unwrap();
    let h = vault.handoff(&reg.id).unwrap();
    assert_eq!(h.issuer, "https://blackboard.com");
    assert_eq!(h.client_id, client);
    assert_eq!(h.deployment_ids, ["a1b2c3"]);
    assert_eq!(
        h.auth_url,
        "https://developer.blackboard.com/api/v1/gateway/oidcauth"
    );
    assert_eq!(
        h.token_url,
        "https://developer.blackboard.com/api/v1/gateway/oauth2/jwttoken"
    );
    assert_eq!(
        h.jwks_url,
        format!(
            "https://developer.blackboard.com/api/v1/management/applications/{client}/jwks.json"
        )
    );
    assert!(h.findings.is_empty(), "{:?}", h.findings);
    let json = serde_json::to_value(&h).unwrap();
    for key in [
        "issuer",
        "client_id",
        "deployment_ids",
        "auth_url",
        "token_url",
        "jwks_url",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
    assert!(json.get("token_audience").is_none());
}

/// Canvas serves its Dynamic Registration configuration only with the registration token as a
/// Bearer token: without it, a 401 whose fix names --registration-token; with it, the record.
#[test]
fn discovery_sends_a_registration_token_as_a_bearer_token() {
    let server = Server::start(|request| {
        let bearer = request
            .header("authorization")
            .is_some_and(|v| v.eq_ignore_ascii_case("bearer reg-token-1"));
        if bearer {
            json(moodle_configuration(
                &request.base,
                "https://purl.imsglobal.org/spec/lti-platform-configuration",
            ))
        } else {
            Reply::new(401, "{\"errors\":[{\"message\":\"unauthorized\"}]}")
                .header("Content-Type", "application/json")
        }
    });
    let base = server.base().to_string();
    let url = format!("{base}/api/lti/security/openid-configuration");
    let (_dir, mut vault) = vault();
    let err = vault
        .discover_platform(
            "Acme",
            Some(&url),
            DiscoverOptions::default(),
            None,
            &HttpClient::default(),
            now(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("--registration-token"), "{err}");
    let outcome = vault
        .discover_platform(
            "Acme",
            Some(&url),
            DiscoverOptions::default(),
            Some("reg-token-1"),
            &HttpClient::default(),
            now(),
        )
        .unwrap();
    assert_eq!(
        vault.platform("Acme").unwrap().spec.issuer,
        base,
        "{:?}",
        outcome.changes
    );
}
