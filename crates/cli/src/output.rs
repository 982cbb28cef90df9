//! The CLI's one way to the terminal: checked writes to stdout, best-effort writes to stderr.
//!
//! A failed write to stdout is an `Error::Output` for `?`; `main` ends on it (see [`finish`]).
//! A failed write to stderr is dropped: there is nowhere left to report it.

use std::fmt;
use std::io::{self, Write as _};
use std::process::ExitCode;

use ltikeys_core::Error;
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

fn output_error(source: io::Error) -> Error {
    Error::Output { source }
}

fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Output { source } if source.kind() == io::ErrorKind::BrokenPipe)
}

/// Writes text to stdout. Use [`out!`] and [`outln!`].
pub fn write_out(args: fmt::Arguments) -> Result<(), Error> {
    io::stdout().lock().write_fmt(args).map_err(output_error)
}

/// Writes text to stderr; a failure is dropped. Use [`err!`] and [`errln!`].
pub fn write_err(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
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
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .map_err(output_error)
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
            errln!("error: {err}");
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
/// stdout handled as in [`finish`].
pub fn clap_exit(err: &clap::Error) -> ExitCode {
    let printed = err.print().map_err(output_error);
    let code = ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(1));
    if err.use_stderr() {
        return code;
    }
    end(printed, code)
}
