package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"partyworks"
	"partyworks/vntext"
)

// Ensure the service implements the interface.
var _ partyworks.MemberService = (*MemberService)(nil)

// MemberService keeps member records, their lifecycle and statistics.
type MemberService struct {
	db *DB
	// Calendar counts the lifecycle's working days.
	Calendar *partyworks.Calendar
	// BulkRows is how many rows an import into an empty members table
	// needs to be loaded in bulk (indexes built at the end); 0: 50,000.
	BulkRows int
	// BroadName is how many members a name may match across the country
	// before a search of the whole country may walk the sort index
	// instead (0: 10,000; tests lower it). Inside a subtree the plans'
	// estimated costs choose (namePlan).
	BroadName int
	// SmallSubtree: at most how many members (of the name searched, or
	// all on a past day without a name) a subtree's search reads from the
	// subtree's units; more are found by walking everyone in sort order
	// (0: 8,000). Below it, a name's plan is chosen by cost.
	SmallSubtree int
	// plan forces a name search's plan ("index", "walk", "merge",
	// "subtree"; tests compare them), "" chooses by cost.
	plan string
}

// NewMemberService returns the member service on db. (The hooks that
// move members and their statistics when units fold or move are the
// database's: storeHooks.)
func NewMemberService(db *DB) *MemberService {
	return &MemberService{db: db, Calendar: partyworks.VietnamCalendar()}
}

// collators are not safe for concurrent use: one per goroutine via a pool.
var collators = sync.Pool{New: func() any { return collate.New(language.Vietnamese) }}

// SortKey is the key Vietnamese lists sort by: given name, then middle
// name, then family name, each by Vietnamese collation (nameKey), joined by
// 01; hex so that both databases compare it bytewise.
func SortKey(fullName string) string {
	family, middle, given := partyworks.NameParts(fullName)
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	var key []byte
	for i, part := range []string{given, middle, family} {
		if i > 0 {
			key = append(key, 0x01)
		}
		key = nameKey(key, c, &buf, part)
	}
	return hex.EncodeToString(key)
}

// nameKey appends the key of one name part to dst: the collation key's
// primary weights (two bytes, three when the first is 0x80 or more) and
// their 0000 end as they are, then its secondary weights (the marks: tones
// weigh here) one byte each, a weight of ff or more as ff and its two
// bytes, and a 00 end. The tertiary level (case) is left out. The order is
// the collation's but for case, which no list needs (ties go by id); the
// key is 40 % shorter than the collation's (a secondary weight is 0020
// for most letters), and the three indexes that carry it and every
// import with them (BenchmarkMemberImport) shrink with it. keyPart reads
// it.
func nameKey(dst []byte, c *collate.Collator, buf *collate.Buffer, part string) []byte {
	k := c.KeyFromString(buf, part)
	defer buf.Reset()
	i := 0
	for i+1 < len(k) && (k[i] != 0 || k[i+1] != 0) {
		n := 2
		if k[i] >= 0x80 {
			n = 3
		}
		n = min(n, len(k)-i)
		dst = append(dst, k[i:i+n]...)
		i += n
	}
	dst = append(dst, 0, 0)
	for i += 2; i+1 < len(k) && (k[i] != 0 || k[i+1] != 0); i += 2 {
		switch w := int(k[i])<<8 | int(k[i+1]); {
		case w < 0xff:
			dst = append(dst, byte(w))
		default:
			dst = append(dst, 0xff, k[i], k[i+1])
		}
	}
	return append(dst, 0)
}

// sortKeys makes SortKey's keys for one goroutine (an import), keeping
// each name part's hex key: a file's million names share a few thousand
// family, middle and given names, and the collation is most of the cost of
// a key. The key of "family middle given" is given's, 01, middle's, 01,
// family's, as SortKey writes it.
type sortKeys struct {
	c     *collate.Collator
	buf   collate.Buffer
	parts map[string]string
	b     []byte
	raw   []byte
}

// sortKeysMax bounds the cache (whole names of no common part would
// otherwise fill it without end).
const sortKeysMax = 100000

func newSortKeys() *sortKeys {
	return &sortKeys{c: collate.New(language.Vietnamese), parts: map[string]string{}}
}

// part is the hex key of one name part.
func (s *sortKeys) part(p string) string {
	if k, ok := s.parts[p]; ok {
		return k
	}
	s.raw = nameKey(s.raw[:0], s.c, &s.buf, p)
	k := hex.EncodeToString(s.raw)
	if len(s.parts) >= sortKeysMax {
		clear(s.parts)
	}
	s.parts[p] = k
	return k
}

// key is SortKey(fullName).
func (s *sortKeys) key(fullName string) string {
	family, middle, given := partyworks.NameParts(fullName)
	b := append(s.b[:0], s.part(given)...)
	b = append(append(b, "01"...), s.part(middle)...)
	b = append(append(b, "01"...), s.part(family)...)
	s.b = b
	return string(b)
}

// givenFold is the folded name starting at the given name, so that a search
// for a given name ("an") is a prefix search too.
func givenFold(full string) string {
	family, middle, given := partyworks.NameParts(full)
	return vntext.Fold(strings.TrimSpace(given + " " + family + " " + middle))
}

// givenFromFolded reorders an already folded full name the way givenFold does.
func givenFromFolded(folded string) string {
	f := strings.Fields(folded)
	if len(f) < 2 {
		return folded
	}
	return strings.TrimSpace(f[len(f)-1] + " " + f[0] + " " + strings.Join(f[1:len(f)-1], " "))
}

const memberCols = `m.id, m.citizen_id, m.full_name, m.other_names, m.sex, m.birth_date, m.birthplace, m.hometown, m.address,
	m.current_address, m.ethnicity, m.religion, m.occupation, m.education, m.professional, m.theory, m.foreign_language,
	m.card_number, m.record_number, m.youth_union, m.introducers, m.notes, m.unit_id, m.status, m.since, m.resume,
	m.transfer_to, m.resolved, m.admitted, m.ceremony, m.recognized, m.readmitted, m.user_id, m.version, m.updated_at,
	m.sort_key, (SELECT COUNT(*) FROM member_photos p WHERE p.member_id = m.id)`

// memberBriefCols are a list's columns (MemberFilter.Brief), which
// scanMemberBrief reads: a member's 40 columns cost about 5 µs a row to
// read, most of a list's time.
const memberBriefCols = `m.id, m.citizen_id, m.full_name, m.sex, m.birth_date, m.ethnicity, m.card_number, m.unit_id, m.status,
	m.since, m.transfer_to, m.admitted, m.ceremony, m.version, m.updated_at, m.sort_key,
	(SELECT COUNT(*) FROM member_photos p WHERE p.member_id = m.id)`

// memberScan reads a member from a row of memberCols or memberBriefCols
// (and any columns after them), with its sort key.
type memberScan func(scanner) (*partyworks.Member, string, error)

func scanMemberBrief(s scanner) (*partyworks.Member, string, error) {
	m := &partyworks.Member{}
	var birth, since, admitted, ceremony, updated, sortKey string
	var transfer sql.NullInt64
	var photos int64
	err := s.Scan(&m.ID, &m.CitizenID, &m.FullName, &m.Sex, &birth, &m.Ethnicity, &m.CardNumber, &m.UnitID, &m.Status,
		&since, &transfer, &admitted, &ceremony, &m.Version, &updated, &sortKey, &photos)
	if err != nil {
		return nil, "", err
	}
	m.BirthDate, m.Since, m.Admitted, m.Ceremony = parseDate(birth), parseDate(since), parseDate(admitted), parseDate(ceremony)
	m.TransferTo, m.HasPhoto, m.Updated = transfer.Int64, photos > 0, parseTime(updated)
	return m, sortKey, nil
}

func scanMember(s scanner) (*partyworks.Member, string, error) {
	m := &partyworks.Member{}
	var birth, youth, since, resolved, admitted, ceremony, recognized, updated, sortKey string
	var transfer, user sql.NullInt64
	var readmitted, photos int64
	err := s.Scan(&m.ID, &m.CitizenID, &m.FullName, &m.OtherNames, &m.Sex, &birth, &m.Birthplace, &m.Hometown, &m.Address,
		&m.Current, &m.Ethnicity, &m.Religion, &m.Occupation, &m.Education, &m.Professional, &m.Theory, &m.Language,
		&m.CardNumber, &m.RecordNumber, &youth, &m.Introducers, &m.Notes, &m.UnitID, &m.Status, &since, &m.Resume,
		&transfer, &resolved, &admitted, &ceremony, &recognized, &readmitted, &user, &m.Version, &updated, &sortKey, &photos)
	if err != nil {
		return nil, "", err
	}
	m.BirthDate, m.YouthUnion, m.Since = parseDate(birth), parseDate(youth), parseDate(since)
	m.Resolved, m.Admitted, m.Ceremony, m.Recognized = parseDate(resolved), parseDate(admitted), parseDate(ceremony), parseDate(recognized)
	m.TransferTo, m.UserID, m.Readmitted, m.HasPhoto = transfer.Int64, user.Int64, readmitted != 0, photos > 0
	m.Updated = parseTime(updated)
	return m, sortKey, nil
}

// optDate stores a zero date as "".
func optDate(d partyworks.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmtDate(d)
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// FindMemberByID returns a member with the record's tables and the name of
// their unit today.
func (s *MemberService) FindMemberByID(ctx context.Context, id int64) (*partyworks.Member, error) {
	m, _, err := scanMember(s.db.queryRow(ctx, `SELECT `+memberCols+` FROM members m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no member %d", id)
	} else if err != nil {
		return nil, fmt.Errorf("find member: %w", err)
	}
	s.db.queryRow(ctx, `SELECT name FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`, m.UnitID).Scan(&m.UnitName)
	rows, err := s.db.query(ctx, `SELECT id, kind, from_date, to_date, title, detail FROM member_entries WHERE member_id = ? ORDER BY kind, from_date, id`, id)
	if err != nil {
		return nil, fmt.Errorf("member entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e partyworks.MemberEntry
		var from, to string
		if err := rows.Scan(&e.ID, &e.Kind, &from, &to, &e.Title, &e.Detail); err != nil {
			return nil, err
		}
		e.From, e.To = parseDate(from), parseDate(to)
		m.Entries = append(m.Entries, e)
	}
	return m, rows.Err()
}

// FindMemberByUser returns the member linked to an account (self-service).
func (s *MemberService) FindMemberByUser(ctx context.Context, userID int64) (*partyworks.Member, error) {
	var id int64
	err := s.db.queryRow(ctx, `SELECT id FROM members WHERE user_id = ?`, userID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "this account is not linked to a member record")
	} else if err != nil {
		return nil, err
	}
	return s.FindMemberByID(ctx, id)
}

// UnitPaths returns the paths of the member's unit on day at and today,
// for the access check: a member's unit decides the scope.
func (s *MemberService) UnitPaths(ctx context.Context, memberID int64, at partyworks.Date) ([]string, error) {
	var unitID int64
	var transfer sql.NullInt64
	err := s.db.queryRow(ctx, `SELECT unit_id, transfer_to FROM members WHERE id = ?`, memberID).Scan(&unitID, &transfer)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no member %d", memberID)
	} else if err != nil {
		return nil, err
	}
	ids := []int64{unitID}
	if transfer.Valid {
		ids = append(ids, transfer.Int64) // a transfer in progress shows on both sides
	}
	var paths []string
	for _, id := range ids {
		for _, d := range []partyworks.Date{at, {}} {
			var p string
			q := `SELECT path FROM unit_versions WHERE unit_id = ? ORDER BY valid_from DESC LIMIT 1`
			args := []any{id}
			if !d.IsZero() {
				q = `SELECT path FROM unit_versions WHERE unit_id = ? AND valid_from <= ? AND ? < valid_to`
				args = append(args, fmtDate(d), fmtDate(d))
			}
			if err := s.db.queryRow(ctx, q, args...).Scan(&p); err == nil {
				paths = append(paths, p)
			}
		}
	}
	return paths, nil
}

// CreateMember adds a record: validated, unique by citizen ID, in its unit
// from m.Since (today when zero), counted in the statistics at once.
func (s *MemberService) CreateMember(ctx context.Context, m *partyworks.Member) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.lockTreeShared(); err != nil { // (before the unit is read: lockTreeShared)
			return err
		}
		if m.Since.IsZero() {
			m.Since = partyworks.Today(tx.now)
		}
		if m.Status == "" {
			m.Status = partyworks.StatusCandidate
		}
		if err := partyworks.ValidateMember(m, partyworks.Today(tx.now)); err != nil {
			return err
		}
		if _, err := tx.versionAt(m.UnitID, fmtDate(m.Since)); err != nil {
			return partyworks.FieldErrorf("unit", "the unit does not stand on %s", partyworks.FormatDateVN(m.Since))
		}
		if err := tx.citizenFree(m.CitizenID, 0); err != nil {
			return err
		}
		top, err := tx.topOf(m.UnitID)
		if err != nil {
			return err
		}
		id, err := tx.InsertID(`INSERT INTO members (citizen_id, full_name, name_fold, given_fold, sort_key, other_names, sex, birth_date,
			birthplace, hometown, address, current_address, ethnicity, religion, occupation, education, professional, theory,
			foreign_language, card_number, record_number, youth_union, introducers, notes, unit_id, top_id, status, since, admitted, ceremony,
			updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.CitizenID, m.FullName, vntext.Fold(m.FullName), givenFold(m.FullName), SortKey(m.FullName), m.OtherNames, m.Sex,
			fmtDate(m.BirthDate), m.Birthplace, m.Hometown, m.Address, m.Current, m.Ethnicity, m.Religion, m.Occupation,
			m.Education, m.Professional, m.Theory, m.Language, m.CardNumber, m.RecordNumber, optDate(m.YouthUnion),
			m.Introducers, m.Notes, m.UnitID, top, m.Status, fmtDate(m.Since), optDate(m.Admitted), optDate(m.Ceremony), fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		m.ID, m.Version = id, 1
		st := newStatBuf()
		if err := st.member(tx, m, m.UnitID, fmtDate(m.Since), 1); err != nil {
			return err
		}
		if err := st.flush(tx); err != nil {
			return err
		}
		if err := tx.audit("member.create", fmt.Sprintf("member:%d", id), nil, auditMember(m)); err != nil {
			return err
		}
		if folds, err := tx.followFolds([]int64{m.UnitID}); err != nil || folds == 0 {
			return err
		}
		// (The record as it now is: a unit that ended after m.Since has
		// passed the member on to its heir.)
		var since string
		if err := tx.QueryRow(`SELECT unit_id, since, version FROM members WHERE id = ?`, id).Scan(&m.UnitID, &since, &m.Version); err != nil {
			return err
		}
		m.Since = parseDate(since)
		return nil
	})
}

// auditMember is what the trail keeps of a record: ids and the state, not
// the personal details.
func auditMember(m *partyworks.Member) map[string]any {
	return map[string]any{"unit_id": m.UnitID, "status": m.Status, "version": m.Version}
}

func (tx *Tx) citizenFree(cid string, self int64) error {
	var id int64
	err := tx.QueryRow(`SELECT id FROM members WHERE citizen_id = ?`, cid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && id == self {
		return nil
	} else if err != nil {
		return err
	}
	return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "citizen_id", Message: fmt.Sprintf("the citizen ID %s is already in use by another record", cid)}
}

// UpdateMember changes a record's own fields (not its unit or status: the
// lifecycle's steps do that), refusing a stale version.
func (s *MemberService) UpdateMember(ctx context.Context, m *partyworks.Member) error {
	return s.db.update(ctx, func(tx *Tx) error {
		// The tree's lock, shared: her figures move in the units above her
		// units as the tree stands, which a unit's move must not change
		// meanwhile.
		if err := tx.lockTreeShared(); err != nil {
			return err
		}
		old, err := tx.member(m.ID)
		if err != nil {
			return err
		}
		if m.Version != 0 && m.Version != old.Version {
			return partyworks.Errorf(partyworks.ECONFLICT, "the record was changed by someone else (version %d, yours %d): reload it", old.Version, m.Version)
		}
		m.UnitID, m.Status, m.Since, m.Admitted, m.Ceremony = old.UnitID, old.Status, old.Since, old.Admitted, old.Ceremony
		if err := partyworks.ValidateMember(m, partyworks.Today(tx.now)); err != nil {
			return err
		}
		if err := tx.citizenFree(m.CitizenID, m.ID); err != nil {
			return err
		}
		// The statistics move from the old attributes to the new ones from
		// today on, in every unit she is placed in from today.
		st := newStatBuf()
		if err := st.correct(tx, old, m, fmtDate(partyworks.Today(tx.now))); err != nil {
			return err
		}
		if res, err := tx.Exec(`UPDATE members SET citizen_id = ?, full_name = ?, name_fold = ?, given_fold = ?, sort_key = ?, other_names = ?,
			sex = ?, birth_date = ?, birthplace = ?, hometown = ?, address = ?, current_address = ?, ethnicity = ?, religion = ?,
			occupation = ?, education = ?, professional = ?, theory = ?, foreign_language = ?, card_number = ?, record_number = ?,
			youth_union = ?, introducers = ?, notes = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			m.CitizenID, m.FullName, vntext.Fold(m.FullName), givenFold(m.FullName), SortKey(m.FullName), m.OtherNames, m.Sex,
			fmtDate(m.BirthDate), m.Birthplace, m.Hometown, m.Address, m.Current, m.Ethnicity, m.Religion, m.Occupation,
			m.Education, m.Professional, m.Theory, m.Language, m.CardNumber, m.RecordNumber, optDate(m.YouthUnion),
			m.Introducers, m.Notes, fmtTime(tx.now), m.ID, old.Version); err != nil {
			return fmt.Errorf("update member: %w", err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			// Another node changed the record between our read and this
			// write (PostgreSQL re-checks the version after the row lock).
			return partyworks.Errorf(partyworks.ECONFLICT, "the record was changed by someone else: reload it")
		}
		if err := st.flush(tx); err != nil {
			return err
		}
		m.Version = old.Version + 1
		return tx.audit("member.update", fmt.Sprintf("member:%d", m.ID), auditMember(old), auditMember(m))
	})
}

// member reads a record inside a transaction.
func (tx *Tx) member(id int64) (*partyworks.Member, error) {
	m, _, err := scanMember(tx.QueryRow(`SELECT `+memberCols+` FROM members m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "no member %d", id)
	}
	return m, err
}

// AddEntry adds a row to one of the record's tables.
func (s *MemberService) AddEntry(ctx context.Context, memberID int64, e *partyworks.MemberEntry) error {
	if !e.Kind.Valid() {
		return partyworks.FieldErrorf("kind", "%q is not a table of the record", e.Kind)
	}
	if strings.TrimSpace(e.Title) == "" || len(e.Title) > 500 || len(e.Detail) > 2000 {
		return partyworks.FieldErrorf("title", "write what it was (at most 500 characters)")
	}
	if !e.To.IsZero() && e.To.Before(e.From) {
		return partyworks.FieldErrorf("to", "the end comes before the start")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.member(memberID); err != nil {
			return err
		}
		id, err := tx.InsertID(`INSERT INTO member_entries (member_id, kind, from_date, to_date, title, detail) VALUES (?, ?, ?, ?, ?, ?)`,
			memberID, e.Kind, optDate(e.From), optDate(e.To), e.Title, e.Detail)
		if err != nil {
			return err
		}
		e.ID = id
		if _, err := tx.Exec(`UPDATE members SET version = version + 1, updated_at = ? WHERE id = ?`, fmtTime(tx.now), memberID); err != nil {
			return err
		}
		return tx.audit("member.entry", fmt.Sprintf("member:%d", memberID), nil, map[string]any{"kind": e.Kind, "entry": id})
	})
}

// SetPhoto stores the record's photo (JPEG or PNG, at most 2 MiB).
func (s *MemberService) SetPhoto(ctx context.Context, memberID int64, contentType string, data []byte) error {
	if contentType != "image/jpeg" && contentType != "image/png" {
		return partyworks.FieldErrorf("photo", "the photo must be a JPEG or PNG image")
	}
	if len(data) > 2<<20 {
		return partyworks.FieldErrorf("photo", "the photo is larger than 2 MiB")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.member(memberID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM member_photos WHERE member_id = ?`, memberID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO member_photos (member_id, content_type, data) VALUES (?, ?, ?)`, memberID, contentType, data); err != nil {
			return err
		}
		return tx.audit("member.photo", fmt.Sprintf("member:%d", memberID), nil, map[string]any{"bytes": len(data)})
	})
}

// Photo returns the record's photo.
func (s *MemberService) Photo(ctx context.Context, memberID int64) (string, []byte, error) {
	var ct string
	var data []byte
	err := s.db.queryRow(ctx, `SELECT content_type, data FROM member_photos WHERE member_id = ?`, memberID).Scan(&ct, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, partyworks.Errorf(partyworks.ENOTFOUND, "no photo")
	}
	return ct, data, err
}

// LinkUser links an account to a record for self-service (0 unlinks). An
// account is one person's: linking it to a second record is a conflict.
func (s *MemberService) LinkUser(ctx context.Context, memberID, userID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.member(memberID); err != nil {
			return err
		}
		if userID != 0 {
			var other int64
			err := tx.QueryRow(`SELECT id FROM members WHERE user_id = ? AND id <> ?`, userID, memberID).Scan(&other)
			if err == nil {
				return partyworks.Errorf(partyworks.ECONFLICT, "this account is already linked to member record %d: unlink it there first", other)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE members SET user_id = ? WHERE id = ?`, nullable(userID), memberID); err != nil {
			return err
		}
		return tx.audit("member.link", fmt.Sprintf("member:%d", memberID), nil, map[string]any{"user_id": userID})
	})
}
