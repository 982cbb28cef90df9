//! `ltikeys assertion`, `ltikeys check token`, `ltikeys inspect` and `ltikeys jwks find`: the
//! tool's own tokens, signed, tested against the token endpoint, and inspected.

use std::io::IsTerminal as _;
use std::path::Path;

use chrono::Utc;
use ltikeys_core::file::{read_capped, read_capped_from};
use ltikeys_core::token::{
    Inspection, KidSearch, SignatureStatus, TokenOutcome, TokenTest, MAX_JWT_BYTES,
};
use ltikeys_core::vault::KeySetSource;
use ltikeys_core::{Error, HttpClient, Vault};

use crate::output::{self, errln, outln, print_findings, print_json, To};

/// `ltikeys assertion REG`: the token on stdout; what it says on stderr.
pub fn assertion(
    vault: &Vault,
    registration: &str,
    deployment_id: Option<&str>,
    json: bool,
) -> Result<(), Error> {
    let assertion = vault.client_assertion(registration, deployment_id, Utc::now())?;
    if json {
        return print_json(&assertion);
    }
    outln!("{}", assertion.token)?;
    if std::io::stderr().is_terminal() || std::env::var_os("LTIKEYS_VERBOSE").is_some() {
        errln!("header: {}", assertion.header);
        errln!("claims: {}", assertion.claims);
    }
    errln!(
        "signed with kid {}; post it to {} before {}",
        assertion.kid,
        assertion.token_url,
        assertion.expires_at.format("%H:%M:%S UTC")
    );
    Ok(())
}

/// `ltikeys check token REG`: exit 0 granted, 1 refused, 2 no answer.
pub fn check_token(vault: &Vault, registration: &str, json: bool) -> Result<(), Error> {
    let test = vault.token_test(&HttpClient::default(), registration, Utc::now())?;
    let printed = if json {
        print_json(&test)
    } else {
        print_test(&test)
    };
    output::end_with(test.exit_code(), printed)
}

fn print_test(test: &TokenTest) -> Result<(), Error> {
    outln!("token URL:  {}", test.token_url)?;
    outln!("audience:   {}", test.audience)?;
    outln!("kid:        {}", test.kid)?;
    outln!(
        "scopes:     {}",
        if test.scopes.is_empty() {
            "(none)".to_string()
        } else {
            test.scopes.join(" ")
        }
    )?;
    if let Some(status) = test.status {
        outln!("status:     {status}")?;
    }
    match (&test.outcome, &test.granted) {
        (TokenOutcome::Granted, Some(granted)) => {
            outln!("granted:    {}", granted.access_token_masked)?;
            outln!(
                "type:       {}",
                granted.token_type.as_deref().unwrap_or("-")
            )?;
            if let Some(expires) = granted.expires_in {
                outln!("expires in: {expires} s")?;
            }
            outln!(
                "granted scopes: {}",
                if granted.scopes.is_empty() {
                    "(not said)".to_string()
                } else {
                    granted.scopes.join(" ")
                }
            )?;
        }
        (TokenOutcome::Refused, _) => {
            outln!(
                "refused:    {}",
                test.error.as_deref().unwrap_or("(no error code)")
            )?;
            if let Some(d) = &test.description {
                outln!("the platform said: {d}")?;
            }
        }
        _ => outln!("no answer")?,
    }
    print_findings(&test.findings, false, To::Stdout)
}

/// Reads a JWT given as itself, a file, or `-` (stdin), capped at [`MAX_JWT_BYTES`].
fn read_jwt(arg: &str) -> Result<String, Error> {
    let fix = "give the JWT itself, a file holding it, or - to read it from standard input";
    let looks_like_jwt =
        arg.matches('.').count() >= 2 && !arg.contains('/') && !Path::new(arg).exists();
    if looks_like_jwt {
        return Ok(arg.to_string());
    }
    let limit = MAX_JWT_BYTES as u64;
    let bytes = if arg == "-" {
        read_capped_from(
            std::io::stdin().lock(),
            Path::new("standard input"),
            limit,
            "inspect",
            fix,
        )?
    } else if !Path::new(arg).exists() {
        let problem = match arg.matches('.').count() {
            0 if arg.trim().is_empty() => "it is empty".to_string(),
            dots @ 0..=1 => format!(
                "it has {} part(s), where a JWT has three (header.claims.signature), and no file \
                 is called {arg}",
                dots + 1
            ),
            _ => format!("no file is called {arg}, and a JWT has no '/'"),
        };
        return Err(Error::invalid("JWT", problem, fix));
    } else {
        read_capped(Path::new(arg), limit, "inspect", fix)?
    };
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(arg, "it is not UTF-8 text", "give a file holding a JWT"))
}

/// `ltikeys inspect JWT|FILE|-`: exit 1 with an error-level finding.
pub fn inspect(vault: &Vault, input: &str, no_fetch: bool, json: bool) -> Result<(), Error> {
    let text = read_jwt(input)?;
    let client = HttpClient::default();
    let inspection = vault.inspect_jwt(&text, (!no_fetch).then_some(&client), Utc::now())?;
    let printed = if json {
        print_json(&inspection)
    } else {
        print_inspection(&inspection)
    };
    output::end_with(inspection.exit_code(), printed)
}

fn print_inspection(i: &Inspection) -> Result<(), Error> {
    outln!("kind:         {}", i.kind_label)?;
    match &i.registration {
        Some(r) => outln!(
            "registration: {} ({} on {}, client_id {})",
            r.registration,
            r.tool,
            r.platform,
            r.client_id
        )?,
        None => outln!("registration: none matches")?,
    }
    let status = match i.signature.status {
        SignatureStatus::Verified => "verified",
        SignatureStatus::Invalid => "INVALID",
        SignatureStatus::Unverified => "not verified",
    };
    outln!(
        "signature:    {status} (alg {}, kid {}): {}",
        i.signature.alg.as_deref().unwrap_or("-"),
        i.signature.kid.as_deref().unwrap_or("-"),
        i.signature.detail
    )?;
    outln!("header:       {}", i.header)?;
    outln!(
        "claims:       {}",
        serde_json::to_string_pretty(&i.claims).unwrap_or_default()
    )?;
    if i.findings.is_empty() {
        outln!("no findings")?;
    }
    print_findings(&i.findings, false, To::Stdout)
}

/// `ltikeys jwks find KID --url URL | --file F`: exit 1 when the kid is not there.
pub fn find(
    vault: &Vault,
    kid: &str,
    url: Option<&str>,
    file: Option<&Path>,
    json: bool,
) -> Result<(), Error> {
    let source = match (url, file) {
        (Some(url), _) => KeySetSource::Url(url.to_string()),
        (None, Some(file)) => {
            let bytes = if file == Path::new("-") {
                read_capped_from(
                    std::io::stdin().lock(),
                    Path::new("standard input"),
                    1024 * 1024,
                    "jwks find",
                    "a JWKS is a few KB",
                )?
            } else {
                read_capped(file, 1024 * 1024, "jwks find", "a JWKS is a few KB")?
            };
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::invalid(
                    "--file",
                    format!(
                        "{} is not UTF-8 text (byte {} is not valid UTF-8)",
                        file.display(),
                        e.utf8_error().valid_up_to() + 1
                    ),
                    "give the key set as the JSON the JWKS URL serves",
                )
            })?;
            KeySetSource::Text(text)
        }
        (None, None) => {
            return Err(Error::invalid(
                "--url or --file",
                "neither was given",
                "give the key set's URL (--url) or a file holding it (--file, - for stdin)",
            ))
        }
    };
    let search = vault.find_kid(&HttpClient::default(), &source, kid)?;
    let printed = if json {
        print_json(&search)
    } else {
        print_search(&search)
    };
    output::end_with(i32::from(!search.found), printed)
}

fn print_search(s: &KidSearch) -> Result<(), Error> {
    if s.found {
        let key = s.key.as_ref();
        let member = |m: &str| {
            key.and_then(|k| k.get(m))
                .and_then(|v| v.as_str())
                .unwrap_or("-")
                .to_string()
        };
        outln!(
            "kid {} is in {}: kty {}, alg {}, use {}",
            s.kid,
            s.source,
            member("kty"),
            member("alg"),
            member("use")
        )?;
    } else {
        outln!("kid {} is not in {}", s.kid, s.source)?;
    }
    outln!(
        "kids there: {}",
        if s.kids.is_empty() {
            "(none)".to_string()
        } else {
            s.kids.join(", ")
        }
    )?;
    print_findings(&s.findings, false, To::Stdout)
}
