// Development only: a mocked backend with sample data, loaded by main.ts under `?mock` in `vite dev`.
// Open http://localhost:1420/?mock (or ?mock=nokeychain to see the keychain warning).

import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";

import type { AppStatus, KeyInfo, KeygenProgress, Tool, ToolProfile, ToolSummary } from "./bindings";
import { rotationMock } from "./dev-mock-rotation";
import { registrationMock } from "./dev-mock-registration";

const tools: Tool[] = [
  {
    id: "3f2a9c4e-1d6b-4b8e-9a51-7c0e2d4f6a11",
    name: "Quiz Builder",
    description: "Graded quizzes for Canvas and Moodle courses.",
    domain: "quiz.example.com",
    login_url: "https://quiz.example.com/lti/login",
    launch_url: "https://quiz.example.com/lti/launch",
    redirect_uris: ["https://quiz.example.com/lti/launch", "https://quiz.example.com/lti/deep-link"],
    jwks_url: "https://quiz.example.com/.well-known/jwks.json",
    privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
    created_at: "2025-01-14T09:30:00Z",
  },
  {
    id: "8b7e1f30-5c2d-4e6f-8a90-1b2c3d4e5f60",
    name: "Local dev tool",
    description: "",
    domain: "localhost:3000",
    login_url: "http://localhost:3000/login",
    launch_url: "http://localhost:3000/launch",
    redirect_uris: ["http://localhost:3000/launch"],
    jwks_url: null,
    privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
    created_at: "2025-03-02T16:05:00Z",
  },
];

const keys: KeyInfo[] = [
  {
    tool_id: tools[0]!.id,
    kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    alg: "RS256",
    bits: 2048,
    status: "current",
    created_at: "2025-02-01T10:15:00Z",
    published_at: "2025-02-01T10:15:00Z",
    signing_from: null,
    signing_to: null,
    unpublish_after: null,
    retired_at: null,
    revoked_at: null,
    published: true,
    private_key: "present",
  },
  {
    tool_id: tools[0]!.id,
    kid: "2025-04-01T08:00:00Z",
    alg: "RS256",
    bits: 4096,
    status: "next",
    created_at: "2025-04-01T08:00:00Z",
    published_at: "2025-04-01T08:00:00Z",
    signing_from: null,
    signing_to: null,
    unpublish_after: null,
    retired_at: null,
    revoked_at: null,
    published: true,
    private_key: "present",
  },
  {
    tool_id: tools[0]!.id,
    kid: "b1e0c5a2-7f43-4d7e-9c2b-5a6e8f0d1c3b",
    alg: "RS256",
    bits: 2048,
    status: "previous",
    created_at: "2024-10-20T12:00:00Z",
    published_at: "2024-10-20T12:00:00Z",
    signing_from: null,
    signing_to: null,
    unpublish_after: null,
    retired_at: null,
    revoked_at: null,
    published: true,
    private_key: "missing",
  },
  {
    tool_id: tools[0]!.id,
    kid: "legacy-2024",
    alg: "RS256",
    bits: 2048,
    status: "retired",
    created_at: "2024-03-11T07:45:00Z",
    published_at: "2024-03-11T07:45:00Z",
    signing_from: null,
    signing_to: null,
    unpublish_after: null,
    retired_at: null,
    revoked_at: null,
    published: false,
    private_key: "unknown",
  },
];

function find(tool: string): Tool {
  const found = tools.find((candidate) => candidate.id === tool || candidate.name === tool);
  if (found === undefined) {
    throw { kind: "tool_not_found", message: `Tool "${tool}" not found; pick a tool from the list.` };
  }
  return found;
}

function summaries(): ToolSummary[] {
  return tools.map((tool) => {
    const own = keys.filter((key) => key.tool_id === tool.id);
    return {
      id: tool.id,
      name: tool.name,
      domain: tool.domain,
      key_count: own.length,
      current_kid: own.find((key) => key.status === "current")?.kid ?? null,
    };
  });
}

function jwks(toolId: string): string {
  const published = keys.filter((key) => key.tool_id === toolId && key.published);
  return JSON.stringify(
    { keys: published.map((key) => ({ kty: "RSA", kid: key.kid, alg: "RS256", use: "sig", n: "…", e: "AQAB" })) },
    null,
    2,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function installDevMock(): void {
  const keychain = new URLSearchParams(window.location.search).get("mock") !== "nokeychain";
  mockIPC(async (command, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    switch (command) {
      case "app_status":
        return {
          version: "0.1.0",
          data_dir: "/home/user/.local/share/ltikeys",
          keychain_available: keychain,
          keychain_message: keychain
            ? null
            : "No Secret Service on the session bus: start gnome-keyring or KeePassXC, then restart the app.",
          repairs: [],
          orphans: keychain ? [] : null,
        } satisfies AppStatus;
      case "list_tools":
        return summaries();
      case "add_tool": {
        const input = args.input as ToolProfile;
        if (tools.some((tool) => tool.name === input.name)) {
          throw { kind: "tool_exists", message: `Name: a tool named "${input.name}" already exists; pick another name.` };
        }
        const tool: Tool = { ...input, id: crypto.randomUUID(), created_at: new Date().toISOString() };
        tools.push(tool);
        return tool;
      }
      case "get_tool":
        return find(String(args.tool));
      case "list_keys": {
        const tool = find(String(args.tool));
        return keys.filter((key) => key.tool_id === tool.id);
      }
      case "generate_key": {
        const request = args.request as { tool: string; bits: number; kid_scheme: string; kid: string | null };
        const channel = args.onProgress as Channel<KeygenProgress>;
        const tool = find(request.tool);
        const started = Date.now();
        channel.onmessage({ stage: "generating", elapsed_ms: 0 });
        await sleep(request.bits === 4096 ? 3500 : 1500);
        channel.onmessage({ stage: "storing", elapsed_ms: Date.now() - started });
        await sleep(500);
        const kid = request.kid ?? (request.kid_scheme === "timestamp" ? new Date().toISOString() : crypto.randomUUID());
        if (keys.some((key) => key.tool_id === tool.id && key.kid === kid)) {
          throw { kind: "kid_exists", message: `Kid: "${kid}" is already used by this tool; choose another kid.` };
        }
        const key: KeyInfo = {
          tool_id: tool.id,
          kid,
          alg: "RS256",
          bits: request.bits,
          status: keys.some((other) => other.tool_id === tool.id && other.status === "current") ? "next" : "current",
          created_at: new Date().toISOString(),
          published_at: new Date().toISOString(),
          signing_from: null,
          signing_to: null,
          unpublish_after: null,
          retired_at: null,
          revoked_at: null,
          published: true,
          private_key: "present",
        };
        keys.push(key);
        channel.onmessage({ stage: "done", elapsed_ms: Date.now() - started });
        return key;
      }
      case "export_jwk": {
        const tool = find(String(args.tool));
        const key = keys.find((candidate) => candidate.tool_id === tool.id && candidate.kid === args.kid);
        if (key === undefined) {
          throw { kind: "key_not_found", message: `Kid "${String(args.kid)}" not found for this tool.` };
        }
        return JSON.stringify({ kty: "RSA", kid: key.kid, alg: "RS256", use: "sig", n: "…", e: "AQAB" }, null, 2);
      }
      case "export_jwks":
        return jwks(find(String(args.tool)).id);
      case "save_jwks":
        find(String(args.tool));
        return { outcome: "saved", path: "/home/user/Documents/quiz-builder-jwks.json" };
      case "delete_key": {
        const tool = find(String(args.tool));
        const index = keys.findIndex((key) => key.tool_id === tool.id && key.kid === args.kid);
        if (index >= 0) {
          keys.splice(index, 1);
        }
        return null;
      }
      case "plugin:clipboard-manager|write_text":
        return null;
      default: {
        const answer = await rotationMock(command, args, keys, find);
        if (answer !== undefined) {
          return answer;
        }
        const registration = await registrationMock(command, args, tools, keys, find);
        if (registration !== undefined) {
          return registration;
        }
        throw { kind: "internal", message: `No mock for ${command}` };
      }
    }
  });
}
