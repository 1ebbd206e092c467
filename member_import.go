package partyworks

import (
	"strings"
	"time"
)

// MemberColumn is a column of the members file: its name in the template
// and the other names it is recognized by (Vietnamese headers).
type MemberColumn struct {
	Name     string
	Aliases  []string
	Required bool
	Example  string
}

// MemberColumns are the columns of the import template and the export,
// in order.
var MemberColumns = []MemberColumn{
	{"citizen_id", []string{"số cccd", "cccd", "căn cước"}, true, "022090001234"},
	{"full_name", []string{"họ và tên", "họ tên"}, true, "Nguyễn Văn An"},
	{"sex", []string{"giới tính"}, true, "nam"},
	{"birth_date", []string{"ngày sinh"}, true, "15/05/1990"},
	{"unit_code", []string{"mã chi bộ", "mã đơn vị"}, true, "06661-CB1"},
	{"status", []string{"trạng thái"}, true, "official"},
	{"admitted", []string{"ngày vào đảng"}, false, "03/02/2015"},
	{"ceremony", []string{"ngày kết nạp"}, false, "20/02/2015"},
	{"ethnicity", []string{"dân tộc"}, false, "Kinh"},
	{"religion", []string{"tôn giáo"}, false, "Không"},
	{"education", []string{"giáo dục phổ thông"}, false, "12/12"},
	{"professional", []string{"chuyên môn"}, false, "Đại học"},
	{"theory", []string{"lý luận chính trị"}, false, "Trung cấp"},
	{"occupation", []string{"nghề nghiệp"}, false, "Giáo viên"},
	{"birthplace", []string{"nơi sinh"}, false, "Hạ Long, Quảng Ninh"},
	{"hometown", []string{"quê quán"}, false, "Hạ Long, Quảng Ninh"},
	{"address", []string{"nơi thường trú"}, false, ""},
	{"card_number", []string{"số thẻ đảng"}, false, "12345678"},
	{"record_number", []string{"số lý lịch"}, false, "QN-12345"},
}

// MemberRowReader reads members out of a table: it finds the columns once
// and then turns each row into a record, or the errors of that row.
type MemberRowReader struct {
	t     *Table
	col   []int
	Today Date
}

// NewMemberRowReader finds the columns; a missing required column is an
// error that names it.
func NewMemberRowReader(t *Table, today Date) (*MemberRowReader, error) {
	r := &MemberRowReader{t: t, col: make([]int, len(MemberColumns)), Today: today}
	var missing []string
	for i, c := range MemberColumns {
		r.col[i] = t.Column(append([]string{c.Name}, c.Aliases...)...)
		if r.col[i] < 0 && c.Required {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, "the file has no column %s; download the template to see the columns", strings.Join(missing, ", "))
	}
	return r, nil
}

// cell is row i's value of column c (an index into MemberColumns).
func (r *MemberRowReader) cell(i, c int) string { return r.t.Cell(i, r.col[c]) }

// Row turns row i into a record and its unit's code. Every field is
// checked; the first error of the row is returned with its column.
func (r *MemberRowReader) Row(i int) (*Member, string, *RowError) {
	line := r.t.Lines[i]
	bad := func(col, format string, args ...any) (*Member, string, *RowError) {
		return nil, "", &RowError{Line: line, Column: col, Reason: Errorf(EINVALID, format, args...).Message}
	}
	for c := range MemberColumns {
		if v := r.cell(i, c); v != "" && strings.ContainsRune("=+@", rune(v[0])) {
			return bad(MemberColumns[c].Name, "%q looks like a formula: formulas are not accepted, write the value", v)
		}
	}
	m := &Member{CitizenID: r.cell(i, 0), FullName: strings.Join(strings.Fields(r.cell(i, 1)), " ")}
	var ok bool
	if m.Sex, ok = ParseSex(r.cell(i, 2)); !ok {
		return bad("sex", "%q: write nam or nữ", r.cell(i, 2))
	}
	var err error
	if m.BirthDate, err = quickDate(r.cell(i, 3)); err != nil {
		return bad("birth_date", "%q is not a date (dd/mm/yyyy)", r.cell(i, 3))
	}
	unit := r.cell(i, 4)
	if unit == "" {
		return bad("unit_code", "the unit code is empty")
	}
	m.Status = MemberStatus(strings.ToLower(r.cell(i, 5)))
	if vi, ok := statusVI[string(m.Status)]; ok {
		m.Status = vi
	}
	for _, d := range []struct {
		c   int
		dst *Date
	}{{6, &m.Admitted}, {7, &m.Ceremony}} {
		if v := r.cell(i, d.c); v != "" {
			if *d.dst, err = quickDate(v); err != nil {
				return bad(MemberColumns[d.c].Name, "%q is not a date (dd/mm/yyyy)", v)
			}
		}
	}
	m.Ethnicity, m.Religion, m.Education = r.cell(i, 8), r.cell(i, 9), r.cell(i, 10)
	m.Professional, m.Theory, m.Occupation = r.cell(i, 11), r.cell(i, 12), r.cell(i, 13)
	m.Birthplace, m.Hometown, m.Address = r.cell(i, 14), r.cell(i, 15), r.cell(i, 16)
	m.CardNumber, m.RecordNumber = r.cell(i, 17), r.cell(i, 18)
	m.UnitID = -1 // resolved by the store
	if err := ValidateMember(m, r.Today); err != nil {
		return nil, "", &RowError{Line: line, Column: ErrorField(err), Reason: ErrorMessage(err)}
	}
	for _, s := range []string{m.Ethnicity, m.Religion, m.Education, m.Professional, m.Theory, m.Occupation, m.Birthplace, m.Hometown, m.Address} {
		if len(s) > 200 {
			return bad("", "a field is longer than 200 characters")
		}
	}
	return m, unit, nil
}

// statusVI reads statuses written in Vietnamese.
var statusVI = map[string]MemberStatus{
	"chính thức": StatusOfficial, "dự bị": StatusProbationary, "miễn sinh hoạt": StatusExempted,
	"quần chúng ưu tú": StatusCandidate, "chuyển sinh hoạt tạm thời": StatusTempOut,
}

// quickDate parses yyyy-mm-dd and dd/mm/yyyy without the general parser's
// allocations: imports read millions of dates.
func quickDate(s string) (Date, error) {
	n := func(s string) int {
		v := 0
		for _, c := range []byte(s) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	var y, m, d int
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		y, m, d = n(s[:4]), n(s[5:7]), n(s[8:])
	case len(s) == 10 && s[2] == '/' && s[5] == '/':
		d, m, y = n(s[:2]), n(s[3:5]), n(s[6:])
	default:
		return ParseDate(s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 0 || m < 1 || m > 12 || d < 1 || t.Day() != d {
		return Date{}, Errorf(EINVALID, "%q is not a date", s)
	}
	return t, nil
}
