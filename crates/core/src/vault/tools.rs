//! Tools: adding, listing and changing them, and their Canvas JSON out and in.

use chrono::{DateTime, Utc};

use super::Vault;
use crate::canvas::{self, CanvasConfig, CanvasImported};
use crate::error::Result;
use crate::jwk::Jwk;
use crate::key::KeyStatus;
use crate::tool::{Tool, ToolProfile, ToolSummary};

impl Vault {
    /// Adds a tool after checking every field.
    pub fn add_tool(&mut self, tool: ToolProfile, now: DateTime<Utc>) -> Result<Tool> {
        let tool = tool.validated()?;
        self.store.insert_tool(&tool, now)
    }

    /// All tools.
    pub fn tools(&self) -> Result<Vec<ToolSummary>> {
        self.store.tools()
    }

    /// A tool by id or name.
    pub fn tool(&self, id_or_name: &str) -> Result<Tool> {
        self.store.tool(id_or_name)
    }

    /// Replaces a tool's editable fields after checking every one; its id and keys stay. Start
    /// from the tool's `profile` and change what the user changed. Logs the changed fields.
    pub fn update_tool(
        &mut self,
        tool: &str,
        edit: ToolProfile,
        now: DateTime<Utc>,
    ) -> Result<Tool> {
        let current = self.store.tool(tool)?;
        let edit = edit.validated()?;
        self.store.update_tool(&current.id, &edit, now)
    }

    /// The tool's Canvas developer-key JSON: `public_jwk_url` when the tool has a JWKS URL,
    /// else the public JWK of its current key (an error naming the fix when it has neither).
    pub fn canvas_export(&self, tool: &str) -> Result<CanvasConfig> {
        let tool = self.store.tool(tool)?;
        let current = match tool.profile.jwks_url {
            Some(_) => None,
            None => self
                .store
                .keys(&tool.id)?
                .into_iter()
                .find(|k| k.status == KeyStatus::Current)
                .map(|k| Jwk::new(&k.kid, &k.public)),
        };
        canvas::export(&tool, current.as_ref())
    }

    /// Adds a tool from a Canvas configuration, with what was found on the way (see
    /// [`canvas::import`]): a document with lint errors still imports.
    pub fn import_canvas(
        &mut self,
        doc: &serde_json::Value,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CanvasImported> {
        let imported = canvas::import(doc, name)?;
        let tool = self.store.insert_tool(&imported.tool, now)?;
        Ok(CanvasImported {
            tool,
            findings: imported.findings,
        })
    }
}
