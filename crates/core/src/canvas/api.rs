//! The form of a tool's configuration that Canvas's Apps page and its `lti_registrations` API
//! take (Canvas's "internal" LTI configuration, `lib/schemas/internal_lti_configuration.rb`):
//! the paste form's `canvas.instructure.com` extension lifted to the top (`domain`, `tool_id`,
//! `privacy_level`), its settings as `launch_settings`, its placements as one flat list, and the
//! tool's `redirect_uris` (at least one).

use serde_json::{Map, Value};

use super::export;
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::lti::CANVAS_PLATFORM;
use crate::remedy::Remedy;
use crate::tool::Tool;

/// The largest description the API form takes, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 2048;

/// The API form of the tool's configuration; `current_key` as for [`export`]. Refused as the
/// paste form is, and also for a tool without a redirect URI or with a description over
/// [`MAX_DESCRIPTION_BYTES`].
pub fn export_api(tool: &Tool, current_key: Option<&Jwk>) -> Result<Value> {
    let profile = &tool.profile;
    let edit = |field: &str| Remedy::EditTool {
        tool: profile.name.clone(),
        field: field.to_string(),
    };
    if profile.redirect_uris.is_empty() {
        return Err(Error::invalid(
            "redirect URIs",
            format!(
                "tool '{}' has none, and Canvas's registration API requires at least one",
                profile.name
            ),
            "add the tool's redirect URI (usually its launch URL)",
        )
        .at("redirect_uris")
        .with_remedy(edit("redirect_uris")));
    }
    let bytes = profile.description.len();
    if bytes > MAX_DESCRIPTION_BYTES {
        return Err(Error::invalid(
            "description",
            format!(
                "it is {bytes} bytes long, and Canvas's registration API takes at most \
                 {MAX_DESCRIPTION_BYTES}"
            ),
            format!(
                "shorten the tool's description by {} bytes",
                bytes - MAX_DESCRIPTION_BYTES
            ),
        )
        .at("description")
        .with_remedy(edit("description")));
    }
    let paste = export(tool, current_key)?;
    let encoded = serde_json::to_value(&paste).map_err(|e| {
        Error::invalid(
            "Canvas JSON",
            format!("could not be encoded ({e})"),
            "report this",
        )
    })?;
    let Value::Object(mut config) = encoded else {
        return Err(Error::invalid(
            "Canvas JSON",
            "is not an object",
            "report this",
        ));
    };
    let extensions = match config.remove("extensions") {
        Some(Value::Array(list)) => list,
        _ => vec![],
    };
    let canvas = extensions
        .into_iter()
        .find(|e| e.get("platform").and_then(Value::as_str) == Some(CANVAS_PLATFORM));
    let mut launch_settings = Map::new();
    let mut placements = Value::Array(vec![]);
    if let Some(Value::Object(mut ext)) = canvas {
        ext.remove("platform");
        if let Some(Value::Object(mut settings)) = ext.remove("settings") {
            if let Some(list) = settings.remove("placements") {
                placements = list;
            }
            launch_settings = settings;
        }
        config.extend(ext);
    }
    config.insert(
        "redirect_uris".into(),
        serde_json::json!(profile.redirect_uris),
    );
    config.insert("launch_settings".into(), Value::Object(launch_settings));
    config.insert("placements".into(), placements);
    Ok(Value::Object(config))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::placement::Placement;
    use crate::tool::ToolProfile;

    fn tool(description: &str) -> Tool {
        let mut nav = Placement::new("course_navigation").unwrap();
        nav.text = Some("Quizzes".into());
        Tool {
            id: "t1".into(),
            profile: ToolProfile {
                name: "Quiz Engine".into(),
                description: description.into(),
                domain: Some("quiz.example.edu".into()),
                login_url: Some("https://quiz.example.edu/lti/login".into()),
                launch_url: Some("https://quiz.example.edu/lti/launch".into()),
                redirect_uris: vec!["https://quiz.example.edu/lti/launch".into()],
                jwks_url: Some("https://quiz.example.edu/jwks.json".into()),
                icon_url: Some("https://quiz.example.edu/icon.png".into()),
                canvas_tool_id: Some("quiz".into()),
                placements: vec![nav],
                ..ToolProfile::default()
            },
            created_at: Utc::now(),
        }
    }

    /// The members Canvas's internal configuration schema requires, and their types.
    fn schema_violations(config: &Value) -> Vec<&'static str> {
        let mut broken = vec![];
        for (key, ok) in [
            ("title", config["title"].is_string()),
            ("description", config["description"].is_string()),
            ("target_link_uri", config["target_link_uri"].is_string()),
            (
                "oidc_initiation_url",
                config["oidc_initiation_url"].is_string(),
            ),
            (
                "redirect_uris",
                config["redirect_uris"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty()),
            ),
            ("scopes", config["scopes"].is_array()),
            ("placements", config["placements"].is_array()),
            ("launch_settings", config["launch_settings"].is_object()),
            ("no extensions", config.get("extensions").is_none()),
        ] {
            if !ok {
                broken.push(key);
            }
        }
        broken
    }

    #[test]
    fn the_extension_is_lifted_and_the_placements_are_flat() {
        let config = export_api(&tool("Quizzes"), None).unwrap();
        assert_eq!(schema_violations(&config), Vec::<&str>::new(), "{config:#}");
        assert_eq!(config["domain"], "quiz.example.edu");
        assert_eq!(config["tool_id"], "quiz");
        assert_eq!(config["privacy_level"], "anonymous");
        assert_eq!(
            config["launch_settings"]["icon_url"],
            "https://quiz.example.edu/icon.png"
        );
        assert_eq!(config["placements"][0]["placement"], "course_navigation");
        assert_eq!(config["placements"][0]["text"], "Quizzes");
        assert_eq!(
            config["public_jwk_url"],
            "https://quiz.example.edu/jwks.json"
        );
    }

    #[test]
    fn a_description_over_2048_bytes_is_refused_with_the_excess() {
        // 1,025 two-byte characters: 2,050 bytes, though only 1,025 characters.
        let err = export_api(&tool(&"é".repeat(1025)), None).unwrap_err();
        assert_eq!(err.field(), Some("description"));
        assert!(
            err.to_string().contains("2050 bytes") && err.to_string().contains("by 2 bytes"),
            "{err}"
        );
        assert!(
            export_api(&tool(&"é".repeat(1024)), None).is_ok(),
            "2,048 bytes are fine"
        );
    }

    #[test]
    fn a_tool_without_a_redirect_uri_is_refused() {
        let mut t = tool("");
        t.profile.redirect_uris.clear();
        assert_eq!(
            export_api(&t, None).unwrap_err().field(),
            Some("redirect_uris")
        );
    }
}
