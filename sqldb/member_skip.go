package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/collate"

	"partyworks"
	"partyworks/vntext"
)

// The skip plan of a name search (planSkip) finds the members of a name of
// two words or more, "nguyen thi", in sort order without walking everyone
// before them. The sort key is the collation key of the given name, 01,
// the middle name's, 01, the family name's (SortKey), so the members of
// one given name sort together (a block), and inside a block those whose
// middle name starts with "thi" sort together too. A walk for "nguyen
// thi" reads every member of given name An before Nguyễn Thị An (~260,000
// index entries nationally, 100 ms); the skip plan seeks each given name's
// block in turn, inside it each middle name that starts with the second
// word typed ("Thị", "Thìn", "Thị Thu"), and inside that reads only the
// members whose family name is a spelling of the first word, keeping those
// whose whole name matches. Besides that part, a block can hold matches of two more
// kinds, read whole or in part when they can: a given name equal to the
// first word ("an nguyen" finds An Nguyễn Văn: the whole block), and two-word
// names whose given name starts with the second word ("Nguyễn Thịnh": the
// block's part of no middle name).
//
// The middle name's part is found from the collation's primary weights of
// the second word: a folded word ("duc") stands for every spelling whose
// letters differ at the primary level (d/đ, u/ư: "duc", "dưc", "đuc",
// "đưc"), one range each; tones and case differ only at later levels. A
// letter that folds to two ("æ" to "ae") has no such range: a name with
// one is found by the other plans, not this one (none in Vietnamese names).

// skipBlocks bounds the blocks a skip plan seeks before walking on from
// where it is (a rare name and a broad filter would otherwise seek every
// given name of the country).
const skipBlocks = 400

// skipMin is how many members' full names must start with a text of two
// words or more for a search across the country to take the skip plan
// rather than read them all from the name index (about 7 ms for 1,000:
// what the skip plan costs when 1,000 matches are spread over some 400
// given names, 20 blocks of about 0.3 ms).
const skipMin = 1000

// skipSpellings caps the spellings of a second word (3 per a or o, 2 per
// d, e, u): beyond it the plan walks.
const skipSpellings = 32

// primaryLetters maps each folded ASCII letter to the primary weights (hex)
// of the letters that fold to it, in the Vietnamese collation: "a" to a,
// ă, â; "d" to d, đ; and so on (accents that only mark a tone or a foreign
// letter's accent weigh at a later level and add nothing).
var primaryLetters = sync.OnceValue(func() map[byte][]string {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	out := map[byte][]string{}
	add := func(r rune) {
		f := vntext.Fold(string(r))
		if len(f) != 1 || f[0] < 'a' || f[0] > 'z' {
			return
		}
		p, ok := primaryHex(c.KeyFromString(&buf, string(r)))
		buf.Reset()
		if ok && !slices.Contains(out[f[0]], p) {
			out[f[0]] = append(out[f[0]], p)
		}
	}
	for r := 'a'; r <= 'z'; r++ {
		add(r)
	}
	for _, rg := range [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			add(r)
		}
	}
	return out
})

// primaryHex is the primary level of a collation key, in hex: its weights
// up to the level separator 0000 (ok false if a weight is not two bytes).
func primaryHex(key []byte) (string, bool) {
	for i := 0; i+1 < len(key); i += 2 {
		if key[i] == 0 && key[i+1] == 0 {
			return hex.EncodeToString(key[:i]), true
		}
		if key[i] >= 0x80 {
			return "", false // a three-byte weight
		}
	}
	return "", false
}

// skipPrefixes are the primary weights (hex) of every spelling of the
// folded word w, sorted; nil when there are more than skipSpellings.
func skipPrefixes(w string) []string {
	letters := primaryLetters()
	out := []string{""}
	for i := 0; i < len(w); i++ {
		ps := letters[w[i]]
		if len(ps) == 0 {
			return nil // not a folded letter
		}
		if len(out)*len(ps) > skipSpellings {
			return nil
		}
		next := make([]string, 0, len(out)*len(ps))
		for _, o := range out {
			for _, p := range ps {
				next = append(next, o+p)
			}
		}
		out = next
	}
	slices.Sort(out)
	return out
}

// skipApplies says whether fq can be searched by the skip plan: two words
// or more, the second of letters only.
func skipApplies(fq string) bool {
	words := strings.Fields(fq)
	return len(words) >= 2 && skipPrefixes(words[1]) != nil
}

// keyPart is where the name part of a sort key (hex) that starts at i
// ends: at the 01 separator after it, or the key's end. A part is a
// nameKey: primary weights of two bytes (three when the first is 0x80 or
// more; a space weighs 0109, an apostrophe 01e9), 0000, secondary weights
// of one byte (ff and two bytes for one of ff or more: a Ð weighs 0139),
// 00.
func keyPart(key string, i int) int {
	for i+3 < len(key) && key[i:i+4] != "0000" {
		if key[i] >= '8' {
			i += 6 // a three-byte primary weight
		} else {
			i += 4
		}
	}
	for i += 4; i+1 < len(key) && key[i:i+2] != "00"; {
		if key[i:i+2] == "ff" {
			i += 6
		} else {
			i += 2
		}
	}
	return min(i+2, len(key))
}

// givenBlock is the given name's part of a sort key (hex).
func givenBlock(key string) string { return key[:keyPart(key, 0)] }

// middleEnd is a sort key up to the separator before its family name's
// key: its given and middle names' parts.
func middleEnd(key string) string {
	g := keyPart(key, 0)
	if g+2 > len(key) {
		return key
	}
	return key[:keyPart(key, g+2)]
}

// noMiddle is the key of an empty middle name, between its separators.
var noMiddle = func() string {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	var buf collate.Buffer
	return hex.EncodeToString(nameKey(nil, c, &buf, ""))
}()

// skipPage reads a skip plan's page: sel (read by scan) and from are the
// walk's query (from ends in its WHERE terms; args are theirs), page adds
// the cursor's condition to a query's WHERE, and the cursor's key (if any)
// says where to start; top (if not 0) is the province whose members from
// holds to (member_top.go), and the seeks find its given names' blocks.
func (s *MemberService) skipPage(ctx context.Context, fq string, top int64, sel pageSel, scan memberScan, from string, args []any, page func(string, []any) (string, []any), cursor string, limit int) ([]*partyworks.Member, error) {
	words := strings.Fields(fq)
	w1, w2 := words[0], words[1]
	mids := skipPrefixes(w2)
	start, _ := splitCursor(cursor)
	var out []*partyworks.Member
	read := func(lo, hi string) error {
		ms, _, err := s.rangePage(ctx, sel, scan, from, args, page, lo, hi, limit-len(out))
		out = append(out, ms...)
		return err
	}
	// (A seek has one plan, members_top's or members_sort's: planned
	// once, not each time as the province's pages are, planEach.)
	seekCtx := planOnce(ctx)
	// seek finds the first member's sort key and folded name from the given
	// name in [lo, hi) (hi "": no end); ok false if there is none.
	seek := func(lo, hi string) (key, given string, ok bool, err error) {
		q, qargs := `SELECT sort_key, given_fold FROM members WHERE sort_key >= ?`, []any{lo}
		if top != 0 {
			q, qargs = `SELECT sort_key, given_fold FROM members WHERE top_id = ? AND sort_key >= ?`, []any{top, lo}
		}
		if hi != "" {
			q, qargs = q+` AND sort_key < ?`, append(qargs, hi)
		}
		err = s.db.queryRow(seekCtx, q+` ORDER BY sort_key LIMIT 1`, qargs...).Scan(&key, &given)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", false, nil
		} else if err != nil {
			return "", "", false, fmt.Errorf("find members: %w", err)
		}
		return key, given, true, nil
	}
	// Inside a range of one block's middle names, each middle name's
	// members sort by family name: seek each middle name and read only its
	// members whose family name is a spelling of the first word. On
	// PostgreSQL, where each query is a round trip, the range is read
	// whole instead (its members_top entries carry the folded names that
	// the query's conditions test): one query where the seeks and reads
	// of a middle name's family names were five or more.
	fams := skipPrefixes(w1)
	if s.db.Postgres() {
		fams = nil
	}
	readFamilies := func(lo, hi string) error {
		if fams == nil {
			return read(lo, hi)
		}
		for pos := lo; ; {
			key, _, ok, err := seek(pos, hi)
			if err != nil || !ok {
				return err
			}
			mid := middleEnd(key)
			for _, f := range fams {
				p := mid + "01" + f
				if err := read(p, p+"g"); err != nil || len(out) == limit {
					return err
				}
			}
			pos = mid + "02"
		}
	}
	for range skipBlocks {
		key, given, ok, err := seek(start, "")
		if err != nil {
			return nil, err
		} else if !ok {
			return out, nil // past the last block
		}
		g, _, _ := strings.Cut(given, " ")
		block := givenBlock(key)
		if g == w1 { // the given name is the first word: any of the block may match
			if err := read(block+"01", block+"02"); err != nil {
				return nil, err
			}
		} else {
			var prefixes []string
			if len(words) == 2 && strings.HasPrefix(g, w2) {
				prefixes = append(prefixes, block+"01"+noMiddle+"01")
			}
			for _, m := range mids {
				prefixes = append(prefixes, block+"01"+m)
			}
			for _, p := range prefixes {
				if err := readFamilies(p, p+"g"); err != nil {
					return nil, err
				}
				if len(out) == limit {
					break
				}
			}
		}
		if len(out) == limit {
			return out, nil
		}
		start = block + "02"
	}
	// Many blocks and few matches (a rare name, a narrow filter): walk on.
	err := read(start, "")
	return out, err
}

// rangePage reads up to limit members of sel and from (a page query and
// its WHERE terms, as skipPage takes them) whose sort key is in [lo, hi)
// (hi "": no end), in sort order, with their sort keys.
func (s *MemberService) rangePage(ctx context.Context, sel pageSel, scan memberScan, from string, args []any, page func(string, []any) (string, []any), lo, hi string, limit int) ([]*partyworks.Member, []string, error) {
	q, qargs := page(from+" AND m.sort_key >= ?", append(slices.Clip(args), lo))
	if hi != "" {
		q += " AND m.sort_key < ?"
		qargs = append(qargs, hi)
		// A range of a block holds few members: read in sort order
		// whatever the values, the plan need not be made each time
		// (planEach).
		ctx = planOnce(ctx)
	}
	return s.memberPage(ctx, scan, sel.query(q, "m.sort_key, m.id", limit), qargs)
}

// prefixesPage reads up to limit members of sel and from whose sort key
// starts with one of prefixes (sorted, none a prefix of another: the
// spellings of a given name typed, skipPrefixes), in sort order, after the
// cursor: the given names' part of a walk, without walking the given names
// between the spellings ("dat" is Dat… and Đạt…, with Dũng and Duy between).
func (s *MemberService) prefixesPage(ctx context.Context, sel pageSel, scan memberScan, from string, args []any, page func(string, []any) (string, []any), prefixes []string, cursor string, limit int) ([]*partyworks.Member, []string, error) {
	ckey, _ := splitCursor(cursor)
	var out []*partyworks.Member
	var keys []string
	for _, p := range prefixes {
		lo, hi := p, p+"g"
		if hi <= ckey {
			continue // before the cursor
		}
		ms, ks, err := s.rangePage(ctx, sel, scan, from, args, page, max(lo, ckey), hi, limit-len(out))
		if err != nil {
			return nil, nil, err
		}
		out, keys = append(out, ms...), append(keys, ks...)
		if len(out) == limit {
			break
		}
	}
	return out, keys, nil
}
