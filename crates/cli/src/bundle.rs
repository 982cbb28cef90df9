//! `ltikeys bundle …`: a registration's bundle for a colleague, out and back in.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use ltikeys_core::bundle::{BundlePlan, PlanAction, RecordPlan};
use ltikeys_core::{Error, Vault};

use crate::key::read_passphrase;
use crate::output::{outln, plural, print_json};

#[derive(Subcommand)]
pub enum BundleCommand {
    /// Write a registration's bundle: a folder, or a zip when the path ends in .zip (prints
    /// the files; with --json, what was written).
    Export {
        /// The registration's id.
        registration: String,
        /// The new folder, or the .zip file, to write.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Put the tool's current private key in too, encrypted with --passphrase-file.
        #[arg(long, requires = "passphrase_file")]
        include_private: bool,
        /// A file holding the passphrase that encrypts the private key.
        #[arg(long, value_name = "FILE", requires = "include_private")]
        passphrase_file: Option<PathBuf>,
        /// Replace an existing zip.
        #[arg(long)]
        force: bool,
    },
    /// Import a bundle: checksums first, then what would change, then all of it in one
    /// transaction (or, with --dry-run, nothing).
    Import {
        /// The bundle's folder or .zip.
        path: PathBuf,
        /// A file holding the passphrase of the private key in the bundle.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Show what would be written, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn run(mut vault: Vault, cmd: BundleCommand, json: bool) -> Result<(), Error> {
    let now = Utc::now();
    match cmd {
        BundleCommand::Export {
            registration,
            out,
            include_private,
            passphrase_file,
            force,
        } => {
            let passphrase = match (include_private, &passphrase_file) {
                (true, Some(path)) => Some(read_passphrase(path)?),
                _ => None,
            };
            let created_by = format!("ltikeys {}", env!("CARGO_PKG_VERSION"));
            let exported = vault.export_bundle(
                &registration,
                &out,
                passphrase.as_ref().map(|p| p.as_slice()),
                force,
                &created_by,
                now,
            )?;
            if json {
                return print_json(&exported);
            }
            let kind = if exported.zip { "zip" } else { "folder" };
            outln!(
                "wrote {} ({kind}, {} plus bundle.json)",
                out.display(),
                plural(exported.files.len(), "file")
            )?;
            for file in &exported.files {
                outln!("  {}  {}", file.path, file.what)?;
            }
            for omitted in &exported.omitted {
                outln!("not included: {}: {}", omitted.path, omitted.reason)?;
            }
            Ok(())
        }
        BundleCommand::Import {
            path,
            passphrase_file,
            dry_run,
        } => {
            let passphrase = passphrase_file
                .as_deref()
                .map(read_passphrase)
                .transpose()?;
            let imported = vault.import_bundle(
                &path,
                passphrase.as_ref().map(|p| p.as_slice()),
                dry_run,
                now,
            )?;
            if json {
                return print_json(&imported);
            }
            print_plan(&path, &imported.plan)?;
            if !imported.plan.writes {
                outln!("nothing to import: everything in the bundle is here already")
            } else if imported.written {
                outln!(
                    "imported: registration {}",
                    imported.registration_id.as_deref().unwrap_or("?")
                )
            } else {
                outln!("dry run: nothing was written")
            }
        }
    }
}

fn print_plan(path: &Path, plan: &BundlePlan) -> Result<(), Error> {
    outln!(
        "bundle {} ({}, {})",
        path.display(),
        plan.created_by,
        crate::output::time(plan.created_at)
    )?;
    record("tool", &plan.tool)?;
    record("platform", &plan.platform)?;
    record("registration", &plan.registration)?;
    for id in &plan.deployments_added {
        outln!("  deployment {id}: added")?;
    }
    for key in &plan.keys {
        let what = match (key.action, key.private_key) {
            (PlanAction::Match, _) => "here already",
            (PlanAction::Create, true) => "added, with its private key",
            (PlanAction::Create, false) => "added, public only (it publishes, never signs here)",
        };
        outln!("  key {} ({}): {what}", key.kid, key.status.as_str())?;
    }
    if plan.checks > 0 {
        outln!("  {} added", plural(plan.checks as usize, "check result"))?;
    }
    for note in &plan.notes {
        outln!("note: {note}")?;
    }
    Ok(())
}

fn record(what: &str, plan: &RecordPlan) -> Result<(), Error> {
    match plan.action {
        PlanAction::Create => outln!("  {what} {}: created", plan.name),
        PlanAction::Match => {
            outln!(
                "  {what} {}: here already (matched by {}){}",
                plan.name,
                plan.matched_by.as_deref().unwrap_or("?"),
                if plan.differences.is_empty() {
                    ""
                } else {
                    "; it differs, and is kept as it is here:"
                }
            )?;
            for d in &plan.differences {
                outln!(
                    "    {}: here {}, in the bundle {}",
                    d.field,
                    d.here,
                    d.bundle
                )?;
            }
            Ok(())
        }
    }
}
