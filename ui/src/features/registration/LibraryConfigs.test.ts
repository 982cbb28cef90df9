import { render, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { app } from "../../lib/app.svelte";
import { failure, fakeBackend } from "../../test/backend";
import { SAMPLE_TOOL } from "../../test/fixtures";
import { REGISTRATION } from "../../test/registrationFixtures";
import DynregExport from "../tool/DynregExport.svelte";
import LibraryConfigs from "./LibraryConfigs.svelte";

function byId(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`no #${id}`);
  return found;
}

describe("the tool-library configs of a registration", () => {
  it("copies and saves each format", async () => {
    const backend = fakeBackend({
      export_library: (args) => `{"format": "${String(args.format)}"}`,
      save_library: { outcome: "saved", path: "/tmp/quiz-ltijs-platform.json" },
    });
    const user = userEvent.setup();
    render(LibraryConfigs, { registration: REGISTRATION });
    await user.click(byId(`library-ltijs-${REGISTRATION.id}-copy`));
    await waitFor(() => expect(backend.clipboard).toEqual(['{"format": "ltijs"}']));
    expect(backend.callsOf("export_library")).toEqual([{ registration: REGISTRATION.id, format: "ltijs" }]);
    await user.click(byId(`library-django-lti-${REGISTRATION.id}-save`));
    await waitFor(() => expect(app.toasts.at(-1)?.message).toBe("django-lti config saved to /tmp/quiz-ltijs-platform.json"));
    expect(backend.callsOf("save_library")).toEqual([{ registration: REGISTRATION.id, format: "django-lti" }]);
  });

  it("shows why pylti1.3's cannot be made, and copies nothing", async () => {
    const backend = fakeBackend({
      export_library: () => {
        throw failure("invalid", "kid: its kid '2026-12-03T10:00:00Z' is not the key's RFC 7638 thumbprint", "kid");
      },
    });
    const user = userEvent.setup();
    render(LibraryConfigs, { registration: REGISTRATION });
    await user.click(byId(`library-pylti1p3-${REGISTRATION.id}-copy`));
    await waitFor(() => expect(app.error?.message).toContain("thumbprint"));
    expect(backend.clipboard).toEqual([]);
  });
});

describe("the Dynamic Registration configuration", () => {
  it("copies it, and a tool without a JWKS URL says how to fix it", async () => {
    let answer: () => unknown = () => '{"application_type": "web"}';
    const backend = fakeBackend({ export_dynreg: () => answer() });
    const user = userEvent.setup();
    render(DynregExport, { tool: SAMPLE_TOOL });
    await user.click(byId("dynreg-copy"));
    await waitFor(() => expect(backend.clipboard).toEqual(['{"application_type": "web"}']));
    answer = () => {
      throw failure("invalid", "JWKS URL: tool 'Quiz' has none; set the tool's JWKS URL", "jwks_url");
    };
    await user.click(byId("dynreg-copy"));
    await waitFor(() => expect(app.error?.message).toContain("JWKS URL"));
    expect(backend.clipboard).toHaveLength(1);
  });
});
