//! The TypeScript types of the IPC, generated from the Rust types; a test keeps
//! `ui/src/lib/ipc/bindings.ts` in step (`UPDATE_BINDINGS=1 cargo test -p ltikeys-app` rewrites it).

use ltikeys_core::KeygenStage;
use serde::Serialize;
use ts_rs::TS;

/// A key-generation progress report, sent over a channel while the key is made.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeygenProgress {
    /// Where generation is.
    pub stage: KeygenStage,
    /// Milliseconds since the command started.
    pub elapsed_ms: u32,
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;
    use std::collections::HashSet;

    use ltikeys_core::lti::Choices;
    use ltikeys_core::{
        AppStatus, CanvasImported, DiscoveryOutcome, Finding, GenerateKey, Handoff, JwksCheck,
        KeyInfo, KidScheme, NewPlatform, NewRegistration, Placement, Platform, PlatformCheck,
        PlatformPage, PlatformUpdate, Policy, Preset, Registration, RegistrationUpdate, Removal,
        Revocation, RotationOutcome, RotationState, Tool, ToolProfile, ToolRemoval, ToolSummary,
    };
    use ts_rs::{Config, TypeVisitor, TS};

    use super::*;
    use crate::error::IpcError;

    /// Collects the declarations of the IPC types and, recursively, of every type they use.
    struct Collect<'a> {
        cfg: &'a Config,
        seen: HashSet<TypeId>,
        decls: Vec<(String, String)>,
    }

    impl TypeVisitor for Collect<'_> {
        fn visit<T: TS + 'static + ?Sized>(&mut self) {
            if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
                return;
            }
            self.decls.push((T::name(self.cfg), T::decl(self.cfg)));
            T::visit_dependencies(self);
        }
    }

    fn generate() -> String {
        let cfg = Config::default();
        let mut c = Collect {
            cfg: &cfg,
            seen: HashSet::new(),
            decls: vec![],
        };
        c.visit::<AppStatus>();
        c.visit::<Tool>();
        c.visit::<ToolProfile>();
        c.visit::<ToolSummary>();
        c.visit::<Placement>();
        c.visit::<KeyInfo>();
        c.visit::<KidScheme>();
        c.visit::<GenerateKey>();
        c.visit::<KeygenProgress>();
        c.visit::<IpcError>();
        c.visit::<Policy>();
        c.visit::<RotationState>();
        c.visit::<RotationOutcome>();
        c.visit::<Revocation>();
        c.visit::<Removal>();
        c.visit::<Finding>();
        c.visit::<JwksCheck>();
        c.visit::<PlatformCheck>();
        c.visit::<Platform>();
        c.visit::<Preset>();
        c.visit::<NewPlatform>();
        c.visit::<PlatformUpdate>();
        c.visit::<DiscoveryOutcome>();
        c.visit::<Registration>();
        c.visit::<PlatformPage>();
        c.visit::<Handoff>();
        c.visit::<CanvasImported>();
        c.visit::<Choices>();
        c.visit::<NewRegistration>();
        c.visit::<RegistrationUpdate>();
        c.visit::<ToolRemoval>();
        c.visit::<crate::commands::platforms::HandoffView>();
        c.visit::<crate::commands::platforms::CheckProgress>();
        c.visit::<crate::commands::save::SaveOutcome>();
        c.visit::<crate::commands::private::PickedPem>();
        c.visit::<crate::commands::private::ImportPem>();
        c.visit::<crate::commands::private::ExportPrivateKey>();
        c.visit::<crate::commands::bundles::BundlePreview>();
        c.visit::<crate::commands::bundles::ExportBundle>();
        c.visit::<crate::commands::bundles::BundleSaved>();
        c.visit::<crate::commands::bundles::PickedBundle>();
        c.visit::<crate::commands::bundles::ImportBundle>();
        c.visit::<ltikeys_core::BundleImported>();
        c.visit::<ltikeys_core::LibraryFormat>();
        c.visit::<ltikeys_core::KeyImported>();
        c.visit::<ltikeys_core::token::ClientAssertion>();
        c.visit::<ltikeys_core::token::TokenTest>();
        c.visit::<ltikeys_core::token::Inspection>();
        c.visit::<ltikeys_core::token::KidSearch>();
        c.visit::<crate::commands::tokens::PickedJwt>();
        c.visit::<ltikeys_core::dynreg::serve::Progress>();
        c.visit::<ltikeys_core::DynregRegistered>();
        c.visit::<crate::commands::canvas::CanvasApiSettings>();
        c.visit::<ltikeys_core::CanvasRegistered>();
        c.visit::<ltikeys_core::CanvasDeploymentsSynced>();
        c.visit::<ltikeys_core::CanvasRegistrationStatus>();
        c.visit::<ltikeys_core::TeamStatus>();
        c.visit::<ltikeys_core::TeamSynced>();
        c.visit::<ltikeys_core::TeamPushed>();
        c.visit::<crate::commands::team::TeamConnect>();
        c.visit::<crate::commands::team::ServerPolicy>();
        // Sorted by declaration (so by name); a generic type is declared once, whatever its uses.
        let mut decls: Vec<String> = c.decls.into_iter().map(|(_, d)| d).collect();
        decls.sort();
        decls.dedup();
        let mut out = String::from(
            "// Generated from the Rust types by ts-rs. Do not edit by hand:\n\
             // run `UPDATE_BINDINGS=1 cargo test -p ltikeys-app bindings` after changing them.\n\n",
        );
        let decls: Vec<String> = decls.iter().map(|d| format!("export {d}\n")).collect();
        out.push_str(&decls.join("\n"));
        out
    }

    #[test]
    fn bindings_match_the_committed_file() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc/bindings.ts");
        let fresh = generate();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/lib/ipc/bindings.ts is out of date with the Rust types; \
             run `UPDATE_BINDINGS=1 cargo test -p ltikeys-app bindings` and commit it"
        );
    }

    /// The answers of `lti_choices` and `platform_presets` as the UI's tests read them, canned
    /// in `ui/src/test/canned/`: the file name and the JSON.
    fn canned() -> [(&'static str, String); 2] {
        /// As the IPC sends it (fields in their declared order), pretty, with a final newline.
        fn pretty(answer: impl Serialize) -> String {
            let mut text = serde_json::to_string_pretty(&answer).unwrap();
            text.push('\n');
            text
        }
        [
            (
                "choices.json",
                pretty(crate::commands::canvas::lti_choices()),
            ),
            (
                "presets.json",
                pretty(crate::commands::platforms::platform_presets()),
            ),
        ]
    }

    #[test]
    fn bindings_canned_answers_match_what_the_commands_answer() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/test/canned");
        let update = std::env::var_os("UPDATE_BINDINGS").is_some();
        for (name, fresh) in canned() {
            let path = dir.join(name);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == fresh,
                "ui/src/test/canned/{name} is out of date with what the command answers; \
                 run `UPDATE_BINDINGS=1 cargo test -p ltikeys-app bindings` and commit it"
            );
        }
    }

    #[test]
    fn every_type_the_bindings_name_is_declared() {
        let text = generate();
        for (name, needed) in [
            ("Tool", "Placement"),
            ("JwksCheck", "Finding"),
            ("Finding", "Severity"),
        ] {
            assert!(
                text.contains(&format!("export type {needed} ")),
                "{name} needs {needed}"
            );
        }
    }
}
