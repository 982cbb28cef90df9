-- Keys imported from a registration bundle without their private half: they are published in the
-- tool's JWKS and never sign here (the tool's server holds the private key).
ALTER TABLE keys ADD COLUMN public_only INTEGER NOT NULL DEFAULT 0;
