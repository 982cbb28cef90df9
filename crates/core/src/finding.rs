//! Findings: what a lint or a check found, in plain words with the fix.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::remedy::Remedy;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Likely to cause trouble.
    Warning,
    /// Will fail.
    Error,
}

impl Severity {
    /// The word printed before a finding: `ERROR`, `WARNING` or `INFO`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
}

/// One thing a lint or a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// Stable code, e.g. `missing-keys-wrapper`.
    pub code: String,
    /// How bad it is.
    pub severity: Severity,
    /// The JSON path it concerns (e.g. `$.extensions[0].privacy_level`), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub path: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// What a front end can offer to do it (a command to run, a button).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Remedy>>", optional)]
    pub remedies: Vec<Remedy>,
}

impl Finding {
    /// A finding without a path.
    pub fn new(
        code: &str,
        severity: Severity,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.to_string(),
            severity,
            path: None,
            message: message.into(),
            fix: fix.into(),
            remedies: vec![],
        }
    }

    /// The same finding, with a remedy a front end can offer.
    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedies.push(remedy);
        self
    }

    /// The same finding, about `path`.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

/// Whether any finding is an error.
pub fn has_error(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
