//! `ltikeys team`: connect a data directory to a team's OpenBao (or Vault), see where it
//! stands, sync, push a tool into the team, and print the policy of a tool's server.

use std::path::PathBuf;

use chrono::Utc;
use clap::Subcommand;
use ltikeys_core::team::Credential;
use ltikeys_core::{Error, Vault};

use crate::canvas::read_secret_file;
use crate::output::{self, errln, outln, plural, print_json};

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Connect this data directory to a team: the server's address, the KV mount and a
    /// credential (kept in the OS keychain, never in the database).
    Connect {
        /// The server, e.g. https://bao.example.edu:8200 (http only on this machine).
        url: String,
        /// The KV v2 mount of the team's documents.
        #[arg(long, default_value = ltikeys_core::team::DEFAULT_MOUNT)]
        mount: String,
        /// The file holding the OpenBao token (`-` for stdin).
        #[arg(long, required_unless_present = "role_id", conflicts_with = "role_id")]
        token_file: Option<PathBuf>,
        /// Log in with this AppRole role id instead of a token (with --secret-id-file).
        #[arg(long, requires = "secret_id_file")]
        role_id: Option<String>,
        /// The file holding the AppRole's secret id (`-` for stdin).
        #[arg(long, requires = "role_id")]
        secret_id_file: Option<PathBuf>,
        /// The name your writes carry (default: the OS user).
        #[arg(long = "as", value_name = "NAME")]
        actor: Option<String>,
    },
    /// Show the connection, whether the server answers, and what changed here since the last
    /// sync.
    Status,
    /// Bring changes from the team here and send this data directory's changes (check-and-set:
    /// a document changed on both sides is reported, never overwritten).
    Sync,
    /// Move a tool into the team: its keys into Transit (then out of this machine's keychain),
    /// its profile, keys, registrations and platforms into KV.
    Push {
        /// Tool id or name.
        #[arg(long)]
        tool: String,
        /// Let the team export the tool's private keys from Transit later (cannot be undone).
        #[arg(long)]
        exportable: bool,
        /// Do not ask before removing the private keys from this machine's keychain.
        #[arg(long)]
        yes: bool,
    },
    /// Print the OpenBao policy of a tool's server (sign with its key, read its documents; no
    /// export, no writes), or with --admin the admins' policy, and write it to the server.
    Policy {
        /// Tool id or name.
        #[arg(long, required_unless_present = "admin", conflicts_with = "admin")]
        tool: Option<String>,
        /// The admins' policy instead (every document; the tools' keys without export).
        #[arg(long)]
        admin: bool,
        /// Only print it.
        #[arg(long)]
        no_write: bool,
    },
}

pub fn run(mut vault: Vault, cmd: TeamCommand, json: bool) -> Result<(), Error> {
    match cmd {
        TeamCommand::Connect {
            url,
            mount,
            token_file,
            role_id,
            secret_id_file,
            actor,
        } => {
            let credential = match (token_file, role_id, secret_id_file) {
                (Some(file), _, _) => Credential::Token(
                    read_secret_file(
                        &file,
                        "give a file holding only the OpenBao (or Vault) token",
                    )?
                    .to_string(),
                ),
                (None, Some(role_id), Some(file)) => Credential::AppRole {
                    role_id,
                    secret_id: read_secret_file(
                        &file,
                        "give a file holding only the AppRole's secret id",
                    )?
                    .to_string(),
                },
                _ => {
                    return Err(Error::invalid(
                        "credential",
                        "no credential was given",
                        "give --token-file, or --role-id with --secret-id-file",
                    ))
                }
            };
            let status =
                vault.team_connect(&url, &mount, actor.as_deref(), credential, Utc::now())?;
            if json {
                return print_json(&status);
            }
            errln!(
                "connected to {} (mount {}/) as {}",
                status.team.address,
                status.team.mount,
                status.team.actor
            );
            if let Some(identity) = &status.identity {
                errln!("credential: {identity}");
            }
        }
        TeamCommand::Status => {
            let status = vault.team_status()?;
            if json {
                return print_json(&status);
            }
            outln!("server:     {}", status.team.address)?;
            outln!(
                "mount:      {}/ (Transit: {}/)",
                status.team.mount,
                status.team.transit_mount
            )?;
            outln!("you:        {}", status.team.actor)?;
            match (&status.identity, &status.problem) {
                (Some(identity), _) => outln!("credential: {identity}")?,
                (None, Some(problem)) => outln!("server:     NOT REACHABLE: {problem}")?,
                (None, None) => {}
            }
            outln!(
                "last sync:  {}",
                status.team.synced_at.map_or("never".into(), output::time)
            )?;
            let docs: Vec<String> = status
                .documents
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect();
            outln!(
                "shared:     {}",
                if docs.is_empty() {
                    "nothing yet".into()
                } else {
                    docs.join(", ")
                }
            )?;
            if status.local_changes.is_empty() {
                outln!("changed here since the last sync: nothing")?;
            } else {
                outln!("changed here since the last sync (sent at the next sync):")?;
                for path in &status.local_changes {
                    outln!("  {path}")?;
                }
            }
        }
        TeamCommand::Sync => {
            let synced = vault.team_sync(Utc::now())?;
            let conflicted = !synced.conflicts.is_empty();
            if json {
                print_json(&synced)?;
            } else {
                for path in &synced.pulled {
                    outln!("pulled  {path}")?;
                }
                for path in &synced.pushed {
                    outln!("pushed  {path}")?;
                }
                for c in &synced.conflicts {
                    outln!(
                        "CONFLICT {}: {} changed it at {} (version {}) and it changed here too; \
                         neither side was overwritten",
                        c.path,
                        c.by,
                        c.at,
                        c.version
                    )?;
                }
                errln!(
                    "{} pulled, {} pushed, {} unchanged, {}",
                    synced.pulled.len(),
                    synced.pushed.len(),
                    synced.unchanged,
                    plural(synced.conflicts.len(), "conflict")
                );
            }
            if conflicted {
                return Err(Error::invalid(
                    "sync",
                    format!(
                        "{} changed both here and in the team",
                        plural(synced.conflicts.len(), "document")
                    ),
                    "look at each one, make the change again on the team's version (sync brought \
                     nothing over it), then sync again",
                ));
            }
        }
        TeamCommand::Push {
            tool,
            exportable,
            yes,
        } => {
            let local_keys: Vec<String> = vault
                .keys(&tool)?
                .into_iter()
                .filter(|k| k.private_key == ltikeys_core::PrivateKeyState::Present)
                .map(|k| format!("{} ({})", k.key.kid, k.key.status.as_str()))
                .collect();
            if !yes && !local_keys.is_empty() {
                output::confirm(
                    "push",
                    "the private keys in this machine's keychain",
                    &local_keys,
                    "These private keys go into the team's Transit key and are then removed from \
                     this machine's keychain. Go on?",
                )?;
            }
            let pushed = vault.team_push(&tool, exportable, Utc::now())?;
            if json {
                return print_json(&pushed);
            }
            for (kid, version) in &pushed.imported {
                outln!("key {kid} -> {} version {version}", pushed.transit_key)?;
            }
            for path in &pushed.written {
                outln!("wrote {path}")?;
            }
            errln!(
                "tool '{}' is in the team; {} removed from this machine's keychain",
                pushed.tool,
                plural(pushed.removed_from_keychain.len(), "private key")
            );
        }
        TeamCommand::Policy {
            tool,
            admin,
            no_write,
        } => {
            let (name, hcl) = match tool {
                Some(tool) if !admin => vault.team_policy(&tool, !no_write)?,
                _ => vault.team_admin_policy(!no_write)?,
            };
            if json {
                return print_json(
                    &serde_json::json!({"name": name, "policy": hcl, "written": !no_write}),
                );
            }
            outln!("{}", hcl.trim_end())?;
            if no_write {
                errln!("not written; write it with: bao policy write {name} <this file>");
            } else {
                errln!("written as policy {name}; give the tool's server a token with it, e.g.: bao token create -policy={name}");
            }
        }
    }
    Ok(())
}
