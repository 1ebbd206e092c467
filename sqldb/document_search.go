package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"partyworks"
	"partyworks/vntext"
)

// Full-text search, the same on both databases and with no build tag or
// extension (SQLite's FTS5 would need mattn/go-sqlite3's sqlite_fts5 build
// tag): the text (symbol, summary, files) is folded (diacritics and case
// removed, "đ" → "d"), punctuation becomes space, and it is cut into
// tokens: every word ("w"), every pair of neighbouring words ("p") and,
// inside runs of Chinese or Japanese characters, which have no spaces,
// every pair of characters ("b"). Tokens are hex-encoded ("w" + hex of the
// UTF-8), which any tokenizer keeps whole. SQLite keeps them in an FTS4
// table stored newest first (order=DESC), PostgreSQL in a text[] column
// with a GIN index.
//
// A query of Vietnamese (or Latin) words finds documents holding those
// whole words in that order: it needs the tokens of its word pairs (or of
// its one word), and the candidates are checked against the folded text.
// Vietnamese syllables are short and few, so trigrams (tried first) made
// every posting list long: "i b" or "chi" are in most documents. A pair of
// words is rare, so a query reads short lists, and a common word alone is
// read newest first and stops at the page's last hit. A query with
// Japanese finds a substring: the pairs of its characters are the tokens.

// normalize folds text for search: Vietnamese diacritics and case away,
// punctuation to spaces, spaces collapsed.
func normalize(s string) string {
	s = vntext.Fold(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func cjk(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

func hasCJK(s string) bool {
	return strings.IndexFunc(s, cjk) >= 0
}

func tok(prefix, s string) string { return prefix + hex.EncodeToString([]byte(s)) }

// cjkPairs appends the tokens of the pairs of neighbouring CJK characters.
func cjkPairs(word string, add func(string)) {
	rs := []rune(word)
	for i := 0; i+1 < len(rs); i++ {
		if cjk(rs[i]) && cjk(rs[i+1]) {
			add(tok("b", string(rs[i:i+2])))
		}
	}
}

// tokens returns the distinct search tokens of normalized text.
func tokens(norm string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	words := strings.Fields(norm)
	for i, w := range words {
		add(tok("w", w))
		if i+1 < len(words) {
			add(tok("p", w+" "+words[i+1]))
		}
		cjkPairs(w, add)
	}
	return out
}

// queryTokens are the tokens a query needs, and whether it is matched as
// a substring (Japanese) rather than as whole words. At most 8 tokens,
// spread over the query (the check against the folded text does the rest).
func queryTokens(norm string) ([]string, bool, error) {
	rs := []rune(norm)
	substr := hasCJK(norm)
	switch {
	case len(rs) > 200:
		return nil, false, partyworks.FieldErrorf("q", "the search text is too long")
	case len(rs) < 3 && !(substr && len(rs) == 2):
		return nil, false, partyworks.FieldErrorf("q", "type at least 3 letters (2 in Japanese)")
	}
	var toks []string
	add := func(t string) {
		if !slices.Contains(toks, t) {
			toks = append(toks, t)
		}
	}
	words := strings.Fields(norm)
	switch {
	case substr:
		for _, w := range words {
			cjkPairs(w, add)
		}
		if len(toks) == 0 {
			return nil, false, partyworks.FieldErrorf("q", "type at least 3 letters (2 in Japanese)")
		}
	case len(words) == 1:
		add(tok("w", words[0]))
	default:
		for i := 0; i+1 < len(words); i++ {
			add(tok("p", words[i]+" "+words[i+1]))
		}
	}
	if len(toks) > 8 {
		step := float64(len(toks)-1) / 7
		picked := make([]string, 8)
		for i := range picked {
			picked[i] = toks[int(float64(i)*step+0.5)]
		}
		toks = picked
	}
	return toks, substr, nil
}

// indexText is what a document is found by: its symbol, issuer, summary,
// signer and the text of its files.
func indexText(d *partyworks.Document, files []string) string {
	parts := append([]string{d.Symbol.String(), d.Issuer, d.Summary, d.Signer}, files...)
	return strings.Join(parts, "\n")
}

// indexTx (re)writes a document's search text and tokens.
func (s *DocumentService) indexTx(tx *Tx, id int64, text string) error {
	return s.writeIndex(tx, id, text, false)
}

// writeIndex writes the search text; fresh: the document is new, there is
// nothing to replace.
func (s *DocumentService) writeIndex(tx *Tx, id int64, text string, fresh bool) error {
	norm := normalize(text)
	toks := strings.Join(tokens(norm), " ")
	if fresh && tx.group != nil {
		tx.group.index = append(tx.group.index, indexRow{id, norm, toks})
		return nil
	}
	return tx.writeSearch(id, norm, toks, fresh)
}

// writeSearch writes a document's normalized text and its tokens; fresh:
// the document is new, there is nothing to replace.
func (tx *Tx) writeSearch(id int64, norm, toks string, fresh bool) error {
	if !fresh {
		if _, err := tx.Exec(`DELETE FROM document_text WHERE document_id = ?`, id); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO document_text (document_id, fold) VALUES (?, ?)`, id, norm); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if tx.db.Postgres() {
		_, err := tx.Exec(`INSERT INTO document_search (document_id, toks) VALUES (?, string_to_array(?, ' '))
			ON CONFLICT (document_id) DO UPDATE SET toks = EXCLUDED.toks`, id, toks)
		return err
	}
	if !fresh {
		if _, err := tx.Exec(`DELETE FROM document_search WHERE docid = ?`, id); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO document_search (docid, toks) VALUES (?, ?)`, id, toks)
	return err
}

// reindexTx rebuilds a document's search text from its line and files.
func (s *DocumentService) reindexTx(tx *Tx, d *partyworks.Document) error {
	rows, err := tx.Query(`SELECT text FROM document_files WHERE document_id = ? ORDER BY id`, d.ID)
	if err != nil {
		return err
	}
	var texts []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		texts = append(texts, t)
	}
	rows.Close()
	return s.indexTx(tx, d.ID, indexText(d, texts))
}

// SearchDocuments finds documents whose summary, symbol or files hold the
// query (folded), newest registered first, among the documents the viewer
// may see: the limit to the viewer's subtrees and clearance is part of the
// query, so hidden documents never reach a result, a count or a snippet.
func (s *DocumentService) SearchDocuments(ctx context.Context, v partyworks.Viewer, q partyworks.SearchQuery) ([]*partyworks.SearchHit, error) {
	norm := normalize(q.Text)
	toks, substr, err := queryTokens(norm)
	if err != nil {
		return nil, err
	}
	r, err := s.reader(ctx, v)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	scope, scopeArgs := r.scopeSQL()
	// Candidates come newest first from the index (FTS4 gives them in its
	// docid order, which the ORDER BY names so that SQLite needs no sort
	// and stops at the last hit); each is checked against the folded text
	// (whole words, or a substring for Japanese) and the viewer's scope.
	var query string
	args := []any{strings.Join(toks, " ")}
	check := `(' ' || t.fold || ' ') LIKE ? ESCAPE '\'`
	pattern := "% " + escapeLike(norm) + " %"
	if substr {
		check, pattern = `t.fold LIKE ? ESCAPE '\'`, "%"+escapeLike(norm)+"%"
	}
	if s.db.Postgres() {
		// The GIN index gives candidates in no order: they are sorted
		// (ids only) in the subquery, whose order the joins keep, so the
		// checks stop at the page's last hit instead of running over
		// every candidate before a sort.
		query = `SELECT ` + documentColumns + ` FROM (SELECT document_id FROM document_search
				WHERE toks @> string_to_array(?, ' ') ORDER BY document_id DESC) s
			JOIN documents d ON d.id = s.document_id
			JOIN document_text t ON t.document_id = s.document_id
			WHERE ` + check + ` AND ` + scope
	} else {
		query = `SELECT ` + documentColumns + ` FROM document_search s JOIN documents d ON d.id = s.docid
			JOIN document_text t ON t.document_id = s.docid
			WHERE s.toks MATCH ? AND ` + check + ` AND ` + scope
	}
	args = append(args, pattern)
	args = append(args, scopeArgs...)
	if q.UnitID != 0 {
		query += " AND d.unit_id = ?"
		args = append(args, q.UnitID)
	}
	if s.db.Postgres() {
		query += " ORDER BY s.document_id DESC LIMIT ?"
	} else {
		query += " ORDER BY s.docid DESC LIMIT ?"
	}
	args = append(args, q.Limit)
	docs, err := s.searchRows(ctx, query, args)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	hits := make([]*partyworks.SearchHit, len(docs))
	for i, d := range docs {
		hits[i] = &partyworks.SearchHit{Document: d, Summary: Highlight(d.Summary, norm, 0)}
		if !containsFold(d.Summary, norm) {
			hits[i].Snippet, err = s.fileSnippet(ctx, d.ID, norm)
			if err != nil {
				return nil, err
			}
		}
	}
	if err := s.auditClassified(ctx, "document.search", docs); err != nil {
		return nil, err
	}
	return hits, nil
}

// searchRows runs the search query. On PostgreSQL it runs in a read-only
// transaction without parallel workers: starting them costs more than the
// few index probes before the page is full (EXPLAIN ANALYZE at 1,000,000
// documents: 10–15 ms with a worker, 6 ms without).
func (s *DocumentService) searchRows(ctx context.Context, query string, args []any) ([]*partyworks.Document, error) {
	var rows *sql.Rows
	var err error
	if s.db.Postgres() {
		tx, err := s.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
			return nil, err
		}
		rows, err = tx.QueryContext(ctx, s.db.rebind(query), args...)
		if err != nil {
			return nil, err
		}
	} else if rows, err = s.db.query(ctx, query, args...); err != nil {
		return nil, err
	}
	defer rows.Close()
	var docs []*partyworks.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// fileSnippet is the part of a document's file text around the match.
func (s *DocumentService) fileSnippet(ctx context.Context, id int64, norm string) ([]partyworks.Fragment, error) {
	rows, err := s.db.query(ctx, `SELECT text FROM document_files WHERE document_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if containsFold(t, norm) {
			return Highlight(t, norm, 80), nil
		}
	}
	return nil, rows.Err()
}

func containsFold(text, norm string) bool {
	for _, f := range Highlight(text, norm, 0) {
		if f.Match {
			return true
		}
	}
	return false
}

// Highlight splits text into fragments with every (folded) occurrence of
// the normalized query marked. With context > 0 only the first match and
// context characters around it are kept, the cuts marked with "…".
func Highlight(text, norm string, context int) []partyworks.Fragment {
	if norm == "" {
		return []partyworks.Fragment{{Text: text}}
	}
	// Normalize rune by rune, remembering where each normalized rune came
	// from, so that a match maps back onto the original text.
	orig := []rune(text)
	var folded []rune
	var from []int
	space := true
	cache := map[rune][]rune{}
	for i, r := range orig {
		f := foldRune(r, cache)
		if len(f) == 0 {
			if !space {
				folded, from = append(folded, ' '), append(from, i)
				space = true
			}
			continue
		}
		for _, fr := range f {
			folded, from = append(folded, fr), append(from, i)
		}
		space = false
	}
	q := []rune(norm)
	type span struct{ a, b int } // in orig, [a, b)
	var spans []span
	for i := 0; i+len(q) <= len(folded); {
		if string(folded[i:i+len(q)]) == norm {
			spans = append(spans, span{from[i], from[i+len(q)-1] + 1})
			i += len(q)
			continue
		}
		i++
	}
	if len(spans) == 0 {
		if context > 0 {
			return nil
		}
		return []partyworks.Fragment{{Text: text}}
	}
	lo, hi := 0, len(orig)
	if context > 0 {
		lo, hi = max(0, spans[0].a-context), min(len(orig), spans[0].b+context)
	}
	var out []partyworks.Fragment
	if lo > 0 {
		out = append(out, partyworks.Fragment{Text: "…"})
	}
	at := lo
	for _, sp := range spans {
		if sp.a < at || sp.b > hi {
			continue
		}
		if sp.a > at {
			out = append(out, partyworks.Fragment{Text: string(orig[at:sp.a])})
		}
		out = append(out, partyworks.Fragment{Text: string(orig[sp.a:sp.b]), Match: true})
		at = sp.b
	}
	if at < hi {
		out = append(out, partyworks.Fragment{Text: string(orig[at:hi])})
	}
	if hi < len(orig) {
		out = append(out, partyworks.Fragment{Text: "…"})
	}
	return out
}

// foldRune normalizes one rune: ASCII directly, others through normalize
// once per distinct rune.
func foldRune(r rune, cache map[rune][]rune) []rune {
	if r < 128 {
		switch {
		case r >= 'A' && r <= 'Z':
			return []rune{r + 'a' - 'A'}
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return []rune{r}
		}
		return nil
	}
	f, ok := cache[r]
	if !ok {
		f = []rune(normalize(string(r)))
		cache[r] = f
	}
	return f
}

// refoldDocuments rewrites the search text and tokens of the documents
// whose text was folded before Fold took Ð and ð for d (migration
// 0014_fold_eth): the folded text with d for ð is what the text folds to
// now, and its tokens are made from it.
func refoldDocuments(tx *Tx) error {
	rows, err := tx.Query(`SELECT document_id, fold FROM document_text WHERE fold LIKE '%ð%'`)
	if err != nil {
		return err
	}
	type doc struct {
		id   int64
		fold string
	}
	docs, err := collect(rows, func(s scanner) (doc, error) {
		var d doc
		err := s.Scan(&d.id, &d.fold)
		return d, err
	})
	if err != nil {
		return err
	}
	for _, d := range docs {
		norm := strings.ReplaceAll(d.fold, "ð", "d")
		if err := tx.writeSearch(d.id, norm, strings.Join(tokens(norm), " "), false); err != nil {
			return fmt.Errorf("refold document %d: %w", d.id, err)
		}
	}
	return nil
}
