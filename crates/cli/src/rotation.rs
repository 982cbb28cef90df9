//! `ltikeys key rotate|retire|revoke` and `ltikeys tool policy`: safe rotation from a terminal.

use std::io::IsTerminal as _;

use chrono::Utc;
use ltikeys_core::rotation::{human, parse_duration};
use ltikeys_core::{Error, KeyInfo, Vault};

use crate::output::{answer, err, errln, outln, print_json};

fn when(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `key rotate`: promote next to current, current to previous.
pub fn rotate(mut vault: Vault, tool: &str, json: bool, dry_run: bool) -> Result<(), Error> {
    let now = Utc::now();
    if dry_run {
        let state = vault.rotation_state(tool, now)?;
        let plan = state.plan.ok_or_else(|| {
            Error::invalid(
                "tool",
                "it has no current key to rotate from",
                "generate its first key with `ltikeys key new`",
            )
        })?;
        if json {
            return print_json(&plan);
        }
        match &plan.promote {
            Some(kid) => outln!("would promote {kid} (next -> current)")?,
            None => outln!("would generate a new key and promote it (next -> current)")?,
        }
        if let Some(kid) = &plan.demote {
            outln!(
                "would demote {kid} (current -> previous, published until {})",
                when(plan.unpublish_after)
            )?;
        }
        for w in &plan.warnings {
            outln!("warning: {w}")?;
        }
        return Ok(());
    }
    let out = vault.rotate(tool, now)?;
    if json {
        return print_json(&out);
    }
    if let Some(kid) = &out.generated {
        outln!("generated {kid} (no next key was waiting)")?;
    }
    outln!("current:  {} (signs from now on)", out.current)?;
    if let Some(kid) = &out.previous {
        outln!(
            "previous: {kid} (still published until {})",
            when(out.unpublish_after)
        )?;
    }
    for w in &out.warnings {
        errln!("warning: {w}");
    }
    for r in &out.reminders {
        outln!("next step: {r}")?;
    }
    Ok(())
}

/// `key retire`.
pub fn retire(
    mut vault: Vault,
    tool: &str,
    kid: &str,
    force: bool,
    json: bool,
) -> Result<(), Error> {
    let info: KeyInfo = vault.retire(tool, kid, Utc::now(), force)?;
    if json {
        return print_json(&info);
    }
    outln!("retired {kid}: it is no longer published")?;
    Ok(())
}

/// `key revoke`: asks for confirmation on a terminal unless `--yes`.
pub fn revoke(mut vault: Vault, tool: &str, kid: &str, yes: bool, json: bool) -> Result<(), Error> {
    if !yes && std::io::stdin().is_terminal() {
        err!("Revoke {kid}? It is unpublished at once and never signs again. Type the kid to confirm: ");
        let answer = answer()?;
        if answer != kid {
            return Err(Error::invalid(
                "confirmation",
                "it did not match the kid",
                "type the kid exactly, or pass --yes",
            ));
        }
    }
    let revocation = vault.revoke(tool, kid, Utc::now())?;
    if json {
        return print_json(&serde_json::json!({
            "revoked": kid,
            "current": revocation.signing,
            "private_key": revocation.private_key,
        }));
    }
    match &revocation.private_key.reason {
        None => {
            outln!("revoked {kid}: unpublished, and its private key removed from the keychain")?
        }
        Some(reason) => {
            outln!("revoked {kid}: unpublished; it never signs again")?;
            errln!(
                "warning: its private key is still in the OS keychain, because {reason}. \
                 It is removed the next time ltikeys or the app starts with the keychain \
                 available (`ltikeys status` does it now)"
            );
        }
    }
    if let Some(new) = revocation.signing {
        outln!("current:  {new} (signs from now on)")?;
        outln!("next step: publish the new JWKS now (`ltikeys jwks --tool {tool}`)")?;
    }
    Ok(())
}

/// `tool policy`: show, or set any of the three durations.
pub fn policy(
    mut vault: Vault,
    tool: &str,
    pre_publish: Option<String>,
    overlap: Option<String>,
    rotate_every: Option<String>,
    json: bool,
) -> Result<(), Error> {
    let mut policy = vault.policy(tool)?;
    let changing = pre_publish.is_some() || overlap.is_some() || rotate_every.is_some();
    if let Some(text) = pre_publish {
        policy.pre_publish_secs = parse_duration("--pre-publish", &text)?;
    }
    if let Some(text) = overlap {
        policy.overlap_secs = parse_duration("--overlap", &text)?;
    }
    if let Some(text) = rotate_every {
        policy.rotate_every_secs = match text.trim() {
            "off" | "never" | "none" => None,
            other => Some(parse_duration("--rotate-every", other)?),
        };
    }
    if changing {
        policy = vault.set_policy(tool, policy, Utc::now())?;
    }
    let state = vault.rotation_state(tool, Utc::now())?;
    if json {
        return print_json(&state);
    }
    outln!("pre-publish:  {}", human(policy.pre_publish_secs))?;
    outln!("overlap:      {}", human(policy.overlap_secs))?;
    outln!(
        "rotate every: {}",
        policy
            .rotate_every_secs
            .map(human)
            .unwrap_or_else(|| "off".into())
    )?;
    if let Some(since) = state.due_since {
        outln!("rotation due since {}", when(since))?;
    }
    for kid in state.retire_ready {
        outln!("{kid}: overlap over, ready to retire")?;
    }
    Ok(())
}
