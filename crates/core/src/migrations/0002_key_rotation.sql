-- Key rotation: each key's transition times, and each tool's rotation policy.
ALTER TABLE keys ADD COLUMN published_at TEXT;
ALTER TABLE keys ADD COLUMN signing_from TEXT;
ALTER TABLE keys ADD COLUMN signing_to TEXT;
ALTER TABLE keys ADD COLUMN unpublish_after TEXT;
ALTER TABLE keys ADD COLUMN retired_at TEXT;
ALTER TABLE keys ADD COLUMN revoked_at TEXT;
UPDATE keys SET published_at = created_at;
UPDATE keys SET signing_from = created_at WHERE status = 'current';

-- Seconds. Defaults: publish a next key a day before it signs; keep a previous key published for
-- a week after it stops signing; no rotation period.
ALTER TABLE tools ADD COLUMN pre_publish_secs INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE tools ADD COLUMN overlap_secs INTEGER NOT NULL DEFAULT 604800;
ALTER TABLE tools ADD COLUMN rotate_every_secs INTEGER;
