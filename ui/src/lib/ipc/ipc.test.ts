// @vitest-environment jsdom
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SAMPLE_KEYS, SAMPLE_TOOL } from "../../test/fixtures";
import type { KeygenProgress, ToolProfile } from "./bindings";
import * as ipc from "./index";
import { IpcFailure } from "./index";

type Call = { cmd: string; args: Record<string, unknown> | undefined };

/** Records every IPC call and answers with `answer`. */
function record(answer: (cmd: string, args: Record<string, unknown> | undefined) => unknown): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, args) => {
    const plain = args as Record<string, unknown> | undefined;
    calls.push({ cmd, args: plain });
    return answer(cmd, plain);
  });
  return calls;
}

/** Delivers a message on a Channel the way the Rust side does. */
function sendOnChannel(channel: unknown, index: number, message: KeygenProgress): void {
  const id = (channel as { id: number }).id;
  const internals = (window as unknown as {
    __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void };
  }).__TAURI_INTERNALS__;
  internals.runCallback(id, { index, message });
}

afterEach(() => {
  clearMocks();
});

describe("ipc wrappers", () => {
  it("call each command with the argument names the Rust side expects", async () => {
    const calls = record((cmd) => {
      switch (cmd) {
        case "list_keys":
          return SAMPLE_KEYS;
        case "get_tool":
        case "add_tool":
          return SAMPLE_TOOL;
        case "export_jwk":
          return '{"kid":"cur"}';
        case "export_jwks":
          return '{"keys":[]}';
        case "delete_key":
          return { removed: true, reason: null };
        case "save_jwks":
          return { outcome: "saved", path: "/home/me/quiz-jwks.json" };
        default:
          return null;
      }
    });
    const newTool: ToolProfile = {
      name: "Quiz",
      description: "",
      domain: null,
      login_url: null,
      launch_url: null,
      redirect_uris: [],
      jwks_url: null,
      privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
    };

    await expect(ipc.listKeys("x")).resolves.toEqual(SAMPLE_KEYS);
    await expect(ipc.getTool("Quiz Builder")).resolves.toEqual(SAMPLE_TOOL);
    await ipc.addTool(newTool);
    await ipc.listTools();
    await ipc.appStatus();
    await expect(ipc.exportJwk("t1", "cur")).resolves.toBe('{"kid":"cur"}');
    await expect(ipc.exportJwks("t1")).resolves.toBe('{"keys":[]}');
    await expect(ipc.saveJwks("t1")).resolves.toEqual({ outcome: "saved", path: "/home/me/quiz-jwks.json" });
    await expect(ipc.deleteKey("t1", "cur")).resolves.toEqual({ removed: true, reason: null });

    expect(calls).toEqual([
      { cmd: "list_keys", args: { tool: "x" } },
      { cmd: "get_tool", args: { tool: "Quiz Builder" } },
      { cmd: "add_tool", args: { input: newTool } },
      { cmd: "list_tools", args: {} },
      { cmd: "app_status", args: {} },
      { cmd: "export_jwk", args: { tool: "t1", kid: "cur" } },
      { cmd: "export_jwks", args: { tool: "t1" } },
      { cmd: "save_jwks", args: { tool: "t1" } },
      { cmd: "delete_key", args: { tool: "t1", kid: "cur" } },
    ]);
  });

  it("generateKey sends the request with an onProgress channel and relays progress in order", async () => {
    const [key] = SAMPLE_KEYS;
    const calls = record((_cmd, args) => {
      // Out of order on purpose: the channel must still deliver by index.
      sendOnChannel(args?.onProgress, 1, { stage: "storing", elapsed_ms: 900 });
      sendOnChannel(args?.onProgress, 0, { stage: "generating", elapsed_ms: 0 });
      return key;
    });
    const progress = vi.fn();
    const request = { tool: "t1", bits: 4096, kid_scheme: "uuid" as const, kid: null };

    await expect(ipc.generateKey(request, progress)).resolves.toEqual(key);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.cmd).toBe("generate_key");
    expect(calls[0]?.args?.request).toEqual(request);
    expect(Object.keys(calls[0]?.args ?? {}).sort()).toEqual(["onProgress", "request"]);
    expect(progress.mock.calls).toEqual([
      [{ stage: "generating", elapsed_ms: 0 }],
      [{ stage: "storing", elapsed_ms: 900 }],
    ]);
  });

  it("rejects with { kind, message } whatever the backend threw", async () => {
    record((cmd) => {
      if (cmd === "get_tool") throw { kind: "ToolNotFound", message: "Tool nope not found." };
      if (cmd === "list_tools") throw "plain failure";
      throw new Error("boom");
    });

    await expect(ipc.getTool("nope")).rejects.toMatchObject({ kind: "ToolNotFound", message: "Tool nope not found." });
    await expect(ipc.listTools()).rejects.toMatchObject({ kind: "internal", message: "plain failure" });
    const error: unknown = await ipc.appStatus().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IpcFailure);
    expect(error).toMatchObject({ kind: "internal", message: "boom" });
  });

  it("copyText goes through the clipboard plugin", async () => {
    const calls = record(() => null);

    await ipc.copyText('{"keys":[]}');

    expect(calls).toEqual([
      { cmd: "plugin:clipboard-manager|write_text", args: expect.objectContaining({ text: '{"keys":[]}' }) },
    ]);
  });

  it("saving names the tool and no path: the Rust side opens the dialog", async () => {
    const calls = record((cmd) => (cmd === "save_canvas" ? { outcome: "cancelled" } : null));

    await expect(ipc.saveCanvas("t1", null)).resolves.toEqual({ outcome: "cancelled" });
    await ipc.saveCanvas("t1", '{"title":"Edited"}');

    expect(calls).toEqual([
      { cmd: "save_canvas", args: { tool: "t1", json: null } },
      { cmd: "save_canvas", args: { tool: "t1", json: '{"title":"Edited"}' } },
    ]);
  });
});
