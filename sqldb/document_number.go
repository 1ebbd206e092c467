package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"partyworks"
)

// nextNumber takes the next number of a counter inside the registering
// transaction. The counter row is created if missing, then incremented
// with UPDATE … RETURNING: on PostgreSQL the row lock queues concurrent
// writers of every app node on the same counter, and a transaction that
// rolls back gives its number back, so numbers have neither gaps nor
// duplicates. A legacy number (a document issued before the registers
// were kept here) must be free, and moves the counter past it.
func (tx *Tx) nextNumber(unitID int64, period, series string, legacy bool, number int) (int, error) {
	if !legacy {
		return tx.takeNumbers(unitID, period, series, 1)
	}
	if err := tx.createCounter(unitID, period, series); err != nil {
		return 0, err
	}
	if number < 1 {
		return 0, partyworks.FieldErrorf("symbol", "give the number the document already carries")
	}
	var taken int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM documents WHERE COALESCE(register_id, unit_id) = ? AND direction = 'out' AND period = ? AND series = ? AND reg_no = ?`,
		unitID, period, series, number).Scan(&taken); err != nil {
		return 0, err
	}
	if taken > 0 {
		return 0, &partyworks.Error{Code: partyworks.ECONFLICT, Field: "symbol",
			Message: fmt.Sprintf("the number %d is already taken by the issuer for this type and term", number)}
	}
	if _, err := tx.Exec(`UPDATE document_counters SET last = ? WHERE unit_id = ? AND period = ? AND series = ? AND last < ?`,
		number, unitID, period, series, number); err != nil {
		return 0, err
	}
	return number, nil
}

// takeNumbers moves a counter k numbers on and returns the last: one
// statement when the counter exists (the usual case); the row is created
// on first use.
func (tx *Tx) takeNumbers(unitID int64, period, series string, k int) (int, error) {
	var n int
	for range 2 {
		err := tx.QueryRow(`UPDATE document_counters SET last = last + ? WHERE unit_id = ? AND period = ? AND series = ? RETURNING last`,
			k, unitID, period, series).Scan(&n)
		if err == nil {
			return n, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("counter: %w", err)
		}
		if err := tx.createCounter(unitID, period, series); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("counter: not created")
}

func (tx *Tx) createCounter(unitID int64, period, series string) error {
	if _, err := tx.Exec(`INSERT INTO document_counters (unit_id, period, series, last) VALUES (?, ?, ?, 0)
		ON CONFLICT (unit_id, period, series) DO NOTHING`, unitID, period, series); err != nil {
		return fmt.Errorf("counter: %w", err)
	}
	return nil
}

// scanCongresses reads congress rows and closes them.
func scanCongresses(rows *sql.Rows) ([]partyworks.Congress, error) {
	defer rows.Close()
	var out []partyworks.Congress
	for rows.Next() {
		var c partyworks.Congress
		var opens, closes string
		if err := rows.Scan(&c.ID, &c.UnitID, &c.Label, &opens, &closes); err != nil {
			return nil, err
		}
		c.Opens, c.Closes = parseDate(opens), parseDate(closes)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCongress records a congress of an issuer, which starts a new term
// of its numbering. Congresses of one issuer may not overlap.
func (s *DocumentService) AddCongress(ctx context.Context, c partyworks.Congress) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM units WHERE id = ?`, c.UnitID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return partyworks.FieldErrorf("unit", "no such unit")
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM document_congresses WHERE unit_id = ? AND opens <= ? AND closes >= ?`,
			c.UnitID, fmtDate(c.Closes), fmtDate(c.Opens)).Scan(&n); err != nil {
			return err
		} else if n > 0 {
			return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "opens", Message: "another congress of this committee overlaps these days"}
		}
		id, err := tx.InsertID(`INSERT INTO document_congresses (unit_id, label, opens, closes) VALUES (?, ?, ?, ?)`,
			c.UnitID, c.Label, fmtDate(c.Opens), fmtDate(c.Closes))
		if err != nil {
			return err
		}
		c.ID = id
		return tx.audit("document.congress", "unit:"+strconv.FormatInt(c.UnitID, 10), nil,
			map[string]string{"label": c.Label, "opens": fmtDate(c.Opens), "closes": fmtDate(c.Closes)})
	})
}

// NextNumber takes a number from a counter, committed in a group like a
// registration; it exists for the concurrency benchmark and test, which
// measure the counter alone.
func (s *DocumentService) NextNumber(ctx context.Context, unitID int64, period, series string) (int, error) {
	var n int
	err := s.numbers.do(ctx, &counterKey{unitID, period, series}, func(tx *Tx, given int) error {
		if n = given; n != 0 {
			return nil
		}
		var err error
		n, err = tx.nextNumber(unitID, period, series, false, 0)
		return err
	})
	return n, err
}
