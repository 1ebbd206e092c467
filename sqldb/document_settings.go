package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"partyworks"
)

// Issuer is the abbreviation a unit signs its symbols with; "" when none
// is set yet.
func (s *DocumentService) Issuer(ctx context.Context, unitID int64) (string, error) {
	var abbr string
	err := s.db.queryRow(ctx, `SELECT abbr FROM document_issuers WHERE unit_id = ?`, unitID).Scan(&abbr)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return abbr, err
}

// Congresses lists a unit's congresses, latest first.
func (s *DocumentService) Congresses(ctx context.Context, unitID int64) ([]partyworks.Congress, error) {
	rows, err := s.db.query(ctx, `SELECT id, unit_id, label, opens, closes FROM document_congresses WHERE unit_id = ? ORDER BY opens DESC, id DESC`, unitID)
	if err != nil {
		return nil, err
	}
	return scanCongresses(rows)
}
