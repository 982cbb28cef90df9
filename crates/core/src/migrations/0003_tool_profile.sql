-- The Canvas profile of a tool (privacy level, Canvas tool_id, icon, custom fields, scopes,
-- placements) as one JSON object; see profile.rs StoredProfile.
ALTER TABLE tools ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
