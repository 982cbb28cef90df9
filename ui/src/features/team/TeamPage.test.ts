import { cleanup, configure, render, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { TeamStatus, TeamSynced, ToolSummary } from "../../lib/ipc/bindings";
import { failure, fakeBackend } from "../../test/backend";
import TeamPage from "./TeamPage.svelte";

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5_000 });
afterEach(() => cleanup());

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`${selector} missing`);
  return found;
}

const TOKEN = "s.team-secret-token";
const QUIZ: ToolSummary = { id: "t1", name: "Quiz", domain: null, key_count: 2, current_kid: "k1" };
const POLL: ToolSummary = { id: "t2", name: "Poll", domain: null, key_count: 1, current_kid: "p1" };

function connected(shared: string[] = ["t1"]): TeamStatus {
  return {
    team: {
      address: "https://bao.example.edu:8200",
      mount: "lti",
      transit_mount: "transit",
      actor: "alice",
      credential_id: "c1",
      connected_at: "2026-12-07T08:00:00Z",
      synced_at: null,
    },
    reachable: true,
    problem: null,
    identity: "token (policies: lti-admin)",
    documents: { tool: shared.length },
    local_changes: [],
    shared_tools: shared,
  };
}

describe("the team page", () => {
  it("connects with what was typed, keeps the token out of the page, and names a refused field", async () => {
    let refuse = true;
    const backend = fakeBackend({
      team_status: null,
      list_tools: [QUIZ],
      team_connect: () => {
        if (refuse) {
          refuse = false;
          throw failure("team", "team (https://bao.example.edu:8200), checking the credential: permission denied", "token");
        }
        return connected();
      },
    });
    const user = userEvent.setup();
    render(TeamPage);
    await waitFor(() => el("#team-not-connected"));
    expect(el<HTMLInputElement>("#team-token").type).toBe("password");
    await user.click(el("#team-connect"));
    expect(el("#team-address-error").textContent).toContain("server's address");
    expect(el("#team-token-error").textContent).toContain("token");
    expect(backend.callsOf("team_connect")).toEqual([]);

    await user.type(el("#team-address"), "https://bao.example.edu:8200");
    await user.type(el("#team-actor"), "alice");
    await user.type(el("#team-token"), TOKEN);
    await user.click(el("#team-connect"));
    await waitFor(() => expect(el("#team-token-error").textContent).toContain("permission denied"));
    // Nothing typed is lost on a refusal.
    expect(el<HTMLInputElement>("#team-address").value).toBe("https://bao.example.edu:8200");
    await user.click(el("#team-connect"));
    await waitFor(() => expect(el("#team-server").textContent).toBe("https://bao.example.edu:8200"));
    expect(backend.callsOf("team_connect")[1]).toEqual({
      connect: { address: "https://bao.example.edu:8200", mount: "lti", actor: "alice", token: TOKEN },
    });
    expect(document.body.textContent).not.toContain(TOKEN);
  });

  it("syncs and shows each conflict with who made the other change", async () => {
    const result: TeamSynced = {
      pulled: ["tools/t1"],
      pushed: [],
      conflicts: [{ path: "registrations/t1/r1", what: "registration r1", by: "bob", at: "2026-12-07T08:05:00Z", version: 3 }],
      unchanged: 2,
    };
    const backend = fakeBackend({ team_status: connected(), list_tools: [QUIZ], team_sync: result });
    const user = userEvent.setup();
    render(TeamPage);
    await waitFor(() => el("#team-sync"));
    await user.click(el("#team-sync"));
    await waitFor(() => expect(el("#team-sync-result").textContent).toContain("1 pulled, 0 pushed, 2 unchanged, 1 conflicts"));
    expect(el("#team-sync-result").textContent).toContain("bob changed it");
    expect(backend.callsOf("team_sync")).toHaveLength(1);
  });

  it("moves a tool into the team only after the confirm, and marks shared tools", async () => {
    let shared = ["t1"];
    const backend = fakeBackend({
      team_status: () => connected(shared),
      list_tools: [QUIZ, POLL],
      team_push: () => {
        shared = ["t1", "t2"];
        return { tool: "Poll", transit_key: "lti-t2", imported: [["p1", 1]], removed_from_keychain: ["p1"], written: ["tools/t2"] };
      },
    });
    const user = userEvent.setup();
    render(TeamPage);
    await waitFor(() => el('[data-tool="Poll"] .team-push'));
    expect(el('[data-tool="Quiz"]').textContent).toContain("in the team");
    await user.click(el('[data-tool="Poll"] .team-push'));
    expect(backend.callsOf("team_push")).toEqual([]);
    await user.click(el('[data-tool="Poll"] .team-push-confirm'));
    await waitFor(() => expect(el('[data-tool="Poll"]').textContent).toContain("in the team"));
    expect(backend.callsOf("team_push")[0]).toEqual({ tool: "t2", exportable: false });
  });
});
