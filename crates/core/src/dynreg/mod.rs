//! LTI Dynamic Registration: the tool configuration a tool posts to a platform's
//! `registration_endpoint` (the OpenID Connect client registration with the
//! `https://purl.imsglobal.org/spec/lti-tool-configuration` object). Members and rules follow
//! `reference/formats.md` §1, Canvas's `lib/schemas/lti/ims/oidc_registration.rb` and
//! `lti_tool_configuration.rb`, and Moodle's `mod/lti/classes/local/ltiopenid/registration_helper.php`.

pub mod serve;

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::lti::PrivacyLevel;
use crate::remedy::Remedy;
use crate::tool::Tool;

/// The member that holds the LTI part of the registration.
pub const TOOL_CONFIGURATION: &str = "https://purl.imsglobal.org/spec/lti-tool-configuration";

const CANVAS: &str = "https://canvas.instructure.com/lti";

/// The claims a tool asks for at each privacy level: what Canvas and Moodle map back onto it.
fn claims(level: PrivacyLevel) -> Vec<&'static str> {
    let mut claims = vec!["iss", "sub"];
    match level {
        PrivacyLevel::Public => claims.extend([
            "name",
            "given_name",
            "family_name",
            "email",
            "picture",
            "locale",
        ]),
        PrivacyLevel::NameOnly => claims.extend(["name", "given_name", "family_name"]),
        PrivacyLevel::EmailOnly => claims.push("email"),
        PrivacyLevel::Anonymous => {}
    }
    claims
}

/// The Dynamic Registration tool configuration of `tool`. Refused, naming the field and the
/// fix, when the tool lacks what every platform requires: a JWKS URL (the only way Dynamic
/// Registration takes keys), a login URL, a launch URL, a redirect URI and a domain.
pub fn tool_configuration(tool: &Tool) -> Result<Value> {
    let profile = &tool.profile;
    let unset = |field: &str, member: &str, path: &str, why: &str| {
        Error::invalid(
            field,
            format!(
                "tool '{}' has none, and Dynamic Registration needs it as {member}{why}",
                profile.name
            ),
            format!("set the tool's {field}"),
        )
        .at(path)
        .with_remedy(Remedy::EditTool {
            tool: profile.name.clone(),
            field: path.to_string(),
        })
    };
    let jwks_uri = profile.jwks_url.clone().ok_or_else(|| {
        unset(
            "JWKS URL",
            "jwks_uri",
            "jwks_url",
            " (a platform registering the tool this way only takes keys from a URL; publish \
             the tool's JWKS there)",
        )
    })?;
    let initiate_login_uri = profile
        .login_url
        .clone()
        .ok_or_else(|| unset("login URL", "initiate_login_uri", "login_url", ""))?;
    let target_link_uri = profile
        .launch_url
        .clone()
        .ok_or_else(|| unset("launch URL", "target_link_uri", "launch_url", ""))?;
    let domain = profile
        .domain
        .clone()
        .ok_or_else(|| unset("domain", "domain", "domain", ""))?;
    if profile.redirect_uris.is_empty() {
        return Err(unset(
            "redirect URIs",
            "redirect_uris (at least one)",
            "redirect_uris",
            "",
        ));
    }

    let messages: Vec<Value> = profile
        .placements
        .iter()
        .filter(|p| p.enabled)
        .map(|p| {
            let mut message = Map::new();
            message.insert("type".into(), json!(p.message_type.as_str()));
            message.insert(
                "target_link_uri".into(),
                json!(p.target_link_uri.as_deref().unwrap_or(&target_link_uri)),
            );
            message.insert(
                "label".into(),
                json!(p.text.as_deref().unwrap_or(&profile.name)),
            );
            if let Some(icon) = p.icon_url.as_deref().or(profile.icon_url.as_deref()) {
                message.insert("icon_uri".into(), json!(icon));
            }
            message.insert("placements".into(), json!([p.placement]));
            if let Some(display) = p.display_type {
                message.insert(format!("{CANVAS}/display_type"), json!(display.as_str()));
            }
            if let Some(width) = p.launch_width {
                message.insert(format!("{CANVAS}/launch_width"), json!(width));
            }
            if let Some(height) = p.launch_height {
                message.insert(format!("{CANVAS}/launch_height"), json!(height));
            }
            Value::Object(message)
        })
        .collect();

    let mut lti = Map::new();
    lti.insert("domain".into(), json!(domain));
    lti.insert("target_link_uri".into(), json!(target_link_uri));
    lti.insert("claims".into(), json!(claims(profile.privacy_level)));
    lti.insert("messages".into(), json!(messages));
    if !profile.custom_fields.is_empty() {
        lti.insert("custom_parameters".into(), json!(profile.custom_fields));
    }
    if !profile.description.is_empty() {
        lti.insert("description".into(), json!(profile.description));
    }
    lti.insert(
        format!("{CANVAS}/privacy_level"),
        json!(profile.privacy_level.as_str()),
    );
    if let Some(tool_id) = &profile.canvas_tool_id {
        lti.insert(format!("{CANVAS}/tool_id"), json!(tool_id));
    }

    let mut registration = Map::new();
    registration.insert("application_type".into(), json!("web"));
    registration.insert(
        "grant_types".into(),
        json!(["implicit", "client_credentials"]),
    );
    registration.insert("response_types".into(), json!(["id_token"]));
    registration.insert("redirect_uris".into(), json!(profile.redirect_uris));
    registration.insert("initiate_login_uri".into(), json!(initiate_login_uri));
    registration.insert("client_name".into(), json!(profile.name));
    registration.insert("jwks_uri".into(), json!(jwks_uri));
    registration.insert(
        "token_endpoint_auth_method".into(),
        json!("private_key_jwt"),
    );
    registration.insert("scope".into(), json!(profile.scopes.join(" ")));
    if let Some(logo) = &profile.icon_url {
        registration.insert("logo_uri".into(), json!(logo));
    }
    registration.insert(TOOL_CONFIGURATION.into(), Value::Object(lti));
    Ok(Value::Object(registration))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::lti::{DisplayType, MessageType};
    use crate::placement::Placement;
    use crate::tool::ToolProfile;

    fn tool(profile: ToolProfile) -> Tool {
        Tool {
            id: "t1".into(),
            profile,
            created_at: Utc::now(),
        }
    }

    fn full() -> Tool {
        let mut link = Placement::new("course_navigation").unwrap();
        link.text = Some("Quizzes".into());
        link.display_type = Some(DisplayType::FullWidth);
        let mut picker = Placement::new("editor_button").unwrap();
        picker.message_type = MessageType::LtiDeepLinkingRequest;
        picker.target_link_uri = Some("https://quiz.example.edu/lti/deep-link".into());
        let off = Placement {
            enabled: false,
            ..Placement::new("assignment_selection").unwrap()
        };
        tool(ToolProfile {
            name: "Quiz Engine".into(),
            description: "Quizzes".into(),
            domain: Some("quiz.example.edu".into()),
            login_url: Some("https://quiz.example.edu/lti/login".into()),
            launch_url: Some("https://quiz.example.edu/lti/launch".into()),
            redirect_uris: vec!["https://quiz.example.edu/lti/launch".into()],
            jwks_url: Some("https://quiz.example.edu/.well-known/jwks.json".into()),
            privacy_level: PrivacyLevel::NameOnly,
            icon_url: Some("https://quiz.example.edu/icon.png".into()),
            custom_fields: [("user".to_string(), "$Canvas.user.id".to_string())].into(),
            scopes: vec![
                "https://purl.imsglobal.org/spec/lti-ags/scope/score".into(),
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly".into(),
            ],
            placements: vec![link, picker, off],
            ..ToolProfile::default()
        })
    }

    /// What Canvas (`oidc_registration.rb`, `lti_tool_configuration.rb`) and Moodle
    /// (`registration_helper.php`, `registration_to_config`) require of a registration, as a
    /// list of the rules it breaks.
    fn platform_rule_violations(reg: &Value) -> Vec<String> {
        let mut broken = vec![];
        let mut rule = |ok: bool, what: &str| {
            if !ok {
                broken.push(what.to_string());
            }
        };
        fn string<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
            v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
        }
        fn strings<'a>(v: &'a Value, k: &str) -> Option<Vec<&'a str>> {
            v.get(k)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
        }
        rule(
            string(reg, "application_type") == Some("web"),
            "application_type web",
        );
        let grants = strings(reg, "grant_types").unwrap_or_default();
        rule(
            grants.contains(&"implicit") && grants.contains(&"client_credentials"),
            "grant_types",
        );
        rule(
            strings(reg, "response_types").is_some_and(|r| r.contains(&"id_token")),
            "response_types id_token",
        );
        rule(
            strings(reg, "redirect_uris")
                .is_some_and(|r| !r.is_empty() && r.iter().all(|u| u.starts_with("https://"))),
            "redirect_uris",
        );
        for key in ["initiate_login_uri", "client_name", "jwks_uri"] {
            rule(string(reg, key).is_some(), key);
        }
        rule(
            string(reg, "token_endpoint_auth_method") == Some("private_key_jwt"),
            "token_endpoint_auth_method",
        );
        rule(
            reg.get("scope").is_none_or(|s| s.is_string()),
            "scope is a string",
        );
        let Some(lti) = reg.get(TOOL_CONFIGURATION) else {
            rule(false, TOOL_CONFIGURATION);
            return broken;
        };
        let domain = string(lti, "domain").unwrap_or("");
        rule(
            !domain.is_empty() && !domain.contains("://") && !domain.contains('/'),
            "domain without scheme",
        );
        rule(
            string(lti, "target_link_uri").is_some(),
            "target_link_uri (Moodle)",
        );
        rule(strings(lti, "claims").is_some(), "claims");
        let messages = lti.get("messages").and_then(Value::as_array);
        rule(messages.is_some(), "messages");
        for m in messages.into_iter().flatten() {
            rule(
                matches!(
                    string(m, "type"),
                    Some("LtiResourceLinkRequest" | "LtiDeepLinkingRequest")
                ),
                "message type",
            );
            rule(
                m.get("placements").is_none_or(Value::is_array),
                "message placements",
            );
        }
        rule(
            lti.get("custom_parameters").is_none_or(|c| {
                c.as_object()
                    .is_some_and(|o| o.values().all(Value::is_string))
            }),
            "custom_parameters of strings",
        );
        broken
    }

    #[test]
    fn a_full_tool_registers_by_canvas_and_moodle_rules() {
        let reg = tool_configuration(&full()).unwrap();
        assert_eq!(
            platform_rule_violations(&reg),
            Vec::<String>::new(),
            "{reg:#}"
        );
        let lti = &reg[TOOL_CONFIGURATION];
        assert_eq!(lti["domain"], "quiz.example.edu");
        assert_eq!(
            lti["claims"],
            json!(["iss", "sub", "name", "given_name", "family_name"])
        );
        assert_eq!(lti[format!("{CANVAS}/privacy_level")], "name_only");
        assert_eq!(reg["logo_uri"], "https://quiz.example.edu/icon.png");
        assert_eq!(
            reg["scope"],
            "https://purl.imsglobal.org/spec/lti-ags/scope/score \
             https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
        );
        let messages = lti["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "a placement switched off is not offered");
        assert_eq!(messages[0]["type"], "LtiResourceLinkRequest");
        assert_eq!(messages[0]["label"], "Quizzes");
        assert_eq!(messages[0]["placements"], json!(["course_navigation"]));
        assert_eq!(messages[0][format!("{CANVAS}/display_type")], "full_width");
        assert_eq!(messages[1]["type"], "LtiDeepLinkingRequest");
        assert_eq!(
            messages[1]["target_link_uri"],
            "https://quiz.example.edu/lti/deep-link"
        );
        assert_eq!(
            messages[1]["label"], "Quiz Engine",
            "the tool's name when the placement has no text"
        );
        assert_eq!(lti["custom_parameters"]["user"], "$Canvas.user.id");
    }

    #[test]
    fn the_rules_catch_a_member_dropped_or_mistyped() {
        let good = tool_configuration(&full()).unwrap();
        for (path, broken) in [
            ("/grant_types", json!(["implicit"])),
            ("/token_endpoint_auth_method", json!("client_secret_basic")),
            ("/redirect_uris", json!([])),
            (
                &format!("/{}/domain", TOOL_CONFIGURATION.replace('/', "~1")),
                json!("https://quiz.example.edu"),
            ),
        ] {
            let mut reg = good.clone();
            *reg.pointer_mut(path).unwrap() = broken;
            assert!(
                !platform_rule_violations(&reg).is_empty(),
                "{path} broken passes"
            );
        }
        let mut reg = good;
        reg.as_object_mut().unwrap().remove("jwks_uri");
        assert_eq!(platform_rule_violations(&reg), ["jwks_uri"]);
    }

    #[test]
    fn a_tool_without_a_jwks_url_cannot_register_this_way_and_is_told_how() {
        let mut t = full();
        t.profile.jwks_url = None;
        let err = tool_configuration(&t).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("JWKS URL") && text.contains("jwks_uri"),
            "{text}"
        );
        assert_eq!(err.field(), Some("jwks_url"));
        assert!(err
            .remedies()
            .iter()
            .any(|r| matches!(r, Remedy::EditTool { .. })));
    }

    #[test]
    fn every_missing_url_names_its_field() {
        for (clear, field) in [
            (
                (|p: &mut ToolProfile| p.login_url = None) as fn(&mut ToolProfile),
                "login_url",
            ),
            (|p: &mut ToolProfile| p.launch_url = None, "launch_url"),
            (|p: &mut ToolProfile| p.domain = None, "domain"),
            (
                |p: &mut ToolProfile| p.redirect_uris.clear(),
                "redirect_uris",
            ),
        ] {
            let mut t = full();
            clear(&mut t.profile);
            assert_eq!(tool_configuration(&t).unwrap_err().field(), Some(field));
        }
    }
}
