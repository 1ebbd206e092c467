package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
)

// RetentionPeriods returns the configured periods, by class.
func (s *DocumentService) RetentionPeriods(ctx context.Context) ([]partyworks.RetentionPeriod, error) {
	rows, err := s.db.query(ctx, `SELECT class, name, archive_after, keep FROM retention_periods ORDER BY class`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []partyworks.RetentionPeriod
	for rows.Next() {
		var p partyworks.RetentionPeriod
		if err := rows.Scan(&p.Class, &p.Name, &p.ArchiveAfter, &p.Keep); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetRetentionPeriod adds or changes the period of a class.
func (s *DocumentService) SetRetentionPeriod(ctx context.Context, p partyworks.RetentionPeriod) error {
	p.Class, p.Name = strings.TrimSpace(p.Class), strings.TrimSpace(p.Name)
	if _, ok := partyworks.DocumentTypes[p.Class]; !ok && p.Class != partyworks.DefaultRetentionClass {
		return partyworks.FieldErrorf("class", "a class is a document type (NQ, CV, …) or * for the rest")
	}
	if p.ArchiveAfter < 0 || p.ArchiveAfter > 50 || p.Keep < 0 || p.Keep > 500 {
		return partyworks.FieldErrorf("keep", "years out of range")
	}
	if p.Name == "" {
		p.Name = partyworks.DocumentTypes[p.Class]
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM retention_periods WHERE class = ?`, p.Class); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO retention_periods (class, name, archive_after, keep) VALUES (?, ?, ?, ?)`,
			p.Class, p.Name, p.ArchiveAfter, p.Keep); err != nil {
			return err
		}
		return tx.audit("document.retention", "retention:"+p.Class, nil, p)
	})
}

func periodFor(periods []partyworks.RetentionPeriod, class string) partyworks.RetentionPeriod {
	var def partyworks.RetentionPeriod
	for _, p := range periods {
		if p.Class == class {
			return p
		}
		if p.Class == partyworks.DefaultRetentionClass {
			def = p
		}
	}
	return def
}

// DueForRetention lists the documents of a unit's registers that are due
// for archiving or disposal on a day, among those the viewer may see.
func (s *DocumentService) DueForRetention(ctx context.Context, v partyworks.Viewer, unitID int64, today partyworks.Date) ([]*partyworks.RetentionDue, error) {
	periods, err := s.RetentionPeriods(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.reader(ctx, v)
	if err != nil {
		return nil, err
	}
	scope, args := r.scopeSQL()
	// The earliest year that can be due: archive_after ≥ 0, so anything
	// issued before this year may be due.
	args = append(args, unitID, fmt.Sprintf("%04d-01-01", today.Year()))
	rows, err := s.db.query(ctx, `SELECT `+documentColumns+` FROM documents d WHERE `+scope+`
		AND d.unit_id = ? AND d.status IN ('active', 'archived') AND d.issued < ? ORDER BY d.issued, d.id LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.RetentionDue
	var docs []*partyworks.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		if act, since := partyworks.RetentionAction(d, periodFor(periods, d.Class), today); act != "" {
			out = append(out, &partyworks.RetentionDue{Document: d, Action: act, Since: since})
			docs = append(docs, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.auditClassified(ctx, "document.list", docs)
}

// Dispose archives or disposes of documents of one unit by a decision, all
// or nothing: every document must belong to the unit, be visible to the
// viewer and be due for that action on the day. Disposal destroys the
// files and the search text; the register line stays, marked disposed.
func (s *DocumentService) Dispose(ctx context.Context, v partyworks.Viewer, dp partyworks.Disposition) error {
	if dp.Action != partyworks.RetainArchive && dp.Action != partyworks.RetainDispose {
		return partyworks.FieldErrorf("action", "choose archive or dispose")
	}
	if len(dp.Documents) == 0 {
		return partyworks.FieldErrorf("documents", "choose the documents")
	}
	if dp.Day.IsZero() {
		return partyworks.FieldErrorf("day", "give the day of the decision")
	}
	sym, err := partyworks.ParseSymbol(dp.Decision)
	if err != nil {
		return &partyworks.Error{Code: partyworks.EINVALID, Field: "decision", Message: partyworks.ErrorMessage(err)}
	}
	due, err := s.DueForRetention(ctx, v, dp.UnitID, dp.Day)
	if err != nil {
		return err
	}
	byID := map[int64]*partyworks.RetentionDue{}
	for _, d := range due {
		byID[d.Document.ID] = d
	}
	for _, id := range dp.Documents {
		if d, ok := byID[id]; !ok || d.Action != dp.Action {
			return partyworks.FieldErrorf("documents", "document %d is not due to be %sd in this unit's registers on that day", id, dp.Action)
		}
	}
	var destroy []string
	err = s.db.update(ctx, func(tx *Tx) error {
		status := partyworks.DocArchived
		if dp.Action == partyworks.RetainDispose {
			status = partyworks.DocDisposed
		}
		for _, id := range dp.Documents {
			if _, err := tx.Exec(`UPDATE documents SET status = ?, version = version + 1 WHERE id = ?`, string(status), id); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO document_dispositions (document_id, action, decision, day, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
				id, dp.Action, sym.String(), fmtDate(dp.Day), fmtTime(tx.now), nullID(tx.actor.UserID)); err != nil {
				return err
			}
			if status == partyworks.DocDisposed {
				rows, err := tx.Query(`SELECT stored FROM document_files WHERE document_id = ?`, id)
				if err != nil {
					return err
				}
				for rows.Next() {
					var name string
					rows.Scan(&name)
					destroy = append(destroy, name)
				}
				rows.Close()
				if _, err := tx.Exec(`UPDATE document_files SET text = '' WHERE document_id = ?`, id); err != nil {
					return err
				}
				d := byID[id].Document
				if err := s.indexTx(tx, id, indexText(d, nil)); err != nil {
					return err
				}
			}
			if err := tx.audit("document."+dp.Action, "document:"+strconv.FormatInt(id, 10), nil,
				map[string]string{"decision": sym.String(), "day": fmtDate(dp.Day)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range destroy {
		if err := s.vault.Remove(name); err != nil {
			return err
		}
	}
	return nil
}
