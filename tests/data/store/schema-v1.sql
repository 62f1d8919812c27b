-- Tessera wallet store, schema version 1 as released (migration step 1 in
-- wallet-core/src/store/schema.c). test-store applies it to check that a
-- version-1 store still upgrades; never edit it.

CREATE TABLE wallet (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sa_kind INTEGER NOT NULL CHECK (sa_kind IN (1, 2, 3)),
  sa_params BLOB,
  tpm_tcti TEXT,
  pkcs11_module TEXT,
  pkcs11_token TEXT,
  sealed_data_key BLOB NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sa_kind INTEGER NOT NULL,
  ref BLOB NOT NULL,
  public_point BLOB NOT NULL UNIQUE,
  cose_key BLOB NOT NULL,
  has_pin INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
);
CREATE TABLE credentials (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id INTEGER NOT NULL REFERENCES keys(id) ON DELETE RESTRICT,
  doc_type TEXT NOT NULL,
  issuer_subject TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER NOT NULL,
  expected_update INTEGER,
  uses_remaining INTEGER CHECK (uses_remaining IS NULL OR uses_remaining >= 0),
  imported_at INTEGER NOT NULL,
  fingerprint BLOB NOT NULL UNIQUE,
  payload BLOB NOT NULL CHECK (length(payload) > 29)
);
CREATE INDEX credentials_key_id ON credentials(key_id);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
