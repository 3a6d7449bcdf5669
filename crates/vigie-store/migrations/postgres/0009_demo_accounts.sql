-- Accounts created by `vigie serve --demo`, whose password is published: refused at login
-- unless the server runs with `--demo`, and announced at every start while any exists.
ALTER TABLE users ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
