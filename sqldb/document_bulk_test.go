package sqldb

import (
	"context"
	"fmt"
	"strings"

	"partyworks"
)

// BulkLoadDocuments writes n documents for benchmarks, in transactions of
// 20,000 with prepared statements, the same rows and search tokens that
// RegisterDocument writes (numbers given, no audit entries). gen fills the
// i-th document.
func (s *DocumentService) BulkLoadDocuments(ctx context.Context, n int, gen func(i int, d *partyworks.Document)) error {
	const batch = 20000
	for start := 0; start < n; start += batch {
		err := s.db.update(ctx, func(tx *Tx) error {
			ins, err := tx.Prepare(`INSERT INTO documents (unit_id, direction, reg_no, period, series, symbol, sym_number, sym_type, sym_issuer, sym_state,
				issuer, issued, received, summary, signer, recipients, secrecy, urgency, class, status, created_at)
				VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, 0, '', ?, ?, ?, '', '', ?, 0, ?, 'active', ?) RETURNING id`)
			if err != nil {
				return err
			}
			defer ins.Close()
			text, err := tx.Prepare(`INSERT INTO document_text (document_id, fold) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			defer text.Close()
			q := `INSERT INTO document_search (docid, toks) VALUES (?, ?)`
			if s.db.Postgres() {
				q = `INSERT INTO document_search (document_id, toks) VALUES (?, string_to_array(?, ' '))`
			}
			search, err := tx.Prepare(q)
			if err != nil {
				return err
			}
			defer search.Close()
			for i := start; i < min(n, start+batch); i++ {
				var d partyworks.Document
				gen(i, &d)
				received := ""
				if d.Direction == partyworks.Incoming {
					received = fmtDate(d.Received)
				}
				var id int64
				if err := ins.QueryRowContext(ctx, d.UnitID, string(d.Direction), d.RegNo, fmt.Sprint(d.Direction, d.Symbol.Type), d.Symbol.String(),
					d.Symbol.Number, d.Symbol.Type, d.Symbol.Issuer, fmtDate(d.Issued), received, d.Summary, int(d.Secrecy), d.Symbol.Type,
					fmtTime(tx.now)).Scan(&id); err != nil {
					return err
				}
				norm := normalize(indexText(&d, nil))
				if _, err := text.ExecContext(ctx, id, norm); err != nil {
					return err
				}
				if _, err := search.ExecContext(ctx, id, strings.Join(tokens(norm), " ")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// NumberThenFail takes a number in a group transaction like NextNumber
// and, when fail is set, is refused after taking it: the group must give
// the number back.
func (s *DocumentService) NumberThenFail(ctx context.Context, unitID int64, period, series string, fail bool) (int, error) {
	var n int
	err := s.numbers.do(ctx, &counterKey{unitID, period, series}, func(tx *Tx, given int) error {
		var err error
		if n = given; n == 0 {
			if n, err = tx.nextNumber(unitID, period, series, false, 0); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO documents (unit_id, direction, reg_no, period, series, symbol, sym_number, sym_type, sym_issuer,
			issued, summary, class, created_at) VALUES (?, 'out', ?, ?, ?, '', ?, 'CV', 'TU', '2025-01-01', 'x', 'CV', '')`, unitID, n, period, series, n); err != nil {
			return err
		}
		if fail {
			// A refusal by the database, after the number was taken.
			_, err := tx.Exec(`INSERT INTO documents (unit_id, direction, reg_no, period, series, symbol, sym_number, sym_type, sym_issuer,
				issued, summary, class, created_at) VALUES (?, 'out', ?, ?, ?, '', ?, 'CV', 'TU', '2025-01-01', 'x', 'CV', '')`, unitID, n, period, series, n)
			return err
		}
		return nil
	})
	return n, err
}
