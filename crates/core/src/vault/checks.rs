//! JWKS checks run from the vault: one URL, or every platform's, with the results kept.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Vault;
use crate::check::{self, ExpectedKeys, JwksCheck, JwksRole};
use crate::error::Result;
use crate::http::HttpClient;

impl Vault {
    /// Checks a JWKS URL with `client` and keeps the result. With `expect_tool`, also checks
    /// that the URL publishes exactly that tool's next, current and previous keys. The role
    /// defaults to `Tool` when a tool is expected, else `Platform`.
    pub fn check_jwks(
        &mut self,
        client: &HttpClient,
        url: &str,
        role: Option<JwksRole>,
        expect_tool: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<JwksCheck> {
        let kept = AtomicBool::new(false);
        self.check_jwks_unless_cancelled(client, url, role, expect_tool, now, &kept)
    }

    /// [`Vault::check_jwks`] for a check the user may cancel while it fetches: the result is
    /// kept only when `cancelled` is still unset once the fetch ends, so a check nobody waits
    /// for any more leaves no record behind.
    pub fn check_jwks_unless_cancelled(
        &mut self,
        client: &HttpClient,
        url: &str,
        role: Option<JwksRole>,
        expect_tool: Option<&str>,
        now: DateTime<Utc>,
        cancelled: &AtomicBool,
    ) -> Result<JwksCheck> {
        let expected = match expect_tool {
            Some(tool) => Some(ExpectedKeys::from_keys(
                &self.keys(tool)?,
                &self.jwks(tool)?,
            )),
            None => None,
        };
        let role = role.unwrap_or(if expected.is_some() {
            JwksRole::Tool
        } else {
            JwksRole::Platform
        });
        let result = check::check_jwks(client, url, role, expected.as_ref(), now);
        if !cancelled.load(Ordering::SeqCst) {
            self.store.save_check(&result)?;
        }
        Ok(result)
    }

    /// Checks every platform's JWKS URL with `client`, a few at a time, and keeps the results.
    /// A URL with a `{client_id}` placeholder is checked once per registration; one with
    /// another placeholder is skipped with the reason.
    pub fn check_platforms(
        &mut self,
        client: &HttpClient,
        now: DateTime<Utc>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<PlatformCheck>> {
        let registrations = self.registrations(None, None)?;
        let mut targets = vec![];
        let mut skipped = vec![];
        for platform in self.platforms()? {
            let mut urls = vec![platform.spec.jwks_url.clone()];
            if platform.spec.jwks_url.contains(crate::platform::CLIENT_ID) {
                urls = registrations
                    .iter()
                    .filter(|r| r.platform_id == platform.id)
                    .map(|r| crate::platform::fill_client_id(&platform.spec.jwks_url, &r.client_id))
                    .collect();
            }
            let unresolved = |url: &String| !crate::platform::placeholders_in(url).is_empty();
            if urls.is_empty() || urls.iter().any(unresolved) {
                skipped.push(PlatformCheck {
                    platform: platform.spec.name.clone(),
                    url: platform.spec.jwks_url.clone(),
                    check: None,
                    skipped: Some(
                        "its JWKS URL has a placeholder; add a registration or set the \
                         platform's JWKS URL"
                            .into(),
                    ),
                });
                continue;
            }
            targets.extend(
                urls.into_iter()
                    .map(|url| (platform.spec.name.clone(), url)),
            );
        }
        let urls = targets
            .iter()
            .map(|(_, url)| (url.clone(), JwksRole::Platform))
            .collect();
        let results = check::check_many(client, urls, check::CHECK_CONCURRENCY, now, progress);
        let mut out = vec![];
        for ((platform, url), result) in targets.into_iter().zip(results) {
            self.store.save_check(&result)?;
            out.push(PlatformCheck {
                platform,
                url,
                check: Some(result),
                skipped: None,
            });
        }
        out.extend(skipped);
        Ok(out)
    }

    /// The last check of each URL, newest first.
    pub fn last_checks(&self) -> Result<Vec<JwksCheck>> {
        self.store.last_checks()
    }
}

/// One platform's JWKS check, or why it was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlatformCheck {
    /// The platform's name.
    pub platform: String,
    /// The URL checked.
    pub url: String,
    /// The result, when checked.
    pub check: Option<JwksCheck>,
    /// Why it was not checked.
    pub skipped: Option<String>,
}
