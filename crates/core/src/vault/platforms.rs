//! Platforms: thin calls over the store, with the checks of `platform` and `discovery`.

use chrono::{DateTime, Utc};

use super::Vault;
use crate::error::{Error, Result};
use crate::remedy::Remedy;

impl Vault {
    /// Adds a platform from a preset, the instance's base URL and any overrides.
    pub fn add_platform(
        &mut self,
        platform: crate::platform::NewPlatform,
        now: DateTime<Utc>,
    ) -> Result<crate::platform::Platform> {
        let spec = platform.resolve()?;
        self.store.insert_platform(&spec, now, "platform added")
    }

    /// All platforms, by name.
    pub fn platforms(&self) -> Result<Vec<crate::platform::Platform>> {
        self.store.platforms()
    }

    /// Every platform with its registrations, for the platforms page to filter and page.
    pub fn platform_index(&self) -> Result<crate::platform::PlatformIndex> {
        self.store.platform_index()
    }

    /// A platform by id or name.
    pub fn platform(&self, id_or_name: &str) -> Result<crate::platform::Platform> {
        self.store.platform(id_or_name)
    }

    /// Changes a platform's values; its registrations follow a new issuer.
    pub fn update_platform(
        &mut self,
        platform: &str,
        update: crate::platform::PlatformUpdate,
        now: DateTime<Utc>,
    ) -> Result<crate::platform::Platform> {
        let current = self.store.platform(platform)?;
        let after = update.apply(&current.spec)?;
        let detail = crate::platform::describe_changes(&current.spec, &after);
        self.store
            .update_platform(&current.id, &after, now, "platform updated", &detail)
    }

    /// Removes a platform that has no registrations, and its API token from the keychain. A
    /// keychain that does not answer keeps the token until the next status that reaches it
    /// (see [`Vault::finish_token_removals`]): the platform is gone either way.
    pub fn remove_platform(&mut self, platform: &str, now: DateTime<Utc>) -> Result<()> {
        let id = self.store.platform(platform)?.id;
        self.store.delete_platform(&id, now)?;
        self.remove_token_of_removed(&id)?;
        Ok(())
    }

    /// Removes a removed platform's API token from the keychain, and the note that it is to
    /// go; answers whether the keychain removed it (else the note stays, for a later try).
    fn remove_token_of_removed(&mut self, id: &str) -> Result<bool> {
        if self
            .secrets
            .delete(&crate::secret::api_token_account(id))
            .is_err()
        {
            return Ok(false);
        }
        self.store.token_removal_done(id)?;
        Ok(true)
    }

    /// Removes from the keychain the API tokens of removed platforms that it kept (it did not
    /// answer at the removal, or the process was killed in between). A platform with the same
    /// id that is back (a team's sync) keeps its token. A token the keychain still refuses to
    /// remove is tried again at the next status. Logged.
    pub(crate) fn finish_token_removals(&mut self, now: DateTime<Utc>) -> Result<()> {
        for id in self.store.token_removals()? {
            if self.store.platform(&id).is_ok() {
                self.store.token_removal_done(&id)?;
                continue;
            }
            if !self.remove_token_of_removed(&id)? {
                continue;
            }
            self.store.log_subject(
                now,
                "API token of a removed platform removed from the keychain",
                &id,
                "the keychain had kept it when the platform was removed",
            )?;
        }
        Ok(())
    }

    /// Keeps `token` as the platform's API token (Canvas: an admin's access token) in the OS
    /// keychain, replacing any; never in the database. Logged, without the token.
    pub fn set_api_token(&mut self, platform: &str, token: &str, now: DateTime<Utc>) -> Result<()> {
        let platform = self.store.platform(platform)?;
        let token = crate::platform::validated_api_token(token)?;
        // A removal of an earlier platform with this id (a team's sync brought it back) must
        // not take the new token.
        self.store.token_removal_done(&platform.id)?;
        self.secrets.put(
            &crate::secret::api_token_account(&platform.id),
            token.as_bytes(),
        )?;
        self.store.log_subject(
            now,
            "API token stored in the keychain",
            &platform.id,
            &platform.spec.name,
        )
    }

    /// Whether the keychain holds an API token for the platform.
    pub fn has_api_token(&self, platform: &str) -> Result<bool> {
        let platform = self.store.platform(platform)?;
        Ok(self
            .secrets
            .get(&crate::secret::api_token_account(&platform.id))?
            .is_some())
    }

    /// Removes the platform's API token from the keychain (none stored is not an error). Logged.
    pub fn forget_api_token(&mut self, platform: &str, now: DateTime<Utc>) -> Result<()> {
        let platform = self.store.platform(platform)?;
        self.secrets
            .delete(&crate::secret::api_token_account(&platform.id))?;
        self.store.log_subject(
            now,
            "API token removed from the keychain",
            &platform.id,
            &platform.spec.name,
        )
    }

    /// The platform's API token, or an error that says how to give one.
    pub(crate) fn api_token(
        &self,
        platform: &crate::platform::Platform,
    ) -> Result<zeroize::Zeroizing<String>> {
        let bytes = self
            .secrets
            .get(&crate::secret::api_token_account(&platform.id))?
            .ok_or_else(|| {
                Error::invalid(
                    "API token",
                    format!("none is stored for platform '{}'", platform.spec.name),
                    "create an access token in Canvas (Account → Settings → New access token, \
                     as an admin of the account) and give it: in the window, or with \
                     --token-file FILE",
                )
                .at("api_token")
            })?;
        String::from_utf8(bytes.to_vec())
            .map(zeroize::Zeroizing::new)
            .map_err(|_| Error::Keychain {
                reason: "the stored API token is not text".into(),
            })
    }

    /// The OpenID configuration URL to read for `platform`: `url` if given, else the one the
    /// platform record holds.
    pub fn discovery_url(&self, platform: &str, url: Option<&str>) -> Result<String> {
        if let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) {
            return Ok(url.to_string());
        }
        let stored = match self.store.platform(platform) {
            Ok(p) => p.spec.openid_configuration_url,
            Err(Error::PlatformNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        stored.ok_or_else(|| {
            Error::invalid(
                "OpenID configuration URL",
                format!("platform '{platform}' has none recorded"),
                "give the OpenID configuration URL (the platform's \
                 /.well-known/openid-configuration or Dynamic Registration configuration)",
            )
            .at("openid_configuration_url")
            .with_remedy(Remedy::Give {
                field: "openid_configuration_url".into(),
            })
        })
    }

    /// Applies what was read from the OpenID configuration at `url` to `platform`, creating it
    /// (named `platform`) when no platform has that id or name.
    pub fn apply_discovery(
        &mut self,
        platform: &str,
        url: &str,
        found: &crate::discovery::DiscoveredPlatform,
        options: crate::discovery::DiscoverOptions,
        now: DateTime<Utc>,
    ) -> Result<crate::discovery::DiscoveryOutcome> {
        let current = match self.store.platform(platform) {
            Ok(p) => Some(p),
            Err(Error::PlatformNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let before = current.as_ref().map(|p| &p.spec);
        let plan = crate::discovery::plan(platform, before, found, url, options)?;
        let applied = plan.applies_any();
        let spec = plan.spec.validated()?;
        let detail = format!("from {url}: {}", plan_summary(&plan.changes));
        let stored = match (&current, applied) {
            (Some(p), true) => Some(self.store.update_platform(
                &p.id,
                &spec,
                now,
                "platform discovered",
                &detail,
            )?),
            (Some(p), false) => Some(p.clone()),
            (None, true) => Some(
                self.store
                    .insert_platform(&spec, now, "platform discovered")?,
            ),
            (None, false) => None,
        };
        Ok(crate::discovery::DiscoveryOutcome {
            url: url.to_string(),
            created: current.is_none() && applied,
            platform: stored,
            applied,
            changes: plan.changes,
            discovered: found.clone(),
            findings: plan.findings,
        })
    }

    /// Reads the OpenID configuration (`url`, else the platform's recorded one) and applies it.
    /// Slow (network): a window should fetch with [`crate::discovery::fetch`] off the UI
    /// thread and call [`Vault::apply_discovery`].
    pub fn discover_platform(
        &mut self,
        platform: &str,
        url: Option<&str>,
        options: crate::discovery::DiscoverOptions,
        registration_token: Option<&str>,
        client: &crate::http::HttpClient,
        now: DateTime<Utc>,
    ) -> Result<crate::discovery::DiscoveryOutcome> {
        let url = self.discovery_url(platform, url)?;
        let found = crate::discovery::fetch_with_token(client, &url, registration_token)?;
        self.apply_discovery(platform, &url, &found, options, now)
    }
}

fn plan_summary(changes: &[crate::discovery::FieldChange]) -> String {
    let applied: Vec<&str> = changes
        .iter()
        .filter(|c| c.applied)
        .map(|c| c.field.as_str())
        .collect();
    if applied.is_empty() {
        "no change".into()
    } else {
        format!("changed {}", applied.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use chrono::Utc;

    use crate::platform::{NewPlatform, PlatformFamily};
    use crate::secret::{api_token_account, SecretStore as _};
    use crate::vault::test_support::vault;

    #[test]
    fn a_token_the_keychain_kept_at_a_platform_removal_goes_at_the_next_status() {
        let (_dir, secrets, mut vault, _tool) = vault();
        let add = |vault: &mut crate::Vault, name: &str| {
            let base = format!("https://{}.example.edu", name.to_lowercase());
            vault
                .add_platform(
                    NewPlatform::from_preset(name, PlatformFamily::Moodle, Some(&base)),
                    Utc::now(),
                )
                .unwrap()
        };
        let gone = add(&mut vault, "Gone");
        let kept = add(&mut vault, "Kept");
        vault
            .set_api_token(&gone.id, "gone-token-1234567890", Utc::now())
            .unwrap();
        vault
            .set_api_token(&kept.id, "kept-token-1234567890", Utc::now())
            .unwrap();
        // Removed while the keychain answers: nothing is left to finish later, so a token
        // stored again under that account (another data directory synced from the same team
        // holds the platform's id) is not taken by a later status.
        let other = add(&mut vault, "Other");
        vault.remove_platform(&other.id, Utc::now()).unwrap();
        let foreign = api_token_account(&other.id);
        secrets.put(&foreign, b"foreign-token").unwrap();

        // The keychain does not answer while the platform is removed: the token stays.
        secrets.fail.store(true, Ordering::SeqCst);
        vault.remove_platform(&gone.id, Utc::now()).unwrap();
        secrets.fail.store(false, Ordering::SeqCst);
        let gone_account = api_token_account(&gone.id);
        assert!(secrets.get(&gone_account).unwrap().is_some());

        // While the keychain still fails, the status says so and removes nothing.
        secrets.fail.store(true, Ordering::SeqCst);
        let status = vault.status("test", Utc::now()).unwrap();
        assert!(!status.keychain_available);
        secrets.fail.store(false, Ordering::SeqCst);
        assert!(secrets.get(&gone_account).unwrap().is_some());

        let status = vault.status("test", Utc::now()).unwrap();
        assert!(status.keychain_available);
        assert!(
            secrets.get(&gone_account).unwrap().is_none(),
            "the removed platform's token is gone"
        );
        assert!(
            vault.has_api_token(&kept.id).unwrap(),
            "a live platform's stays"
        );
        assert!(
            secrets.get(&foreign).unwrap().is_some(),
            "a removal finished at the time is not made again"
        );
        let logged: Vec<String> = vault
            .subject_events(&gone.id)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            logged.last().map(String::as_str),
            Some("API token of a removed platform removed from the keychain"),
            "{logged:?}"
        );
        // Done once: the next status finds nothing more to do, even with the token back.
        secrets.put(&gone_account, b"stored again").unwrap();
        vault.status("test", Utc::now()).unwrap();
        assert!(secrets.get(&gone_account).unwrap().is_some());
        let again = vault.subject_events(&gone.id).unwrap().len();
        assert_eq!(again, logged.len());
    }
}
