// The one fake backend of the component tests: Tauri's own `mockIPC` answering each command
// from a table of handlers, recording every call, and holding what was put on the clipboard.
// Reference data (LTI choices, platform presets) is the canned answer of the Rust side.

import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import type { Choices, ErrorKind, IpcError, Platform, Preset, RegistrationBrief } from "../lib/ipc/bindings";
import choices from "./canned/choices.json";
import presets from "./canned/presets.json";
import { STATUS_OK } from "./fixtures";
import { pageOfPlatforms, type PageAsked } from "./platformPages";

/** What `lti_choices` and `platform_presets` answer, written by the Rust side's tests
 * (`UPDATE_BINDINGS=1 cargo test -p ltikeys-app bindings` refreshes them). */
export const CANNED_CHOICES = choices as Choices;
export const CANNED_PRESETS = presets as Preset[];

/** Answers one command's arguments (may be async); throwing rejects the call. */
export type Handler = (args: Record<string, unknown>) => unknown;

export type Call = { command: string; args: Record<string, unknown> };

/** An error as the shell sends it. */
export function failure(kind: ErrorKind, message: string, field: string | null = null): IpcError {
  return { kind, message, field, remedies: [] };
}

export class FakeBackend {
  readonly calls: Call[] = [];
  readonly clipboard: string[] = [];
  readonly handlers: Map<string, Handler>;

  constructor(handlers: Record<string, Handler | object | string | number | boolean | null>) {
    // Unless a test says otherwise, the database changed whenever the window asks.
    let stamp = 0;
    const defaults: Record<string, Handler> = {
      app_status: () => STATUS_OK,
      data_stamp: () => ++stamp,
      list_tools: () => [],
      lti_choices: () => CANNED_CHOICES,
      platform_presets: () => CANNED_PRESETS,
      list_platforms: () => [],
      list_registrations: () => [],
      // Not a command: the registrations the fake's platform_page pages with list_platforms.
      registration_briefs: () => [],
      platform_page: async (args) => {
        const platforms = (await this.answer("list_platforms", {}, false)) as Platform[];
        const briefs = (await this.answer("registration_briefs", {}, false)) as RegistrationBrief[];
        return pageOfPlatforms(platforms, briefs, args as unknown as PageAsked);
      },
      list_keys: () => [],
      last_checks: () => [],
    };
    this.handlers = new Map(Object.entries(defaults));
    for (const [command, answer] of Object.entries(handlers)) this.on(command, answer);
  }

  /** Sets how `command` answers: a handler, or a value to answer every time. */
  on(command: string, answer: Handler | object | string | number | boolean | null): this {
    this.handlers.set(command, typeof answer === "function" ? (answer as Handler) : () => answer);
    return this;
  }

  /** The calls made of `command`, oldest first. */
  callsOf(command: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.command === command).map((c) => c.args);
  }

  /** Answers `command`; `record` false leaves it out of `calls` (the fake's own reads). */
  async answer(command: string, args: Record<string, unknown>, record = true): Promise<unknown> {
    if (record) this.calls.push({ command, args });
    if (command === "plugin:clipboard-manager|write_text") {
      this.clipboard.push(String(args.text));
      return null;
    }
    const handler = this.handlers.get(command);
    if (handler === undefined) {
      throw failure("internal", `the fake backend has no answer for ${command}`);
    }
    return await handler(args);
  }
}

/** Installs a fake backend for the current test (`clearMocks` runs after each test). */
export function fakeBackend(
  handlers: Record<string, Handler | object | string | number | boolean | null> = {},
): FakeBackend {
  const backend = new FakeBackend(handlers);
  mockIPC((command, payload) => backend.answer(command, (payload ?? {}) as Record<string, unknown>));
  return backend;
}

/** A promise with its resolve/reject, to hold a fake answer until the test lets it go. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export { clearMocks };
