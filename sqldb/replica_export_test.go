package sqldb

import (
	"context"
	"database/sql"
)

// ReadRow runs a one-row query through the read path (the replica or the
// primary, as a scope decides), for the replica tests.
func (db *DB) ReadRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.queryRow(ctx, query, args...)
}
