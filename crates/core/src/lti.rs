//! What Canvas accepts in an LTI 1.3 configuration, as data: placements and the message types each
//! takes, scope URIs, privacy levels, display types (reference/canvas-config.md §2–§4).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The LTI message a placement launches with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum MessageType {
    /// A resource-link launch (Canvas's default when a placement names none).
    LtiResourceLinkRequest,
    /// A deep-linking launch: the tool returns content items.
    LtiDeepLinkingRequest,
}

impl MessageType {
    /// Both message types, resource link first.
    pub const ALL: [MessageType; 2] = [
        MessageType::LtiResourceLinkRequest,
        MessageType::LtiDeepLinkingRequest,
    ];

    /// The name Canvas uses.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::LtiResourceLinkRequest => "LtiResourceLinkRequest",
            MessageType::LtiDeepLinkingRequest => "LtiDeepLinkingRequest",
        }
    }

    /// A short label for menus.
    pub fn label(self) -> &'static str {
        match self {
            MessageType::LtiResourceLinkRequest => "Resource link launch",
            MessageType::LtiDeepLinkingRequest => "Deep linking (content selection)",
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MessageType {
    type Err = Error;

    /// The Canvas names, case-insensitively, or `resource-link` / `deep-linking`.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "ltiresourcelinkrequest" | "resource-link" | "resource_link" => {
                Ok(MessageType::LtiResourceLinkRequest)
            }
            "ltideeplinkingrequest" | "deep-linking" | "deep_linking" => {
                Ok(MessageType::LtiDeepLinkingRequest)
            }
            _ => Err(Error::invalid(
                "message type",
                format!("'{s}' is not an LTI message type"),
                "use LtiResourceLinkRequest or LtiDeepLinkingRequest",
            )),
        }
    }
}

/// How much about the user Canvas sends in launches. Canvas reads it from the
/// `canvas.instructure.com` extension only; without one it launches anonymously.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    /// Name, email, picture, login and SIS ids.
    Public,
    /// Name only.
    NameOnly,
    /// Email only.
    EmailOnly,
    /// Opaque user ids only (Canvas's default).
    #[default]
    Anonymous,
}

impl PrivacyLevel {
    /// Every level, most open first.
    pub const ALL: [PrivacyLevel; 4] = [
        PrivacyLevel::Public,
        PrivacyLevel::NameOnly,
        PrivacyLevel::EmailOnly,
        PrivacyLevel::Anonymous,
    ];

    /// The name Canvas uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyLevel::Public => "public",
            PrivacyLevel::NameOnly => "name_only",
            PrivacyLevel::EmailOnly => "email_only",
            PrivacyLevel::Anonymous => "anonymous",
        }
    }

    /// What the tool receives at this level.
    pub fn label(self) -> &'static str {
        match self {
            PrivacyLevel::Public => "Public: name, email, picture and SIS ids",
            PrivacyLevel::NameOnly => "Name only",
            PrivacyLevel::EmailOnly => "Email only",
            PrivacyLevel::Anonymous => "Anonymous: opaque ids only",
        }
    }
}

impl std::fmt::Display for PrivacyLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for PrivacyLevel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        PrivacyLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s) || l.as_str().replace('_', "-") == s)
            .ok_or_else(|| {
                Error::invalid(
                    "privacy level",
                    format!("'{s}' is not a Canvas privacy level"),
                    "use public, name_only, email_only or anonymous",
                )
            })
    }
}

/// How Canvas frames a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DisplayType {
    /// Inside Canvas's page, with its navigation.
    Default,
    /// The whole window, no Canvas chrome.
    FullWidth,
    /// The whole width, keeping the course context header.
    FullWidthInContext,
    /// The whole width, keeping Canvas's global navigation.
    FullWidthWithNav,
    /// In the course navigation context.
    InNavContext,
    /// No border or frame chrome at all.
    Borderless,
}

impl DisplayType {
    /// Every display type Canvas's JSON configuration accepts.
    pub const ALL: [DisplayType; 6] = [
        DisplayType::Default,
        DisplayType::FullWidth,
        DisplayType::FullWidthInContext,
        DisplayType::FullWidthWithNav,
        DisplayType::InNavContext,
        DisplayType::Borderless,
    ];

    /// The name Canvas uses.
    pub fn as_str(self) -> &'static str {
        match self {
            DisplayType::Default => "default",
            DisplayType::FullWidth => "full_width",
            DisplayType::FullWidthInContext => "full_width_in_context",
            DisplayType::FullWidthWithNav => "full_width_with_nav",
            DisplayType::InNavContext => "in_nav_context",
            DisplayType::Borderless => "borderless",
        }
    }
}

impl std::str::FromStr for DisplayType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        DisplayType::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid(
                    "display type",
                    format!("'{s}' is not a Canvas display type"),
                    format!("use one of: {}", display_type_names().join(", ")),
                )
            })
    }
}

fn display_type_names() -> Vec<&'static str> {
    DisplayType::ALL.iter().map(|d| d.as_str()).collect()
}

/// Where Canvas opens a launch. Canvas supports only `_blank` (a new window or tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum WindowTarget {
    /// A new window or tab.
    #[serde(rename = "_blank")]
    Blank,
}

impl WindowTarget {
    /// The value Canvas uses.
    pub fn as_str(self) -> &'static str {
        "_blank"
    }
}

impl std::str::FromStr for WindowTarget {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "_blank" | "blank" | "new-window" => Ok(WindowTarget::Blank),
            other => Err(Error::invalid(
                "window target",
                format!("'{other}' is not supported by Canvas"),
                "use _blank (a new window), or leave it unset",
            )),
        }
    }
}

/// The Platform Notification Service scope an asset processor needs to hear of submissions.
pub const NOTICE_HANDLERS_SCOPE: &str = "https://purl.imsglobal.org/spec/lti/scope/noticehandlers";

/// The scope of the EULA user acceptance service, which a tool with a EULA launch needs.
pub const EULA_USER_SCOPE: &str = "https://purl.imsglobal.org/spec/lti/scope/eula/user";

/// The placement of an asset processor (Canvas's Document Processor).
pub const ASSET_PROCESSOR_PLACEMENT: &str = "ActivityAssetProcessor";

/// The placements of asset processors: on assignments, and on graded discussions.
pub const ASSET_PROCESSOR_PLACEMENTS: [&str; 2] = [
    ASSET_PROCESSOR_PLACEMENT,
    "ActivityAssetProcessorContribution",
];

/// The message type of a EULA launch, set in `message_settings` rather than on a placement
/// (`Lti::ResourcePlacement::PLACEMENTLESS_MESSAGE_TYPES`).
pub const EULA_MESSAGE_TYPE: &str = "LtiEulaRequest";

/// The platform name of the Canvas extension.
pub const CANVAS_PLATFORM: &str = "canvas.instructure.com";

const RL: &[MessageType] = &[MessageType::LtiResourceLinkRequest];
const DL: &[MessageType] = &[MessageType::LtiDeepLinkingRequest];
const BOTH: &[MessageType] = &[
    MessageType::LtiResourceLinkRequest,
    MessageType::LtiDeepLinkingRequest,
];

/// `Lti::ResourcePlacement::PLACEMENTS_BY_MESSAGE_TYPE[LtiResourceLinkRequest]`.
const RESOURCE_LINK_PLACEMENTS: [&str; 39] = [
    "account_navigation",
    "analytics_hub",
    "assignment_edit",
    "assignment_group_menu",
    "assignment_index_menu",
    "assignment_menu",
    "assignment_selection",
    "assignment_view",
    "collaboration",
    "conference_selection",
    "course_assignments_menu",
    "course_home_sub_navigation",
    "course_navigation",
    "course_settings_sub_navigation",
    "discussion_topic_index_menu",
    "discussion_topic_menu",
    "file_index_menu",
    "file_menu",
    "global_navigation",
    "homework_submission",
    "link_selection",
    "migration_selection",
    "module_group_menu",
    "module_index_menu",
    "module_index_menu_modal",
    "module_menu_modal",
    "module_menu",
    "post_grades",
    "quiz_index_menu",
    "quiz_menu",
    "resource_selection",
    "similarity_detection",
    "student_context_card",
    "submission_type_selection",
    "tool_configuration",
    "top_navigation",
    "user_navigation",
    "wiki_index_menu",
    "wiki_page_menu",
];

/// `Lti::ResourcePlacement::PLACEMENTS_BY_MESSAGE_TYPE[LtiDeepLinkingRequest]`.
const DEEP_LINKING_PLACEMENTS: [&str; 14] = [
    "assignment_selection",
    "ActivityAssetProcessor",
    "ActivityAssetProcessorContribution",
    "collaboration",
    "conference_selection",
    "course_assignments_menu",
    "editor_button",
    "homework_submission",
    "link_selection",
    "migration_selection",
    "module_index_menu_modal",
    "module_menu_modal",
    "resource_selection",
    "submission_type_selection",
];

/// Placements Canvas offers only when a feature flag is on, with the flag.
const FEATURE_FLAGGED_PLACEMENTS: [(&str, &str); 4] = [
    ("conference_selection", "conference_selection_lti_placement"),
    ("ActivityAssetProcessor", "lti_asset_processor"),
    (
        "ActivityAssetProcessorContribution",
        "lti_asset_processor_discussions",
    ),
    ("top_navigation", "top_navigation_placement"),
];

/// Placements only Instructure-approved tools (allow-listed domains or developer keys) may use.
const APPROVAL_PLACEMENTS: [&str; 1] = ["submission_type_selection"];

/// Placements Canvas warns about, with its advice.
const DEPRECATED_PLACEMENTS: [(&str, &str); 1] = [(
    "resource_selection",
    "use assignment_selection and/or link_selection instead",
)];

/// The longest `description` Canvas accepts on a submission_type_selection placement.
pub const SUBMISSION_TYPE_DESCRIPTION_MAX: usize = 255;

/// Every placement name Canvas knows, sorted case-insensitively.
pub fn placement_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = RESOURCE_LINK_PLACEMENTS
        .iter()
        .chain(DEEP_LINKING_PLACEMENTS.iter())
        .copied()
        .collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names.dedup();
    names
}

/// Whether Canvas knows the placement (exact, case-sensitive name).
pub fn is_placement(name: &str) -> bool {
    !message_types_for(name).is_empty()
}

/// The message types Canvas accepts for a placement, resource link first; empty when unknown.
pub fn message_types_for(placement: &str) -> &'static [MessageType] {
    let rl = RESOURCE_LINK_PLACEMENTS.contains(&placement);
    let dl = DEEP_LINKING_PLACEMENTS.contains(&placement);
    match (rl, dl) {
        (true, true) => BOTH,
        (true, false) => RL,
        (false, true) => DL,
        (false, false) => &[],
    }
}

/// The message type to offer first for a placement: resource link where it is accepted (Canvas's
/// own default), else deep linking. `None` for an unknown placement.
pub fn default_message_type(placement: &str) -> Option<MessageType> {
    message_types_for(placement).first().copied()
}

/// The feature flag a placement needs, if any.
pub fn placement_feature_flag(placement: &str) -> Option<&'static str> {
    FEATURE_FLAGGED_PLACEMENTS
        .iter()
        .find(|(p, _)| *p == placement)
        .map(|(_, flag)| *flag)
}

/// Whether a placement is restricted to Instructure-approved tools.
pub fn placement_needs_approval(placement: &str) -> bool {
    APPROVAL_PLACEMENTS.contains(&placement)
}

/// Canvas's deprecation advice for a placement, if it has one.
pub fn placement_deprecation(placement: &str) -> Option<&'static str> {
    DEPRECATED_PLACEMENTS
        .iter()
        .find(|(p, _)| *p == placement)
        .map(|(_, advice)| *advice)
}

/// A menu label for a placement: `course_navigation` → "Course navigation".
pub fn placement_label(placement: &str) -> String {
    match placement {
        "ActivityAssetProcessor" => "Asset processor".into(),
        "ActivityAssetProcessorContribution" => "Asset processor (discussions)".into(),
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// The placement a near-miss most likely means: a Dynamic Registration prefixed name, another
/// letter case, or a small typo.
pub fn suggest_placement(name: &str) -> Option<&'static str> {
    let bare = name
        .trim()
        .trim_start_matches("https://canvas.instructure.com/lti/")
        .trim();
    let names = placement_names();
    if let Some(exact) = names.iter().find(|n| n.eq_ignore_ascii_case(bare)) {
        return Some(exact);
    }
    let lower = bare.to_ascii_lowercase().replace(['-', ' '], "_");
    let prefixed: Vec<_> = names
        .iter()
        .filter(|n| lower.len() >= 4 && n.to_ascii_lowercase().starts_with(&lower))
        .collect();
    if let [only] = prefixed.as_slice() {
        return Some(only);
    }
    names
        .iter()
        .filter_map(|n| {
            Some((
                edit_distance_within(&n.to_ascii_lowercase(), &lower, 2)?,
                *n,
            ))
        })
        .min()
        .map(|(_, n)| n)
}

/// What a UI shows about one placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlacementInfo {
    /// The Canvas name, e.g. `course_navigation`.
    pub name: String,
    /// A menu label.
    pub label: String,
    /// The message types it accepts, the default first.
    pub message_types: Vec<MessageType>,
    /// The Canvas feature flag it needs, if any.
    pub feature_flag: Option<String>,
    /// Whether only Instructure-approved tools may use it.
    pub needs_approval: bool,
    /// Canvas's deprecation advice, if it is deprecated.
    pub deprecated: Option<String>,
}

/// Every placement with what it accepts and needs, sorted by name.
pub fn placements() -> Vec<PlacementInfo> {
    placement_names()
        .into_iter()
        .map(|name| PlacementInfo {
            name: name.into(),
            label: placement_label(name),
            message_types: message_types_for(name).to_vec(),
            feature_flag: placement_feature_flag(name).map(String::from),
            needs_approval: placement_needs_approval(name),
            deprecated: placement_deprecation(name).map(String::from),
        })
        .collect()
}

/// Whether Canvas shows a scope to admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScopeVisibility {
    /// Documented and shown in the developer key form.
    Public,
    /// Shown only when a root-account feature flag is on.
    FeatureFlag,
    /// Accepted but undocumented and not shown.
    Hidden,
}

struct ScopeDef {
    uri: &'static str,
    label: &'static str,
    visibility: ScopeVisibility,
    /// Known to Canvas builds of 2019–2021 too.
    long_standing: bool,
}

const ASSET_PROCESSOR_FLAG: &str = "lti_asset_processor";

const fn def(
    uri: &'static str,
    label: &'static str,
    visibility: ScopeVisibility,
    long_standing: bool,
) -> ScopeDef {
    ScopeDef {
        uri,
        label,
        visibility,
        long_standing,
    }
}

use ScopeVisibility::{FeatureFlag as Flagged, Hidden, Public};

/// `TokenScopes::LTI_SCOPES` then `LTI_HIDDEN_SCOPES` (lib/token_scopes.rb).
const SCOPES: [ScopeDef; 27] = [
    def(
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "Assignment and Grade Services: create and manage line items",
        Public,
        true,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "Assignment and Grade Services: read line items",
        Public,
        true,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "Assignment and Grade Services: read results",
        Public,
        true,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "Assignment and Grade Services: post scores",
        Public,
        true,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        "Names and Role Provisioning: read course and group rosters",
        Public,
        true,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti/scope/noticehandlers",
        "Platform Notification Service: manage notice handlers",
        Public,
        false,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti/scope/asset.readonly",
        "Asset Processor: read submitted assets",
        Flagged,
        false,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti/scope/report",
        "Asset Processor: send asset reports",
        Flagged,
        false,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti/scope/eula/deployment",
        "Asset Processor: manage the deployment's EULA settings",
        Flagged,
        false,
    ),
    def(
        "https://purl.imsglobal.org/spec/lti/scope/eula/user",
        "Asset Processor: record users' EULA acceptance",
        Flagged,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/public_jwk/scope/update",
        "Canvas: update the tool's public JWK",
        Public,
        true,
    ),
    def(
        "https://canvas.instructure.com/lti/account_lookup/scope/show",
        "Canvas: look up account details",
        Public,
        true,
    ),
    def(
        "https://canvas.instructure.com/lti-ags/progress/scope/show",
        "Canvas: show grade-passback progress",
        Public,
        true,
    ),
    def(
        "https://canvas.instructure.com/lti/page_content/show",
        "Canvas: read the content of the launching page",
        Public,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/account_external_tools/scope/create",
        "Canvas (undocumented): create external tools in the account",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/account_external_tools/scope/destroy",
        "Canvas (undocumented): delete external tools in the account",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/account_external_tools/scope/list",
        "Canvas (undocumented): list external tools in the account",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/account_external_tools/scope/show",
        "Canvas (undocumented): show external tools in the account",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/account_external_tools/scope/update",
        "Canvas (undocumented): update external tools in the account",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/create",
        "Canvas Data Services (undocumented): create subscriptions",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/show",
        "Canvas Data Services (undocumented): show subscriptions",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/update",
        "Canvas Data Services (undocumented): update subscriptions",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/list",
        "Canvas Data Services (undocumented): list subscriptions",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/destroy",
        "Canvas Data Services (undocumented): delete subscriptions",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/data_services/scope/list_event_types",
        "Canvas Data Services (undocumented): list event types",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/feature_flags/scope/show",
        "Canvas (undocumented): read feature flags",
        Hidden,
        false,
    ),
    def(
        "https://canvas.instructure.com/lti/replace_editor_contents",
        "Canvas (undocumented): replace the rich content editor's contents",
        Hidden,
        false,
    ),
];

/// What a UI shows about one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScopeInfo {
    /// The scope URI.
    pub uri: String,
    /// What it grants, in plain words.
    pub label: String,
    /// Whether Canvas shows it.
    pub visibility: ScopeVisibility,
    /// The feature flag that makes it visible, for `feature_flag` scopes.
    pub feature_flag: Option<String>,
    /// Whether Canvas builds of 2019–2021 (self-hosted installs) know it too.
    pub long_standing: bool,
}

fn scope_def(uri: &str) -> Option<&'static ScopeDef> {
    SCOPES.iter().find(|s| s.uri == uri)
}

fn scope_info(def: &ScopeDef) -> ScopeInfo {
    ScopeInfo {
        uri: def.uri.into(),
        label: def.label.into(),
        visibility: def.visibility,
        feature_flag: (def.visibility == ScopeVisibility::FeatureFlag)
            .then(|| ASSET_PROCESSOR_FLAG.to_string()),
        long_standing: def.long_standing,
    }
}

/// Every scope URI Canvas accepts: the documented ones first, then the hidden ones.
pub fn scopes() -> Vec<ScopeInfo> {
    SCOPES.iter().map(scope_info).collect()
}

/// What Canvas says about one scope URI; `None` when Canvas does not accept it.
pub fn scope(uri: &str) -> Option<ScopeInfo> {
    scope_def(uri).map(scope_info)
}

/// Whether Canvas accepts the scope URI.
pub fn is_scope(uri: &str) -> bool {
    scope_def(uri).is_some()
}

/// The scope a near-miss most likely means: a bare last segment (`score`), a missing or extra
/// trailing slash, another letter case, or a small typo.
pub fn suggest_scope(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_end_matches('/');
    if t.is_empty() {
        return None;
    }
    if let Some(s) = SCOPES.iter().find(|s| s.uri.eq_ignore_ascii_case(t)) {
        return Some(s.uri);
    }
    if !t.contains('/') {
        let tail: Vec<_> = SCOPES
            .iter()
            .filter(|s| s.uri.rsplit('/').next() == Some(t))
            .collect();
        if let [only] = tail.as_slice() {
            return Some(only.uri);
        }
    }
    SCOPES
        .iter()
        .filter_map(|s| Some((edit_distance_within(s.uri, t, 3)?, s.uri)))
        .min()
        .map(|(_, uri)| uri)
}

/// A choice a UI offers, with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Choice<T> {
    /// The value.
    pub value: T,
    /// A menu label.
    pub label: String,
}

/// Every valid choice of a Canvas tool profile, in one value for a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Choices {
    /// Placements, with the message types each accepts.
    pub placements: Vec<PlacementInfo>,
    /// Scope URIs.
    pub scopes: Vec<ScopeInfo>,
    /// Message types.
    pub message_types: Vec<Choice<MessageType>>,
    /// Privacy levels, most open first.
    pub privacy_levels: Vec<Choice<PrivacyLevel>>,
    /// Display types.
    pub display_types: Vec<Choice<DisplayType>>,
    /// Window targets.
    pub window_targets: Vec<Choice<WindowTarget>>,
}

/// Every valid choice, for a form.
pub fn choices() -> Choices {
    Choices {
        placements: placements(),
        scopes: scopes(),
        message_types: MessageType::ALL
            .into_iter()
            .map(|value| Choice {
                value,
                label: value.label().into(),
            })
            .collect(),
        privacy_levels: PrivacyLevel::ALL
            .into_iter()
            .map(|value| Choice {
                value,
                label: value.label().into(),
            })
            .collect(),
        display_types: DisplayType::ALL
            .into_iter()
            .map(|value| Choice {
                value,
                label: placement_label(value.as_str()),
            })
            .collect(),
        window_targets: vec![Choice {
            value: WindowTarget::Blank,
            label: "New window or tab".into(),
        }],
    }
}

/// The Levenshtein distance of `a` and `b` when it is at most `max`. Strings whose lengths
/// differ by more than `max` are told apart at once, so a huge value typed or pasted where a
/// short name belongs costs no more than its length.
pub(crate) fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let (na, nb) = (a.chars().count(), b.chars().count());
    if na.abs_diff(nb) > max {
        return None;
    }
    Some(edit_distance(a, b)).filter(|d| *d <= max)
}

/// Levenshtein distance over characters; used only on short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != *cb);
            let delete = prev[j + 1] + 1;
            let insert = row[j] + 1;
            row.push(substitute.min(delete).min(insert));
        }
        prev = row;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_counts_match_canvas() {
        assert_eq!(placement_names().len(), 42, "39 RL placements + 3 DL-only");
        let dl = placement_names()
            .into_iter()
            .filter(|p| message_types_for(p).contains(&MessageType::LtiDeepLinkingRequest))
            .count();
        assert_eq!(dl, 14);
        let dl_only: Vec<_> = placement_names()
            .into_iter()
            .filter(|p| message_types_for(p) == DL)
            .collect();
        assert_eq!(
            dl_only,
            [
                "ActivityAssetProcessor",
                "ActivityAssetProcessorContribution",
                "editor_button"
            ]
        );
    }

    #[test]
    fn message_types_per_placement() {
        assert_eq!(message_types_for("course_navigation"), RL);
        assert_eq!(message_types_for("editor_button"), DL);
        assert_eq!(message_types_for("link_selection"), BOTH);
        assert!(message_types_for("Course_Navigation").is_empty());
        assert_eq!(
            default_message_type("editor_button"),
            Some(MessageType::LtiDeepLinkingRequest)
        );
        assert_eq!(
            default_message_type("assignment_selection"),
            Some(MessageType::LtiResourceLinkRequest)
        );
        assert_eq!(default_message_type("nope"), None);
    }

    #[test]
    fn availability() {
        assert_eq!(
            placement_feature_flag("top_navigation"),
            Some("top_navigation_placement")
        );
        assert_eq!(placement_feature_flag("course_navigation"), None);
        assert!(placement_needs_approval("submission_type_selection"));
        assert!(!placement_needs_approval("link_selection"));
        assert!(placement_deprecation("resource_selection").is_some());
    }

    #[test]
    fn scopes_and_suggestions() {
        assert_eq!(scopes().len(), 27);
        assert_eq!(
            scopes()
                .iter()
                .filter(|s| s.visibility == ScopeVisibility::Hidden)
                .count(),
            13
        );
        assert_eq!(scopes().iter().filter(|s| s.long_standing).count(), 8);
        let report = scope("https://purl.imsglobal.org/spec/lti/scope/report").unwrap();
        assert_eq!(report.feature_flag.as_deref(), Some("lti_asset_processor"));
        assert!(!is_scope(
            "https://purl.imsglobal.org/spec/lti-ags/scope/score/"
        ));
        assert_eq!(
            suggest_scope("score"),
            Some("https://purl.imsglobal.org/spec/lti-ags/scope/score")
        );
        assert_eq!(
            suggest_scope("https://purl.imsglobal.org/spec/lti-ags/scope/score/"),
            Some("https://purl.imsglobal.org/spec/lti-ags/scope/score")
        );
        assert_eq!(
            suggest_scope("https://purl.imsglobal.org/spec/lti-ags/scope/lineitems"),
            Some("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")
        );
        assert_eq!(
            suggest_scope("show"),
            None,
            "ambiguous: several end in show"
        );
        assert_eq!(suggest_scope("https://elsewhere.example/x"), None);
    }

    #[test]
    fn placement_suggestions() {
        assert_eq!(
            suggest_placement("https://canvas.instructure.com/lti/course_navigation"),
            Some("course_navigation")
        );
        assert_eq!(
            suggest_placement("activityassetprocessor"),
            Some("ActivityAssetProcessor")
        );
        assert_eq!(
            suggest_placement("course-navigation"),
            Some("course_navigation")
        );
        assert_eq!(suggest_placement("editor_buton"), Some("editor_button"));
        assert_eq!(suggest_placement("course_nav"), Some("course_navigation"));
        assert_eq!(
            suggest_placement("course"),
            None,
            "several start with course"
        );
        assert_eq!(suggest_placement("ContentArea"), None);
    }

    #[test]
    fn parsing_choices() {
        assert_eq!(
            "name_only".parse::<PrivacyLevel>().unwrap(),
            PrivacyLevel::NameOnly
        );
        assert_eq!(
            "name-only".parse::<PrivacyLevel>().unwrap(),
            PrivacyLevel::NameOnly
        );
        let err = "secret".parse::<PrivacyLevel>().unwrap_err();
        assert!(err.to_string().starts_with("privacy level:"), "{err}");
        assert_eq!(
            "deep-linking".parse::<MessageType>().unwrap(),
            MessageType::LtiDeepLinkingRequest
        );
        assert!("LtiSubmissionReviewRequest".parse::<MessageType>().is_err());
        assert_eq!(
            "full_width".parse::<DisplayType>().unwrap(),
            DisplayType::FullWidth
        );
        assert!("_self".parse::<WindowTarget>().is_err());
        assert_eq!(
            serde_json::to_value(WindowTarget::Blank).unwrap(),
            serde_json::json!("_blank")
        );
        assert_eq!(
            serde_json::to_value(PrivacyLevel::EmailOnly).unwrap(),
            serde_json::json!("email_only")
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance_within("kitten", "sitting", 3), Some(3));
        assert_eq!(edit_distance_within("kitten", "sitting", 2), None);
        let huge = "x".repeat(1_000_000);
        let started = std::time::Instant::now();
        assert_eq!(edit_distance_within(&huge, "course_navigation", 3), None);
        assert!(
            started.elapsed().as_millis() < 500,
            "told apart by length alone"
        );
    }
}
