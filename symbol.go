package partyworks

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Symbol is the identifier of an official document (số và ký hiệu).
// Party documents follow 36-HD/VPTW: "18-NQ/TW" is number 18, type NQ,
// issuer TW. State documents put the number first and join type and issuer
// with a hyphen: "1679/NQ-UBTVQH15".
type Symbol struct {
	Number int
	Type   string // NQ, CT, KL, QĐ, KH, HD, TB, BC, TTr, CV, …
	Issuer string // TW, TU, BTCTW, ĐU, UBTVQH15, …
	State  bool   // the state form
}

// DocumentTypes are the party document types of 66-QĐ/TW and the state
// types seen in decisions on the tree. Unknown types are refused so that a
// typo does not become a new kind of document.
var DocumentTypes = map[string]string{
	"NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐ": "Quyết định",
	"QC": "Quy chế", "QyĐ": "Quy định", "KH": "Kế hoạch", "HD": "Hướng dẫn",
	"TB": "Thông báo", "BC": "Báo cáo", "TTr": "Tờ trình", "CV": "Công văn",
	"CTr": "Chương trình", "ĐA": "Đề án", "TT": "Thông tư", "NĐ": "Nghị định",
	"L": "Luật", "CTK": "Chương trình", "PA": "Phương án", "BB": "Biên bản",
	"TC": "Thông tri", "GT": "Giấy giới thiệu", "QyC": "Quy chế",
}

// String builds the symbol in its form.
func (s Symbol) String() string {
	if s.State {
		return strconv.Itoa(s.Number) + "/" + s.Type + "-" + s.Issuer
	}
	return strconv.Itoa(s.Number) + "-" + s.Type + "/" + s.Issuer
}

// symbolForms is shown in every parse error.
const symbolForms = `expected "18-NQ/TW" (party form: number-TYPE/ISSUER) or "1679/NQ-UBTVQH15" (state form: number/TYPE-ISSUER)`

// ParseSymbol parses a document symbol in either form. Spaces around the
// separators are tolerated; "Đ" may be written as the letter or as "D" with
// its own accent ("QĐ" is kept as given).
func ParseSymbol(s string) (Symbol, error) {
	orig := s
	s = strings.Join(strings.Fields(s), "")
	fail := func(why string) (Symbol, error) {
		return Symbol{}, Errorf(EINVALID, "document symbol %q: %s; %s", orig, why, symbolForms)
	}
	if s == "" {
		return fail("it is empty")
	}
	if utf8.RuneCountInString(s) > 64 {
		return fail("it is too long")
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return fail("it must start with the document number")
	}
	if i > 7 {
		return fail("the number is too long")
	}
	n, _ := strconv.Atoi(s[:i])
	if n == 0 {
		return fail("the number must be 1 or more")
	}
	if i == len(s) {
		return fail("the type and issuer are missing")
	}
	var sym Symbol
	sym.Number = n
	rest := s[i+1:]
	switch s[i] {
	case '-':
		typ, issuer, ok := strings.Cut(rest, "/")
		if !ok {
			return fail(`the party form needs "/" between type and issuer`)
		}
		sym.Type, sym.Issuer = typ, issuer
	case '/':
		typ, issuer, ok := strings.Cut(rest, "-")
		if !ok {
			return fail(`the state form needs "-" between type and issuer`)
		}
		sym.Type, sym.Issuer, sym.State = typ, issuer, true
	default:
		return fail(`the number must be followed by "-" (party form) or "/" (state form)`)
	}
	if _, ok := DocumentTypes[sym.Type]; !ok {
		return fail("unknown document type " + strconv.Quote(sym.Type))
	}
	if sym.Issuer == "" {
		return fail("the issuer is missing")
	}
	for _, r := range sym.Issuer {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
			return fail("the issuer may hold only letters, digits and hyphens")
		}
	}
	return sym, nil
}
