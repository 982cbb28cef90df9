//! Canvas placements: where in Canvas a tool appears, how that launch behaves, and their checks.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::input::{blank_to_none, drop_blanks, validate_tool_url};
use crate::lti::{self, DisplayType, MessageType, WindowTarget};
use crate::remedy::Remedy;

/// The largest launch or selection size accepted, in pixels.
pub const MAX_SIZE: u32 = 10_000;

/// Where in Canvas a tool appears, and how that launch behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Placement {
    /// The Canvas placement name, e.g. `course_navigation` (see [`lti::placements`]).
    pub placement: String,
    /// The message it launches with; must be one of [`lti::message_types_for`] the placement.
    pub message_type: MessageType,
    /// Whether the placement is on.
    pub enabled: bool,
    /// The link text (default: the tool's title).
    pub text: Option<String>,
    /// The launch URL for this placement (default: the tool's target link URI).
    pub target_link_uri: Option<String>,
    /// An icon for this placement.
    pub icon_url: Option<String>,
    /// Width of the selection dialog, in pixels.
    pub selection_width: Option<u32>,
    /// Height of the selection dialog, in pixels.
    pub selection_height: Option<u32>,
    /// Width of the launch frame, in pixels.
    pub launch_width: Option<u32>,
    /// Height of the launch frame, in pixels.
    pub launch_height: Option<u32>,
    /// How Canvas frames the launch.
    pub display_type: Option<DisplayType>,
    /// Open in a new window instead of a frame.
    pub window_target: Option<WindowTarget>,
    /// Canvas permissions the user needs to see the placement, e.g. `manage_course_content_add`.
    pub required_permissions: Vec<String>,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            placement: String::new(),
            message_type: MessageType::LtiResourceLinkRequest,
            enabled: true,
            text: None,
            target_link_uri: None,
            icon_url: None,
            selection_width: None,
            selection_height: None,
            launch_width: None,
            launch_height: None,
            display_type: None,
            window_target: None,
            required_permissions: Vec::new(),
        }
    }
}

fn unknown_placement(field: &str, name: &str) -> Error {
    let fix = match lti::suggest_placement(name) {
        Some(p) => format!("did you mean {p}?"),
        None => "choose a Canvas placement".into(),
    };
    Error::invalid(field, format!("'{name}' is not a Canvas placement"), fix)
        .with_remedy(Remedy::ListCanvasPlacements)
}

impl Placement {
    /// A placement with Canvas's default message type for it, enabled, nothing else set.
    pub fn new(placement: &str) -> Result<Placement> {
        let name = placement.trim();
        let message_type =
            lti::default_message_type(name).ok_or_else(|| unknown_placement("placement", name))?;
        Ok(Placement {
            placement: name.to_string(),
            message_type,
            ..Placement::default()
        })
    }

    /// Trims and checks every field; errors name the placement by its 1-based `position`.
    pub fn validated(self, position: usize) -> Result<Placement> {
        let name = self.placement.trim().to_string();
        let label = format!("placement {position} ({name})");
        let field = |what: &str| format!("{label} {what}");
        let at = |part: &str| format!("placements[{}].{part}", position.saturating_sub(1));
        if name.is_empty() {
            return Err(Error::invalid(
                format!("placement {position}"),
                "it has no placement name",
                "choose a Canvas placement such as course_navigation",
            )
            .at(at("placement")));
        }
        if !lti::is_placement(&name) {
            return Err(
                unknown_placement(&format!("placement {position}"), &name).at(at("placement"))
            );
        }
        let accepted = lti::message_types_for(&name);
        if !accepted.contains(&self.message_type) {
            let names: Vec<_> = accepted.iter().map(|m| m.as_str()).collect();
            return Err(Error::invalid(
                field("message type"),
                format!("Canvas does not accept {} for {name}", self.message_type),
                format!("use {}", names.join(" or ")),
            )
            .at(at("message_type")));
        }
        let placement = Placement {
            placement: name,
            message_type: self.message_type,
            enabled: self.enabled,
            text: blank_to_none(self.text),
            target_link_uri: blank_to_none(self.target_link_uri),
            icon_url: blank_to_none(self.icon_url),
            selection_width: self.selection_width,
            selection_height: self.selection_height,
            launch_width: self.launch_width,
            launch_height: self.launch_height,
            display_type: self.display_type,
            window_target: self.window_target,
            required_permissions: drop_blanks(self.required_permissions),
        };
        if let Some(url) = &placement.target_link_uri {
            validate_tool_url(&field("target link URI"), url)
                .map_err(|e| e.at(at("target_link_uri")))?;
        }
        if let Some(url) = &placement.icon_url {
            validate_tool_url(&field("icon URL"), url).map_err(|e| e.at(at("icon_url")))?;
        }
        for (what, part, size) in [
            (
                "selection width",
                "selection_width",
                placement.selection_width,
            ),
            (
                "selection height",
                "selection_height",
                placement.selection_height,
            ),
            ("launch width", "launch_width", placement.launch_width),
            ("launch height", "launch_height", placement.launch_height),
        ] {
            if let Some(size) = size {
                if size == 0 || size > MAX_SIZE {
                    return Err(Error::invalid(
                        field(what),
                        format!("{size} is not a size in pixels"),
                        format!("give a number of pixels from 1 to {MAX_SIZE}, or leave it unset"),
                    )
                    .at(at(part)));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for permission in &placement.required_permissions {
            if !permission
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(Error::invalid(
                    field("required permissions"),
                    format!("'{permission}' is not a Canvas permission name"),
                    "give permission names such as manage_course_content_add, one per entry",
                )
                .at(at("required_permissions")));
            }
            if !seen.insert(permission.as_str()) {
                return Err(Error::invalid(
                    field("required permissions"),
                    format!("{permission} is listed twice"),
                    "list each permission once",
                )
                .at(at("required_permissions")));
            }
        }
        Ok(placement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_placements_take_canvas_default_message_type() {
        assert_eq!(
            Placement::new("editor_button").unwrap().message_type,
            MessageType::LtiDeepLinkingRequest
        );
        assert_eq!(
            Placement::new(" link_selection ").unwrap().message_type,
            MessageType::LtiResourceLinkRequest
        );
        let err = Placement::new("course_nav").unwrap_err();
        assert!(err.to_string().starts_with("placement:"), "{err}");
        let err = Placement::new("editor_buton").unwrap_err();
        assert!(
            err.to_string().contains("did you mean editor_button"),
            "{err}"
        );
    }

    #[test]
    fn validation_names_the_placement_and_field() {
        let p = Placement {
            message_type: MessageType::LtiDeepLinkingRequest,
            ..Placement::new("course_navigation").unwrap()
        };
        let err = p.validated(2).unwrap_err().to_string();
        assert!(
            err.starts_with("placement 2 (course_navigation) message type:")
                && err.contains("use LtiResourceLinkRequest"),
            "{err}"
        );
        let p = Placement {
            target_link_uri: Some("ftp://tool.example/launch".into()),
            ..Placement::new("course_navigation").unwrap()
        };
        let err = p.validated(1).unwrap_err().to_string();
        assert!(
            err.starts_with("placement 1 (course_navigation) target link URI:"),
            "{err}"
        );
        let p = Placement {
            launch_width: Some(0),
            ..Placement::new("course_navigation").unwrap()
        };
        assert!(p
            .validated(1)
            .unwrap_err()
            .to_string()
            .contains("launch width"));
        let p = Placement {
            required_permissions: vec!["manage assignments".into()],
            ..Placement::new("course_navigation").unwrap()
        };
        assert!(p
            .validated(1)
            .unwrap_err()
            .to_string()
            .contains("required permissions"));
        let p = Placement {
            text: Some("  ".into()),
            required_permissions: vec![" manage_course_content_add ".into(), "".into()],
            ..Placement::new("course_navigation").unwrap()
        };
        let p = p.validated(1).unwrap();
        assert_eq!(p.text, None);
        assert_eq!(p.required_permissions, ["manage_course_content_add"]);
    }
}
