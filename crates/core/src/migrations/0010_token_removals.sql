-- API tokens to remove from the keychain: a row is written in the transaction that removes the
-- platform, and deleted once the keychain has removed the token. A keychain that did not answer
-- (or a kill in between) leaves the row, and the next status finishes the removal.
CREATE TABLE token_removals (
    platform_id TEXT PRIMARY KEY,
    removed_at  TEXT NOT NULL
);
