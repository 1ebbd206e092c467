package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/vault"
)

var (
	_ partyworks.DocumentService = (*DocumentService)(nil)
	_ partyworks.DueSource       = (*DocumentService)(nil)
)

// DocumentService keeps the units' registers of official documents.
type DocumentService struct {
	db      *DB
	vault   *vault.Vault
	numbers *batcher // registrations commit in groups (document_batch.go)
}

// NewDocumentService returns the document service on db, with files in
// v. Documents follow their unit when it merges into another.
func NewDocumentService(db *DB, v *vault.Vault) *DocumentService {
	return &DocumentService{db: db, vault: v, numbers: &batcher{db: db}}
}

// foldDocuments moves the registers of a unit merged away to the unit it
// went into, on the fold's day (a fold recorded ahead leaves them to
// handOverDue); a divided unit keeps its own.
func foldDocuments(tx *Tx, f Fold) error {
	to := f.To
	if f.RegistersTo != 0 {
		to = f.RegistersTo
	}
	if f.Options != nil || to == f.From || f.Carries || to == 0 || f.Day > fmtDate(partyworks.Today(tx.now)) {
		return nil
	}
	// Each keeps its register's number (register_id): the successor's own
	// register may hold the same numbers.
	// (No audit entry of its own: the unit change, or the hand-over's
	// reminder run, records it; an entry here would take the trail's head
	// in the middle of a hand-over, before rows others lock first.)
	if _, err := tx.Exec(`UPDATE documents SET register_id = COALESCE(register_id, unit_id), unit_id = ?, version = version + 1 WHERE unit_id = ?`, to, f.From); err != nil {
		return fmt.Errorf("fold documents: %w", err)
	}
	return nil
}

const documentColumns = `d.id, d.unit_id, d.direction, d.reg_no, d.sym_number, d.sym_type, d.sym_issuer, d.sym_state,
	d.issuer, d.issued, d.received, d.summary, d.signer, d.recipients, d.secrecy, d.urgency, d.class, d.status, d.created_at, d.version,
	COALESCE((SELECT v.name FROM unit_versions v WHERE v.unit_id = d.unit_id ORDER BY v.valid_from DESC LIMIT 1), ''),
	COALESCE((SELECT v.name FROM unit_versions v WHERE v.unit_id = d.register_id ORDER BY v.valid_from DESC LIMIT 1), '')`

func scanDocument(s scanner) (*partyworks.Document, error) {
	var d partyworks.Document
	var dir, issued, received, status, created string
	var state, secrecy, urgency int
	if err := s.Scan(&d.ID, &d.UnitID, &dir, &d.RegNo, &d.Symbol.Number, &d.Symbol.Type, &d.Symbol.Issuer, &state,
		&d.Issuer, &issued, &received, &d.Summary, &d.Signer, &d.Recipients, &secrecy, &urgency, &d.Class, &status, &created, &d.Version,
		&d.UnitName, &d.RegisterName); err != nil {
		return nil, err
	}
	d.Direction, d.Status = partyworks.Direction(dir), partyworks.DocumentStatus(status)
	d.Symbol.State = state != 0
	d.Secrecy, d.Urgency = partyworks.Secrecy(secrecy), partyworks.Urgency(urgency)
	d.Issued, d.CreatedAt = parseDate(issued), parseTime(created)
	if received != "" {
		d.Received = parseDate(received)
	}
	return &d, nil
}

// RegisterDocument adds a document to its unit's register in one
// transaction: its number, its line, its search text and the audit entry.
// An outgoing document is numbered by its issuer, type and term unless
// legacyNumber is set (see RegisterLegacy); an incoming one keeps the
// symbol it came with and takes the next number of the register's year.
func (s *DocumentService) RegisterDocument(ctx context.Context, v partyworks.Viewer, d *partyworks.Document) error {
	return s.register(ctx, v, d, false)
}

// RegisterLegacy registers an outgoing document issued before the
// registers were kept here, with the number it already carries: the
// number must be free, and the counter moves past it.
func (s *DocumentService) RegisterLegacy(ctx context.Context, v partyworks.Viewer, d *partyworks.Document) error {
	return s.register(ctx, v, d, true)
}

func (s *DocumentService) register(ctx context.Context, v partyworks.Viewer, d *partyworks.Document, legacy bool) error {
	d.Summary, d.Signer, d.Recipients, d.Issuer = strings.TrimSpace(d.Summary), strings.TrimSpace(d.Signer), strings.TrimSpace(d.Recipients), strings.TrimSpace(d.Issuer)
	if d.Direction == partyworks.Outgoing && !legacy {
		d.Symbol.Number = 0
	}
	if err := d.Validate(); err != nil {
		return err
	}
	if _, ok := partyworks.DocumentTypes[d.Symbol.Type]; !ok {
		return partyworks.FieldErrorf("type", "unknown document type %q", d.Symbol.Type)
	}
	r, err := s.reader(ctx, v)
	if err != nil {
		return err
	}
	if d.Secrecy > r.clearance {
		// Nobody registers what they could not read afterwards.
		return partyworks.FieldErrorf("secrecy", "your clearance does not cover the mark %s", d.Secrecy)
	}
	plan, err := s.planRegistration(ctx, d)
	if err == nil {
		var key *counterKey
		if !legacy {
			key = &counterKey{d.UnitID, plan.period, plan.series}
		}
		err = s.numbers.do(ctx, key, func(tx *Tx, n int) error { return s.registerTx(tx, d, plan, legacy, n) })
	}
	if code := partyworks.ErrorCode(err); code == partyworks.ECONFLICT || code == partyworks.EINVALID {
		s.db.update(ctx, func(tx *Tx) error {
			return tx.audit("document.register.refused", "unit:"+strconv.FormatInt(d.UnitID, 10), nil,
				map[string]any{"symbol": d.Symbol.String(), "reason": partyworks.ErrorMessage(err)})
		})
	}
	return err
}

// registerPlan is what a registration reads before it takes a number:
// read outside the group transaction, so that the counter's lock is held
// only for the writes.
type registerPlan struct {
	unitName, period, series string
}

func (s *DocumentService) planRegistration(ctx context.Context, d *partyworks.Document) (*registerPlan, error) {
	var p registerPlan
	if err := s.db.queryRow(ctx, `SELECT name FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, d.UnitID).Scan(&p.unitName); errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.FieldErrorf("unit", "no such unit")
	} else if err != nil {
		return nil, err
	}
	switch d.Direction {
	case partyworks.Outgoing:
		var abbr string
		err := s.db.queryRow(ctx, `SELECT abbr FROM document_issuers WHERE unit_id = ?`, d.UnitID).Scan(&abbr)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, partyworks.FieldErrorf("issuer", "%s has no issuer abbreviation for its symbols yet: set it first (e.g. TU)", p.unitName)
		} else if err != nil {
			return nil, err
		}
		rows, err := s.db.query(ctx, `SELECT id, unit_id, label, opens, closes FROM document_congresses WHERE unit_id = ?`, d.UnitID)
		if err != nil {
			return nil, fmt.Errorf("congresses: %w", err)
		}
		congresses, err := scanCongresses(rows)
		if err != nil {
			return nil, err
		}
		p.period, p.series = partyworks.NumberSeries(congresses, d.Issued, d.Symbol.Type)
		d.Symbol.Issuer = abbr
		if d.Issuer == "" {
			d.Issuer = p.unitName
		}
	case partyworks.Incoming:
		p.period, p.series = strconv.Itoa(d.Received.Year()), "incoming"
	}
	return &p, nil
}

// registerTx writes a registration; n is its number taken in advance by
// the group (document_batch.go), or 0 to take it here.
func (s *DocumentService) registerTx(tx *Tx, d *partyworks.Document, p *registerPlan, legacy bool, n int) error {
	unitName, period, series := p.unitName, p.period, p.series
	if n == 0 {
		var err error
		if n, err = tx.nextNumber(d.UnitID, period, series, legacy && d.Direction == partyworks.Outgoing, d.Symbol.Number); err != nil {
			return err
		}
	}
	switch d.Direction {
	case partyworks.Outgoing:
		d.Symbol = partyworks.Symbol{Number: n, Type: d.Symbol.Type, Issuer: d.Symbol.Issuer}
		d.RegNo = n
	case partyworks.Incoming:
		d.RegNo = n
	}
	if d.Class == "" {
		d.Class = d.Symbol.Type
	}
	received := ""
	if d.Direction == partyworks.Incoming {
		received = fmtDate(d.Received)
	}
	state := 0
	if d.Symbol.State {
		state = 1
	}
	id, err := tx.InsertID(`INSERT INTO documents (unit_id, direction, reg_no, period, series, symbol, sym_number, sym_type, sym_issuer, sym_state,
		issuer, issued, received, summary, signer, recipients, secrecy, urgency, class, status, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.UnitID, string(d.Direction), d.RegNo, period, series, d.Symbol.String(), d.Symbol.Number, d.Symbol.Type, d.Symbol.Issuer, state,
		d.Issuer, fmtDate(d.Issued), received, d.Summary, d.Signer, d.Recipients, int(d.Secrecy), int(d.Urgency), d.Class,
		string(partyworks.DocActive), fmtTime(tx.now), nullID(tx.actor.UserID))
	if err != nil {
		if isUniqueViolation(err) {
			return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "symbol", Message: fmt.Sprintf("the number %d is already taken in this register", d.RegNo)}
		}
		return fmt.Errorf("register document: %w", err)
	}
	d.ID, d.CreatedAt, d.Version, d.Status, d.UnitName = id, tx.now, 1, partyworks.DocActive, unitName
	if err := s.writeIndex(tx, d.ID, indexText(d, nil), true); err != nil {
		return err
	}
	return tx.audit("document.register", "document:"+strconv.FormatInt(id, 10), nil, auditDoc(d))
}

// auditDoc is what the trail keeps of a document: its register line
// without the summary of a classified one.
func auditDoc(d *partyworks.Document) map[string]any {
	m := map[string]any{"unit": d.UnitID, "direction": d.Direction, "reg_no": d.RegNo, "symbol": d.Symbol.String(),
		"issued": fmtDate(d.Issued), "secrecy": int(d.Secrecy), "urgency": int(d.Urgency)}
	if !d.Secrecy.Classified() {
		m["summary"] = d.Summary
	}
	return m
}

// isUniqueViolation recognizes a unique-index refusal on both databases.
func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// FindDocumentByID returns a document with its files and routes. A
// classified document the viewer may not see is "not found" (and the
// attempt audited); every read of a classified one is audited.
func (s *DocumentService) FindDocumentByID(ctx context.Context, v partyworks.Viewer, id int64) (*partyworks.Document, error) {
	d, err := s.visible(ctx, v, id, "read")
	if err != nil {
		return nil, err
	}
	if d.Files, err = s.files(ctx, id); err != nil {
		return nil, err
	}
	if d.Routes, err = s.routes(ctx, id); err != nil {
		return nil, err
	}
	if err := s.auditClassified(ctx, "document.read", []*partyworks.Document{d}); err != nil {
		return nil, err
	}
	return d, nil
}

// visible loads a document the viewer may see: a classified one outside
// the viewer's clearance or scope is "not found"; an unclassified one
// outside the scope is forbidden.
func (s *DocumentService) visible(ctx context.Context, v partyworks.Viewer, id int64, what string) (*partyworks.Document, error) {
	r, err := s.reader(ctx, v)
	if err != nil {
		return nil, err
	}
	d, err := scanDocument(s.db.queryRow(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no such document")
	} else if err != nil {
		return nil, fmt.Errorf("document %d: %w", id, err)
	}
	path, err := s.unitPath(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	if !r.sees(d, path) {
		return nil, s.hidden(ctx, what, id)
	}
	if !r.inScope(path) {
		return nil, partyworks.Errorf(partyworks.EFORBIDDEN, "this document belongs to a unit outside your roles")
	}
	return d, nil
}

// DocumentUnit returns the path of the unit whose register holds a
// document, for the web guard; "not found" where existence is secret.
func (s *DocumentService) DocumentUnit(ctx context.Context, v partyworks.Viewer, id int64) (string, error) {
	r, err := s.reader(ctx, v)
	if err != nil {
		return "", err
	}
	var unitID int64
	var secrecy int
	err = s.db.queryRow(ctx, `SELECT unit_id, secrecy FROM documents WHERE id = ?`, id).Scan(&unitID, &secrecy)
	if errors.Is(err, sql.ErrNoRows) {
		return "", partyworks.Errorf(partyworks.ENOTFOUND, "no such document")
	} else if err != nil {
		return "", err
	}
	path, err := s.unitPath(ctx, unitID)
	if err != nil {
		return "", err
	}
	if !r.sees(&partyworks.Document{Secrecy: partyworks.Secrecy(secrecy)}, path) {
		return "", s.hidden(ctx, "route", id)
	}
	return path, nil
}

// FindDocuments lists a register, newest first, with the total: both
// count only what the viewer may see.
func (s *DocumentService) FindDocuments(ctx context.Context, v partyworks.Viewer, f partyworks.DocumentFilter) ([]*partyworks.Document, int, error) {
	r, err := s.reader(ctx, v)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	scope, args := r.scopeSQL()
	where := []string{scope}
	if f.UnitID != 0 {
		where = append(where, "d.unit_id = ?")
		args = append(args, f.UnitID)
	}
	if f.Direction != "" {
		where = append(where, "d.direction = ?")
		args = append(args, string(f.Direction))
	}
	if f.Status != "" {
		where = append(where, "d.status = ?")
		args = append(args, string(f.Status))
	}
	if f.Year != 0 {
		where = append(where, "d.issued >= ? AND d.issued < ?")
		args = append(args, fmt.Sprintf("%04d-01-01", f.Year), fmt.Sprintf("%04d-01-01", f.Year+1))
	}
	if q := normalize(f.Query); q != "" {
		where = append(where, `EXISTS (SELECT 1 FROM document_text t WHERE t.document_id = d.id AND t.fold LIKE ? ESCAPE '\')`)
		args = append(args, "%"+escapeLike(q)+"%")
	}
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM documents d WHERE `+strings.Join(where, " AND "), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count documents: %w", err)
	}
	if f.BeforeIssued != "" {
		where = append(where, "(d.issued < ? OR (d.issued = ? AND d.id < ?))")
		args = append(args, f.BeforeIssued, f.BeforeIssued, f.BeforeID)
	}
	args = append(args, f.Limit)
	rows, err := s.db.query(ctx, `SELECT `+documentColumns+` FROM documents d WHERE `+strings.Join(where, " AND ")+`
		ORDER BY d.issued DESC, d.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("documents: %w", err)
	}
	out, err := collect(rows, scanDocument)
	if err != nil {
		return nil, 0, err
	}
	if err := s.auditClassified(ctx, "document.list", out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// SetIssuer sets the abbreviation a unit signs its symbols with.
func (s *DocumentService) SetIssuer(ctx context.Context, unitID int64, abbr string) error {
	abbr = strings.TrimSpace(abbr)
	if err := partyworks.ValidIssuer(abbr); err != nil {
		return err
	}
	if _, err := s.unitPath(ctx, unitID); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM document_issuers WHERE unit_id = ?`, unitID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO document_issuers (unit_id, abbr) VALUES (?, ?)`, unitID, abbr); err != nil {
			return err
		}
		return tx.audit("document.issuer", "unit:"+strconv.FormatInt(unitID, 10), nil, map[string]string{"abbr": abbr})
	})
}
