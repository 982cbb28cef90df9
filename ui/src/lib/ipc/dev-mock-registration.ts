// Development only: the profile, Canvas JSON, platform and registration commands of the mocked
// backend (see dev-mock.ts). The answers have the real shapes; the rules are a small subset.

import type {
  IpcError,
  CanvasImported,
  Choices,
  Deployment,
  DiscoveryOutcome,
  Finding,
  HandoffView,
  KeyInfo,
  MessageType,
  NewDeployment,
  NewPlatform,
  NewRegistration,
  Platform,
  PlacementInfo,
  Preset,
  Registration,
  Tool,
  ToolProfile,
} from "./bindings";

const RL: MessageType = "LtiResourceLinkRequest";
const DL: MessageType = "LtiDeepLinkingRequest";

const PLACEMENTS: PlacementInfo[] = (
  [
    ["account_navigation", "Account navigation", [RL], null],
    ["assignment_selection", "Assignment selection", [DL, RL], null],
    ["course_navigation", "Course navigation", [RL], null],
    ["editor_button", "Editor button", [DL], null],
    ["global_navigation", "Global navigation", [RL], null],
    ["homework_submission", "Homework submission", [DL, RL], null],
    ["link_selection", "Link selection", [RL, DL], null],
    ["module_menu_modal", "Module menu (modal)", [DL, RL], null],
    ["top_navigation", "Top navigation", [RL], "top_navigation_placement"],
    ["user_navigation", "User navigation", [RL], null],
  ] as Array<[string, string, MessageType[], string | null]>
).map(([name, label, message_types, feature_flag]) => ({
  name,
  label,
  message_types,
  feature_flag,
  needs_approval: false,
  deprecated: null,
}));

const CHOICES: Choices = {
  placements: PLACEMENTS,
  scopes: [
    {
      uri: "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
      label: "Assignment and Grade Services: create and manage line items",
      visibility: "public",
      feature_flag: null,
      long_standing: true,
    },
    {
      uri: "https://purl.imsglobal.org/spec/lti-ags/scope/score",
      label: "Assignment and Grade Services: post scores",
      visibility: "public",
      feature_flag: null,
      long_standing: true,
    },
    {
      uri: "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
      label: "Names and Role Provisioning: read course and group rosters",
      visibility: "public",
      feature_flag: null,
      long_standing: true,
    },
    {
      uri: "https://purl.imsglobal.org/spec/lti/scope/asset.readonly",
      label: "Asset Processor: read submitted assets",
      visibility: "feature_flag",
      feature_flag: "lti_asset_processor",
      long_standing: false,
    },
    {
      uri: "https://canvas.instructure.com/lti/feature_flags/scope/show",
      label: "Canvas (undocumented): read feature flags",
      visibility: "hidden",
      feature_flag: null,
      long_standing: false,
    },
  ],
  message_types: [
    { value: RL, label: "Resource link launch" },
    { value: DL, label: "Deep linking (content selection)" },
  ],
  privacy_levels: [
    { value: "public", label: "Public: name, email, picture and SIS ids" },
    { value: "name_only", label: "Name only" },
    { value: "email_only", label: "Email only" },
    { value: "anonymous", label: "Anonymous: opaque ids only" },
  ],
  display_types: [
    { value: "default", label: "Default" },
    { value: "full_width", label: "Full width" },
    { value: "borderless", label: "Borderless" },
  ],
  window_targets: [{ value: "_blank", label: "New window or tab" }],
};

const PRESETS: Preset[] = [
  {
    family: "canvas-cloud",
    label: "Canvas (Instructure cloud, production)",
    needs_base_url: false,
    base_url_example: null,
    issuer: "https://canvas.instructure.com",
    auth_url: "https://sso.canvaslms.com/api/lti/authorize_redirect",
    token_url: "https://sso.canvaslms.com/login/oauth2/token",
    token_audience: null,
    jwks_url: "https://sso.canvaslms.com/api/lti/security/jwks",
    openid_configuration_url: null,
    note: "Every Instructure-hosted Canvas shares this issuer, so registrations are told apart by client_id.",
  },
  {
    family: "moodle",
    label: "Moodle",
    needs_base_url: true,
    base_url_example: "https://moodle.example.edu",
    issuer: "{base_url}",
    auth_url: "{base_url}/mod/lti/auth.php",
    token_url: "{base_url}/mod/lti/token.php",
    token_audience: null,
    jwks_url: "{base_url}/mod/lti/certs.php",
    openid_configuration_url: "{base_url}/mod/lti/openid-configuration.php",
    note: "Moodle's issuer is the site's address ($CFG->wwwroot).",
  },
  {
    family: "brightspace",
    label: "D2L Brightspace",
    needs_base_url: true,
    base_url_example: "https://school.brightspace.com",
    issuer: "{base_url}",
    auth_url: "{base_url}/d2l/lti/authenticate",
    token_url: "https://auth.brightspace.com/core/connect/token",
    token_audience: "https://api.brightspace.com/auth/token",
    jwks_url: "{base_url}/d2l/.well-known/jwks",
    openid_configuration_url: null,
    note: "Brightspace's token audience differs from its token URL.",
  },
  {
    family: "custom",
    label: "Other LMS",
    needs_base_url: false,
    base_url_example: null,
    issuer: null,
    auth_url: null,
    token_url: null,
    token_audience: null,
    jwks_url: null,
    openid_configuration_url: null,
    note: "Copy every value from the platform's registration page.",
  },
];

const platforms: Platform[] = [];
const registrations: Registration[] = [];
let counter = 0;

const invalid = (message: string, field: string | null = null): IpcError => ({ kind: "invalid", message, field, remedies: [] });
const newId = (prefix: string): string => `${prefix}${(counter += 1).toString(16).padStart(6, "0")}`;
const now = (): string => new Date().toISOString();

function exportCanvas(tool: Tool, keys: KeyInfo[]): string {
  if (tool.launch_url === null) throw invalid(`launch URL: tool '${tool.name}' has none, and Canvas requires target_link_uri. Fix: set it in the profile`, "launch_url");
  if (tool.login_url === null) throw invalid(`login URL: tool '${tool.name}' has none, and Canvas requires oidc_initiation_url. Fix: set it in the profile`, "login_url");
  const current = keys.find((key) => key.tool_id === tool.id && key.status === "current");
  if (tool.jwks_url === null && current === undefined) {
    throw invalid(`public key: tool '${tool.name}' has no JWKS URL and no current key, and Canvas needs one of them. Fix: generate a key, or set a JWKS URL`, "public_jwk");
  }
  const doc = {
    title: tool.name,
    description: tool.description,
    oidc_initiation_url: tool.login_url,
    target_link_uri: tool.launch_url,
    ...(tool.jwks_url !== null
      ? { public_jwk_url: tool.jwks_url }
      : { public_jwk: { kty: "RSA", kid: current?.kid, alg: "RS256", use: "sig", e: "AQAB", n: "…" } }),
    scopes: tool.scopes,
    custom_fields: tool.custom_fields,
    extensions: [
      {
        platform: "canvas.instructure.com",
        ...(tool.domain !== null ? { domain: tool.domain } : {}),
        ...(tool.canvas_tool_id !== null ? { tool_id: tool.canvas_tool_id } : {}),
        privacy_level: tool.privacy_level,
        settings: {
          ...(tool.icon_url !== null ? { icon_url: tool.icon_url } : {}),
          placements: tool.placements.map((p) => ({
            placement: p.placement,
            message_type: p.message_type,
            enabled: p.enabled,
            ...(p.text !== null ? { text: p.text } : {}),
            ...(p.target_link_uri !== null ? { target_link_uri: p.target_link_uri } : {}),
          })),
        },
      },
    ],
  };
  return JSON.stringify(doc, null, 2);
}

function lint(json: string): Finding[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    return [{ code: "invalid-json", severity: "error", path: "$", message: `this is not valid JSON: ${String(error)}`, fix: "paste the whole configuration object" }];
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return [{ code: "not-an-object", severity: "error", path: "$", message: "the configuration is not a JSON object", fix: "paste the whole object, from { to }" }];
  }
  const record = doc as Record<string, unknown>;
  const findings: Finding[] = [];
  for (const key of ["title", "description", "target_link_uri", "oidc_initiation_url"]) {
    if (!(key in record)) {
      findings.push({ code: "missing-field", severity: "error", path: "$", message: `${key} is missing`, fix: `add ${key}` });
    }
  }
  for (const key of ["target_link_uri", "oidc_initiation_url", "public_jwk_url"]) {
    const value = record[key];
    if (typeof value === "string" && value.startsWith("http://") && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])/.test(value)) {
      findings.push({ code: "http-url", severity: "error", path: `$.${key}`, message: `${key} '${value}' uses plain http`, fix: "use https://" });
    }
  }
  const known = new Set(["title", "description", "target_link_uri", "oidc_initiation_url", "oidc_initiation_urls", "public_jwk", "public_jwk_url", "scopes", "custom_fields", "extensions"]);
  for (const key of Object.keys(record)) {
    if (!known.has(key)) {
      findings.push({ code: "unknown-field", severity: "info", path: `$.${key}`, message: `Canvas does not know ${key} at the top level and ignores it`, fix: "remove it" });
    }
  }
  const extensions = Array.isArray(record.extensions) ? record.extensions : [];
  extensions.forEach((extension: unknown, e) => {
    const settings = (extension as { settings?: { placements?: unknown } } | null)?.settings;
    const placements = Array.isArray(settings?.placements) ? settings.placements : [];
    if (placements.length === 0) {
      findings.push({ code: "no-placements", severity: "warning", path: `$.extensions[${e}].settings.placements`, message: "placements is empty, so the tool appears nowhere in Canvas", fix: "add at least one placement" });
    }
    placements.forEach((placement: unknown, i) => {
      const p = placement as { placement?: string; message_type?: string } | null;
      const info = PLACEMENTS.find((candidate) => candidate.name === p?.placement);
      if (info !== undefined && p?.message_type !== undefined && !info.message_types.includes(p.message_type as MessageType)) {
        findings.push({
          code: "wrong-message-type",
          severity: "error",
          path: `$.extensions[${e}].settings.placements[${i}].message_type`,
          message: `${info.name} does not take ${p.message_type}; Canvas refuses to save it`,
          fix: `use ${info.message_types.join(" or ")} for ${info.name}`,
        });
      }
    });
  });
  return findings;
}

function findPlatform(platform: string): Platform {
  const found = platforms.find((p) => p.id === platform || p.name.toLowerCase() === platform.toLowerCase());
  if (found === undefined) throw { kind: "platform_not_found", message: `no platform named or with id '${platform}'` };
  return found;
}

function findRegistration(registration: string): Registration {
  const found = registrations.find((r) => r.id === registration);
  if (found === undefined) throw { kind: "registration_not_found", message: `no registration '${registration}'` };
  return found;
}

function addPlatform(input: NewPlatform): Platform {
  if (input.name.trim() === "") throw invalid('name: it is empty. Fix: give the platform a name, e.g. "Acme University Canvas"', "name");
  if (platforms.some((p) => p.name.toLowerCase() === input.name.trim().toLowerCase())) {
    throw { kind: "platform_exists", message: `a platform named '${input.name}' already exists. Fix: choose another name` };
  }
  const preset = PRESETS.find((p) => p.family === input.preset) ?? PRESETS[PRESETS.length - 1]!;
  const base = (input.base_url ?? "").replace(/\/+$/, "");
  if (preset.needs_base_url && base === "") throw invalid(`base URL: the ${preset.family} preset needs the instance's base URL. Fix: give it`, "base_url");
  const pick = (given: string | null, template: string | null): string | null => given ?? (template === null ? null : template.replace("{base_url}", base));
  const issuer = pick(input.issuer, preset.issuer);
  const auth = pick(input.auth_url, preset.auth_url);
  const token = pick(input.token_url, preset.token_url);
  const jwks = pick(input.jwks_url, preset.jwks_url);
  if (issuer === null || auth === null || token === null || jwks === null) {
    throw invalid(`platform values: the ${preset.family} preset has no value for some endpoints. Fix: give them`);
  }
  const platform: Platform = {
    id: newId("p"),
    name: input.name.trim(),
    family: input.preset,
    base_url: base === "" ? null : base,
    issuer,
    auth_url: auth,
    token_url: token,
    token_audience: pick(input.token_audience, preset.token_audience),
    jwks_url: jwks,
    openid_configuration_url: pick(input.openid_configuration_url, preset.openid_configuration_url),
    created_at: now(),
    updated_at: now(),
  };
  platforms.push(platform);
  return platform;
}

function handoff(registration: Registration): HandoffView {
  const platform = findPlatform(registration.platform_id);
  const findings: Finding[] =
    registration.deployments.length === 0
      ? [{ code: "no-deployment", severity: "warning", message: "no deployment id is recorded yet", fix: "add the deployment_id the platform shows" }]
      : [];
  const view: HandoffView["handoff"] = {
    registration_id: registration.id,
    tool: registration.tool_name,
    platform: platform.name,
    issuer: platform.issuer,
    client_id: registration.client_id,
    deployment_ids: registration.deployments.map((d) => d.deployment_id),
    deployments: registration.deployments,
    auth_url: platform.auth_url,
    token_url: platform.token_url,
    jwks_url: platform.jwks_url.replace("{client_id}", registration.client_id),
    findings,
  };
  if (platform.token_audience !== null) view.token_audience = platform.token_audience;
  const text = [
    `LTI 1.3 registration of ${view.tool} on ${view.platform}`,
    "",
    `Issuer (iss):        ${view.issuer}`,
    `Client ID:           ${view.client_id}`,
    `Deployment IDs:      ${view.deployment_ids.join(", ") || "(none recorded yet)"}`,
    `OIDC auth endpoint:  ${view.auth_url}`,
    `Access token URL:    ${view.token_url}`,
    `Platform JWKS URL:   ${view.jwks_url}`,
  ].join("\n");
  return { handoff: view, text };
}

function deployment(input: NewDeployment): Deployment {
  return { deployment_id: input.deployment_id.trim(), label: input.label, added_at: now() };
}

/** Answers the command when it is one of these; `undefined` otherwise. */
export async function registrationMock(
  command: string,
  args: Record<string, unknown>,
  tools: Tool[],
  keys: KeyInfo[],
  find: (tool: string) => Tool,
): Promise<unknown> {
  switch (command) {
    case "lti_choices":
      return CHOICES;
    case "update_tool": {
      const tool = find(String(args.tool));
      const edit = args.edit as ToolProfile;
      if (tools.some((other) => other !== tool && other.name === edit.name)) {
        throw { kind: "tool_exists", message: `a tool named '${edit.name}' already exists. Fix: choose another name` };
      }
      Object.assign(tool, edit);
      return tool;
    }
    case "export_canvas":
      return exportCanvas(find(String(args.tool)), keys);
    case "save_canvas":
      exportCanvas(find(String(args.tool)), keys);
      return { outcome: "saved", path: "/home/user/Documents/quiz-builder-canvas.json" };
    case "lint_canvas":
      return lint(String(args.json));
    case "import_canvas": {
      const findings = lint(String(args.json));
      const doc = JSON.parse(String(args.json)) as Record<string, unknown>;
      const name = typeof args.name === "string" ? args.name : String(doc.title ?? "Imported tool");
      if (tools.some((tool) => tool.name === name)) {
        throw { kind: "tool_exists", message: `a tool named '${name}' already exists. Fix: choose another name` };
      }
      const text = (key: string): string | null => (typeof doc[key] === "string" ? (doc[key] as string) : null);
      const tool: Tool = {
        id: crypto.randomUUID(),
        name,
        description: text("description") ?? "",
        domain: null,
        login_url: text("oidc_initiation_url"),
        launch_url: text("target_link_uri"),
        redirect_uris: [],
        jwks_url: text("public_jwk_url"),
        privacy_level: "anonymous",
        canvas_tool_id: null,
        icon_url: null,
        custom_fields: {},
        scopes: Array.isArray(doc.scopes) ? (doc.scopes as string[]) : [],
        placements: [],
        created_at: now(),
      };
      tools.push(tool);
      return { tool, findings } satisfies CanvasImported;
    }
    case "platform_presets":
      return PRESETS;
    case "list_platforms":
      return [...platforms];
    case "add_platform":
      return addPlatform(args.input as NewPlatform);
    case "remove_platform": {
      const platform = findPlatform(String(args.platform));
      if (registrations.some((r) => r.platform_id === platform.id)) {
        throw { kind: "platform_in_use", message: `${platform.name} has registrations. Fix: remove them first` };
      }
      platforms.splice(platforms.indexOf(platform), 1);
      return null;
    }
    case "discover_platform": {
      const platform = findPlatform(String(args.platform));
      const url = typeof args.url === "string" ? args.url : platform.openid_configuration_url;
      if (url === null) throw { kind: "discovery", message: "no OpenID configuration URL. Fix: give one" };
      const token = `${platform.token_url.replace(/\/$/, "")}`;
      const outcome: DiscoveryOutcome = {
        url,
        platform,
        created: false,
        applied: false,
        changes: [
          { field: "issuer", old: platform.issuer, new: `${platform.issuer}/`, applied: args.acceptIssuer === true, reason: "the issuer differs; accept the issuer change to take it" },
          { field: "token_url", old: token, new: token, applied: false, reason: "unchanged" },
        ].filter((change) => change.old !== change.new),
        discovered: {
          issuer: `${platform.issuer}/`,
          auth_url: platform.auth_url,
          token_url: platform.token_url,
          token_audience: null,
          jwks_url: platform.jwks_url,
          registration_endpoint: null,
          product_family_code: platform.family,
          version: "mock",
          family: platform.family,
          findings: [],
        },
        findings: [{ code: "issuer-trailing-slash", severity: "warning", message: "the discovered issuer ends with a slash", fix: "compare it with the iss of a real launch" }],
      };
      outcome.applied = outcome.changes.some((change) => change.applied);
      return outcome;
    }
    case "list_registrations": {
      const tool = typeof args.tool === "string" ? find(args.tool).id : null;
      return registrations.filter((r) => (tool === null || r.tool_id === tool) && (typeof args.platform !== "string" || r.platform_id === args.platform));
    }
    case "add_registration": {
      const input = args.input as NewRegistration;
      const tool = find(input.tool);
      const platform = findPlatform(input.platform);
      if (registrations.some((r) => r.platform_id === platform.id && r.client_id === input.client_id)) {
        throw { kind: "duplicate_registration", message: `${platform.name} already has a registration with client_id ${input.client_id}. Fix: check the client_id` };
      }
      const registration: Registration = {
        id: newId("r"),
        tool_id: tool.id,
        tool_name: tool.name,
        platform_id: platform.id,
        platform_name: platform.name,
        issuer: platform.issuer,
        client_id: input.client_id,
        deployments: input.deployments.map(deployment),
        created_at: now(),
        updated_at: now(),
      };
      registrations.push(registration);
      return registration;
    }
    case "add_deployment": {
      const registration = findRegistration(String(args.registration));
      const input = args.deployment as NewDeployment;
      if (registration.deployments.some((d) => d.deployment_id === input.deployment_id)) {
        throw { kind: "deployment_exists", message: `deployment ${input.deployment_id} is already recorded. Fix: nothing to do` };
      }
      registration.deployments.push(deployment(input));
      return registration;
    }
    case "remove_deployment": {
      const registration = findRegistration(String(args.registration));
      registration.deployments = registration.deployments.filter((d) => d.deployment_id !== args.deploymentId);
      return registration;
    }
    case "registration_handoff":
      return handoff(findRegistration(String(args.registration)));
    default:
      return undefined;
  }
}
