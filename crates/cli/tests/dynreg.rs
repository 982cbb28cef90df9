//! `ltikeys dynreg export`: the Dynamic Registration tool configuration, and the tool it refuses.

use crate::support::{add_quiz_engine, quiz};

const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";

#[test]
fn a_tool_with_every_url_exports_its_registration() {
    let env = crate::support::Env::new();
    add_quiz_engine(&env);
    env.ok(&[
        "tool",
        "placement",
        "add",
        "Quiz Engine",
        "--placement",
        "course_navigation",
        "--text",
        "Quizzes",
    ]);
    let reg = env.json(&["dynreg", "export", "--tool", "Quiz Engine"]);
    assert_eq!(reg["application_type"], "web");
    assert_eq!(
        reg["grant_types"],
        serde_json::json!(["implicit", "client_credentials"])
    );
    assert_eq!(reg["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(
        reg["jwks_uri"],
        "https://quiz.example.edu/.well-known/jwks.json"
    );
    assert_eq!(reg["redirect_uris"].as_array().unwrap().len(), 2);
    let lti = &reg[TOOL_CONFIGURATION];
    assert_eq!(lti["domain"], "quiz.example.edu");
    assert_eq!(lti["messages"][0]["label"], "Quizzes");
    assert_eq!(lti["messages"][0]["placements"][0], "course_navigation");
}

#[test]
fn a_tool_without_a_jwks_url_is_told_to_set_one() {
    let env = quiz();
    let err = env.fails(&["dynreg", "export", "--tool", "Quiz"]);
    assert!(
        err.contains("JWKS URL") && err.contains("jwks_uri"),
        "{err}"
    );
    assert!(err.contains("--jwks-url"), "the CLI names its flag: {err}");
}

// ---------------------------------------------------------------------------------------------
// `dynreg serve`: the platform side of Dynamic Registration on 127.0.0.1, as Canvas and Moodle
// implement it; the admin's browser stood in for by HTTP requests the way a browser makes them.

mod serve {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use ltikeys_core::testing::{dynreg_platform, DrLms as Lms, Server, DR_TOKEN};
    use ltikeys_core::HttpClient;
    use serde_json::{json, Value};

    use crate::support::{add_quiz_engine, Env};

    const TOKEN: &str = DR_TOKEN;

    fn platform(lms: Lms) -> (Server, Arc<AtomicUsize>) {
        dynreg_platform(lms)
    }

    /// `ltikeys dynreg serve` running, with the URL it printed.
    pub fn serve(env: &Env, extra: &[&str]) -> (Child, String) {
        let mut args = vec!["dynreg", "serve", "--tool", "Quiz Engine", "--json"];
        args.extend_from_slice(extra);
        let mut child = env
            .cmd(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        (child, line.trim().to_string())
    }

    fn opened_by_lms(url: &str, lms: &Server, lms_kind: Lms) -> String {
        let config = match lms_kind {
            Lms::Moodle => lms.url("/mod/lti/openid-configuration.php"),
            _ => lms.url("/api/lti/security/openid-configuration"),
        };
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("openid_configuration", &config)
            .append_pair("registration_token", TOKEN)
            .finish();
        format!("{url}?{query}")
    }

    fn tool(env: &Env) {
        add_quiz_engine(env);
        env.ok(&[
            "tool",
            "placement",
            "add",
            "Quiz Engine",
            "--placement",
            "course_navigation",
        ]);
    }

    fn finish(child: Child) -> (bool, Value, String) {
        let out = child.wait_with_output().unwrap();
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.success(),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn canvas_registers_after_confirm_in_the_page_and_the_platform_is_recorded() {
        let env = Env::new();
        tool(&env);
        let (lms, registrations) = platform(Lms::Canvas);
        let (child, url) = serve(&env, &[]);
        assert!(
            url.starts_with("http://127.0.0.1:") && url.contains("/dr/"),
            "{url}"
        );
        let browser = HttpClient::default();

        // Anything but the one path is not served.
        let other = url.replace("/dr/", "/dr/x");
        assert_eq!(browser.fetch(&other).unwrap().status, 404);
        let page = browser
            .fetch(&opened_by_lms(&url, &lms, Lms::Canvas))
            .unwrap();
        assert_eq!(page.status, 200);
        let html = String::from_utf8_lossy(&page.body).into_owned();
        assert!(
            html.contains("Register Quiz Engine?") && html.contains("course_navigation"),
            "{html}"
        );
        assert_eq!(
            registrations.load(Ordering::SeqCst),
            0,
            "nothing before Confirm"
        );
        // The page opened once: opened again, it is gone.
        let again = browser
            .fetch(&opened_by_lms(&url, &lms, Lms::Canvas))
            .unwrap();
        assert_eq!(again.status, 404);

        let done = browser.post_form(&format!("{url}/confirm"), &[]).unwrap();
        let html = String::from_utf8_lossy(&done.body).into_owned();
        assert_eq!(done.status, 200, "{html}");
        assert!(html.contains("org.imsglobal.lti.close") && html.contains("10000000000123"));
        let (ok, json, stderr) = finish(child);
        assert!(ok, "{stderr}");
        assert_eq!(json["registration"]["client_id"], "10000000000123");
        assert_eq!(json["registration"]["deployments"], json!([]));
        assert!(json["platform_added"].as_bool().unwrap());
        assert_eq!(json["platform"]["family"], "canvas-self-hosted");
        assert!(
            json["notes"][0]
                .as_str()
                .unwrap()
                .contains("no deployment id"),
            "{json:#}"
        );
        let platforms = env.json(&["platform", "list", "--json"]);
        assert_eq!(platforms[0]["token_url"], lms.url("/login/oauth2/token"));
        assert_eq!(registrations.load(Ordering::SeqCst), 1);
        // The listener is gone.
        assert!(browser.fetch(&url).is_err());
    }

    /// This machine's address on its way out (no packet is sent: a UDP socket only picks the
    /// route), which the loopback listener sees as a peer that is not on loopback.
    fn outside_address() -> std::net::IpAddr {
        let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
        let routed = ["192.0.2.1:9", "10.255.255.254:9", "203.0.113.1:9"]
            .into_iter()
            .any(|to| probe.connect(to).is_ok());
        assert!(
            routed,
            "this machine has no route out of loopback, so no address that is not loopback"
        );
        let ip = probe.local_addr().unwrap().ip();
        assert!(!ip.is_loopback(), "the route out uses {ip}");
        ip
    }

    /// The status line of a GET of `url` sent from local address `from`.
    fn status_from(from: std::net::IpAddr, url: &str) -> String {
        use std::io::{Read, Write};
        let url = url::Url::parse(url).unwrap();
        let to = std::net::SocketAddr::new(
            url.host_str().unwrap().parse().unwrap(),
            url.port().unwrap(),
        );
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        socket
            .bind(&std::net::SocketAddr::new(from, 0).into())
            .unwrap();
        socket
            .connect_timeout(&to.into(), std::time::Duration::from_secs(5))
            .unwrap();
        let mut stream: std::net::TcpStream = socket.into();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let target = &url[url::Position::BeforePath..];
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or("").to_string()
    }

    #[test]
    fn a_peer_that_is_not_on_loopback_is_not_served_and_uses_nothing_up() {
        let env = Env::new();
        tool(&env);
        let (lms, registrations) = platform(Lms::Moodle);
        let (child, url) = serve(&env, &["--yes"]);
        let opened = opened_by_lms(&url, &lms, Lms::Moodle);
        let outside = outside_address();
        let status = status_from(outside, &opened);
        assert!(
            status.starts_with("HTTP/1.1 404"),
            "from {outside}: {status:?}"
        );
        assert_eq!(
            registrations.load(Ordering::SeqCst),
            0,
            "nothing registered"
        );
        // The one-time page is still there for the admin's browser on this machine.
        let loopback = status_from("127.0.0.1".parse().unwrap(), &opened);
        assert!(loopback.starts_with("HTTP/1.1 200"), "{loopback:?}");
        let (ok, json, stderr) = finish(child);
        assert!(ok, "{stderr}");
        assert_eq!(json["registration"]["client_id"], "zTn6FWnZ4W21zmS");
    }

    #[test]
    fn moodle_registers_at_once_with_yes_and_records_its_deployment_id() {
        let env = Env::new();
        tool(&env);
        let (lms, _) = platform(Lms::Moodle);
        let (child, url) = serve(&env, &["--yes"]);
        let page = HttpClient::default()
            .fetch(&opened_by_lms(&url, &lms, Lms::Moodle))
            .unwrap();
        assert!(String::from_utf8_lossy(&page.body).contains("org.imsglobal.lti.close"));
        let (ok, json, stderr) = finish(child);
        assert!(ok, "{stderr}");
        assert_eq!(json["registration"]["client_id"], "zTn6FWnZ4W21zmS");
        assert_eq!(json["registration"]["deployments"][0]["deployment_id"], "7");
        assert!(
            json["notes"][0].as_str().unwrap().contains("pending"),
            "{json:#}"
        );
    }

    #[test]
    fn refusals_are_said_and_nothing_is_recorded() {
        for (lms_kind, expected) in [
            (Lms::ForeignIssuer, "not on the origin"),
            (
                Lms::Refusing,
                "Scope https://example.invalid/scope is not valid",
            ),
            (Lms::Html, "HTML page"),
        ] {
            let env = Env::new();
            tool(&env);
            let (lms, _) = platform(lms_kind);
            let (child, url) = serve(&env, &["--yes"]);
            let page = HttpClient::default()
                .fetch(&opened_by_lms(&url, &lms, lms_kind))
                .unwrap();
            assert_eq!(page.status, 502);
            let (ok, _, stderr) = finish(child);
            assert!(!ok && stderr.contains(expected), "{expected}: {stderr}");
            let list = env.json(&["registration", "list", "--json"]);
            assert_eq!(list, json!([]), "nothing recorded");
        }
    }

    #[test]
    fn an_expired_session_stops_and_says_so() {
        let env = Env::new();
        tool(&env);
        let (child, _url) = serve(&env, &["--timeout", "1s"]);
        let (ok, _, stderr) = finish(child);
        assert!(!ok && stderr.contains("expired"), "{stderr}");
        let err = env.fails(&[
            "dynreg",
            "serve",
            "--tool",
            "Quiz Engine",
            "--timeout",
            "soon",
        ]);
        assert!(err.contains("--timeout"), "{err}");
    }
}
