-- JWKS checks: every result is kept (as JSON) so the app can show the last one per URL and its age.
CREATE TABLE checks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    url         TEXT NOT NULL,
    checked_at  TEXT NOT NULL,
    result      TEXT NOT NULL
);
CREATE INDEX checks_by_url ON checks(url, id);
