-- A registration made through Canvas's registrations API remembers where it lives there: the
-- account and the Canvas registration id, which the API's later calls (deployments, on/off,
-- configuration update) address.
ALTER TABLE registrations ADD COLUMN canvas_account_id TEXT;
ALTER TABLE registrations ADD COLUMN canvas_registration_id TEXT;
