package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
)

// RouteDocument sends a document to a department (a unit) or a person for
// handling by a deadline. The department must lie in the subtree of the
// document's unit; the person must hold a grant there.
func (s *DocumentService) RouteDocument(ctx context.Context, v partyworks.Viewer, rt *partyworks.DocumentRoute) error {
	d, err := s.visible(ctx, v, rt.DocumentID, "route")
	if err != nil {
		return err
	}
	rt.Note = strings.TrimSpace(rt.Note)
	switch {
	case (rt.ToUnitID == 0) == (rt.ToUserID == 0):
		return partyworks.FieldErrorf("to", "route the document to one department or one person")
	case rt.Deadline.IsZero():
		return partyworks.FieldErrorf("deadline", "give the deadline for handling")
	case len(rt.Note) > 2000:
		return partyworks.FieldErrorf("note", "the note is too long")
	}
	docPath, err := s.unitPath(ctx, d.UnitID)
	if err != nil {
		return err
	}
	if rt.ToUnitID != 0 {
		p, err := s.unitPath(ctx, rt.ToUnitID)
		if err != nil || !strings.HasPrefix(p, docPath) {
			return partyworks.FieldErrorf("to_unit", "route to a department inside %s", d.UnitName)
		}
	} else {
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM grants g WHERE g.user_id = ? AND (g.unit_id IS NULL OR EXISTS (
			SELECT 1 FROM unit_versions uv WHERE uv.unit_id = g.unit_id AND uv.valid_to = '9999-12-31' AND ? LIKE uv.path || '%'))`,
			rt.ToUserID, docPath).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return partyworks.FieldErrorf("to_user", "route to a person who works in %s", d.UnitName)
		}
		if d.Secrecy.Classified() {
			// The person must be able to read it, or the routing leaks it.
			c, err := s.Clearance(ctx, rt.ToUserID)
			if err != nil {
				return err
			}
			if c < d.Secrecy {
				return partyworks.FieldErrorf("to_user", "this person's clearance does not cover the document's mark")
			}
		}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		id, err := tx.InsertID(`INSERT INTO document_routes (document_id, to_unit_id, to_user_id, deadline, note, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, rt.DocumentID, nullID(rt.ToUnitID), nullID(rt.ToUserID), fmtDate(rt.Deadline), rt.Note,
			fmtTime(tx.now), nullID(tx.actor.UserID))
		if err != nil {
			return fmt.Errorf("route: %w", err)
		}
		rt.ID, rt.CreatedAt = id, tx.now
		return tx.audit("document.route", "document:"+strconv.FormatInt(rt.DocumentID, 10), nil,
			map[string]any{"route": id, "to_unit": rt.ToUnitID, "to_user": rt.ToUserID, "deadline": fmtDate(rt.Deadline)})
	})
}

// CompleteRoute marks a routing handled.
func (s *DocumentService) CompleteRoute(ctx context.Context, v partyworks.Viewer, docID, routeID int64) error {
	if _, err := s.visible(ctx, v, docID, "route"); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE document_routes SET done = 1 WHERE id = ? AND document_id = ? AND done = 0`, routeID, docID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return partyworks.Errorf(partyworks.ENOTFOUND, "no such open routing of this document")
		}
		return tx.audit("document.route.done", "document:"+strconv.FormatInt(docID, 10), nil, map[string]any{"route": routeID})
	})
}

func (s *DocumentService) routes(ctx context.Context, docID int64) ([]*partyworks.DocumentRoute, error) {
	rows, err := s.db.query(ctx, `SELECT r.id, r.document_id, COALESCE(r.to_unit_id, 0), COALESCE(r.to_user_id, 0), r.deadline, r.note, r.done, r.created_at,
		COALESCE((SELECT v.name FROM unit_versions v WHERE v.unit_id = r.to_unit_id ORDER BY v.valid_from DESC LIMIT 1), ''),
		COALESCE((SELECT u.display_name FROM users u WHERE u.id = r.to_user_id), '')
		FROM document_routes r WHERE r.document_id = ? ORDER BY r.id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*partyworks.DocumentRoute
	for rows.Next() {
		var r partyworks.DocumentRoute
		var deadline, created string
		var done int
		if err := rows.Scan(&r.ID, &r.DocumentID, &r.ToUnitID, &r.ToUserID, &deadline, &r.Note, &done, &created, &r.ToUnitName, &r.ToUserName); err != nil {
			return nil, err
		}
		r.Deadline, r.CreatedAt, r.Done = parseDate(deadline), parseTime(created), done != 0
		out = append(out, &r)
	}
	return out, rows.Err()
}

// FindDue lists the open routings of the documents of a unit's subtree
// due by a day, for the "what needs doing" page. The page has no reader
// to check a clearance against, so classified documents never appear
// there: their routings are seen on the document itself. A routing made a
// task of its department (web/html_documents_task.go: a task of the
// directive with the document's symbol and date, same unit and deadline)
// is listed by the tasks' own DueSource, not twice.
func (s *DocumentService) FindDue(ctx context.Context, unitID int64, until partyworks.Date) ([]partyworks.DueItem, error) {
	path, err := s.unitPath(ctx, unitID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(path)
	rows, err := s.db.query(ctx, `SELECT d.unit_id, d.id, d.symbol, d.summary, r.deadline,
		COALESCE((SELECT v.name FROM unit_versions v WHERE v.unit_id = r.to_unit_id ORDER BY v.valid_from DESC LIMIT 1),
		         (SELECT u.display_name FROM users u WHERE u.id = r.to_user_id), '')
		FROM document_routes r JOIN documents d ON d.id = r.document_id
		WHERE r.done = 0 AND r.deadline <= ? AND d.secrecy = 0
		AND NOT (r.to_unit_id IS NOT NULL AND EXISTS (SELECT 1 FROM tasks t JOIN directives dr ON dr.id = t.directive_id
			WHERE t.unit_id = r.to_unit_id AND t.deadline = r.deadline AND dr.owner_id = d.unit_id AND dr.symbol = d.symbol AND dr.issued = d.issued))
		AND EXISTS (SELECT 1 FROM unit_versions up WHERE up.unit_id = d.unit_id AND up.valid_to = '9999-12-31' AND up.path >= ? AND up.path < ?)
		ORDER BY r.deadline, r.id LIMIT 500`, fmtDate(until), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("documents due: %w", err)
	}
	defer rows.Close()
	var out []partyworks.DueItem
	for rows.Next() {
		var it partyworks.DueItem
		var id int64
		var symbol, summary, deadline, to string
		if err := rows.Scan(&it.UnitID, &id, &symbol, &summary, &deadline, &to); err != nil {
			return nil, err
		}
		if len([]rune(summary)) > 120 {
			summary = string([]rune(summary)[:120]) + "…"
		}
		it.Kind, it.Due, it.Link = "document.handling", parseDate(deadline), "/documents/"+strconv.FormatInt(id, 10)
		it.Title = symbol + " — " + summary
		if to != "" {
			it.Title += " → " + to
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
