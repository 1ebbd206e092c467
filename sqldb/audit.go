package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"partyworks"
)

// Ensure the service implements the interface.
var _ partyworks.AuditService = (*AuditService)(nil)

// AuditService reads and verifies the trail.
type AuditService struct{ db *DB }

// NewAuditService returns the audit service on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// audit appends an entry to the trail inside tx, written at its commit
// (flushAudit). There the head row is updated first: on PostgreSQL its row
// lock orders concurrent writers, so the chain never forks; on SQLite the
// single writer does the same.
func (tx *Tx) audit(action, object string, before, after any) error {
	if tx.group != nil {
		tx.group.audit(tx, action, object, before, after)
		return nil
	}
	// Kept until the commit (Tx.Commit, flushAudit): the trail's head is
	// one row every writer that audits takes, so it is taken last, just
	// before the commit, and held for the shortest time. Taken in the
	// middle of a transaction, it was held while rows others lock first
	// were still to come (a deadlock on PostgreSQL).
	tx.audits = append(tx.audits, &partyworks.AuditEntry{
		At: tx.now, UserID: tx.actor.UserID, Username: tx.actor.Username,
		OnBehalf: tx.actor.OnBehalf, Action: action, Object: object, Addr: tx.actor.Addr,
		Before: marshalAudit(before), After: marshalAudit(after),
	})
	return nil
}

// flushAudit writes the transaction's audit entries, in the order they
// came, 1,000 a statement (12,000 variables, under SQLite's limit).
func (tx *Tx) flushAudit() error {
	es := tx.audits
	tx.audits = nil
	for len(es) > 0 {
		n := min(len(es), 1000)
		if err := writeAuditEntries(tx, es[:n]); err != nil {
			return err
		}
		es = es[n:]
	}
	return nil
}

func marshalAudit(v any) json.RawMessage {
	switch v := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(fmt.Sprintf("%q", err.Error()))
	}
	return b
}

// RecordAudit writes one entry in a transaction of its own: logins,
// logouts and denied accesses, which change nothing else.
func (s *AuditService) RecordAudit(ctx context.Context, action, object string, after any) error {
	return s.db.update(ctx, func(tx *Tx) error { return tx.audit(action, object, nil, after) })
}

// FindAuditEntries lists entries newest first, filtered.
func (s *AuditService) FindAuditEntries(ctx context.Context, f partyworks.AuditFilter) ([]*partyworks.AuditEntry, error) {
	var where []string
	var args []any
	if f.Username != "" {
		where, args = append(where, "username = ?"), append(args, f.Username)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Object != "" {
		where, args = append(where, "object = ?"), append(args, f.Object)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, fmtTime(f.To))
	}
	if f.BeforeSeq > 0 {
		where, args = append(where, "seq < ?"), append(args, f.BeforeSeq)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT seq, at, COALESCE(user_id, 0), username, on_behalf, action, object, addr, before, after, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", f.Limit)
	rows, err := s.db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	return collect(rows, scanAudit)
}

func scanAudit(rows scanner) (*partyworks.AuditEntry, error) {
	var e partyworks.AuditEntry
	var at, before, after string
	if err := rows.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.OnBehalf, &e.Action, &e.Object, &e.Addr, &before, &after, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = parseTime(at)
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return &e, nil
}

// VerifyAudit walks the whole chain in order and reports every entry whose
// hash does not match its content, whose link to the previous entry is
// broken, or that is missing (a gap in the sequence, or a tail shorter than
// the head says).
func (s *AuditService) VerifyAudit(ctx context.Context) (int64, []partyworks.AuditProblem, error) {
	var headSeq int64
	var headHash string
	if err := s.db.queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return 0, nil, fmt.Errorf("audit head: %w", err)
	}
	rows, err := s.db.query(ctx, `SELECT seq, at, COALESCE(user_id, 0), username, on_behalf, action, object, addr, before, after, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var problems []partyworks.AuditProblem
	var n, lastSeq int64
	lastHash, atHead := "", ""
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return n, problems, err
		}
		n++
		if e.Seq != lastSeq+1 {
			problems = append(problems, partyworks.AuditProblem{Seq: lastSeq + 1, Reason: fmt.Sprintf("entries %d to %d are missing", lastSeq+1, e.Seq-1)})
		}
		if e.PrevHash != lastHash {
			problems = append(problems, partyworks.AuditProblem{Seq: e.Seq, Reason: "the link to the previous entry is broken"})
		}
		if e.ComputeHash(e.PrevHash) != e.Hash {
			problems = append(problems, partyworks.AuditProblem{Seq: e.Seq, Reason: "the entry was altered: its hash does not match its content"})
		}
		if e.Seq == headSeq {
			atHead = e.Hash
		}
		lastSeq, lastHash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, problems, err
	}
	// The head was read first: entries committed since may follow it (each
	// checked above); the entry it records must be there, as it says.
	if lastSeq < headSeq || headSeq > 0 && atHead != headHash || headSeq == 0 && (headHash != "" || n > 0) {
		problems = append(problems, partyworks.AuditProblem{Seq: lastSeq, Reason: fmt.Sprintf("the trail ends at entry %d but the head records entry %d: entries were removed or the head was altered", lastSeq, headSeq)})
	}
	return n, problems, nil
}
