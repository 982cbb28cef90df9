// Sample data and a fake backend for the profile, Canvas JSON, platform and registration tests.


import type {
  DiscoveryOutcome,
  Finding,
  HandoffView,
  Platform,
  Registration,
  RegistrationBrief,
  Tool,
} from "../lib/ipc/bindings";
import { SAMPLE_TOOL } from "./fixtures";

/** A subset of the real choices: enough placements to cover RL-only, DL-only, both and flagged. */

/** A tool with a full profile. */
export const PROFILE_TOOL: Tool = {
  ...SAMPLE_TOOL,
  jwks_url: "https://quiz.example.com/.well-known/jwks.json",
  privacy_level: "name_only",
  canvas_tool_id: "quiz",
  icon_url: "https://quiz.example.com/icon.svg",
  custom_fields: { canvas_user_id: "$Canvas.user.id" },
  scopes: ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
  placements: [
    {
      placement: "course_navigation",
      message_type: "LtiResourceLinkRequest",
      enabled: true,
      text: "Quizzes",
      target_link_uri: null,
      icon_url: null,
      selection_width: null,
      selection_height: null,
      launch_width: null,
      launch_height: null,
      display_type: "full_width",
      window_target: null,
      required_permissions: ["manage_course_content_add"],
    },
    {
      placement: "editor_button",
      message_type: "LtiDeepLinkingRequest",
      enabled: false,
      text: null,
      target_link_uri: "https://quiz.example.com/lti/deep",
      icon_url: null,
      selection_width: 800,
      selection_height: 600,
      launch_width: null,
      launch_height: null,
      display_type: null,
      window_target: null,
      required_permissions: [],
    },
  ],
};

export const CANVAS_JSON = JSON.stringify(
  {
    title: "Quiz Builder",
    description: "Quizzes",
    oidc_initiation_url: "https://quiz.example.com/login",
    target_link_uri: "https://quiz.example.com/launch",
    public_jwk_url: "https://quiz.example.com/.well-known/jwks.json",
    extensions: [
      {
        platform: "canvas.instructure.com",
        privacy_level: "name_only",
        settings: {
          placements: [
            { placement: "course_navigation", message_type: "LtiResourceLinkRequest" },
            { placement: "editor_button", message_type: "LtiDeepLinkingRequest" },
          ],
        },
      },
    ],
  },
  null,
  2,
);

export const WRONG_MESSAGE_TYPE: Finding = {
  code: "wrong-message-type",
  severity: "error",
  path: "$.extensions[0].settings.placements[0].message_type",
  message: "course_navigation does not take LtiDeepLinkingRequest; Canvas refuses to save it",
  fix: "use LtiResourceLinkRequest for course_navigation",
};

export const NO_PLACEMENTS: Finding = {
  code: "no-placements",
  severity: "warning",
  path: "$.extensions[0].settings.placements",
  message: "placements is empty, so the tool appears nowhere in Canvas",
  fix: "add at least one placement, e.g. course_navigation or link_selection",
};


export const PLATFORM: Platform = {
  id: "p1",
  name: "Acme Moodle",
  family: "moodle",
  base_url: "https://moodle.acme.edu",
  issuer: "https://moodle.acme.edu",
  auth_url: "https://moodle.acme.edu/mod/lti/auth.php",
  token_url: "https://moodle.acme.edu/mod/lti/token.php",
  token_audience: null,
  jwks_url: "https://moodle.acme.edu/mod/lti/certs.php",
  openid_configuration_url: "https://moodle.acme.edu/mod/lti/openid-configuration.php",
  created_at: "2025-01-02T00:00:00Z",
  updated_at: "2025-01-02T00:00:00Z",
};

export const REGISTRATION: Registration = {
  id: "r1",
  tool_id: SAMPLE_TOOL.id,
  tool_name: SAMPLE_TOOL.name,
  platform_id: PLATFORM.id,
  platform_name: PLATFORM.name,
  issuer: PLATFORM.issuer,
  client_id: "zTn6FWnZ4W21zmS",
  canvas: null,
  deployments: [
    { deployment_id: "43", label: "Biology 101", added_at: "2025-02-01T00:00:00Z" },
    { deployment_id: "44", label: null, added_at: "2025-02-03T00:00:00Z" },
  ],
  created_at: "2025-02-01T00:00:00Z",
  updated_at: "2025-02-03T00:00:00Z",
};

/** What the platforms page reads of `registration`. */
export function brief(registration: Registration): RegistrationBrief {
  const { id, tool_id, tool_name, platform_id, client_id } = registration;
  return { id, tool_id, tool_name, platform_id, client_id, deployment_count: registration.deployments.length };
}

export const HANDOFF: HandoffView = {
  handoff: {
    registration_id: REGISTRATION.id,
    tool: SAMPLE_TOOL.name,
    platform: PLATFORM.name,
    issuer: PLATFORM.issuer,
    client_id: REGISTRATION.client_id,
    deployment_ids: ["43", "44"],
    deployments: REGISTRATION.deployments,
    auth_url: PLATFORM.auth_url,
    token_url: PLATFORM.token_url,
    jwks_url: PLATFORM.jwks_url,
    findings: [],
  },
  text: "LTI 1.3 registration of Quiz Builder on Acme Moodle\n\nIssuer (iss):  https://moodle.acme.edu\n",
};

export const DISCOVERY: DiscoveryOutcome = {
  url: "https://moodle.acme.edu/mod/lti/openid-configuration.php",
  platform: { ...PLATFORM, token_url: "https://moodle.acme.edu/mod/lti/token2.php" },
  created: false,
  applied: true,
  changes: [
    {
      field: "token_url",
      old: "https://moodle.acme.edu/mod/lti/token.php",
      new: "https://moodle.acme.edu/mod/lti/token2.php",
      applied: true,
    },
    {
      field: "issuer",
      old: "https://moodle.acme.edu",
      new: "https://lms.acme.edu",
      applied: false,
      reason: "the issuer changed: pass accept-issuer to take it",
    },
  ],
  discovered: {
    issuer: "https://lms.acme.edu",
    auth_url: PLATFORM.auth_url,
    token_url: "https://moodle.acme.edu/mod/lti/token2.php",
    token_audience: null,
    jwks_url: PLATFORM.jwks_url,
    registration_endpoint: null,
    product_family_code: "moodle",
    version: "4.4",
    family: "moodle",
    findings: [],
  },
  findings: [
    {
      code: "issuer-changed",
      severity: "warning",
      message: "the issuer differs from the stored one",
      fix: "tick Accept issuer change if the platform really moved",
    },
  ],
};

/** A fake of every profile, Canvas, platform and registration call, with sample answers. */

// The Rust side's own answers, so that a change there shows here.
export { CANNED_CHOICES as CHOICES, CANNED_PRESETS as PRESETS } from "./backend";
