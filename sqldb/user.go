package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"partyworks"
)

var _ partyworks.UserService = (*UserService)(nil)

// UserService keeps accounts, grants, sessions and tokens.
type UserService struct {
	db *DB

	// Session lifetimes: idle and absolute.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// Login throttling: at most MaxFailures per account and address, and
	// MaxAddrFailures per address, within FailureWindow.
	MaxFailures     int
	MaxAddrFailures int
	FailureWindow   time.Duration
}

// NewUserService returns the user service on db with the default policy.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db, IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
		MaxFailures: 5, MaxAddrFailures: 50, FailureWindow: 15 * time.Minute}
}

// argon2id parameters (OWASP: m=19 MiB, t=2, p=1 at least).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of the password.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword compares a password with an encoded hash in constant time.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the account does not exist, so that
// the time taken does not tell which usernames exist.
var dummyHash = HashPassword("partyworks-no-such-user")

// commonPasswords are refused outright; the list holds the most used
// passwords worldwide and their Vietnamese favourites.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`123456 123456789 12345678 password qwerty123 qwerty 1q2w3e4r 111111 1234567890
		123123 abc123 password1 iloveyou 000000 1234567 dragon 123321 654321 666666 987654321 112233 asdfghjkl
		admin123 administrator admin@123 matkhau matkhau123 anhyeuem yeuem123 vietnam vietnam123 hanoi123 saigon123
		dangvien dangvien123 dangcongsan 12345678a 88888888 99999999 11111111 00000000 abcd1234 a123456789 changeme
		welcome1 letmein1 partyworks`) {
		commonPasswords[p] = true
	}
}

// ValidatePassword applies the password policy: at least 8 characters, at
// most 256 (never truncated), not a common password and not the username.
func ValidatePassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < 8:
		return partyworks.FieldErrorf("password", "the password must have at least 8 characters")
	case n > 256:
		return partyworks.FieldErrorf("password", "the password may have at most 256 characters")
	case commonPasswords[strings.ToLower(password)]:
		return partyworks.FieldErrorf("password", "this password is among the most common ones; choose another")
	case strings.EqualFold(password, username):
		return partyworks.FieldErrorf("password", "the password must not be the username")
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (s *UserService) loadGrants(ctx context.Context, users ...*partyworks.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[int64]*partyworks.User{}
	ph := make([]string, len(users))
	today := fmtDate(partyworks.Today(s.db.Now()))
	args := []any{today, today}
	for i, u := range users {
		byID[u.ID] = u
		u.Grants = nil
		ph[i] = "?"
		args = append(args, u.ID)
	}
	// A grant's scope is its unit's subtree today; a grant on a unit that
	// has ended keeps the last path the unit had, so it still reaches the
	// unit's history.
	rows, err := s.db.query(ctx, `SELECT g.id, g.user_id, g.role, COALESCE(g.unit_id, 0),
		COALESCE((SELECT v.name FROM unit_versions v WHERE v.unit_id = g.unit_id ORDER BY v.valid_to DESC LIMIT 1), ''),
		COALESCE((SELECT v.path FROM unit_versions v WHERE v.unit_id = g.unit_id AND v.valid_from <= ? AND v.valid_to > ?),
		         (SELECT v.path FROM unit_versions v WHERE v.unit_id = g.unit_id ORDER BY v.valid_to DESC LIMIT 1), '')
		FROM grants g WHERE g.user_id IN (`+strings.Join(ph, ", ")+`) ORDER BY g.id`, args...)
	if err != nil {
		return fmt.Errorf("grants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g partyworks.Grant
		var role string
		if err := rows.Scan(&g.ID, &g.UserID, &role, &g.UnitID, &g.UnitName, &g.UnitPath); err != nil {
			return err
		}
		g.Role = partyworks.Role(role)
		byID[g.UserID].Grants = append(byID[g.UserID].Grants, g)
	}
	return rows.Err()
}

const userColumns = `id, username, display_name, disabled, created_at, version, totp_secret <> ''`

func scanUser(s scanner) (*partyworks.User, string, error) {
	var u partyworks.User
	var created string
	if err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &created, &u.Version, &u.TOTP); err != nil {
		return nil, "", err
	}
	u.CreatedAt = parseTime(created)
	return &u, "", nil
}

func (s *UserService) findUser(ctx context.Context, where string, arg any) (*partyworks.User, error) {
	u, _, err := scanUser(s.db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
	} else if err != nil {
		return nil, fmt.Errorf("user: %w", err)
	}
	return u, s.loadGrants(ctx, u)
}

// FindUserByID returns a user with their grants.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*partyworks.User, error) {
	return s.findUser(ctx, "id = ?", id)
}

// FindUserByUsername returns a user with their grants.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*partyworks.User, error) {
	return s.findUser(ctx, "username = ?", strings.ToLower(username))
}

// FindUsers lists users by id, with their grants. UnderPaths limits the
// list to users who hold a grant inside one of the subtrees.
func (s *UserService) FindUsers(ctx context.Context, f partyworks.UserFilter) ([]*partyworks.User, error) {
	where := []string{"id > ?"}
	args := []any{f.AfterID}
	if f.Query != "" {
		where = append(where, `(username LIKE ? ESCAPE '\' OR display_name LIKE ? ESCAPE '\')`)
		q := "%" + escapeLike(f.Query) + "%"
		args = append(args, q, q)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.db.query(ctx, `SELECT `+userColumns+` FROM users WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT `+strconv.Itoa(f.Limit*4), args...)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	var out []*partyworks.User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := s.loadGrants(ctx, out...); err != nil {
		return nil, err
	}
	if f.UnderPaths != nil {
		kept := out[:0]
		for _, u := range out {
			if grantedUnder(u, f.UnderPaths) {
				kept = append(kept, u)
			}
		}
		out = kept
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func grantedUnder(u *partyworks.User, paths []string) bool {
	for _, g := range u.Grants {
		for _, p := range paths {
			if g.UnitPath != "" && strings.HasPrefix(g.UnitPath, p) {
				return true
			}
		}
	}
	return false
}

// CreateUser adds an account; u.ID is set.
func (s *UserService) CreateUser(ctx context.Context, u *partyworks.User, password string) error {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if !validUsername(u.Username) {
		return partyworks.FieldErrorf("username", "a username has 2 to 64 characters: lower-case letters, digits, '.', '_' and '-'")
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	if err := ValidatePassword(u.Username, password); err != nil {
		return err
	}
	hash := HashPassword(password)
	return s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE username = ?`, u.Username).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "username", Message: fmt.Sprintf("the username %s is taken", u.Username)}
		}
		id, err := tx.InsertID(`INSERT INTO users (username, display_name, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?)`,
			u.Username, u.DisplayName, hash, false, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		u.ID, u.CreatedAt, u.Version = id, tx.now, 1
		return tx.audit("user.create", "user:"+strconv.FormatInt(id, 10), nil, map[string]any{"username": u.Username, "display_name": u.DisplayName})
	})
}

// SetPassword replaces a password and ends the user's sessions.
func (s *UserService) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := ValidatePassword(u.Username, password); err != nil {
		return err
	}
	hash := HashPassword(password)
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET password_hash = ?, version = version + 1 WHERE id = ?`, hash, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return tx.audit("user.password", "user:"+strconv.FormatInt(userID, 10), nil, nil)
	})
}

// SetDisabled disables or enables an account. Disabling ends every session
// and token at once. version must match (optimistic locking) unless 0.
func (s *UserService) SetDisabled(ctx context.Context, userID int64, disabled bool, version int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var cur int64
		var was bool
		if err := tx.QueryRow(`SELECT version, disabled FROM users WHERE id = ?`, userID).Scan(&cur, &was); errors.Is(err, sql.ErrNoRows) {
			return partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
		} else if err != nil {
			return err
		}
		if version != 0 && version != cur {
			return partyworks.Errorf(partyworks.ECONFLICT, "the account was changed by someone else since you opened it; reload and try again")
		}
		if _, err := tx.Exec(`UPDATE users SET disabled = ?, version = version + 1 WHERE id = ?`, disabled, userID); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM api_tokens WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		return tx.audit("user.disable", "user:"+strconv.FormatInt(userID, 10), map[string]bool{"disabled": was}, map[string]bool{"disabled": disabled})
	})
}

// Authenticate checks a username and password. Failures are counted per
// (account, address) and per address in the database, so every app node
// sees them; a throttled attempt is refused before the password is
// checked, and the message says how long to wait. One address cannot lock
// an account out for everybody else.
func (s *UserService) Authenticate(ctx context.Context, username, password, addr string) (*partyworks.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	keys := []string{"acct:" + username + "|" + addr, "addr:" + addr}
	if err := s.throttled(ctx, keys); err != nil {
		return nil, err
	}
	var id int64
	var hash string
	var disabled bool
	err := s.db.queryRow(ctx, `SELECT id, password_hash, disabled FROM users WHERE username = ?`, username).Scan(&id, &hash, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash, password)
		return nil, s.failed(ctx, keys, username)
	} else if err != nil {
		return nil, err
	}
	if !checkPassword(hash, password) || disabled {
		return nil, s.failed(ctx, keys, username)
	}
	if err := s.db.update(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM login_failures WHERE key = ?`, keys[0])
		return err
	}); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

// throttled refuses a login attempt while its keys are over their limits.
func (s *UserService) throttled(ctx context.Context, keys []string) error {
	limits := []int{s.MaxFailures, s.MaxAddrFailures}
	now := s.db.Now().UTC()
	for i, k := range keys {
		var start string
		var n int
		err := s.db.queryRow(ctx, `SELECT window_start, failures FROM login_failures WHERE key = ?`, k).Scan(&start, &n)
		if err == nil && n >= limits[i] {
			if wait := parseTime(start).Add(s.FailureWindow).Sub(now); wait > 0 {
				return partyworks.Errorf(partyworks.ETOOMANY, "too many failed logins; try again in %d minutes", int(wait.Minutes())+1)
			}
		}
	}
	return nil
}

// failed counts a failed login and records it in the trail.
func (s *UserService) failed(ctx context.Context, keys []string, username string) error {
	err := s.db.update(ctx, func(tx *Tx) error {
		for _, k := range keys {
			var start string
			var n int
			err := tx.QueryRow(`SELECT window_start, failures FROM login_failures WHERE key = ?`, k).Scan(&start, &n)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				_, err = tx.Exec(`INSERT INTO login_failures (key, window_start, failures) VALUES (?, ?, 1)`, k, fmtTime(tx.now))
			case err != nil:
			case tx.now.Sub(parseTime(start)) > s.FailureWindow:
				_, err = tx.Exec(`UPDATE login_failures SET window_start = ?, failures = 1 WHERE key = ?`, fmtTime(tx.now), k)
			default:
				_, err = tx.Exec(`UPDATE login_failures SET failures = failures + 1 WHERE key = ?`, k)
			}
			if err != nil {
				return err
			}
		}
		return tx.audit("auth.login_failed", "user:"+username, nil, nil)
	})
	if err != nil {
		return err
	}
	return partyworks.Errorf(partyworks.EUNAUTHORIZED, "wrong username or password")
}

// AddGrant gives a role over a unit's subtree (UnitID 0: the whole tree).
func (s *UserService) AddGrant(ctx context.Context, g *partyworks.Grant) error {
	if !g.Role.Valid() {
		return partyworks.FieldErrorf("role", "unknown role %q", g.Role)
	}
	return s.db.update(ctx, func(tx *Tx) error {
		var unit any
		if g.UnitID != 0 {
			unit = g.UnitID
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM units WHERE id = ?`, g.UnitID).Scan(&n); err != nil || n == 0 {
				return partyworks.FieldErrorf("unit", "no such unit")
			}
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM grants WHERE user_id = ? AND role = ? AND COALESCE(unit_id, 0) = ?`, g.UserID, string(g.Role), g.UnitID).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return partyworks.Errorf(partyworks.ECONFLICT, "the user already has that role there")
		}
		id, err := tx.InsertID(`INSERT INTO grants (user_id, role, unit_id) VALUES (?, ?, ?)`, g.UserID, string(g.Role), unit)
		if err != nil {
			return fmt.Errorf("grant: %w", err)
		}
		g.ID = id
		return tx.audit("user.grant", "user:"+strconv.FormatInt(g.UserID, 10), nil, g)
	})
}

// RemoveGrant takes a grant away; it takes effect on the next request.
func (s *UserService) RemoveGrant(ctx context.Context, grantID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var g partyworks.Grant
		var role string
		err := tx.QueryRow(`SELECT id, user_id, role, COALESCE(unit_id, 0) FROM grants WHERE id = ?`, grantID).Scan(&g.ID, &g.UserID, &role, &g.UnitID)
		if errors.Is(err, sql.ErrNoRows) {
			return partyworks.Errorf(partyworks.ENOTFOUND, "no such grant")
		} else if err != nil {
			return err
		}
		g.Role = partyworks.Role(role)
		if _, err := tx.Exec(`DELETE FROM grants WHERE id = ?`, grantID); err != nil {
			return err
		}
		return tx.audit("user.revoke", "user:"+strconv.FormatInt(g.UserID, 10), g, nil)
	})
}

// secret returns 32 random bytes, URL-safe, and the hash it is kept as.
func secret() (string, string) {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// CreateSession starts a session (256 random bits) and records the login.
func (s *UserService) CreateSession(ctx context.Context, userID int64, addr string) (*partyworks.Session, error) {
	tok, hash := secret()
	csrf, _ := secret()
	now := s.db.Now().UTC()
	sess := &partyworks.Session{Token: tok, UserID: userID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(s.AbsoluteTimeout), CSRF: csrf}
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sessions (hash, user_id, csrf, addr, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			hash, userID, csrf, addr, fmtTime(now), fmtTime(now), fmtTime(sess.ExpiresAt)); err != nil {
			return err
		}
		// Sweep this user's expired sessions while we are here.
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND (expires_at < ? OR last_seen < ?)`, userID, fmtTime(now), fmtTime(now.Add(-s.IdleTimeout))); err != nil {
			return err
		}
		return tx.audit("auth.login", "user:"+strconv.FormatInt(userID, 10), nil, map[string]string{"addr": addr})
	})
	return sess, err
}

// SessionUser returns the user of a live session. The session's last use
// is refreshed at most once a minute, to spare the writer.
func (s *UserService) SessionUser(ctx context.Context, token string) (*partyworks.User, *partyworks.Session, error) {
	hash := hashToken(token)
	var sess partyworks.Session
	var created, last, expires string
	err := s.db.queryRow(ctx, `SELECT s.user_id, s.csrf, s.created_at, s.last_seen, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.hash = ? AND u.disabled = ?`, hash, false).Scan(&sess.UserID, &sess.CSRF, &created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "please log in")
	} else if err != nil {
		return nil, nil, err
	}
	now := s.db.Now().UTC()
	sess.Token, sess.CreatedAt, sess.LastSeen, sess.ExpiresAt = token, parseTime(created), parseTime(last), parseTime(expires)
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeen) > s.IdleTimeout {
		s.DeleteSession(ctx, token)
		return nil, nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "your session has expired; please log in again")
	}
	if now.Sub(sess.LastSeen) > time.Minute {
		s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE sessions SET last_seen = ? WHERE hash = ?`, fmtTime(now), hash)
			return err
		})
	}
	u, err := s.FindUserByID(ctx, sess.UserID)
	return u, &sess, err
}

// DeleteSession ends a session (logout).
func (s *UserService) DeleteSession(ctx context.Context, token string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE hash = ?`, hashToken(token))
		return err
	})
}

// CreateToken makes an API token for a user; the token is shown once.
func (s *UserService) CreateToken(ctx context.Context, userID int64, name string) (string, error) {
	tok, hash := secret()
	tok = "pw_" + tok
	hash = hashToken(tok)
	err := s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE id = ?`, userID).Scan(&n); err != nil || n == 0 {
			return partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
		}
		if _, err := tx.Exec(`INSERT INTO api_tokens (hash, user_id, name, created_at) VALUES (?, ?, ?, ?)`, hash, userID, name, fmtTime(tx.now)); err != nil {
			return err
		}
		return tx.audit("user.token", "user:"+strconv.FormatInt(userID, 10), nil, map[string]string{"name": name})
	})
	return tok, err
}

// TokenUser returns the user of an API token.
func (s *UserService) TokenUser(ctx context.Context, token string) (*partyworks.User, error) {
	// One read for the token and its user (every API request makes it).
	u, _, err := scanUser(s.db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = (SELECT user_id FROM api_tokens WHERE hash = ?) AND disabled = ?`,
		hashToken(token), false))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "the API token is not valid")
	} else if err != nil {
		return nil, err
	}
	return u, s.loadGrants(ctx, u)
}
