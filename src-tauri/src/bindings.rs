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
    use ltikeys_core::{
        AppStatus, GenerateKey, KeyInfo, KeyStatus, KidScheme, NewTool, PrivateKeyState, Tool,
        ToolSummary,
    };
    use ts_rs::Config;

    use super::*;
    use crate::error::IpcError;

    fn generate() -> String {
        let cfg = Config::default();
        let decls = [
            AppStatus::decl(&cfg),
            Tool::decl(&cfg),
            NewTool::decl(&cfg),
            ToolSummary::decl(&cfg),
            KeyStatus::decl(&cfg),
            PrivateKeyState::decl(&cfg),
            KeyInfo::decl(&cfg),
            KidScheme::decl(&cfg),
            GenerateKey::decl(&cfg),
            KeygenStage::decl(&cfg),
            KeygenProgress::decl(&cfg),
            IpcError::decl(&cfg),
        ];
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
}
