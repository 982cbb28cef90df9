//! The CLI's one way to the terminal: text, JSON, findings, times, and how a run ends.

// Writes to stdout are checked: a failed one is an `Error::Output` for `?`, and `main` ends on
// it (see `finish`). A failed write to stderr is dropped: there is nowhere left to report it.
// Every line written here is escaped once (see `escape_text` and `escape_json`): names, kids,
// URLs and fetched JWKS text can hold terminal escape sequences.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use ltikeys_core::{Error, Finding, Remedy, Severity};
use serde::Serialize;

/// `print!` to stdout, checked: `out!(...)?`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))
    };
}

/// `println!` to stdout, checked: `outln!(...)?`.
macro_rules! outln {
    () => {
        $crate::output::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => {
        $crate::output::write_err(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {err, errln, out, outln};

/// The longest answer read at a prompt: a kid is at most 128 bytes.
const ANSWER_LIMIT: u64 = 1024;

/// Reads one line typed at a prompt, bounded, trimmed.
pub fn answer() -> Result<String, Error> {
    use std::io::{BufRead as _, Read as _};
    let mut answer = String::new();
    io::stdin()
        .lock()
        .take(ANSWER_LIMIT)
        .read_line(&mut answer)
        .map_err(|source| Error::Io {
            action: "reading the answer from",
            path: std::path::PathBuf::from("standard input"),
            source,
        })?;
    Ok(answer.trim().to_string())
}

/// Asks on the terminal before removing what cannot be brought back: `lines` list it and
/// `question` asks, answered `y`. Off a terminal nobody can answer: refused, naming `option`
/// (the one that asked for the removal, with `what` it would remove) and `--yes`.
pub fn confirm(option: &str, what: &str, lines: &[String], question: &str) -> Result<(), Error> {
    use std::io::IsTerminal as _;
    if !io::stdin().is_terminal() {
        return Err(Error::invalid(
            option,
            format!("{what} would be removed"),
            "run it on a terminal to confirm, or add --yes",
        ));
    }
    for line in lines {
        errln!("  {line}");
    }
    err!("{question} [y/N] ");
    if matches!(answer()?.as_str(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::invalid(
            "confirmation",
            "nothing was removed",
            "answer y to remove it",
        ))
    }
}

fn output_error(source: io::Error) -> Error {
    Error::Output { source }
}

fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Output { source } if source.kind() == io::ErrorKind::BrokenPipe)
}

/// Writes text to stdout, escaped. Use [`out!`] and [`outln!`].
pub fn write_out(args: fmt::Arguments) -> Result<(), Error> {
    io::stdout()
        .lock()
        .write_all(escape_text(&args.to_string()).as_bytes())
        .map_err(output_error)
}

/// Writes text to stderr, escaped; a failure is dropped. Use [`err!`] and [`errln!`].
pub fn write_err(args: fmt::Arguments) {
    let _ = io::stderr()
        .lock()
        .write_all(escape_text(&args.to_string()).as_bytes());
}

/// Moves the cursor back to the start of the stderr line, for a progress count that rewrites
/// itself (a `\r` through [`err!`] would be shown escaped).
pub fn rewind_err_line() {
    let _ = io::stderr().lock().write_all(b"\r");
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        Error::invalid(
            "output",
            format!("could not be encoded as JSON ({e})"),
            "report this",
        )
    })?;
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(escape_json(&text).as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .map_err(output_error)
}

/// A moment as the CLI prints it: RFC 3339 to the second, in UTC (`2025-01-31T09:30:00Z`).
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A value of a text report, `-` when there is none.
pub fn or_dash(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Where a list of findings goes: stdout when the findings are the output, stderr when they
/// accompany it.
#[derive(Clone, Copy)]
pub enum To {
    Stdout,
    Stderr,
}

/// Prints findings one a line, `severity [code]: message. Fix: fix`; with `at_path`, for the
/// findings on a document the user gave, `severity: path [code]: …` (`$`, the whole document,
/// where a finding has no path).
pub fn print_findings(findings: &[Finding], at_path: bool, to: To) -> Result<(), Error> {
    for f in findings {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let then = remedies(&f.remedies);
        let line = if at_path {
            let path = f.path.as_deref().unwrap_or("$");
            format!(
                "{severity}: {path} [{}]: {}. Fix: {}{then}",
                f.code, f.message, f.fix
            )
        } else {
            format!(
                "{severity} [{}]: {}. Fix: {}{then}",
                f.code, f.message, f.fix
            )
        };
        match to {
            To::Stdout => outln!("{line}")?,
            To::Stderr => errln!("{line}"),
        }
    }
    Ok(())
}

/// The remedies of an error or finding as `; run …` clauses to append to it, or nothing.
pub fn remedies(remedies: &[Remedy]) -> String {
    remedies
        .iter()
        .filter_map(command)
        .map(|clause| format!("; {clause}"))
        .collect()
}

/// A remedy as the `ltikeys` command that carries it out; `None` for one a command line has
/// nothing to add to.
pub fn command(remedy: &Remedy) -> Option<String> {
    let flag = |field: &str| format!("--{}", field.replace('_', "-"));
    Some(match remedy {
        Remedy::ListTools => "run `ltikeys tool list` to see the tools".into(),
        Remedy::ListKeys { tool } => format!("run `ltikeys key list --tool {}`", word(tool)),
        Remedy::GenerateKey { tool, next } => format!(
            "generate one with `ltikeys key new --tool {}{}`",
            word(tool),
            if *next { " --next" } else { "" }
        ),
        Remedy::ImportPrivateKey { tool, kid } => format!(
            "import one with `ltikeys key import --tool {}{} --pem FILE`",
            word(tool),
            kid.as_deref()
                .map(|kid| format!(" --kid {}", word(kid)))
                .unwrap_or_default()
        ),
        Remedy::EditTool { tool, field } => format!(
            "set it with `ltikeys tool edit {} {} URL`",
            word(tool),
            flag(field)
        ),
        Remedy::Rotate { tool } => format!("run `ltikeys key rotate --tool {}`", word(tool)),
        Remedy::PublishJwks { tool, .. } => format!(
            "publish what `ltikeys jwks --tool {}` prints",
            tool.as_deref().map(word).unwrap_or_else(|| "TOOL".into())
        ),
        Remedy::CheckJwks { url, tool } => format!(
            "check it with `ltikeys check jwks {}{}`",
            word(url),
            tool.as_deref()
                .map(|tool| format!(" --expect-tool {}", word(tool)))
                .unwrap_or_default()
        ),
        Remedy::PasteJwk { tool, kid } => format!(
            "paste what `ltikeys jwk --tool {} --kid {}` prints as the public JWK",
            word(tool),
            word(kid)
        ),
        Remedy::ListPlatforms => "run `ltikeys platform list` to see the platforms".into(),
        Remedy::AddPlatform { name } => format!(
            "add it first with `ltikeys platform add {} --preset PRESET`",
            word(name)
        ),
        Remedy::UpdatePlatform { platform, field } => format!(
            "change it with `ltikeys platform update {}{}`",
            word(platform),
            field
                .as_deref()
                .map(|field| format!(" {} URL", flag(field)))
                .unwrap_or_default()
        ),
        Remedy::DiscoverPlatform { platform } => format!(
            "fill it with `ltikeys platform discover {} --openid-configuration URL`",
            platform
                .as_deref()
                .map(word)
                .unwrap_or_else(|| "NAME".into())
        ),
        Remedy::ListRegistrations => {
            "run `ltikeys registration list` to see the registrations".into()
        }
        Remedy::ShowRegistration { registration } => format!(
            "`ltikeys registration show {}` lists its deployment ids",
            word(registration)
        ),
        Remedy::AddDeployment {
            registration,
            deployment_id,
        } => format!(
            "add {} with `ltikeys registration deployment add {} {}`",
            if deployment_id.is_some() { "it" } else { "one" },
            word(registration),
            deployment_id
                .as_deref()
                .map_or("DEPLOYMENT_ID".into(), word)
        ),
        Remedy::RemoveRegistrations { platform } => format!(
            "remove them with `ltikeys registration remove REG` (`ltikeys registration list \
             --platform {}` lists them)",
            word(platform)
        ),
        Remedy::RemoveToolWithRegistrations { tool } => format!(
            "pass --with-registrations to remove them with it (`ltikeys registration list --tool \
             {}` lists them)",
            word(tool)
        ),
        Remedy::ListCanvasPlacements => "run `ltikeys canvas placements` for the list".into(),
        Remedy::ListCanvasScopes => "run `ltikeys canvas scopes` for the list".into(),
        Remedy::ReplaceFile => "pass --force to replace it".into(),
        Remedy::RetireAnyway { .. } => "pass --force to retire it now".into(),
        Remedy::Give { field } => match field.as_str() {
            "passphrase" => "pass --passphrase-file FILE".into(),
            "openid_configuration_url" => "pass --openid-configuration URL".into(),
            "base_url" | "issuer" | "auth_url" | "token_url" | "jwks_url" => {
                format!("pass {} URL", flag(field))
            }
            other => format!("pass {}", flag(other)),
        },
        _ => return None,
    })
}

/// A value as one shell word: quoted when it holds anything but letters, digits and `-_.:/`.
pub fn word(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Flushes stdout: a full disk may show only here.
pub fn flush() -> Result<(), Error> {
    io::stdout().lock().flush().map_err(output_error)
}

/// How the process ends after a command: stdout flushed, and an error reported on one line.
pub fn finish(result: Result<(), Error>) -> ExitCode {
    end(result, ExitCode::SUCCESS)
}

fn end(result: Result<(), Error>, success: ExitCode) -> ExitCode {
    match result.and_then(|()| flush()) {
        Ok(()) => success,
        // The reader went away (`| head -1`, `| true`): the command's work is done and nobody is
        // left to read about it, so the end is quiet and successful (status 0), as if the reader
        // had read it all. Shell pipelines under `set -o pipefail` keep working.
        Err(err) if is_broken_pipe(&err) => success,
        Err(err) => {
            errln!("error: {err}{}", remedies(&err.remedies()));
            ExitCode::FAILURE
        }
    }
}

/// Ends a command whose exit status is its verdict (`canvas lint`, `check`): with `code` when
/// it is not 0, even when the reader went away. Any other failed write is the error instead.
pub fn end_with(code: i32, printed: Result<(), Error>) -> Result<(), Error> {
    if code == 0 {
        return printed;
    }
    match printed.and_then(|()| flush()) {
        Err(err) if !is_broken_pipe(&err) => Err(err),
        _ => std::process::exit(code),
    }
}

/// Prints clap's help, version or usage error and ends as clap would, with a failed write to
/// stdout handled as in [`finish`]. clap's text is not escaped: it is ours but for the
/// arguments it echoes back, which the user typed, and it keeps its colours.
pub fn clap_exit(err: &clap::Error) -> ExitCode {
    let printed = err.print().map_err(output_error);
    let code = ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1));
    if err.use_stderr() {
        return code;
    }
    end(printed, code)
}

/// Whether a terminal would act on `c` rather than show it: C0 controls but `\n` and `\t`, DEL,
/// C1 controls (U+009B is a one-byte CSI), and the bidi embeddings, overrides and isolates that
/// reorder what follows them.
fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}' | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

fn escape_with(text: &str, escape: fn(&mut String, u32) -> fmt::Result) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            // Writing to a String cannot fail.
            let _ = escape(&mut out, u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal: every unsafe character shown as Rust writes it, `\x1b` or `\u{9b}`.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    escape_with(text, |out, c| {
        if c < 0x80 {
            write!(out, "\\x{c:02x}")
        } else {
            write!(out, "\\u{{{c:x}}}")
        }
    })
}

/// JSON from serde_json, which escapes only C0 controls: DEL, C1 and bidi characters written as
/// `\u007f`-style escapes too. Still valid JSON, parsing back to the same strings: outside
/// strings JSON is ASCII with no controls but `\n`, which is left alone.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    escape_with(json, |out, c| write!(out, "\\u{c:04x}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shows_controls_c1_and_bidi_escaped_and_keeps_newlines_and_tabs() {
        assert_eq!(
            escape_text("Evil\x1b]0;pwned\x07\x1b[31m"),
            "Evil\\x1b]0;pwned\\x07\\x1b[31m"
        );
        assert_eq!(escape_text("a\u{9b}31mb"), "a\\u{9b}31mb");
        assert_eq!(escape_text("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(escape_text("\u{2066}\u{2069}"), "\\u{2066}\\u{2069}");
        assert_eq!(escape_text("\0\r\x7f\u{80}"), "\\x00\\x0d\\x7f\\u{80}");
        assert_eq!(escape_text("one\ttwo\n"), "one\ttwo\n");
        assert!(
            matches!(escape_text("Quiz → Engine ü"), Cow::Borrowed(_)),
            "clean text, other non-ASCII included, is passed through as it is"
        );
    }

    #[test]
    fn the_characters_next_to_the_unsafe_ranges_are_left_alone() {
        for c in [
            ' ', '~', '\u{a0}', '\u{2029}', '\u{202f}', '\u{2065}', '\u{206a}',
        ] {
            assert_eq!(escape_text(&c.to_string()), c.to_string(), "{c:?}");
        }
    }

    #[test]
    fn json_writes_del_c1_and_bidi_as_escapes_and_parses_back_to_the_same_string() {
        let name = "Evil\x1b[31m\x7f\u{9b}1m\u{202e}\u{2067}done";
        let json = serde_json::to_string_pretty(&serde_json::json!({ "name": name })).unwrap();
        let escaped = escape_json(&json);
        assert!(
            !escaped.chars().any(|c| is_unsafe(c) && c != '\n'),
            "no raw unsafe character is left: {escaped}"
        );
        assert!(
            escaped.contains(r"\u001b[31m\u007f\u009b1m\u202e\u2067done"),
            "{escaped}"
        );
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(
            back["name"], name,
            "the escapes parse back to the same name"
        );
        assert_eq!(escape_json("{\n  \"a\": 1\n}"), "{\n  \"a\": 1\n}");
    }
}
