import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";

import { app } from "../app.svelte";
import { fakeBackend, failure } from "../../test/backend";
import ConfirmInPlace from "./ConfirmInPlace.svelte";
import CopyButton from "./CopyButton.svelte";
import Field from "./Field.svelte";
import Findings from "./Findings.svelte";

describe("ConfirmInPlace", () => {
  it("asks in place, runs on confirm, and focuses the confirm button", async () => {
    const onConfirm = vi.fn();
    const user = userEvent.setup();
    render(ConfirmInPlace, { label: "Delete", confirmLabel: "Delete it", onConfirm, triggerAttrs: { id: "del" } });
    await user.click(screen.getByText("Delete"));
    expect(document.activeElement?.textContent).toBe("Delete it");
    await user.click(screen.getByText("Delete it"));
    expect(onConfirm).toHaveBeenCalledOnce();
    expect(screen.getByText("Delete").id).toBe("del");
  });

  it("cancels on Escape and gives the focus back to the button", async () => {
    const onConfirm = vi.fn();
    const user = userEvent.setup();
    render(ConfirmInPlace, { label: "Delete", confirmLabel: "Delete it", onConfirm });
    await user.click(screen.getByText("Delete"));
    await user.keyboard("{Escape}");
    expect(screen.queryByText("Delete it")).toBeNull();
    expect(document.activeElement?.textContent).toBe("Delete");
    expect(onConfirm).not.toHaveBeenCalled();
  });
});

describe("Field", () => {
  const input = createRawSnippet((control: () => { id: string; invalid: boolean; describedBy: string | undefined }) => ({
    render: () =>
      `<input id="${control().id}" aria-invalid="${control().invalid}" aria-describedby="${control().describedBy ?? ""}" />`,
  }));

  it("labels its control and ties the error and hint to it", () => {
    render(Field, { id: "name", label: "Name", hint: "Unique.", error: "Taken.", children: input });
    const control = screen.getByLabelText("Name");
    expect(control.getAttribute("aria-invalid")).toBe("true");
    expect(control.getAttribute("aria-describedby")).toBe("name-error name-hint");
    expect(document.getElementById("name-error")?.textContent).toBe("Taken.");
  });

  it("shows no error when there is none", () => {
    render(Field, { id: "name", label: "Name", children: input });
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("false");
    expect(document.getElementById("name-error")).toBeNull();
  });
});

describe("CopyButton", () => {
  it("copies what it is given and says so", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(CopyButton, { text: async () => '{"keys":[]}', copied: "JWKS copied" });
    await user.click(screen.getByText("Copy"));
    expect(backend.clipboard).toEqual(['{"keys":[]}']);
    expect(app.toasts.map((t) => t.message)).toEqual(["JWKS copied"]);
  });

  it("shows why it could not get the text, and copies nothing", async () => {
    const backend = fakeBackend();
    const user = userEvent.setup();
    render(CopyButton, {
      text: () => Promise.reject(failure("key_not_found", "No key k1.")),
      copied: "JWK copied",
    });
    await user.click(screen.getByText("Copy"));
    expect(backend.clipboard).toEqual([]);
    expect(app.error?.message).toBe("No key k1.");
  });
});

describe("Findings", () => {
  it("lists errors first, with the fix", () => {
    render(Findings, {
      findings: [
        { severity: "warning", code: "w1", message: "Odd.", fix: "", path: "$.title" },
        { severity: "error", code: "e1", message: "Broken.", fix: "mend it" },
      ],
    });
    const codes = Array.from(document.querySelectorAll("[data-finding-code]")).map((e) => e.getAttribute("data-finding-code"));
    expect(codes).toEqual(["e1", "w1"]);
    expect(screen.getByText("Mend it")).toBeTruthy();
  });

  it("says when there is nothing to say", () => {
    render(Findings, { findings: [], empty: "All good." });
    expect(screen.getByText("All good.")).toBeTruthy();
  });
});
