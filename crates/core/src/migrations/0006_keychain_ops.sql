-- Keychain writes and removals in flight. A row is written before the keychain is touched and
-- deleted in the transaction that completes the change, so an operation cut short (a kill, a
-- crash, a locked keychain) is found at the next start and undone (a generation) or finished
-- (a removal). One row per kid: a kid with an operation in flight cannot be taken by another.
CREATE TABLE keychain_ops (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('store', 'purge')),
    tool_id     TEXT NOT NULL,
    kid         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    UNIQUE (tool_id, kid)
);
