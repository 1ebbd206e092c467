package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"partyworks"
)

// totpOpts are the RFC 6238 parameters every authenticator app supports.
var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPSecret makes a secret for a user to enrol; it is stored only once
// a code from it has been confirmed (EnableTOTP).
func (s *UserService) NewTOTPSecret(account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "partyworks", AccountName: account, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// matchStep returns the time step whose code matches, looking one step
// back and one ahead for clock drift; 0 if none does.
func matchStep(secret, code string, now time.Time) int64 {
	step := now.Unix() / 30
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0), totpOpts)
		if err == nil && len(code) == 6 && want == code {
			return s
		}
	}
	return 0
}

// EnableTOTP stores a second factor after the user has proved, with their
// password and a code from the new secret, that they hold both.
func (s *UserService) EnableTOTP(ctx context.Context, userID int64, password, secret, code string) error {
	var hash string
	if err := s.db.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
	}
	if !checkPassword(hash, password) {
		return &partyworks.Error{Code: partyworks.EINVALID, Field: "password", Message: "the password is wrong"}
	}
	step := matchStep(secret, code, s.db.Now())
	if step == 0 {
		return &partyworks.Error{Code: partyworks.EINVALID, Field: "code", Message: "the code does not match; check the time on your phone and try the next code"}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET totp_secret = ?, totp_last_step = ?, version = version + 1 WHERE id = ?`, secret, step, userID); err != nil {
			return err
		}
		return tx.audit("user.totp_enable", "user:"+strconv.FormatInt(userID, 10), nil, nil)
	})
}

// StartChallenge records that a user passed the password step; the token
// it returns (valid 5 minutes) is exchanged for a session by VerifyTOTP.
func (s *UserService) StartChallenge(ctx context.Context, userID int64, addr string) (string, error) {
	tok, hash := secret()
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM login_challenges WHERE expires_at < ?`, fmtTime(tx.now)); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO login_challenges (hash, user_id, addr, expires_at) VALUES (?, ?, ?, ?)`, hash, userID, addr, fmtTime(tx.now.Add(5*time.Minute)))
		return err
	})
	return tok, err
}

// VerifyTOTP checks the second factor of a pending login. A code is
// accepted once: its time step must be later than the last one accepted.
// Failures count towards the same login throttle as passwords.
func (s *UserService) VerifyTOTP(ctx context.Context, challenge, code, addr string) (*partyworks.User, error) {
	var userID int64
	var expires, secretKey, username string
	var last int64
	err := s.db.queryRow(ctx, `SELECT c.user_id, c.expires_at, u.totp_secret, u.totp_last_step, u.username FROM login_challenges c JOIN users u ON u.id = c.user_id
		WHERE c.hash = ? AND u.disabled = ?`, hashToken(challenge), false).Scan(&userID, &expires, &secretKey, &last, &username)
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.db.Now().After(parseTime(expires)) {
		return nil, partyworks.Errorf(partyworks.EUNAUTHORIZED, "the login has expired; enter your password again")
	} else if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	keys := []string{"acct:" + username + "|" + addr, "addr:" + addr}
	if err := s.throttled(ctx, keys); err != nil {
		return nil, err
	}
	step := matchStep(secretKey, code, s.db.Now())
	if step == 0 || step <= last {
		s.failed(ctx, keys, username)
		return nil, &partyworks.Error{Code: partyworks.EUNAUTHORIZED, Field: "code", Message: "the code is wrong or was used already"}
	}
	err = s.db.update(ctx, func(tx *Tx) error {
		// The step only moves forward, even if two requests race.
		res, err := tx.Exec(`UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &partyworks.Error{Code: partyworks.EUNAUTHORIZED, Field: "code", Message: "the code is wrong or was used already"}
		}
		_, err = tx.Exec(`DELETE FROM login_challenges WHERE hash = ?`, hashToken(challenge))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, userID)
}

// DisableTOTP removes a user's second factor (an administrator's act, for a
// lost phone; audited). A password reset never does this.
func (s *UserService) DisableTOTP(ctx context.Context, userID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET totp_secret = '', totp_last_step = 0, version = version + 1 WHERE id = ?`, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return tx.audit("user.totp_disable", "user:"+strconv.FormatInt(userID, 10), nil, nil)
	})
}
