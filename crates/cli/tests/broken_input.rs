//! Broken input, the way users give it: each case runs the real `ltikeys` on a bad file, body,
//! token, URL or argument, under a 2 GiB address-space limit, and must end with the exit code
//! of a refusal, an error that names the field or file and says the fix, no panic, and the
//! store as it was. At the end, the largest of these processes must have stayed small.
//!
//! Its own test binary: the peak memory it reads is that of its own child processes.
#![allow(clippy::unwrap_used)] // Test helpers panic on broken set-ups.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ltikeys_core::testing::{Reply, Server};
use support::{add_quiz_engine, fixture_path, Env};

/// The address space each run may reserve: a runaway allocation fails fast here, not at 24 GB.
const ADDRESS_SPACE: u64 = 2 * 1024 * 1024 * 1024;

/// The most resident memory any run may reach.
const PEAK_RSS_MB: i64 = 300;

enum Expect {
    /// Refused: this exit code, and all these words in what it printed.
    Refused(i32, &'static [&'static str]),
    /// Accepted: exit 0 (a BOM or trailing white space is no reason to refuse).
    Accepted,
    /// Imported with what was wrong reported: exit 0, and these words (a Canvas import keeps
    /// what it can and names each field it could not take).
    Reported(&'static [&'static str]),
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    expect: Expect,
}

fn case(name: &'static str, args: &[&str], expect: Expect) -> Case {
    Case {
        name,
        args: args.iter().map(|a| a.to_string()).collect(),
        expect,
    }
}

use Expect::{Accepted, Refused, Reported};

struct Table {
    env: Env,
}

impl Table {
    fn path(&self, name: &str) -> PathBuf {
        self.env.scratch.path().join(name)
    }

    /// A scratch file holding `bytes`; its path.
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    /// Runs `ltikeys` under `ulimit -v` (through sh, which then becomes ltikeys by exec).
    fn run(&self, args: &[String]) -> Output {
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {}; exec \"$0\" \"$@\"",
                ADDRESS_SPACE / 1024
            ))
            .arg(env!("CARGO_BIN_EXE_ltikeys"))
            .args(args)
            .env("LTIKEYS_DATA_DIR", self.env.data.path())
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// What a user can see of the store: every list, as JSON.
    fn store(&self) -> String {
        ["tool", "platform", "registration"]
            .iter()
            .map(|noun| self.env.ok(&[noun, "list", "--json"]))
            .chain([self
                .env
                .ok(&["key", "list", "--tool", "Quiz Engine", "--json"])])
            .collect()
    }
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
#[ignore = "needs a Secret Service: run scripts/with-keychain.sh cargo test -- --include-ignored"]
fn sixty_broken_inputs_are_refused_in_words_and_lose_nothing() {
    let t = Table { env: Env::new() };
    let env = &t.env;
    add_quiz_engine(env);
    env.ok(&["key", "new", "--tool", "Quiz Engine"]);
    env.ok(&["platform", "add", "Acme Canvas", "--preset", "canvas-cloud"]);
    let reg = env.register("Quiz Engine", "Acme Canvas", "10000000000123");
    let export = env.ok(&["canvas", "export", "--tool", "Quiz Engine"]);
    let jwks = env.ok(&["jwks", "--tool", "Quiz Engine"]);
    let bundle_dir = t.path("bundle");
    env.ok(&[
        "bundle",
        "export",
        &reg,
        "--out",
        bundle_dir.to_str().unwrap(),
    ]);
    let manifest = std::fs::read(bundle_dir.join("bundle.json")).unwrap();
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let (deep_body, bare) = (deep(10_000), format!("[{jwks}]"));
    let server = Server::start(move |req| match req.path.as_str() {
        "/html" => {
            Reply::new(200, "<html><body>Sign in</body></html>").header("Content-Type", "text/html")
        }
        "/empty" => Reply::json(""),
        "/deep" => Reply::json(deep_body.clone()),
        "/huge" => Reply::Huge {
            bytes: 3 * 1024 * 1024,
            content_length: false,
        },
        "/bare" => Reply::json(bare.clone()),
        _ => Reply::new(404, "<h1>Not Found</h1>").header("Content-Type", "text/html"),
    });
    let url = |path: &str| server.url(path);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/jwks", listener.local_addr().unwrap())
    };

    let dir = t.path("a-folder");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.display().to_string();
    let missing = t.path("no-such-file.json").display().to_string();
    let half_export = &export[..export.len() / 2];
    let pem = std::fs::read_to_string(fixture_path("rsa2048-pkcs8.pem")).unwrap();
    let encrypted = fixture_path("rsa2048-pkcs8-encrypted.pem")
        .display()
        .to_string();
    let wrong = t.file("wrong-pass.txt", "not the passphrase\n");
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let big_claims = format!("{}.{}.c2ln", b64("{\"alg\":\"RS256\"}"), "e".repeat(70_000));
    let deep_claims = format!("{}.{}.c2ln", b64("{\"alg\":\"RS256\"}"), b64(&deep(100)));
    let target = t.file("target.zip", "kept");
    let link = t.path("link.zip");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let link = link.display().to_string();
    let s = |v: &str| v.to_string();

    let canvas = |name, file: String, expect| {
        case(name, &["canvas", "import", &file, "--name", name], expect)
    };
    let find =
        |name, file: String, expect| case(name, &["jwks", "find", "k1", "--file", &file], expect);
    let pem_case = |name, file: String, expect| {
        case(
            name,
            &["key", "import", "--tool", "Quiz Engine", "--pem", &file],
            expect,
        )
    };
    let inspect = |name, arg: String, expect| case(name, &["inspect", &arg], expect);
    let bundle = |name, path: String, expect| case(name, &["bundle", "import", &path], expect);
    let check = |name, target: String, expect| case(name, &["check", "jwks", &target], expect);

    #[rustfmt::skip]
    let cases = vec![
        // Canvas JSON
        canvas("canvas: empty file", t.file("c-empty.json", ""), Refused(1, &["c-empty.json", "is empty (0 bytes)", "Fix:"])),
        canvas("canvas: white space only", t.file("c-space.json", " \n\t\n"), Refused(1, &["only white space", "Fix:"])),
        canvas("canvas: BOM then the export", t.file("c-bom.json", format!("\u{feff}{export}")), Accepted),
        canvas("canvas: invalid UTF-8", t.file("c-latin1.json", b"{\"title\":\"Caf\xe9\"}"), Refused(1, &["not UTF-8", "Fix:"])),
        canvas("canvas: cut in half", t.file("c-half.json", half_export), Refused(1, &["it is not JSON (EOF", "Fix:"])),
        canvas("canvas: nested 100,000 deep", t.file("c-deep.json", deep(100_000)), Refused(1, &["deeper than 64 levels", "Fix:"])),
        canvas("canvas: 2 MiB", t.file("c-big.json", " ".repeat(2 * 1024 * 1024)), Refused(1, &["larger than 1 MiB", "Fix:"])),
        canvas("canvas: /dev/zero", s("/dev/zero"), Refused(1, &["larger than 1 MiB"])),
        canvas("canvas: an array", t.file("c-array.json", "[]"), Refused(1, &["Canvas JSON", "Fix:"])),
        canvas("canvas: title is a number", t.file("c-title.json", export.replacen("\"title\": \"Quiz Engine\"", "\"title\": 42", 1)), Reported(&["$.title [wrong-type]", "make title a string"])),
        canvas("canvas: javascript: launch", t.file("c-js.json", export.replace("https://quiz.example.edu/lti/launch", "javascript:alert(1)")), Reported(&["target_link_uri was not imported", "has no host", "Fix:"])),
        canvas("canvas: no login URL", t.file("c-nologin.json", export.replace("\"oidc_initiation_url\"", "\"oidc_initiation_url_x\"")), Reported(&["oidc_initiation_url is missing", "Fix:"])),
        canvas("canvas: a directory", dir.clone(), Refused(1, &["is a directory, not a file", "Fix:"])),
        canvas("canvas: no such file", missing.clone(), Refused(1, &["no-such-file.json", "No such file"])),
        case("canvas lint: nested deep", &["canvas", "lint", &t.file("l-deep.json", deep(500))], Refused(1, &["invalid-json", "deeper than 64 levels"])),
        case("canvas lint: a 500,000-character scope", &["canvas", "lint", &t.file("l-scope.json", { let mut doc: serde_json::Value = serde_json::from_str(&export).unwrap(); doc["scopes"] = serde_json::json!(["s".repeat(500_000)]); doc.to_string() })], Refused(1, &["unknown-scope"])),
        // JWKS files
        find("jwks: empty file", t.file("j-empty.json", ""), Refused(1, &["is empty (0 bytes)"])),
        find("jwks: an HTML page", t.file("j-html.json", "<html>login</html>"), Refused(1, &["not-a-jwks", "it is not JSON", "Fix:"])),
        find("jwks: 2 MiB", t.file("j-big.json", "[".repeat(2 * 1024 * 1024)), Refused(1, &["larger than 1 MiB"])),
        find("jwks: nested deep", t.file("j-deep.json", deep(1000)), Refused(1, &["deeper than 64 levels"])),
        find("jwks: keys is a string", t.file("j-keys.json", "{\"keys\": \"k1\"}"), Refused(1, &["not-a-jwks", "Fix:"])),
        find("jwks: invalid UTF-8", t.file("j-utf8.json", b"{\"keys\":[{\"kid\":\"\xff\"}]}"), Refused(1, &["not UTF-8"])),
        find("jwks: a directory", dir.clone(), Refused(1, &["is a directory, not a file"])),
        find("jwks: BOM then the key set", t.file("j-bom.json", format!("\u{feff}{jwks}")), Refused(1, &["kid k1 is not in the given JWKS"])),
        // JWKS over HTTP
        check("check: an HTML login page", url("/html"), Refused(1, &["not-json", "HTML page", "fix:"])),
        check("check: an empty body", url("/empty"), Refused(1, &["not-json", "empty"])),
        check("check: nested 10,000 deep", url("/deep"), Refused(1, &["deeper than 64 levels"])),
        check("check: a 3 MiB body", url("/huge"), Refused(2, &["MiB"])),
        check("check: a bare array", url("/bare"), Refused(1, &["missing-keys-wrapper"])),
        check("check: 404", url("/missing"), Refused(1, &["404"])),
        check("check: a closed port", closed, Refused(2, &["fix:"])),
        check("check: no scheme", s("quiz.example.edu/jwks"), Refused(2, &["invalid-url", "fix:"])),
        check("check: ftp", s("ftp://quiz.example.edu/jwks"), Refused(2, &["ftp", "https://"])),
        check("check: plain http", s("http://quiz.example.edu/jwks"), Refused(2, &["http", "fix:"])),
        check("check: a space in the host", s("https://quiz example.edu/jwks"), Refused(2, &["invalid-url"])),
        // PEM files
        pem_case("pem: empty file", t.file("p-empty.pem", ""), Refused(1, &["--pem", "is empty (0 bytes)"])),
        pem_case("pem: a directory", dir.clone(), Refused(1, &["--pem", "is a directory, not a file"])),
        pem_case("pem: cut in half", t.file("p-half.pem", &pem[..pem.len() / 2]), Refused(1, &["PEM", "Fix:"])),
        pem_case("pem: base64 broken", t.file("p-b64.pem", pem.replacen('M', "*", 3)), Refused(1, &["PEM", "Fix:"])),
        pem_case("pem: a public key", fixture_path("rsa2048-public.pem").display().to_string(), Refused(1, &["public key, not a private key", "Fix:"])),
        pem_case("pem: an EC key", fixture_path("ec-p256-pkcs8.pem").display().to_string(), Refused(1, &["PEM", "not an RSA key", "id-ecPublicKey", "Fix:"])),
        pem_case("pem: 1024 bits", fixture_path("rsa1024-pkcs1.pem").display().to_string(), Refused(1, &["PEM", "1024-bit RSA key", "Fix:"])),
        pem_case("pem: encrypted, no passphrase", encrypted.clone(), Refused(1, &["passphrase", "Fix:"])),
        case("pem: encrypted, wrong passphrase", &["key", "import", "--tool", "Quiz Engine", "--pem", &encrypted, "--passphrase-file", &wrong,], Refused(1, &["passphrase", "does not decrypt it", "Fix:"])),
        pem_case("pem: 2 MiB", t.file("p-big.pem", "A".repeat(2 * 1024 * 1024)), Refused(1, &["--pem", "larger than"])),
        pem_case("pem: invalid UTF-8", t.file("p-utf8.pem", b"-----BEGIN PRIVATE KEY-----\n\xff\xfe\n-----END PRIVATE KEY-----\n"), Refused(1, &["PEM", "Fix:"])),
        pem_case("pem: no such file", missing.clone(), Refused(1, &["no-such-file.json"])),
        // JWTs
        inspect("jwt: empty", s(""), Refused(1, &["JWT", "empty", "Fix:"])),
        inspect("jwt: two parts", s("abc.def"), Refused(1, &["JWT", "2 part(s)", "Fix:"])),
        inspect("jwt: five parts (JWE)", s("a.b.c.d.e"), Refused(1, &["JWE", "Fix:"])),
        inspect("jwt: header not base64url", s("!!.e30.c2ln"), Refused(1, &["header is not base64url", "Fix:"])),
        inspect("jwt: header not JSON", format!("{}.e30.c2ln", b64("{")), Refused(1, &["header cannot be read: it is not JSON", "Fix:"])),
        inspect("jwt: claims nested deep", deep_claims, Refused(1, &["claims cannot be read", "deeper than 64", "Fix:"])),
        inspect("jwt: claims an array", format!("e30.{}.c2ln", b64("[1]")), Refused(1, &["not an object", "Fix:"])),
        inspect("jwt: over 64 KB", t.file("t-big.jwt", &big_claims), Refused(1, &["larger than 64", "Fix:"])),
        inspect("jwt: empty file", t.file("t-empty.jwt", ""), Refused(1, &["is empty (0 bytes)"])),
        inspect("jwt: a directory", dir.clone(), Refused(1, &["is a directory, not a file"])),
        // Bundles
        bundle("bundle: an empty folder", dir.clone(), Refused(1, &["bundle.json", "Fix:"])),
        bundle("bundle: a zero-length zip", t.file("b-empty.zip", ""), Refused(1, &["bundle", "Fix:"])),
        bundle("bundle: a truncated zip", { let zip = zip_of(&[("bundle.json", &manifest)]); t.file("b-cut.zip", &zip[..zip.len() - 30]) }, Refused(1, &["bundle", "Fix:"])),
        bundle("bundle: text named .zip", t.file("b-text.zip", "not a zip at all"), Refused(1, &["bundle", "Fix:"])),
        bundle("bundle: manifest not JSON", t.file("b-manifest.zip", zip_of(&[("bundle.json", b"{\"format\":")])), Refused(1, &["bundle.json cannot be read: it is not JSON", "Fix:"])),
        bundle("bundle: manifest nested deep", t.file("b-deep.zip", zip_of(&[("bundle.json", deep(300).as_bytes())])), Refused(1, &["deeper than 64 levels"])),
        bundle("bundle: a file called ../x", t.file("b-slip.zip", zip_of(&[("../x", b"x"), ("bundle.json", &manifest)])), Refused(1, &["../x", "Fix:"])),
        bundle("bundle: tool.json changed", { let copy = t.path("bundle-changed"); std::fs::create_dir(&copy).unwrap(); for entry in std::fs::read_dir(&bundle_dir).unwrap() { let entry = entry.unwrap(); std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap(); } std::fs::write(copy.join("tool.json"), "{\"name\": 42}").unwrap(); copy.display().to_string() }, Refused(1, &["tool.json", "Fix:"])),
        // Output paths
        case("out: a symlinked zip", &["bundle", "export", &reg, "--out", &link, "--force"], Refused(1, &["symbolic link", "Fix:"])),
        case("out: into a missing folder", &["bundle", "export", &reg, "--out", "/nonexistent-dir/b.zip"], Refused(1, &["/nonexistent-dir"])),
        // URLs and arguments
        case("tool add: launch URL not a URL", &["tool", "add", "T2", "--launch-url", "not a url"], Refused(1, &["launch URL", "Fix:"])),
        case("tool add: launch URL without host", &["tool", "add", "T2", "--launch-url", "https://"], Refused(1, &["launch URL", "Fix:"])),
        case("tool add: domain with a path", &["tool", "add", "T2", "--domain", "https://quiz.example.edu/lti",], Refused(1, &["domain", "scheme", "Fix:"])),
        case("tool add: a 1,000-character name", &["tool", "add", &"n".repeat(1000)], Refused(1, &["name", "Fix:"])),
        case("platform add: ftp issuer", &["platform", "add", "P2", "--preset", "custom", "--issuer", "ftp://lms.example.edu", "--auth-url", "https://lms.example.edu/auth", "--token-url", "https://lms.example.edu/token", "--jwks-url", "https://lms.example.edu/jwks",], Refused(1, &["issuer", "Fix:"])),
        case("key new: 1000 bits", &["key", "new", "--tool", "Quiz Engine", "--bits", "1000"], Refused(1, &["bits", "2048, 3072 or 4096"])),
        case("key new: bits too big for a number", &["key", "new", "--tool", "Quiz Engine", "--bits", "99999999999999999999",], Refused(2, &["--bits", "--help"])),
        case("key new: bits not a number", &["key", "new", "--tool", "Quiz Engine", "--bits", "lots"], Refused(2, &["--bits", "--help"])),
        case("dynreg serve: timeout in words", &["dynreg", "serve", "--tool", "Quiz Engine", "--timeout", "forever",], Refused(1, &["--timeout", "not a duration", "Fix:"])),
        case("registration add: blank client_id", &["registration", "add", "--tool", "Quiz Engine", "--platform", "Acme Canvas", "--client-id", "  ",], Refused(1, &["client_id", "Fix:"])),
        case("--data-dir: a file", &["--data-dir", "/etc/passwd", "tool", "list"], Refused(1, &["data directory", "is a file, not a directory", "Fix:"])),
    ];

    let mut before = t.store();
    let mut failures = Vec::new();
    for c in &cases {
        let out = t.run(&c.args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let code = out.status.code();
        let wrong = match &c.expect {
            _ if text.contains("panicked") || code == Some(101) || code.is_none() => {
                Some("crashed".to_string())
            }
            Accepted | Reported(_) if code != Some(0) => Some(format!("refused with {code:?}")),
            Refused(want, _) if code != Some(*want) => Some(format!("exit {code:?}, not {want}")),
            Refused(_, says) | Reported(says) => says
                .iter()
                .find(|w| !text.contains(*w))
                .map(|w| format!("does not say {w:?}")),
            Accepted => None,
        };
        if let Some(wrong) = wrong {
            failures.push(format!(
                "{}: {wrong}\n  {}",
                c.name,
                text.trim().replace('\n', "\n  ")
            ));
        }
        let after = t.store();
        match c.expect {
            Accepted | Reported(_) => before = after,
            Refused(..) if after != before => {
                failures.push(format!("{}: the store changed", c.name));
            }
            Refused(..) => {}
        }
    }
    assert!(cases.len() >= 60, "{} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "kept",
        "nothing written through the link"
    );

    let peak_kb = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .unwrap()
        .max_rss();
    println!(
        "{} broken inputs; the largest process peaked at {} MB",
        cases.len(),
        peak_kb / 1024
    );
    assert!(
        peak_kb / 1024 < PEAK_RSS_MB,
        "a run peaked at {} MB",
        peak_kb / 1024
    );
    drop(server);
    let _ = Path::new(&dir);
}
