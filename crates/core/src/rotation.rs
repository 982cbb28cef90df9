//! Rotation rules: the key status machine (next → current → previous → retired, revoked from
//! any) and the policy that times it. Pure functions of the keys, the policy and `now`.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::key::{KeyRecord, KeyStatus};

/// When a tool's keys move. Durations are whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Policy {
    /// How long a next key must be published before it may sign.
    #[ts(type = "number")]
    pub pre_publish_secs: i64,
    /// How long a previous key stays published after it stops signing.
    #[ts(type = "number")]
    pub overlap_secs: i64,
    /// After how long a current key is due for rotation, if ever.
    #[ts(type = "number | null")]
    pub rotate_every_secs: Option<i64>,
}

impl Default for Policy {
    /// A day's pre-publication (covers a day of JWKS caching), a week's overlap, no period.
    fn default() -> Self {
        Policy {
            pre_publish_secs: 86_400,
            overlap_secs: 604_800,
            rotate_every_secs: None,
        }
    }
}

impl Policy {
    /// Checks the durations.
    pub fn validated(self) -> Result<Self> {
        let day = 86_400;
        if !(0..=365 * day).contains(&self.pre_publish_secs) {
            return Err(Error::invalid(
                "pre-publish",
                "must be between 0 and 365 days",
                "give a duration such as 24h or 2d",
            ));
        }
        if !(0..=365 * day).contains(&self.overlap_secs) {
            return Err(Error::invalid(
                "overlap",
                "must be between 0 and 365 days",
                "give a duration such as 7d",
            ));
        }
        if let Some(every) = self.rotate_every_secs {
            if !(day..=10 * 365 * day).contains(&every) {
                return Err(Error::invalid(
                    "rotate-every",
                    "must be between 1 day and 10 years",
                    "give a duration such as 90d, or `off`",
                ));
            }
        }
        Ok(self)
    }

    fn pre_publish(&self) -> TimeDelta {
        TimeDelta::seconds(self.pre_publish_secs)
    }

    fn overlap(&self) -> TimeDelta {
        TimeDelta::seconds(self.overlap_secs)
    }
}

/// What a rotation does, worked out before it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RotationPlan {
    /// The next key that becomes current; `None` when a new key must be generated first.
    pub promote: Option<String>,
    /// The current key that becomes previous.
    pub demote: Option<String>,
    /// When the demoted key may be unpublished.
    #[ts(type = "string")]
    pub unpublish_after: DateTime<Utc>,
    /// Whether the next key signs before it has been published for the pre-publish lead time.
    pub lead_time_skipped: bool,
    /// When the promoted key would have been safe to sign with.
    #[ts(type = "string | null")]
    pub safe_from: Option<DateTime<Utc>>,
    /// Plain-words warnings to show before and after.
    pub warnings: Vec<String>,
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The key that a rotation promotes: the oldest published `next` key.
pub fn next_key(keys: &[KeyRecord]) -> Option<&KeyRecord> {
    keys.iter()
        .filter(|k| k.status == KeyStatus::Next)
        .min_by_key(|k| (k.published_at, k.created_at))
}

/// The current key.
pub fn current_key(keys: &[KeyRecord]) -> Option<&KeyRecord> {
    keys.iter().find(|k| k.status == KeyStatus::Current)
}

/// Works out what `rotate` will do now.
pub fn plan_rotation(
    keys: &[KeyRecord],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<RotationPlan> {
    let current = current_key(keys).ok_or_else(|| {
        Error::invalid(
            "tool",
            "it has no current key to rotate from",
            "generate its first key",
        )
    })?;
    let next = next_key(keys);
    let mut warnings = vec![];
    let (lead_time_skipped, safe_from) = match next {
        None => {
            warnings.push(format!(
                "no next key was published: a new key is generated and signs at once, skipping \
                 the pre-publish lead time ({}). Platforms that cached the JWKS will not know its \
                 kid until they fetch it again; publish the new JWKS right away",
                human(policy.pre_publish_secs)
            ));
            (true, Some(now + policy.pre_publish()))
        }
        Some(next) => {
            let safe = next.published_at + policy.pre_publish();
            if safe > now {
                warnings.push(format!(
                    "next key {} has been published only since {}; the pre-publish lead time ({}) \
                     ends at {}. Platforms that cached the JWKS before may fail with KidNotFound \
                     until then",
                    next.kid,
                    when(next.published_at),
                    human(policy.pre_publish_secs),
                    when(safe)
                ));
                (true, Some(safe))
            } else {
                (false, None)
            }
        }
    };
    Ok(RotationPlan {
        promote: next.map(|k| k.kid.clone()),
        demote: Some(current.kid.clone()),
        unpublish_after: now + policy.overlap(),
        lead_time_skipped,
        safe_from,
        warnings,
    })
}

/// Checks that a key may be retired now. Only a `previous` key retires, and not inside its
/// overlap window unless forced.
pub fn check_retire(key: &KeyRecord, now: DateTime<Utc>, force: bool) -> Result<()> {
    match key.status {
        KeyStatus::Previous => {}
        KeyStatus::Retired => {
            return Err(Error::invalid(
                "kid",
                format!("key {} is already retired", key.kid),
                "nothing to do",
            ))
        }
        other => {
            return Err(Error::invalid(
                "kid",
                format!(
                    "key {} is {}; only a previous key can be retired",
                    key.kid,
                    other.as_str()
                ),
                "rotate first, or revoke the key if it is compromised",
            )
            .at("kid"))
        }
    }
    match key.unpublish_after {
        Some(until) if until > now && !force => Err(Error::RetireTooEarly {
            kid: key.kid.clone(),
            until: when(until),
        }),
        _ => Ok(()),
    }
}

/// Checks that a key may be revoked.
pub fn check_revoke(key: &KeyRecord) -> Result<()> {
    if key.status == KeyStatus::Revoked {
        return Err(Error::invalid(
            "kid",
            format!("key {} is already revoked", key.kid),
            "nothing to do",
        ));
    }
    Ok(())
}

/// Since when the tool has been due for rotation, if it is.
pub fn rotation_due(
    keys: &[KeyRecord],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let every = TimeDelta::seconds(policy.rotate_every_secs?);
    let current = current_key(keys)?;
    let due = current.signing_from.unwrap_or(current.created_at) + every;
    (due <= now).then_some(due)
}

/// Previous keys whose overlap window is over: safe to retire.
pub fn retire_ready(keys: &[KeyRecord], now: DateTime<Utc>) -> Vec<&KeyRecord> {
    keys.iter()
        .filter(|k| k.status == KeyStatus::Previous && k.unpublish_after.is_none_or(|t| t <= now))
        .collect()
}

/// A duration in the largest whole unit: `7d`, `36h`, `90m`, `45s`.
pub fn human(secs: i64) -> String {
    match secs {
        0 => "0s".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Parses a duration such as `24h`, `7d`, `2w`, `90m` or `1d12h`.
pub fn parse_duration(field: &str, text: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(
            field,
            format!("'{text}' is not a duration"),
            "use a number with a unit: s, m, h, d or w (e.g. 24h, 7d, 1d12h)",
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::PublicKey;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn key(kid: &str, status: KeyStatus, published: &str) -> KeyRecord {
        KeyRecord {
            tool_id: "t".into(),
            kid: kid.into(),
            alg: "RS256".into(),
            bits: 2048,
            public: PublicKey::from_components(&[0xc0; 256], &[1, 0, 1]),
            status,
            created_at: t(published),
            published_at: t(published),
            signing_from: (status == KeyStatus::Current).then(|| t(published)),
            signing_to: None,
            unpublish_after: None,
            retired_at: None,
            revoked_at: None,
            public_only: false,
        }
    }

    #[test]
    fn plan_promotes_the_oldest_next_and_demotes_current() {
        let keys = [
            key("cur", KeyStatus::Current, "2026-01-01T00:00:00Z"),
            key("n2", KeyStatus::Next, "2026-01-03T00:00:00Z"),
            key("n1", KeyStatus::Next, "2026-01-02T00:00:00Z"),
        ];
        let now = t("2026-01-10T00:00:00Z");
        let plan = plan_rotation(&keys, &Policy::default(), now).unwrap();
        assert_eq!(plan.promote.as_deref(), Some("n1"));
        assert_eq!(plan.demote.as_deref(), Some("cur"));
        assert_eq!(
            plan.unpublish_after,
            t("2026-01-17T00:00:00Z"),
            "a week of overlap"
        );
        assert!(!plan.lead_time_skipped);
        assert!(plan.warnings.is_empty());
    }

    #[test]
    fn plan_says_when_the_lead_time_is_skipped() {
        let now = t("2026-01-10T12:00:00Z");
        let young = [
            key("cur", KeyStatus::Current, "2026-01-01T00:00:00Z"),
            key("n1", KeyStatus::Next, "2026-01-10T00:00:00Z"),
        ];
        let plan = plan_rotation(&young, &Policy::default(), now).unwrap();
        assert!(plan.lead_time_skipped);
        assert_eq!(plan.safe_from, Some(t("2026-01-11T00:00:00Z")));
        assert!(
            plan.warnings[0].contains("2026-01-11T00:00:00Z"),
            "{:?}",
            plan.warnings
        );

        let none = [key("cur", KeyStatus::Current, "2026-01-01T00:00:00Z")];
        let plan = plan_rotation(&none, &Policy::default(), now).unwrap();
        assert_eq!(plan.promote, None, "a new key must be generated");
        assert!(plan.lead_time_skipped);
        assert!(plan.warnings[0].contains("skipping the pre-publish lead time"));

        assert!(
            plan_rotation(&[], &Policy::default(), now).is_err(),
            "nothing to rotate"
        );
    }

    #[test]
    fn retire_refuses_inside_the_overlap_unless_forced() {
        let mut prev = key("p", KeyStatus::Previous, "2026-01-01T00:00:00Z");
        prev.unpublish_after = Some(t("2026-01-08T00:00:00Z"));
        let inside = t("2026-01-07T23:59:59Z");
        let err = check_retire(&prev, inside, false).unwrap_err();
        assert_eq!(err.kind(), "retire_too_early", "{err}");
        let err = err.to_string();
        assert!(
            err.contains("2026-01-08T00:00:00Z") && err.contains("retire it anyway"),
            "{err}"
        );
        check_retire(&prev, inside, true).unwrap();
        check_retire(&prev, t("2026-01-08T00:00:00Z"), false).unwrap();
        assert_eq!(retire_ready(std::slice::from_ref(&prev), inside).len(), 0);
        assert_eq!(
            retire_ready(std::slice::from_ref(&prev), t("2026-01-09T00:00:00Z")).len(),
            1
        );
    }

    #[test]
    fn only_previous_keys_retire() {
        let now = t("2026-02-01T00:00:00Z");
        for status in [
            KeyStatus::Next,
            KeyStatus::Current,
            KeyStatus::Retired,
            KeyStatus::Revoked,
        ] {
            let err =
                check_retire(&key("k", status, "2026-01-01T00:00:00Z"), now, true).unwrap_err();
            assert_eq!(err.kind(), "invalid", "{status:?}");
        }
    }

    #[test]
    fn revoke_from_every_state_but_revoked() {
        for status in [
            KeyStatus::Next,
            KeyStatus::Current,
            KeyStatus::Previous,
            KeyStatus::Retired,
        ] {
            check_revoke(&key("k", status, "2026-01-01T00:00:00Z")).unwrap();
        }
        assert!(check_revoke(&key("k", KeyStatus::Revoked, "2026-01-01T00:00:00Z")).is_err());
    }

    #[test]
    fn rotation_due_after_the_period() {
        let keys = [key("cur", KeyStatus::Current, "2026-01-01T00:00:00Z")];
        let mut policy = Policy::default();
        assert_eq!(
            rotation_due(&keys, &policy, t("2027-01-01T00:00:00Z")),
            None,
            "no period, never due"
        );
        policy.rotate_every_secs = Some(90 * 86_400);
        assert_eq!(
            rotation_due(&keys, &policy, t("2026-03-31T23:59:59Z")),
            None
        );
        assert_eq!(
            rotation_due(&keys, &policy, t("2026-04-01T00:00:00Z")),
            Some(t("2026-04-01T00:00:00Z"))
        );
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("overlap", "7d").unwrap(), 604_800);
        assert_eq!(parse_duration("overlap", "1d12h").unwrap(), 129_600);
        assert_eq!(parse_duration("overlap", "90m").unwrap(), 5_400);
        assert_eq!(parse_duration("overlap", "2w").unwrap(), 1_209_600);
        for bad in ["", "7", "d", "7x", "-1d", "99999999999999999999d"] {
            let err = parse_duration("overlap", bad).unwrap_err().to_string();
            assert!(err.starts_with("overlap:"), "{bad}: {err}");
        }
        assert_eq!(human(604_800), "7d");
        assert_eq!(human(129_600), "36h");
        assert!(Policy {
            rotate_every_secs: Some(60),
            ..Policy::default()
        }
        .validated()
        .is_err());
        assert!(Policy {
            overlap_secs: -1,
            ..Policy::default()
        }
        .validated()
        .is_err());
    }
}
