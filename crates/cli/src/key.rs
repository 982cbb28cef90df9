//! `ltikeys key …`: generate, import, list, export, rotate, retire, revoke and delete keys.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use ltikeys_core::file::read_capped;
use ltikeys_core::{Error, GenerateKey, KeyInfo, KeyStatus, KidScheme, Remedy, Vault};
use zeroize::Zeroizing;

use crate::output::{self, answer, err, errln, outln, print_json, time, word};

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Generate a key; prints its kid.
    New {
        #[arg(long)]
        tool: String,
        /// Modulus size: 2048, 3072 or 4096.
        #[arg(long, default_value_t = 2048)]
        bits: u32,
        #[arg(long, default_value = "thumbprint", value_parser = ["thumbprint", "timestamp", "uuid"])]
        kid_scheme: String,
        /// A custom kid instead of the scheme's.
        #[arg(long, allow_hyphen_values = true)]
        kid: Option<String>,
        /// Add it as the next key (published, not signing); the tool must have a current key.
        #[arg(long)]
        next: bool,
    },
    /// Rotate: the next key signs from now on, the current key stays published as previous.
    Rotate {
        #[arg(long)]
        tool: String,
        /// Show what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Retire a previous key (unpublish it) once its overlap window is over.
    Retire {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// Retire it even inside its overlap window.
        #[arg(long)]
        force: bool,
    },
    /// Revoke a key: unpublished at once, never signs again.
    Revoke {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// List a tool's keys.
    List {
        #[arg(long)]
        tool: String,
    },
    /// Import a PEM private key (PKCS#1, PKCS#8 or encrypted PKCS#8); prints its kid.
    Import {
        #[arg(long)]
        tool: String,
        #[arg(long, value_name = "FILE")]
        pem: PathBuf,
        /// The kid to file it under (default: its RFC 7638 thumbprint).
        #[arg(long, allow_hyphen_values = true)]
        kid: Option<String>,
        #[arg(long, default_value = "thumbprint", value_parser = ["thumbprint", "timestamp", "uuid"])]
        kid_scheme: String,
        /// A file holding the passphrase of an encrypted key.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Write a private key as PKCS#8 PEM, encrypted with a passphrase unless --unencrypted.
    ExportPrivate {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "unencrypted",
            required_unless_present = "unencrypted"
        )]
        passphrase_file: Option<PathBuf>,
        /// Write the key in the clear (anyone who can read the file can sign as the tool).
        #[arg(long)]
        unencrypted: bool,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Delete a key and its keychain entry.
    Delete {
        #[arg(long)]
        tool: String,
        #[arg(long, allow_hyphen_values = true)]
        kid: String,
    },
}

/// The largest PEM file read: a PEM private key is a few KB.
const PEM_LIMIT: u64 = 1024 * 1024;
/// The largest passphrase file read.
const PASSPHRASE_LIMIT: u64 = 64 * 1024;

pub(crate) fn read_passphrase(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut bytes = Zeroizing::new(read_capped(
        path,
        PASSPHRASE_LIMIT,
        "--passphrase-file",
        "a passphrase file holds one passphrase: check you gave the right file",
    )?);
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    if bytes.is_empty() {
        return Err(Error::invalid(
            "--passphrase-file",
            format!("{} is empty", path.display()),
            "put the passphrase in the file",
        ));
    }
    Ok(bytes)
}

fn print_key(info: &KeyInfo, json: bool) -> Result<(), Error> {
    if json {
        print_json(info)
    } else {
        outln!("{}", info.key.kid)
    }
}

pub fn run(mut vault: Vault, cmd: KeyCommand, json: bool) -> Result<(), Error> {
    match cmd {
        KeyCommand::New {
            tool,
            bits,
            kid_scheme,
            kid,
            next,
        } => {
            if next
                && !vault
                    .keys(&tool)?
                    .iter()
                    .any(|k| k.key.status == KeyStatus::Current)
            {
                return Err(Error::invalid(
                    "--next",
                    "the tool has no current key for a next key to follow",
                    "generate its first key without --next",
                ));
            }
            let request = GenerateKey {
                tool,
                bits,
                kid_scheme: kid_scheme.parse::<KidScheme>()?,
                kid,
            };
            let info = vault.generate_key(&request, Utc::now(), &mut |_| {})?;
            let jwk = vault.jwk(&request.tool, &info.key.kid)?;
            if let Some(problem) = ltikeys_core::registration::library::pylti1p3_kid_problem(&jwk) {
                errln!(
                    "note: a tool built on pylti1.3 cannot sign with this key: {problem}; for \
                     such a tool use --kid-scheme thumbprint (the default)"
                );
            }
            print_key(&info, json)?;
        }
        KeyCommand::List { tool } => {
            let keys = vault.keys(&tool)?;
            if json {
                return print_json(&keys);
            }
            outln!(
                "{:<45} {:<9} {:>5}  {:<25} PRIVATE",
                "KID",
                "STATUS",
                "BITS",
                "CREATED"
            )?;
            for k in keys {
                outln!(
                    "{:<45} {:<9} {:>5}  {:<25} {}",
                    k.key.kid,
                    k.key.status.as_str(),
                    k.key.bits,
                    time(k.key.created_at),
                    serde_json::to_value(k.private_key)
                        .ok()
                        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                        .unwrap_or_default()
                )?;
            }
        }
        KeyCommand::Import {
            tool,
            pem,
            kid,
            kid_scheme,
            passphrase_file,
        } => {
            let bytes = Zeroizing::new(read_capped(
                &pem,
                PEM_LIMIT,
                "--pem",
                "a PEM private key is a few KB: check you gave the right file",
            )?);
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                Error::invalid(
                    "--pem",
                    format!("{} is not a text file", pem.display()),
                    "give a PEM file, the kind that starts with -----BEGIN",
                )
            })?;
            let passphrase = passphrase_file
                .as_deref()
                .map(read_passphrase)
                .transpose()?;
            let imported = vault.import_key(
                &tool,
                text,
                passphrase.as_ref().map(|p| p.as_slice()),
                kid.as_deref(),
                kid_scheme.parse()?,
                Utc::now(),
            )?;
            for note in &imported.notes {
                errln!("note: {note}");
            }
            if json {
                print_json(&imported)?;
            } else {
                print_key(&imported.key, json)?;
            }
        }
        KeyCommand::ExportPrivate {
            tool,
            kid,
            out,
            passphrase_file,
            unencrypted,
            force,
        } => {
            let passphrase = match (&passphrase_file, unencrypted) {
                (Some(path), _) => Some(read_passphrase(path)?),
                (None, true) => None,
                (None, false) => return Err(Error::invalid(
                    "--passphrase-file",
                    "no passphrase was given",
                    "pass --passphrase-file FILE, or --unencrypted to write the key in the clear",
                )),
            };
            // Before the keychain is asked for the key.
            ltikeys_core::file::check_target(&out, force)?;
            vault.export_private(
                &tool,
                &kid,
                passphrase.as_ref().map(|p| p.as_slice()),
                &out,
                force,
                Utc::now(),
            )?;
            let how = if unencrypted {
                "unencrypted"
            } else {
                "encrypted"
            };
            errln!("wrote the {how} private key of {kid} to {}", out.display());
        }
        KeyCommand::Rotate { tool, dry_run } => rotate(vault, &tool, json, dry_run)?,
        KeyCommand::Retire { tool, kid, force } => retire(vault, &tool, &kid, force, json)?,
        KeyCommand::Revoke { tool, kid, yes } => revoke(vault, &tool, &kid, yes, json)?,
        KeyCommand::Delete { tool, kid } => {
            let removal = vault.delete_key(&tool, &kid, Utc::now())?;
            match removal.reason {
                None => errln!("deleted key {kid}"),
                Some(reason) => errln!("deleted key {kid}; warning: {}", removed_later(&reason)),
            }
        }
    }
    Ok(())
}

/// `key rotate`: promote next to current, current to previous.
fn rotate(mut vault: Vault, tool: &str, json: bool, dry_run: bool) -> Result<(), Error> {
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
                time(plan.unpublish_after)
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
            time(out.unpublish_after)
        )?;
    }
    for w in &out.warnings {
        errln!("warning: {w}");
    }
    for step in out.reminders.iter().filter_map(reminder) {
        outln!("next step: {step}")?;
    }
    Ok(())
}

/// What to deploy after a rotation, with the command that does it.
fn reminder(remedy: &Remedy) -> Option<String> {
    Some(match remedy {
        Remedy::PublishJwks {
            tool: Some(tool),
            jwks_url,
        } => format!(
            "Publish the new JWKS{} now (`ltikeys jwks --tool {}`).",
            jwks_url
                .as_deref()
                .map(|url| format!(" at {url}"))
                .unwrap_or_default(),
            word(tool)
        ),
        Remedy::CheckJwks { url, tool } => format!(
            "Then check it with `ltikeys check jwks {}{}`.",
            word(url),
            tool.as_deref()
                .map(|tool| format!(" --expect-tool {}", word(tool)))
                .unwrap_or_default()
        ),
        Remedy::PasteJwk { tool, kid } => format!(
            "This tool has no JWKS URL, so platforms hold a pasted public key: update the Canvas \
             developer key's public JWK to kid {kid} (`ltikeys jwk --tool {} --kid {}`), or \
             tokens signed from now on will fail with \"JWS signature invalid\".",
            word(tool),
            word(kid)
        ),
        other => return output::command(other),
    })
}

/// `key retire`.
fn retire(mut vault: Vault, tool: &str, kid: &str, force: bool, json: bool) -> Result<(), Error> {
    let info: KeyInfo = vault.retire(tool, kid, Utc::now(), force)?;
    if json {
        return print_json(&info);
    }
    outln!("retired {kid}: it is no longer published")?;
    Ok(())
}

/// `key revoke`: asks for confirmation on a terminal unless `--yes`.
fn revoke(mut vault: Vault, tool: &str, kid: &str, yes: bool, json: bool) -> Result<(), Error> {
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
            errln!("warning: {}", removed_later(reason));
        }
    }
    if let Some(new) = revocation.signing {
        outln!("current:  {new} (signs from now on)")?;
        outln!("next step: publish the new JWKS now (`ltikeys jwks --tool {tool}`)")?;
    }
    Ok(())
}

/// Says that a private key the keychain would not remove (`reason`) is removed later.
pub fn removed_later(reason: &str) -> String {
    format!(
        "its private key is still in the OS keychain, because {reason}. It is removed the next \
         time ltikeys or the app starts with the keychain available (`ltikeys status` does it now)"
    )
}
