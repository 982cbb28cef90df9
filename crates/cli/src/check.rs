//! `ltikeys check`: fetch a JWKS URL and say what will make launches fail, and the fix.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Subcommand, ValueEnum};
use ltikeys_core::http::format_bytes;
use ltikeys_core::{Error, HttpClient, JwksCheck, JwksRole, PlatformCheck, Severity};

use crate::output::{self, err, errln, outln, plural, print_json};

#[derive(Subcommand)]
pub enum CheckCommand {
    /// Fetch a JWKS URL and check it. Exit 0: fine; 1: an error finding (an HTTP error status
    /// included); 2: the URL could not be fetched at all.
    Jwks(JwksArgs),
    /// Check every platform's JWKS URL, 32 at a time, and print a summary table (with a
    /// progress count on stderr when it is a terminal).
    Platforms,
    /// Sign a client assertion for a registration, post it to the token endpoint with the
    /// tool's scopes, and explain the answer. Exit 0: granted; 1: refused; 2: no answer.
    Token {
        /// The registration's id.
        registration: String,
    },
}

#[derive(Args)]
pub struct JwksArgs {
    /// The JWKS URL (https; plain http only to this machine).
    url: String,
    /// Also check that exactly this tool's published kids are there, with its public keys.
    #[arg(long, value_name = "TOOL")]
    expect_tool: Option<String>,
    /// Whose keys the URL serves (default: tool with --expect-tool, else platform).
    #[arg(long, value_enum)]
    role: Option<Role>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Platform,
    Tool,
}

pub fn run(data_dir: Option<PathBuf>, cmd: CheckCommand, json: bool) -> Result<(), Error> {
    match cmd {
        CheckCommand::Jwks(args) => jwks(data_dir, args, json),
        CheckCommand::Platforms => platforms(data_dir, json),
        CheckCommand::Token { registration } => {
            crate::token::check_token(&crate::open(data_dir)?, &registration, json)
        }
    }
}

fn jwks(data_dir: Option<PathBuf>, args: JwksArgs, json: bool) -> Result<(), Error> {
    let role = args.role.map(|r| match r {
        Role::Platform => JwksRole::Platform,
        Role::Tool => JwksRole::Tool,
    });
    let mut vault = crate::open(data_dir)?;
    let check = vault.check_jwks(
        &HttpClient::default(),
        &args.url,
        role,
        args.expect_tool.as_deref(),
        Utc::now(),
    )?;
    let printed = if json {
        print_json(&check)
    } else {
        print_human(&check)
    };
    output::end_with(check.exit_code(), printed)
}

fn print_human(check: &JwksCheck) -> Result<(), Error> {
    let dash = || "-".to_string();
    outln!("url:           {}", check.url)?;
    if let Some(final_url) = check
        .final_url
        .as_ref()
        .filter(|_| !check.redirects.is_empty())
    {
        let hops = check.redirects[1..].iter().chain([final_url]);
        outln!(
            "redirected to: {}",
            hops.cloned().collect::<Vec<_>>().join(" → ")
        )?;
    }
    match check.status {
        None => outln!("status:        not fetched")?,
        Some(status) => {
            outln!("status:        {status}")?;
            outln!(
                "content-type:  {}",
                check.content_type.clone().unwrap_or_else(dash)
            )?;
            outln!(
                "cache-control: {}",
                check.cache_control.clone().unwrap_or_else(dash)
            )?;
            outln!(
                "latency:       {}",
                check
                    .latency_ms
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_else(dash)
            )?;
            outln!("size:          {}", format_bytes(check.bytes))?;
        }
    }
    if !check.keys.is_empty() {
        let width = check
            .keys
            .iter()
            .map(|k| k.kid.as_deref().map_or(1, str::len))
            .max()
            .unwrap_or(0)
            .max(3);
        outln!()?;
        outln!(
            "{:<width$}  {:<4} {:<6} {:<4} {:>5}",
            "KID",
            "KTY",
            "ALG",
            "USE",
            "BITS"
        )?;
        for key in &check.keys {
            outln!(
                "{:<width$}  {:<4} {:<6} {:<4} {:>5}",
                key.kid.as_deref().unwrap_or("-"),
                if key.kty.is_empty() { "-" } else { &key.kty },
                key.alg.as_deref().unwrap_or("-"),
                key.use_.as_deref().unwrap_or("-"),
                key.bits.map(|b| b.to_string()).unwrap_or_else(dash),
            )?;
        }
    }
    if !check.findings.is_empty() {
        outln!()?;
    }
    for finding in &check.findings {
        let label = match finding.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        };
        let at = finding
            .path
            .as_deref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        outln!("{label} {}{at}: {}", finding.code, finding.message)?;
        outln!("  fix: {}", finding.fix)?;
    }
    outln!()?;
    outln!(
        "{}, {}, {}",
        plural(check.count(Severity::Error), "error"),
        plural(check.count(Severity::Warning), "warning"),
        plural(check.count(Severity::Info), "note"),
    )
}

fn platforms(data_dir: Option<PathBuf>, json: bool) -> Result<(), Error> {
    let mut vault = crate::open(data_dir)?;
    // A count that rewrites itself is for a person watching: in a pipe or a log it would be
    // one long line of `checked 1/500checked 2/500…`.
    let draw = !json && std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if draw {
            output::rewind_err_line();
            err!("checked {done}/{total}");
            if done == total {
                errln!();
            }
        }
    };
    let results = vault.check_platforms(&HttpClient::default(), Utc::now(), &progress)?;
    let code = results
        .iter()
        .filter_map(|r| r.check.as_ref().map(JwksCheck::exit_code))
        .max()
        .unwrap_or(0);
    let printed = if json {
        print_json(&results)
    } else {
        print_table(&results)
    };
    output::end_with(code, printed)
}

fn print_table(results: &[PlatformCheck]) -> Result<(), Error> {
    if results.is_empty() {
        return outln!(
            "No platforms yet. Add one with `ltikeys platform add NAME --preset PRESET`."
        );
    }
    outln!(
        "{:<24} {:>6} {:>5} {:>6} {:>8}  URL",
        "PLATFORM",
        "STATUS",
        "KEYS",
        "ERRORS",
        "WARNINGS"
    )?;
    for r in results {
        match &r.check {
            Some(c) => outln!(
                "{:<24} {:>6} {:>5} {:>6} {:>8}  {}",
                r.platform,
                c.status.map_or("-".to_string(), |s| s.to_string()),
                c.keys.len(),
                c.count(Severity::Error),
                c.count(Severity::Warning),
                r.url
            )?,
            None => outln!(
                "{:<24} {:>6} {:>5} {:>6} {:>8}  {} (skipped: {})",
                r.platform,
                "-",
                "-",
                "-",
                "-",
                r.url,
                r.skipped.as_deref().unwrap_or("")
            )?,
        }
    }
    for r in results {
        for f in r.check.iter().flat_map(|c| &c.findings) {
            if f.severity != Severity::Info {
                outln!(
                    "{}: {} {}: {}",
                    r.platform,
                    f.severity.label(),
                    f.code,
                    f.message
                )?;
            }
        }
    }
    Ok(())
}
