// Sample data shared by the unit tests.

import type { KeyInfo, Tool } from "../lib/ipc/bindings";

export const SAMPLE_KEYS: KeyInfo[] = [
  {
    tool_id: "t1",
    kid: "old-retired",
    alg: "RS256",
    bits: 2048,
    status: "retired",
    created_at: "2024-01-01T00:00:00Z",
    published: false,
    private_key: "unknown",
  },
  {
    tool_id: "t1",
    kid: "prev",
    alg: "RS256",
    bits: 3072,
    status: "previous",
    created_at: "2024-06-01T00:00:00Z",
    published: true,
    private_key: "missing",
  },
  {
    tool_id: "t1",
    kid: "cur",
    alg: "RS256",
    bits: 2048,
    status: "current",
    created_at: "2025-01-01T00:00:00Z",
    published: true,
    private_key: "present",
  },
  {
    tool_id: "t1",
    kid: "next-b",
    alg: "RS256",
    bits: 4096,
    status: "next",
    created_at: "2025-02-01T00:00:00Z",
    published: true,
    private_key: "present",
  },
  {
    tool_id: "t1",
    kid: "next-a",
    alg: "RS256",
    bits: 4096,
    status: "next",
    created_at: "2025-03-01T00:00:00Z",
    published: true,
    private_key: "present",
  },
];

export const SAMPLE_TOOL: Tool = {
  id: "t1",
  name: "Quiz Builder",
  description: "Quizzes",
  domain: "quiz.example.com",
  login_url: "https://quiz.example.com/login",
  launch_url: "https://quiz.example.com/launch",
  redirect_uris: ["https://quiz.example.com/launch"],
  jwks_url: null,
  created_at: "2025-01-01T00:00:00Z",
};
