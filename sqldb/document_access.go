package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
)

// reader is a Viewer with the clearance the database holds for it now.
type reader struct {
	partyworks.Viewer
	clearance partyworks.Secrecy
}

// reader looks up the viewer's clearance at every request, so that a
// clearance withdrawn takes effect at once.
func (s *DocumentService) reader(ctx context.Context, v partyworks.Viewer) (reader, error) {
	if v.System {
		return reader{Viewer: v, clearance: partyworks.TopSecret}, nil
	}
	c, err := s.Clearance(ctx, v.UserID)
	return reader{Viewer: v, clearance: c}, err
}

// inScope reports whether a unit at path lies in the viewer's subtrees.
func (r reader) inScope(path string) bool {
	if r.All || r.System {
		return true
	}
	for _, p := range r.Paths {
		if p != "" && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// sees reports whether the viewer may know that a document exists: an
// unclassified one always (its unit's scope is checked by the caller),
// a classified one only with the clearance and the scope.
func (r reader) sees(d *partyworks.Document, path string) bool {
	if !d.Secrecy.Classified() {
		return true
	}
	return r.clearance >= d.Secrecy && r.inScope(path)
}

// scopeSQL limits a query on documents d to the viewer's subtrees and
// clearance: the condition and its arguments.
func (r reader) scopeSQL() (string, []any) {
	conds := []string{"d.secrecy <= ?"}
	args := []any{int(r.clearance)}
	if r.All || r.System {
		return conds[0], args
	}
	if len(r.Paths) == 0 {
		return "1 = 0", nil
	}
	var ors []string
	for _, p := range r.Paths {
		lo, hi := subtreeRange(p)
		ors = append(ors, "(up.path >= ? AND up.path < ?)")
		args = append(args, lo, hi)
	}
	// The units in scope are found once per query (a subquery that does
	// not depend on the row: SQLite builds it into a temporary index,
	// PostgreSQL hashes it), by their latest version's path.
	conds = append(conds, `d.unit_id IN (SELECT up.unit_id FROM unit_versions up WHERE (`+strings.Join(ors, " OR ")+`)
		AND NOT EXISTS (SELECT 1 FROM unit_versions nx WHERE nx.unit_id = up.unit_id AND nx.valid_from > up.valid_from))`)
	return strings.Join(conds, " AND "), args
}

// unitPath is the path of a unit as it stands today, or as it last stood.
func (s *DocumentService) unitPath(ctx context.Context, unitID int64) (string, error) {
	var p string
	err := s.db.queryRow(ctx, `SELECT path FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, unitID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", partyworks.Errorf(partyworks.ENOTFOUND, "no such unit")
	}
	return p, err
}

// Clearance returns a user's clearance (Unclassified when none).
func (s *DocumentService) Clearance(ctx context.Context, userID int64) (partyworks.Secrecy, error) {
	var level int
	err := s.db.queryRow(ctx, `SELECT level FROM user_clearances WHERE user_id = ?`, userID).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return partyworks.Unclassified, nil
	} else if err != nil {
		return 0, fmt.Errorf("clearance: %w", err)
	}
	return partyworks.Secrecy(level), nil
}

// SetClearance gives a user a clearance, or withdraws it (Unclassified).
func (s *DocumentService) SetClearance(ctx context.Context, userID int64, level partyworks.Secrecy) error {
	if !level.Valid() {
		return partyworks.FieldErrorf("level", "unknown clearance level")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE id = ?`, userID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return partyworks.Errorf(partyworks.ENOTFOUND, "no such user")
		}
		var before int
		tx.QueryRow(`SELECT level FROM user_clearances WHERE user_id = ?`, userID).Scan(&before)
		if _, err := tx.Exec(`DELETE FROM user_clearances WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if level > partyworks.Unclassified {
			if _, err := tx.Exec(`INSERT INTO user_clearances (user_id, level, granted_at, granted_by) VALUES (?, ?, ?, ?)`,
				userID, int(level), fmtTime(tx.now), tx.actor.Username); err != nil {
				return err
			}
		}
		return tx.audit("user.clearance", "user:"+strconv.FormatInt(userID, 10), map[string]int{"level": before}, map[string]int{"level": int(level)})
	})
}

// hidden answers a request for a document the viewer may not know of:
// "not found", with the attempt in the audit trail.
func (s *DocumentService) hidden(ctx context.Context, what string, id int64) error {
	if err := s.db.update(ctx, func(tx *Tx) error {
		return tx.audit("document.hidden", "document:"+strconv.FormatInt(id, 10), nil, map[string]string{"request": what})
	}); err != nil {
		return err
	}
	return partyworks.Errorf(partyworks.ENOTFOUND, "no such document")
}

// auditClassified records a read of classified documents.
func (s *DocumentService) auditClassified(ctx context.Context, action string, docs []*partyworks.Document) error {
	var ids []int64
	for _, d := range docs {
		if d.Secrecy.Classified() {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	obj := "document:" + strconv.FormatInt(ids[0], 10)
	if len(ids) > 1 {
		obj = "documents"
	}
	return s.db.update(ctx, func(tx *Tx) error {
		return tx.audit(action, obj, nil, map[string]any{"classified": ids})
	})
}
