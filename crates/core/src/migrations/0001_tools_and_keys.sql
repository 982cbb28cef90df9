-- Tools, their keys (public halves only) and the audit log.
CREATE TABLE tools (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description   TEXT NOT NULL DEFAULT '',
    domain        TEXT,
    login_url     TEXT,
    launch_url    TEXT,
    redirect_uris TEXT NOT NULL DEFAULT '[]',
    jwks_url      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE TABLE keys (
    tool_id     TEXT NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    kid         TEXT NOT NULL,
    alg         TEXT NOT NULL DEFAULT 'RS256',
    bits        INTEGER NOT NULL,
    n           TEXT NOT NULL,
    e           TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('next','current','previous','retired','revoked')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tool_id, kid)
);
CREATE UNIQUE INDEX keys_one_current ON keys(tool_id) WHERE status = 'current';
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    tool_id  TEXT,
    kid      TEXT,
    detail   TEXT NOT NULL DEFAULT ''
);
