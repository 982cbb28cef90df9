// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ToolProfile } from "../lib/ipc/bindings";
import { createToolForm } from "./toolForm";

function input(id: string): HTMLInputElement | HTMLTextAreaElement {
  const element = document.getElementById(id);
  if (!(element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement)) {
    throw new Error(`#${id} is not a text control`);
  }
  return element;
}

function type(id: string, value: string): void {
  const control = input(id);
  control.value = value;
  control.dispatchEvent(new Event("input", { bubbles: true }));
}

function submit(): void {
  document.getElementById("tool-save")?.click();
}

describe("tool form", () => {
  const onSubmit = vi.fn<(input: ToolProfile) => void>();
  const onChange = vi.fn();

  beforeEach(() => {
    onSubmit.mockReset();
    onChange.mockReset();
    document.body.replaceChildren();
    const view = createToolForm(document, { onSubmit, onCancel: () => undefined, onChange });
    document.body.append(view.element);
  });

  it("has every input of the contract", () => {
    for (const id of [
      "tool-form",
      "tool-name",
      "tool-description",
      "tool-domain",
      "tool-login-url",
      "tool-launch-url",
      "tool-redirect-uris",
      "tool-jwks-url",
      "tool-save",
    ]) {
      expect(document.getElementById(id), id).not.toBeNull();
    }
    expect(input("tool-redirect-uris").tagName).toBe("TEXTAREA");
  });

  it("blocks an invalid submit, names the fields, and keeps what was typed", () => {
    type("tool-login-url", "http://tool.example.com/login");
    type("tool-redirect-uris", "https://tool.example.com/cb\n\nftp://x.example/cb");
    submit();

    expect(onSubmit).not.toHaveBeenCalled();
    expect(document.getElementById("tool-name-error")?.textContent).toBe("Name: enter a name for the tool.");
    expect(document.getElementById("tool-name-error")?.hidden).toBe(false);
    expect(document.getElementById("tool-login-url-error")?.textContent).toMatch(/^Login initiation URL: must start with https:\/\//);
    expect(document.getElementById("tool-redirect-uris-error")?.textContent).toMatch(/^Redirect URI "ftp:\/\/x.example\/cb":/);
    expect(input("tool-login-url").getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("tool-jwks-url-error")?.hidden).toBe(true);
    expect(input("tool-login-url").value).toBe("http://tool.example.com/login");
    expect(input("tool-redirect-uris").value).toBe("https://tool.example.com/cb\n\nftp://x.example/cb");
    expect(document.activeElement?.id).toBe("tool-name");
  });

  it("submits a clean ToolProfile once the errors are fixed", () => {
    submit();
    type("tool-name", " Quiz ");
    type("tool-launch-url", "http://localhost:3000/launch");
    type("tool-redirect-uris", " https://a.example/cb \n\n");
    submit();

    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenCalledWith({
      name: "Quiz",
      description: "",
      domain: null,
      login_url: null,
      launch_url: "http://localhost:3000/launch",
      redirect_uris: ["https://a.example/cb"],
      jwks_url: null,
      privacy_level: "anonymous", canvas_tool_id: null, icon_url: null, custom_fields: {}, scopes: [], placements: [],
    });
    expect(document.getElementById("tool-name-error")?.hidden).toBe(true);
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ name: " Quiz " }));
  });
});
