//! What users type in: URLs, domains and blank fields, checked and trimmed the same everywhere.

use crate::error::{Error, Result};
use crate::http::is_loopback_host;

/// A trimmed value, or `None` when it is blank.
pub(crate) fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Each value trimmed, the blank ones left out.
pub(crate) fn drop_blanks(values: Vec<String>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Checks that a URL is absolute and https (http is allowed for loopback hosts only).
pub fn validate_url(field: &str, value: &str) -> Result<()> {
    let parsed = url::Url::parse(value).map_err(|e| {
        Error::invalid(
            field,
            format!("'{value}' is not a URL ({e})"),
            "give an absolute URL such as https://tool.example.edu/lti/launch",
        )
    })?;
    let host = parsed.host().ok_or_else(|| {
        Error::invalid(
            field,
            format!("'{value}' has no host"),
            "give an https:// URL with a host",
        )
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(&host) => Ok(()),
        "http" => Err(Error::invalid(
            field,
            format!("'{value}' uses http"),
            "use https:// (plain http is accepted only for localhost, 127.0.0.1 and [::1])",
        )),
        other => Err(Error::invalid(
            field,
            format!("'{value}' uses the scheme '{other}'"),
            "use an https:// URL",
        )),
    }
}

/// Checks a URL of a tool's own (launch, login, redirect, icon, JWKS): absolute, with a host,
/// https or plain http. Canvas saves http URLs, and a vendor's configuration may have them, so
/// they are kept; the Canvas lint warns about them (`http-url`), since a browser may block an
/// http launch inside an https LMS.
pub fn validate_tool_url(field: &str, value: &str) -> Result<()> {
    match url::Url::parse(value) {
        Ok(parsed) if parsed.scheme() == "http" && parsed.host().is_some() => Ok(()),
        _ => validate_url(field, value),
    }
}

/// Checks a domain: a host name with an optional port, no scheme or path.
pub fn validate_domain(value: &str) -> Result<()> {
    let problem = if value.contains("://") {
        Some("it includes a scheme")
    } else if value.contains('/') {
        Some("it includes a path")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(Error::invalid(
            "domain",
            format!("'{value}': {problem}"),
            "give the host only, e.g. tool.example.edu (a :port may follow)",
        ));
    }
    match url::Url::parse(&format!("https://{value}/")) {
        Ok(u) if u.host_str().is_some() && u.path() == "/" => Ok(()),
        _ => Err(Error::invalid(
            "domain",
            format!("'{value}' is not a host name"),
            "give the host only, e.g. tool.example.edu (a :port may follow)",
        )),
    }
}

/// The deepest nesting of arrays and objects accepted in any JSON read from a user, a file or
/// the network. LTI documents need five or six levels; serde_json alone would stop at 128 with
/// a message about recursion.
pub const MAX_JSON_DEPTH: usize = 64;

/// Reads JSON from a user, a file or the network. The error is the problem in plain words, for
/// the caller to put beside the field and its fix: empty, not UTF-8, nested deeper than
/// [`MAX_JSON_DEPTH`] (found by a scan before any parsing), or not JSON. A UTF-8 byte order
/// mark, which Windows editors write, is skipped.
pub fn json(bytes: &[u8]) -> std::result::Result<serde_json::Value, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.trim_ascii().is_empty() {
        return Err(if bytes.is_empty() {
            "it is empty (0 bytes)".into()
        } else {
            "it holds only white space".into()
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(format!(
            "it is not UTF-8 text (byte {} is not valid UTF-8)",
            e.valid_up_to() + 1
        ));
    }
    if let Some(at) = too_deep(bytes, MAX_JSON_DEPTH) {
        return Err(format!(
            "it nests arrays and objects deeper than {MAX_JSON_DEPTH} levels (at byte {})",
            at + 1
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("it is not JSON ({e})"))
}

/// The offset of the bracket that opens level `max + 1`, skipping strings; `None` when the
/// text never nests that deep.
fn too_deep(bytes: &[u8], max: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_on_loopback() {
        validate_url("launch URL", "http://localhost:3000/launch").unwrap();
        validate_url("launch URL", "http://127.0.0.1/launch").unwrap();
        validate_url("launch URL", "http://[::1]:8080/").unwrap();
        let err = validate_url("launch URL", "http://quiz.example.edu/launch").unwrap_err();
        assert!(err.to_string().starts_with("launch URL: "), "{err}");
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(validate_url("JWKS URL", "ftp://x.example/").is_err());
        validate_tool_url("launch URL", "http://quiz.example.edu/launch").unwrap();
        let err = validate_tool_url("launch URL", "ftp://quiz.example.edu/launch").unwrap_err();
        assert!(err.to_string().contains("scheme 'ftp'"), "{err}");
        assert!(validate_tool_url("launch URL", "quiz.example.edu/launch").is_err());
        assert!(validate_url("JWKS URL", "/jwks.json").is_err());
    }

    #[test]
    fn domains_have_no_scheme_or_path() {
        validate_domain("quiz.example.edu").unwrap();
        validate_domain("localhost:8443").unwrap();
        for bad in [
            "https://quiz.example.edu",
            "quiz.example.edu/lti",
            "bad host",
        ] {
            let err = validate_domain(bad).unwrap_err();
            assert!(err.to_string().starts_with("domain:"), "{bad}: {err}");
        }
    }

    #[test]
    fn blanks_become_none_and_values_are_trimmed() {
        assert_eq!(blank_to_none(Some("  x ".into())), Some("x".into()));
        assert_eq!(blank_to_none(Some(" \t ".into())), None);
        assert_eq!(blank_to_none(None), None);
        assert_eq!(
            drop_blanks(vec![" a ".into(), "".into(), "  ".into(), "b".into()]),
            ["a", "b"],
            "blank entries are dropped, the others trimmed"
        );
    }

    #[test]
    fn json_is_refused_in_plain_words_and_never_too_deep() {
        assert_eq!(
            json(b"\xEF\xBB\xBF{\"a\":1}").unwrap()["a"],
            1,
            "a BOM is skipped"
        );
        assert_eq!(json(b"").unwrap_err(), "it is empty (0 bytes)");
        assert_eq!(json(b" \n\t").unwrap_err(), "it holds only white space");
        assert!(json(b"{\"a\":\"\xff\"}")
            .unwrap_err()
            .contains("byte 7 is not valid UTF-8"));
        assert!(json(b"{\"a\":")
            .unwrap_err()
            .starts_with("it is not JSON (EOF"));
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        json(ok.as_bytes()).unwrap();
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH + 1),
            "]".repeat(MAX_JSON_DEPTH + 1)
        );
        let err = json(deep.as_bytes()).unwrap_err();
        assert!(err.contains("deeper than 64 levels (at byte 65)"), "{err}");
        // Brackets inside strings, escaped quotes among them, are not nesting.
        let quoted = format!("{{\"a\":\"\\\"{}\"}}", "[".repeat(500));
        assert_eq!(
            json(quoted.as_bytes()).unwrap()["a"]
                .as_str()
                .unwrap()
                .len(),
            501
        );
        // A million brackets are refused by the scan at once, not by a parser's stack.
        let huge = "{\"a\":".repeat(1_000_000);
        assert!(json(huge.as_bytes())
            .unwrap_err()
            .contains("deeper than 64"));
    }
}
