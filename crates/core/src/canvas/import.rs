//! Canvas JSON into a tool: what a tool profile keeps of a document, and notes on the rest.
//!
//! Import keeps what a tool profile holds and reports the rest: every lint finding of the
//! document, plus `unknown-field` (info) for each field it does not keep, `value-not-imported`
//! (warning) for each value it had to drop, `value-changed` (warning) for one it kept in
//! another shape (a domain given as a URL, one redirect URI given as a string), and
//! `public-jwk-not-imported` (info). A
//! document with lint errors still imports; only a document that cannot name a tool (not an
//! object, no title and no name given) is refused.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::lint::{lint, EXTENSION_KEYS};
use super::path::{index_path, is_blank, key_path, shown, type_name};
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::input::{validate_domain, validate_tool_url};
use crate::lti::{self, DisplayType, MessageType, PrivacyLevel, WindowTarget, CANVAS_PLATFORM};
use crate::placement::{Placement, MAX_SIZE};
use crate::remedy::Remedy;
use crate::tool::{validated_custom_field, Eula, Tool, ToolProfile};

/// What importing a Canvas configuration gives: the tool to add and what was found on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasImport {
    /// The tool, checked (`ToolProfile::validated`).
    pub tool: ToolProfile,
    /// Lint findings of the document, then what was not imported.
    pub findings: Vec<Finding>,
}

/// A tool added from a Canvas configuration, and what was found on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CanvasImported {
    /// The tool as stored.
    pub tool: Tool,
    /// Lint findings of the document, then what was not imported.
    pub findings: Vec<Finding>,
}

/// The codes [`import`] adds to the document's lint findings.
pub const IMPORT_CODES: [&str; 5] = [
    "unknown-field",
    "value-not-imported",
    "value-changed",
    "public-jwk-not-imported",
    "privacy-level-moved",
];

const TOP_KEPT: [&str; 11] = [
    "title",
    "description",
    "target_link_uri",
    "oidc_initiation_url",
    "public_jwk_url",
    "public_jwk",
    "scopes",
    "custom_fields",
    "extensions",
    "redirect_uris",
    "privacy_level",
];

/// Placement fields a profile keeps; in `settings` (all but `enabled`) they are defaults for
/// every placement.
const PLACEMENT_KEPT: [&str; 13] = [
    "message_type",
    "text",
    "target_link_uri",
    "url",
    "icon_url",
    "selection_width",
    "selection_height",
    "launch_width",
    "launch_height",
    "display_type",
    "windowTarget",
    "required_permissions",
    "enabled",
];

#[derive(Default)]
struct Notes {
    findings: Vec<Finding>,
}

impl Notes {
    fn not_kept(&mut self, path: &str, key: &str) {
        self.findings.push(
            Finding::new(
                "unknown-field",
                Severity::Info,
                format!("{key} is not part of a tool profile, so it was not imported"),
                "set it again in Canvas, or add it to the exported JSON by hand",
            )
            .at(path),
        );
    }

    fn dropped(&mut self, path: &str, message: String) {
        self.findings.push(
            Finding::new(
                "value-not-imported",
                Severity::Warning,
                message,
                "set it on the imported tool once you know the right value",
            )
            .at(path),
        );
    }
}

/// A URL the tool accepts, or `None` with a note.
fn import_url(
    notes: &mut Notes,
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    field: &str,
) -> Option<String> {
    let p = key_path(path, key);
    match obj.get(key)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => match validate_tool_url(field, s.trim()) {
            Ok(()) => Some(s.trim().to_string()),
            Err(e) => {
                notes.dropped(&p, format!("{key} was not imported: {e}"));
                None
            }
        },
        Value::Null => None,
        other => {
            notes.dropped(
                &p,
                format!("{key} is {}, so it was not imported", type_name(other)),
            );
            None
        }
    }
}

fn import_size(notes: &mut Notes, v: &Value, path: &str) -> Option<u32> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().trim_end_matches("px").parse::<u64>().ok(),
        _ => None,
    };
    match n.and_then(|n| u32::try_from(n).ok()) {
        Some(n) if (1..=MAX_SIZE).contains(&n) => Some(n),
        _ => {
            notes.dropped(
                path,
                format!(
                    "{} was not imported: a tool profile keeps sizes as 1 to {MAX_SIZE} pixels",
                    shown(v)
                ),
            );
            None
        }
    }
}

/// Reads the placement fields of `obj` (a placement, or `settings` when `defaults`) into `p`.
fn import_placement_fields(
    notes: &mut Notes,
    obj: &Map<String, Value>,
    path: &str,
    p: &mut Placement,
    defaults: bool,
) {
    if let Some(Value::String(t)) = obj.get("text") {
        if !t.trim().is_empty() {
            p.text = Some(t.trim().to_string());
        }
    }
    let field = "target link URI";
    if let Some(u) = import_url(notes, obj, "target_link_uri", path, field) {
        p.target_link_uri = Some(u);
    } else if !obj.contains_key("target_link_uri") {
        if let Some(u) = import_url(notes, obj, "url", path, field) {
            p.target_link_uri = Some(u);
        }
    }
    if let Some(u) = import_url(notes, obj, "icon_url", path, "icon URL") {
        p.icon_url = Some(u);
    }
    for (key, slot) in [
        ("selection_width", &mut p.selection_width),
        ("selection_height", &mut p.selection_height),
        ("launch_width", &mut p.launch_width),
        ("launch_height", &mut p.launch_height),
    ] {
        if let Some(v) = obj.get(key) {
            if let Some(n) = import_size(notes, v, &key_path(path, key)) {
                *slot = Some(n);
            }
        }
    }
    if let Some(v) = obj.get("display_type") {
        match v.as_str().map(str::parse::<DisplayType>) {
            Some(Ok(d)) => p.display_type = Some(d),
            _ => notes.dropped(
                &key_path(path, "display_type"),
                format!("display_type {} was not imported", shown(v)),
            ),
        }
    }
    match obj.get("windowTarget") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "_blank" => p.window_target = Some(WindowTarget::Blank),
        Some(v) => notes.dropped(
            &key_path(path, "windowTarget"),
            format!(
                "windowTarget {} was not imported (Canvas knows only _blank)",
                shown(v)
            ),
        ),
    }
    if let Some(v) = obj.get("required_permissions") {
        match v.as_str() {
            Some(s) => {
                p.required_permissions = s
                    .split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            }
            None => notes.dropped(
                &key_path(path, "required_permissions"),
                format!("required_permissions {} was not imported", shown(v)),
            ),
        }
    }
    match obj.get("enabled").filter(|_| !defaults) {
        None => {}
        Some(Value::Bool(b)) => p.enabled = *b,
        Some(Value::String(s)) if s == "true" || s == "false" => p.enabled = s == "true",
        Some(v) => notes.dropped(
            &key_path(path, "enabled"),
            format!(
                "enabled {} was not imported; the placement stays enabled",
                shown(v)
            ),
        ),
    }
}

/// Reads a Canvas configuration into a tool profile: see the module docs for what is kept and
/// reported. `name` overrides the document's title as the tool's name.
pub fn import(doc: &Value, name: Option<&str>) -> Result<CanvasImport> {
    let lint_findings = lint(doc);
    let obj = doc.as_object().ok_or_else(|| {
        Error::invalid(
            "Canvas JSON",
            format!("it is {}, not a JSON object", type_name(doc)),
            "give the developer-key configuration object: { \"title\": …, … }",
        )
    })?;
    let root = "$";
    let mut notes = Notes::default();
    let title = obj
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .or(title)
        .ok_or_else(|| {
            Error::invalid(
                "title",
                "the configuration has no title to name the tool by",
                "add a title to the JSON, or give the tool a name",
            )
            .at("name")
            .with_remedy(Remedy::Give {
                field: "name".into(),
            })
        })?;
    let mut tool = ToolProfile {
        name: name.to_string(),
        description: obj
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string(),
        launch_url: import_url(&mut notes, obj, "target_link_uri", root, "launch URL"),
        login_url: import_url(&mut notes, obj, "oidc_initiation_url", root, "login URL"),
        jwks_url: import_url(&mut notes, obj, "public_jwk_url", root, "JWKS URL"),
        ..ToolProfile::default()
    };
    if !is_blank(obj.get("public_jwk")) {
        notes.findings.push(
            Finding::new(
                "public-jwk-not-imported",
                Severity::Info,
                "the public_jwk was not imported: a tool's keys are ones whose private half this \
                 app holds",
                "import the private key, generate a new key, or set the tool's JWKS URL",
            )
            .at("$.public_jwk"),
        );
    }
    if let Some(Value::Array(scopes)) = obj.get("scopes") {
        for (i, s) in scopes.iter().enumerate() {
            let p = index_path("$.scopes", i);
            match s.as_str().map(str::trim) {
                Some(uri) if lti::is_scope(uri) => {
                    if !tool.scopes.iter().any(|x| x == uri) {
                        tool.scopes.push(uri.to_string());
                    }
                }
                _ => notes.dropped(
                    &p,
                    format!(
                        "scope {} was not imported: Canvas does not accept it",
                        shown(s)
                    ),
                ),
            }
        }
    }
    if let Some(Value::Object(fields)) = obj.get("custom_fields") {
        for (k, v) in fields {
            let p = key_path("$.custom_fields", k);
            match v.as_str().map(|v| validated_custom_field(k, v)) {
                Some(Ok((k, v))) => {
                    tool.custom_fields.insert(k, v);
                }
                Some(Err(e)) => notes.dropped(&p, format!("custom field was not imported: {e}")),
                None => notes.dropped(
                    &p,
                    format!(
                        "custom field {k} is {}, so it was not imported",
                        type_name(v)
                    ),
                ),
            }
        }
    }
    let mut privacy = None;
    if let Some(Value::Array(exts)) = obj.get("extensions") {
        let mut imported = false;
        for (i, ext) in exts.iter().enumerate() {
            let path = index_path("$.extensions", i);
            let is_canvas = ext.get("platform").and_then(Value::as_str) == Some(CANVAS_PLATFORM);
            match ext.as_object() {
                Some(ext) if is_canvas && !imported => {
                    imported = true;
                    privacy = import_extension(&mut notes, ext, &path, &mut tool);
                }
                _ => notes.findings.push(
                    Finding::new(
                        "unknown-field",
                        Severity::Info,
                        "this extension was not imported: only the first canvas.instructure.com \
                         extension is",
                        "merge what it holds into the Canvas extension if Canvas needs it",
                    )
                    .at(path),
                ),
            }
        }
    }
    tool.privacy_level = match privacy {
        Some(level) => level,
        None => match obj.get("privacy_level").and_then(Value::as_str) {
            Some(s) => match s.parse::<PrivacyLevel>() {
                Ok(level) => {
                    notes.findings.push(
                        Finding::new(
                            "privacy-level-moved",
                            Severity::Info,
                            format!(
                                "privacy_level {level} was read from the top level; the export \
                                 puts it on the extension, where Canvas reads it"
                            ),
                            "nothing to do",
                        )
                        .at("$.privacy_level"),
                    );
                    level
                }
                Err(_) => PrivacyLevel::default(),
            },
            None => PrivacyLevel::default(),
        },
    };
    match obj.get("redirect_uris") {
        Some(Value::Array(uris)) => {
            for (i, u) in uris.iter().enumerate() {
                let p = index_path("$.redirect_uris", i);
                match u.as_str().map(str::trim) {
                    Some(s) if validate_tool_url("redirect URI", s).is_ok() => {
                        if !tool.redirect_uris.iter().any(|x| x == s) {
                            tool.redirect_uris.push(s.to_string());
                        }
                    }
                    _ => notes.dropped(&p, format!("redirect URI {} was not imported", shown(u))),
                }
            }
        }
        Some(Value::String(u)) if validate_tool_url("redirect URI", u.trim()).is_ok() => {
            notes.findings.push(
                Finding::new(
                    "value-changed",
                    Severity::Warning,
                    "redirect_uris is one URL, not a list; it was imported as the tool's one \
                     redirect URI",
                    "check the tool's redirect URIs",
                )
                .at("$.redirect_uris"),
            );
            tool.redirect_uris.push(u.trim().to_string());
        }
        Some(other) => notes.dropped(
            "$.redirect_uris",
            format!(
                "redirect_uris is {}, so it was not imported",
                type_name(other)
            ),
        ),
        None => {
            // Canvas registers the target link URI; every launch URL is what a tool needs.
            let launches = tool.launch_url.iter().chain(
                tool.placements
                    .iter()
                    .filter_map(|p| p.target_link_uri.as_ref()),
            );
            for u in launches {
                if !tool.redirect_uris.contains(u) {
                    tool.redirect_uris.push(u.clone());
                }
            }
        }
    }
    for key in obj.keys() {
        if !TOP_KEPT.contains(&key.as_str()) {
            notes.not_kept(&key_path(root, key), key);
        }
    }
    let tool = tool.validated()?;
    let mut findings = lint_findings;
    let mut seen: HashSet<(String, Option<String>)> = findings
        .iter()
        .map(|f| (f.code.clone(), f.path.clone()))
        .collect();
    for note in notes.findings {
        if seen.insert((note.code.clone(), note.path.clone())) {
            findings.push(note);
        }
    }
    Ok(CanvasImport { tool, findings })
}

/// Imports the Canvas extension into `tool`; returns its privacy level, if it has a valid one.
fn import_extension(
    notes: &mut Notes,
    ext: &Map<String, Value>,
    path: &str,
    tool: &mut ToolProfile,
) -> Option<PrivacyLevel> {
    if let Some(d) = ext.get("domain") {
        match d.as_str().map(str::trim) {
            Some("") => {}
            Some(s) if validate_domain(s).is_ok() => tool.domain = Some(s.to_string()),
            Some(s) if url_host(s).is_some() => {
                let host = url_host(s).unwrap_or_default();
                notes.findings.push(
                    Finding::new(
                        "value-changed",
                        Severity::Warning,
                        format!(
                            "domain '{s}' is a URL; its host {host} was imported, the bare host \
                             name Canvas matches links by"
                        ),
                        "check the tool's domain",
                    )
                    .at(key_path(path, "domain")),
                );
                tool.domain = Some(host);
            }
            _ => notes.dropped(
                &key_path(path, "domain"),
                format!(
                    "domain {} was not imported: it is not a bare host name",
                    shown(d)
                ),
            ),
        }
    }
    if let Some(t) = ext.get("tool_id") {
        match t.as_str().map(str::trim) {
            Some(s) if s.chars().count() <= 255 => {
                tool.canvas_tool_id = Some(s.to_string()).filter(|s| !s.is_empty())
            }
            _ => notes.dropped(
                &key_path(path, "tool_id"),
                format!("tool_id {} was not imported", shown(t)),
            ),
        }
    }
    let privacy = ext
        .get("privacy_level")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<PrivacyLevel>().ok());
    if let Some(v) = ext.get("privacy_level").filter(|_| privacy.is_none()) {
        notes.dropped(
            &key_path(path, "privacy_level"),
            format!(
                "privacy_level {} was not imported; the tool is anonymous",
                shown(v)
            ),
        );
    }
    for key in ext.keys() {
        if !EXTENSION_KEYS.contains(&key.as_str()) {
            notes.not_kept(&key_path(path, key), key);
        }
    }
    let Some(settings) = ext.get("settings").and_then(Value::as_object) else {
        return privacy;
    };
    let spath = key_path(path, "settings");
    let vendor_privacy = settings
        .get("privacy_level")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<PrivacyLevel>().ok());
    let privacy = match (privacy, vendor_privacy) {
        (None, Some(level)) => {
            notes.findings.push(
                Finding::new(
                    "privacy-level-moved",
                    Severity::Info,
                    format!(
                        "privacy_level {level} was read from settings, as the vendor meant it; \
                         the export puts it on the extension, where Canvas reads it"
                    ),
                    "nothing to do",
                )
                .at(key_path(&spath, "privacy_level")),
            );
            Some(level)
        }
        (privacy, _) => privacy,
    };
    if let Some(v) = settings
        .get("privacy_level")
        .filter(|_| vendor_privacy.is_none())
    {
        notes.dropped(
            &key_path(&spath, "privacy_level"),
            format!(
                "privacy_level {} in settings was not imported: it is not public, name_only, \
                 email_only or anonymous",
                shown(v)
            ),
        );
    }
    if let Some(u) = import_url(notes, settings, "icon_url", &spath, "icon URL") {
        tool.icon_url = Some(u);
    }
    // Settings-level placement fields are defaults of every placement: push them down.
    let mut defaults = Placement::default();
    let mut default_notes = Notes::default();
    import_placement_fields(&mut default_notes, settings, &spath, &mut defaults, true);
    defaults.icon_url = None;
    notes.findings.extend(default_notes.findings);
    let default_type = settings
        .get("message_type")
        .and_then(Value::as_str)
        .and_then(|m| m.parse::<MessageType>().ok());
    for key in settings.keys() {
        let kept = PLACEMENT_KEPT.contains(&key.as_str()) && key != "enabled";
        let handled = [
            "placements",
            "icon_url",
            "message_settings",
            "privacy_level",
        ];
        if !handled.contains(&key.as_str()) && !kept {
            notes.not_kept(&key_path(&spath, key), key);
        }
    }
    import_message_settings(notes, settings, &spath, tool);
    let Some(placements) = settings.get("placements").and_then(Value::as_array) else {
        return privacy;
    };
    let ppath = key_path(&spath, "placements");
    for (i, value) in placements.iter().enumerate() {
        let path = index_path(&ppath, i);
        let Some(obj) = value.as_object() else {
            notes.dropped(
                &path,
                format!("placement {} was not imported", shown(value)),
            );
            continue;
        };
        let name = obj.get("placement").and_then(Value::as_str).unwrap_or("");
        if !lti::is_placement(name) {
            notes.dropped(
                &path,
                format!("placement '{name}' was not imported: it is not a Canvas placement"),
            );
            continue;
        }
        if tool.placements.iter().any(|p| p.placement == name) {
            notes.dropped(
                &path,
                format!("the second {name} placement was not imported"),
            );
            continue;
        }
        let accepted = lti::message_types_for(name);
        let asked = obj
            .get("message_type")
            .and_then(Value::as_str)
            .and_then(|m| m.parse::<MessageType>().ok())
            .or(default_type);
        let message_type = match asked {
            Some(m) if accepted.contains(&m) => m,
            Some(m) => {
                let used = accepted[0];
                notes.dropped(
                    &key_path(&path, "message_type"),
                    format!(
                        "{name} does not take {m}; it was imported with {used}, the message type \
                         Canvas {}",
                        if accepted.len() == 1 {
                            "allows for it"
                        } else {
                            "uses by default"
                        }
                    ),
                );
                used
            }
            None => accepted[0],
        };
        let mut placement = Placement {
            placement: name.to_string(),
            message_type,
            ..defaults.clone()
        };
        import_placement_fields(notes, obj, &path, &mut placement, false);
        for key in obj.keys() {
            if key == "eula" && lti::ASSET_PROCESSOR_PLACEMENTS.contains(&name) {
                let p = key_path(&path, key);
                match (&tool.eula, obj[key].as_object()) {
                    (None, Some(eula)) => tool.eula = import_eula(notes, eula, &p),
                    (Some(_), _) => notes.dropped(
                        &p,
                        "this EULA was not imported: the tool already has one, from \
                         message_settings or an earlier placement"
                            .into(),
                    ),
                    (None, None) => notes.dropped(
                        &p,
                        format!(
                            "eula {} was not imported: it is not an object",
                            shown(&obj[key])
                        ),
                    ),
                }
            } else if key != "placement" && !PLACEMENT_KEPT.contains(&key.as_str()) {
                notes.not_kept(&key_path(&path, key), key);
            }
        }
        let position = tool.placements.len() + 1;
        match placement.validated(position) {
            Ok(p) => tool.placements.push(p),
            Err(e) => notes.dropped(&path, format!("placement {name} was not imported: {e}")),
        }
    }
    privacy
}

/// The EULA launch of `settings.message_settings` (`LtiEulaRequest`), into `tool.eula`; every
/// other entry is named as not imported.
fn import_message_settings(
    notes: &mut Notes,
    settings: &Map<String, Value>,
    spath: &str,
    tool: &mut ToolProfile,
) {
    let path = key_path(spath, "message_settings");
    let list = match settings.get("message_settings") {
        None | Some(Value::Null) => return,
        Some(Value::Array(list)) => list,
        Some(other) => {
            notes.dropped(
                &path,
                format!(
                    "message_settings is {}, so it was not imported",
                    type_name(other)
                ),
            );
            return;
        }
    };
    for (i, item) in list.iter().enumerate() {
        let p = index_path(&path, i);
        let Some(obj) = item.as_object() else {
            notes.dropped(
                &p,
                format!("message setting {} was not imported", shown(item)),
            );
            continue;
        };
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
        if kind != lti::EULA_MESSAGE_TYPE {
            notes.dropped(
                &p,
                format!(
                    "message setting of type '{kind}' was not imported: a tool profile keeps \
                     only the {} launch",
                    lti::EULA_MESSAGE_TYPE
                ),
            );
        } else if obj.get("enabled").and_then(Value::as_bool) == Some(false) {
            notes.dropped(
                &p,
                "the EULA launch is switched off (enabled: false), so it was not imported".into(),
            );
        } else if tool.eula.is_some() {
            notes.dropped(&p, "the second EULA launch was not imported".into());
        } else {
            tool.eula = import_eula(notes, obj, &p);
            for key in obj.keys() {
                if !["type", "enabled", "target_link_uri", "custom_fields"].contains(&key.as_str())
                {
                    notes.not_kept(&key_path(&p, key), key);
                }
            }
        }
    }
}

/// A EULA launch's `target_link_uri` and `custom_fields`, each kept when valid and named when
/// not.
fn import_eula(notes: &mut Notes, obj: &Map<String, Value>, path: &str) -> Option<Eula> {
    let mut eula = Eula {
        target_link_uri: import_url(notes, obj, "target_link_uri", path, "EULA target link URI"),
        ..Eula::default()
    };
    match obj.get("custom_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (k, v) in fields {
                let p = key_path(&key_path(path, "custom_fields"), k);
                match v.as_str().map(|v| validated_custom_field(k, v)) {
                    Some(Ok((k, v))) => {
                        eula.custom_fields.insert(k, v);
                    }
                    Some(Err(e)) => {
                        notes.dropped(&p, format!("custom field was not imported: {e}"))
                    }
                    None => notes.dropped(
                        &p,
                        format!("custom field {k} is {}, not a string", type_name(v)),
                    ),
                }
            }
        }
        Some(other) => notes.dropped(
            &key_path(path, "custom_fields"),
            format!(
                "custom_fields is {}, so it was not imported",
                type_name(other)
            ),
        ),
    }
    Some(eula)
}

/// The host (and port) of a domain written as a URL (`https://tool.example.edu/path`).
fn url_host(value: &str) -> Option<String> {
    let url = url::Url::parse(value).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?;
    let domain = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    validate_domain(&domain).is_ok().then_some(domain)
}
