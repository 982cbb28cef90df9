-- Platforms (LMS instances), registrations of tools on them, and their deployment ids.
CREATE TABLE platforms (
    id                       TEXT PRIMARY KEY,
    name                     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    family                   TEXT NOT NULL,
    base_url                 TEXT,
    issuer                   TEXT NOT NULL,
    auth_url                 TEXT NOT NULL,
    token_url                TEXT NOT NULL,
    token_audience           TEXT,
    jwks_url                 TEXT NOT NULL,
    openid_configuration_url TEXT,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);

-- `issuer` copies the platform's, so that the database itself keeps (issuer, client_id) unique:
-- every Instructure-hosted Canvas shares one issuer, and registrations are told apart by client_id.
CREATE TABLE registrations (
    id          TEXT PRIMARY KEY,
    tool_id     TEXT NOT NULL REFERENCES tools(id) ON DELETE CASCADE,
    platform_id TEXT NOT NULL REFERENCES platforms(id) ON DELETE RESTRICT,
    issuer      TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (issuer, client_id)
);
CREATE INDEX registrations_by_tool ON registrations(tool_id);
CREATE INDEX registrations_by_platform ON registrations(platform_id);

-- A registration's issuer follows its platform's.
CREATE TRIGGER registrations_follow_issuer AFTER UPDATE OF issuer ON platforms
BEGIN
    UPDATE registrations SET issuer = NEW.issuer WHERE platform_id = NEW.id;
END;

CREATE TABLE deployments (
    registration_id TEXT NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    deployment_id   TEXT NOT NULL,
    label           TEXT,
    added_at        TEXT NOT NULL,
    PRIMARY KEY (registration_id, deployment_id)
);

-- The platform or registration an event concerns.
ALTER TABLE events ADD COLUMN subject TEXT;
CREATE INDEX events_by_subject ON events(subject);
