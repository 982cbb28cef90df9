-- A team: this data directory as the offline cache of records shared through OpenBao (or
-- HashiCorp Vault). The credential is in the OS keychain, never here.
CREATE TABLE team (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    address       TEXT NOT NULL,
    mount         TEXT NOT NULL,
    transit_mount TEXT NOT NULL,
    actor         TEXT NOT NULL,
    -- The keychain entry of the credential: `team-credential:<this id>`.
    credential_id TEXT NOT NULL,
    connected_at  TEXT NOT NULL,
    synced_at     TEXT
);
-- Each shared document as last synced: its KV path, the KV version it had, and its content
-- (what a local change or a remote one is told apart by).
CREATE TABLE team_docs (
    path     TEXT PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('tool', 'keys', 'platform', 'registration')),
    local_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    synced   TEXT NOT NULL
);
-- The keys of a team tool are versions of one Transit key; the private halves never come here.
CREATE TABLE team_keys (
    tool_id         TEXT NOT NULL,
    kid             TEXT NOT NULL,
    transit_key     TEXT NOT NULL,
    transit_version INTEGER NOT NULL,
    PRIMARY KEY (tool_id, kid),
    FOREIGN KEY (tool_id, kid) REFERENCES keys(tool_id, kid) ON DELETE CASCADE
);
