package sqldb

import (
	"fmt"
	"strings"

	"partyworks"
)

// groupWrites holds the writes of a numbering group that can wait for the
// end of the group: the search text of the new lines and the audit
// entries. They are written with one multi-row statement each just before
// the commit, instead of three round trips per registration while the
// counter row is locked. Only the fast run of a group defers its search
// text (a refused registration rolls the whole transaction back there);
// the careful run, with its savepoints, writes it as it goes, and its
// audit entries wait for the commit as every transaction's do (Tx.audit).
type groupWrites struct {
	index   []indexRow
	entries []*partyworks.AuditEntry
}

type indexRow struct {
	id         int64
	fold, toks string
}

// audit keeps an entry; its sequence number and hashes are given at flush.
func (g *groupWrites) audit(tx *Tx, action, object string, before, after any) {
	g.entries = append(g.entries, &partyworks.AuditEntry{
		At: tx.now, UserID: tx.actor.UserID, Username: tx.actor.Username,
		OnBehalf: tx.actor.OnBehalf, Action: action, Object: object, Addr: tx.actor.Addr,
		Before: marshalAudit(before), After: marshalAudit(after),
	})
}

// flush writes what was deferred, in the order it came; tx.group is
// cleared first so that the statements below run directly.
func (g *groupWrites) flush(tx *Tx) error {
	tx.group = nil
	if err := writeIndexRows(tx, g.index); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return writeAuditEntries(tx, g.entries)
}

// rowsSQL repeats one row's VALUES text n times: "(?, ?), (?, ?)…".
func rowsSQL(n int, row string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func writeIndexRows(tx *Tx, rows []indexRow) error {
	if len(rows) == 0 {
		return nil
	}
	texts := make([]any, 0, 2*len(rows))
	search := make([]any, 0, 2*len(rows))
	for _, r := range rows {
		texts = append(texts, r.id, r.fold)
		search = append(search, r.id, r.toks)
	}
	if _, err := tx.Exec(`INSERT INTO document_text (document_id, fold) VALUES `+rowsSQL(len(rows), "(?, ?)"), texts...); err != nil {
		return err
	}
	if tx.db.Postgres() {
		_, err := tx.Exec(`INSERT INTO document_search (document_id, toks) VALUES `+rowsSQL(len(rows), "(?, string_to_array(?, ' '))"), search...)
		return err
	}
	_, err := tx.Exec(`INSERT INTO document_search (docid, toks) VALUES `+rowsSQL(len(rows), "(?, ?)"), search...)
	return err
}

// writeAuditEntries appends entries to the hash chain: one UPDATE takes
// their sequence numbers and the previous hash, the chain is computed
// here, one INSERT writes them and one UPDATE moves the head.
func writeAuditEntries(tx *Tx, es []*partyworks.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	var last int64
	var prev string
	if err := tx.QueryRow(`UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash`, len(es)).Scan(&last, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	// RETURNING gives the old hash (unchanged by this UPDATE) and the new seq.
	args := make([]any, 0, 12*len(es))
	for i, e := range es {
		e.Seq = last - int64(len(es)) + 1 + int64(i)
		e.PrevHash = prev
		e.Hash = e.ComputeHash(prev)
		prev = e.Hash
		var uid any
		if e.UserID != 0 {
			uid = e.UserID
		}
		args = append(args, e.Seq, fmtTime(e.At), uid, e.Username, e.OnBehalf, e.Action, e.Object, e.Addr,
			string(e.Before), string(e.After), e.PrevHash, e.Hash)
	}
	if _, err := tx.Exec(`INSERT INTO audit_log (seq, at, user_id, username, on_behalf, action, object, addr, before, after, prev_hash, hash) VALUES `+
		rowsSQL(len(es), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), args...); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	_, err := tx.Exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, prev)
	return err
}
