-- A second factor (TOTP, RFC 6238) per account: the secret, and the last
-- time step accepted, so that a code works once.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- A login that passed the password and waits for its second factor.
CREATE TABLE login_challenges (
	hash       TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	addr       TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
