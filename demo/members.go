package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// The demo's members: a few hundred fictional people in the cells of the
// four wards of Hạ Long (see grassroots.go), each with a story of dated
// lifecycle steps recorded through the member service, so that the rules
// are applied as they would be to a person's entry. The stories up to
// 30 June 2025 are recorded before the reorganization, which then moves
// the cells and their members; the rest (up to today) after it.
//
// Everything is drawn from a fixed seed: the same demo every time. Names
// are fictional, drawn from the usual family names of each ethnic group;
// citizen IDs carry Quảng Ninh's code 022 and agree with birth date and sex.

// memberSeed fixes the draw.
const memberSeed = 2025

// The member linked to the demo account "dangvien" (accounts.go).
const (
	selfName     = "Hoàng Thị Mai"
	selfCell     = "06691.KP1"
	selfUsername = "dangvien"
)

// event is one dated thing in a person's story: the record is created
// (create) or a lifecycle step is recorded.
type event struct {
	day    partyworks.Date
	create bool
	step   partyworks.StepInput
	target string // transfer: the receiving cell's code
	intro  int    // resolution: how many introducers to draw from the cell
}

// person is a fictional member and their story.
type person struct {
	m      *partyworks.Member
	cell   string
	events []event
	done   int  // events recorded so far
	stable bool // official throughout: may introduce applicants
	self   bool
}

// cellSpec is a cell of the demo and the kind of people in it.
type cellSpec struct {
	code string
	from partyworks.Date
	kind string // "street", "school", "firm", "mine"
}

// weighted draws one of the values with the given weights.
type weighted struct {
	vals []string
	sum  []int
}

func weights(pairs ...any) weighted {
	var w weighted
	t := 0
	for i := 0; i < len(pairs); i += 2 {
		t += pairs[i+1].(int)
		w.vals = append(w.vals, pairs[i].(string))
		w.sum = append(w.sum, t)
	}
	return w
}

func (w weighted) draw(r *rand.Rand) string {
	n := r.IntN(w.sum[len(w.sum)-1])
	i := sort.SearchInts(w.sum, n+1)
	return w.vals[i]
}

// Ethnic groups of Hạ Long's party members (per mille), and the family
// names usual in each group. The Kinh weights follow the usual national
// shares (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, …).
var (
	ethnicities = weights("Kinh", 900, "Tày", 30, "Dao", 25, "Sán Dìu", 20, "Hoa", 10, "Sán Chỉ", 8, "Nùng", 7)
	families    = map[string]weighted{
		"Kinh": weights("Nguyễn", 380, "Trần", 110, "Lê", 95, "Phạm", 70, "Hoàng", 50, "Vũ", 40, "Phan", 45,
			"Đặng", 21, "Bùi", 20, "Đỗ", 14, "Hồ", 13, "Ngô", 13, "Dương", 10, "Đinh", 10, "Đào", 10, "Lý", 5,
			"Trịnh", 6, "Mai", 5, "Lương", 5, "Cao", 5, "Tạ", 4),
		"Tày":     weights("Hoàng", 3, "Nông", 3, "Lục", 1, "Ma", 1, "Hà", 1, "Vi", 1, "Lương", 1),
		"Dao":     weights("Triệu", 4, "Bàn", 3, "Đặng", 3, "Lý", 2, "Chìu", 1),
		"Sán Dìu": weights("Trương", 3, "Diệp", 2, "Ninh", 2, "Lâm", 2, "Đường", 1),
		"Hoa":     weights("Lưu", 2, "Trương", 2, "Châu", 1, "Lâm", 1, "Hứa", 1),
		"Sán Chỉ": weights("Sằm", 2, "Dương", 1, "Hà", 1),
		"Nùng":    weights("Nông", 2, "Hoàng", 1, "Vi", 1, "Lăng", 1),
	}
	maleMiddle   = weights("Văn", 40, "Đức", 10, "Minh", 10, "Quang", 8, "Hữu", 8, "Thanh", 6, "Xuân", 5, "Công", 5, "Mạnh", 4, "Ngọc", 4)
	femaleMiddle = weights("Thị", 55, "Thu", 8, "Thanh", 8, "Ngọc", 7, "Minh", 5, "Thúy", 5, "Hồng", 5, "Kim", 4, "Phương", 3)
	maleGiven    = weights("An", 3, "Bình", 3, "Cường", 3, "Dũng", 4, "Đạt", 2, "Hải", 4, "Hùng", 4, "Huy", 3, "Khánh", 2, "Long", 3,
		"Nam", 4, "Phong", 2, "Quân", 3, "Sơn", 4, "Thắng", 3, "Tuấn", 5, "Việt", 2, "Hiếu", 2, "Trung", 3, "Thành", 4, "Tùng", 2, "Đông", 2)
	femaleGiven = weights("Anh", 4, "Hà", 4, "Hạnh", 3, "Hương", 5, "Lan", 4, "Linh", 4, "Mai", 3, "Ngọc", 2, "Nhung", 2, "Phương", 3,
		"Thảo", 4, "Trang", 4, "Yến", 2, "Hoa", 3, "Huyền", 3, "Hằng", 3, "Dung", 2, "Loan", 2)
	religions = weights("Không", 930, "Phật giáo", 55, "Công giáo", 15)
	// Where the minorities of the province live: the mountain districts.
	homes = map[string][]string{
		"Kinh":    {"Hạ Long, Quảng Ninh", "Cẩm Phả, Quảng Ninh", "Uông Bí, Quảng Ninh", "Quảng Yên, Quảng Ninh", "Kiến Thụy, Hải Phòng", "Thái Thụy, Thái Bình", "Giao Thủy, Nam Định"},
		"Tày":     {"Bình Liêu, Quảng Ninh", "Tiên Yên, Quảng Ninh"},
		"Dao":     {"Ba Chẽ, Quảng Ninh", "Hoành Bồ, Quảng Ninh", "Bình Liêu, Quảng Ninh"},
		"Sán Dìu": {"Đông Triều, Quảng Ninh", "Hoành Bồ, Quảng Ninh", "Uông Bí, Quảng Ninh"},
		"Hoa":     {"Móng Cái, Quảng Ninh", "Hải Hà, Quảng Ninh"},
		"Sán Chỉ": {"Bình Liêu, Quảng Ninh", "Đầm Hà, Quảng Ninh"},
		"Nùng":    {"Bình Liêu, Quảng Ninh", "Tiên Yên, Quảng Ninh"},
	}
	wardNames = map[string]string{"06691": "phường Hồng Gai", "06673": "phường Bãi Cháy", "06649": "phường Hà Khánh", "06655": "phường Hà Khẩu"}
)

// demoCells lists the cells of the scenario with the day each stands from.
func demoCells() []cellSpec {
	var out []cellSpec
	var walk func(code string, o org, kind string)
	walk = func(code string, o org, kind string) {
		code += "." + o.suffix
		if o.kind == partyworks.KindCell {
			from := termStart
			if o.from != "" {
				from = date(o.from)
			}
			k := kind
			switch {
			case strings.HasPrefix(o.suffix, "TH"):
				k = "school"
			case k == "":
				k = "street"
			}
			out = append(out, cellSpec{code: code, from: from, kind: k})
		}
		for _, c := range o.kids {
			sub := kind
			switch o.suffix {
			case "THPT":
				sub = "school"
			case "VX":
				sub = "firm"
			case "ST":
				sub = "mine"
			}
			walk(code, c, sub)
		}
	}
	for _, st := range sites {
		for _, o := range st.orgs {
			walk(st.code, o, "")
		}
	}
	return out
}

// cast draws the people and their stories.
type cast struct {
	r      *rand.Rand
	today  partyworks.Date
	cells  []cellSpec
	people []*person
	cids   map[string]bool
	serial int // card, record and decision numbers
}

func newCast(today partyworks.Date) *cast {
	c := &cast{r: rand.New(rand.NewPCG(memberSeed, 1)), today: today, cells: demoCells(), cids: map[string]bool{}}
	for _, cl := range c.cells {
		n := 12 + c.r.IntN(11)
		for i := range n {
			c.person(cl, i)
		}
	}
	return c
}

// between draws a day in [a, b].
func (c *cast) between(a, b partyworks.Date) partyworks.Date {
	days := int(b.Sub(a).Hours()/24) + 1
	if days <= 1 {
		return a
	}
	return a.AddDate(0, 0, c.r.IntN(days))
}

func (c *cast) year(y int) partyworks.Date { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }

// citizenID draws an unused ID of Quảng Ninh (022) that agrees with the
// birth date and sex.
func (c *cast) citizenID(birth partyworks.Date, sex partyworks.Sex) string {
	d := (birth.Year()/100 - 19) * 2
	if sex == partyworks.Female {
		d++
	}
	for {
		id := fmt.Sprintf("022%d%02d%06d", d, birth.Year()%100, c.r.IntN(1000000))
		if !c.cids[id] {
			c.cids[id] = true
			return id
		}
	}
}

func (c *cast) next() int { c.serial++; return c.serial }

// decision writes a decision number of the committee deciding on day d:
// the city committee of Hạ Long before the reorganization, the ward's
// committee after.
func (c *cast) decision(d partyworks.Date) string {
	if d.Before(reorgDay) {
		return fmt.Sprintf("%d-QĐ/TU", 100+c.next()%900)
	}
	return fmt.Sprintf("%d-QĐ/ĐU", 10+c.next()%300)
}

// person draws the i-th person of a cell and their story. The first three
// of each cell are official members throughout: they introduce the
// cell's applicants.
func (c *cast) person(cl cellSpec, i int) {
	r := c.r
	m := &partyworks.Member{Sex: partyworks.Male}
	female := r.IntN(100) < 38
	if cl.kind == "school" {
		female = r.IntN(100) < 70
	}
	if cl.kind == "mine" {
		female = r.IntN(100) < 15
	}
	if female {
		m.Sex = partyworks.Female
	}
	m.Ethnicity = ethnicities.draw(r)
	family := families[m.Ethnicity].draw(r)
	if m.Sex == partyworks.Female {
		m.FullName = family + " " + femaleMiddle.draw(r) + " " + femaleGiven.draw(r)
	} else {
		m.FullName = family + " " + maleMiddle.draw(r) + " " + maleGiven.draw(r)
	}
	m.Religion = religions.draw(r)
	home := homes[m.Ethnicity]
	m.Hometown = home[r.IntN(len(home))]
	m.Birthplace = m.Hometown
	if r.IntN(3) > 0 {
		m.Birthplace = "Hạ Long, Quảng Ninh"
	}
	ward := wardNames[cl.code[:5]]
	m.Address = fmt.Sprintf("Tổ %d, khu %d, %s, thành phố Hạ Long, Quảng Ninh", 1+r.IntN(9), 1+r.IntN(6), ward)
	m.Current = m.Address
	p := &person{m: m, cell: cl.code}

	roll := r.IntN(100)
	if i < 3 {
		roll = 99 // official throughout
	}
	switch {
	case roll < 14: // candidates after the awareness course
		c.young(m, cl)
		c.candidate(p, cl, roll)
	case roll < 17: // probationary at the start of the term, recognized in 2021
		c.adult(m, cl, 1975, 1998)
		adm := c.between(date("2020-01-15"), date("2020-08-31"))
		c.existing(p, cl, adm, partyworks.StatusProbationary)
		c.recognize(p, partyworks.ProbationEnd(m.Ceremony))
	case roll < 21: // deceased
		c.adult(m, cl, 1936, 1955)
		c.existing(p, cl, c.between(c.year(1960), c.year(1985)), partyworks.StatusOfficial)
		p.add(event{day: c.between(date("2021-03-01"), date("2026-10-31")), step: partyworks.StepInput{Step: partyworks.StepDie}})
	case roll < 25: // exempted from activity (old age, illness)
		c.adult(m, cl, 1940, 1958)
		c.existing(p, cl, c.between(c.year(1965), c.year(1990)), partyworks.StatusOfficial)
		p.add(event{day: c.between(date("2021-01-10"), date("2026-09-30")), step: partyworks.StepInput{Step: partyworks.StepExempt,
			Note: "Tuổi cao, sức yếu; chi bộ đồng ý miễn sinh hoạt"}})
	case roll < 29: // transferred to another cell of the demo, received
		c.adult(m, cl, 1965, 1995)
		c.existing(p, cl, c.between(c.year(1990), c.year(2018)), partyworks.StatusOfficial)
		c.transfer(p, cl, c.between(date("2021-02-01"), date("2026-06-30")), true)
	case roll < 31: // transfer sent, not yet received
		c.adult(m, cl, 1970, 1998)
		c.existing(p, cl, c.between(c.year(1995), c.year(2019)), partyworks.StatusOfficial)
		c.transfer(p, cl, c.between(date("2026-10-01"), date("2026-11-20")), false)
	case roll < 32: // temporarily away (studies, work elsewhere)
		c.adult(m, cl, 1980, 1996)
		c.existing(p, cl, c.between(c.year(2005), c.year(2019)), partyworks.StatusOfficial)
		p.add(event{day: c.between(date("2023-01-01"), date("2026-08-31")), step: partyworks.StepInput{Step: partyworks.StepTempOut,
			Note: "Sinh hoạt đảng tạm thời nơi học tập"}})
	case roll < 33: // removed (xóa tên) or left
		c.adult(m, cl, 1960, 1990)
		c.existing(p, cl, c.between(c.year(1985), c.year(2015)), partyworks.StatusOfficial)
		st, note := partyworks.StepRemove, "Bỏ sinh hoạt chi bộ quá 3 tháng không có lý do chính đáng"
		if r.IntN(2) == 0 {
			st, note = partyworks.StepLeave, "Xin ra khỏi Đảng vì hoàn cảnh gia đình"
		}
		p.add(event{day: c.between(date("2021-06-01"), date("2025-12-31")), step: partyworks.StepInput{Step: st, Note: note}})
	default: // official members (a few admitted during the term)
		c.adult(m, cl, 1950, 1996)
		adm := c.between(m.BirthDate.AddDate(19, 0, 0), c.year(2019))
		if adm.Before(c.year(1968)) {
			adm = c.between(c.year(1968), c.year(1980))
		}
		c.existing(p, cl, adm, partyworks.StatusOfficial)
		p.stable = true
	}
	// A cell established during the term: its members' steps come after.
	if len(p.events) > 1 && p.events[1].day.Before(m.Since) {
		shift := m.Since.Sub(p.events[1].day) + 30*24*time.Hour
		for i := 1; i < len(p.events); i++ {
			p.events[i].day = p.events[i].day.Add(shift)
		}
	}
	c.people = append(c.people, p)
}

// adult fills birth date, education and work of someone born in [y1, y2].
func (c *cast) adult(m *partyworks.Member, cl cellSpec, y1, y2 int) {
	r := c.r
	m.BirthDate = c.between(c.year(y1), time.Date(y2, 12, 31, 0, 0, 0, 0, time.UTC))
	m.CitizenID = c.citizenID(m.BirthDate, m.Sex)
	m.Education = "12/12"
	if m.BirthDate.Year() < 1972 && r.IntN(2) == 0 {
		m.Education = "10/10"
	}
	m.Professional = weights("đại học", 50, "cao đẳng", 10, "trung cấp", 15, "thạc sĩ", 8, "", 17).draw(r)
	m.Theory = weights("sơ cấp", 60, "trung cấp", 30, "cao cấp", 5, "", 5).draw(r)
	switch cl.kind {
	case "school":
		m.Occupation, m.Professional = "Giáo viên", weights("đại học", 70, "thạc sĩ", 30).draw(r)
	case "firm":
		m.Occupation = weights("Nhân viên lữ hành", 3, "Quản lý khách sạn", 2, "Kế toán", 1).draw(r)
	case "mine":
		m.Occupation = weights("Công nhân sàng tuyển", 4, "Kỹ sư cơ điện", 2, "Quản đốc phân xưởng", 1).draw(r)
	default:
		if m.BirthDate.Year() < 1966 {
			m.Occupation = "Hưu trí"
		} else {
			m.Occupation = weights("Công chức", 3, "Viên chức", 2, "Kinh doanh", 2, "Lao động tự do", 1).draw(r)
		}
	}
	if r.IntN(4) == 0 {
		m.Language = weights("Tiếng Anh B1", 3, "Tiếng Anh B2", 2, "Tiếng Trung B1", 1).draw(r)
	}
}

// young fills the record of an applicant born 1990–2004.
func (c *cast) young(m *partyworks.Member, cl cellSpec) {
	c.adult(m, cl, 1990, 2004)
	m.Theory = ""
	m.YouthUnion = m.BirthDate.AddDate(15, 2+c.r.IntN(8), c.r.IntN(28))
}

// existing makes a record that enters its cell at the cell's start with
// the given admission day (and ceremony a few weeks later).
func (c *cast) existing(p *person, cl cellSpec, admitted partyworks.Date, st partyworks.MemberStatus) {
	m := p.m
	if min := m.BirthDate.AddDate(18, 6, 0); admitted.Before(min) {
		admitted = min
	}
	m.Status, m.Admitted, m.Ceremony, m.Since = st, admitted, admitted.AddDate(0, 0, 14+c.r.IntN(30)), cl.from
	m.CardNumber = fmt.Sprintf("%08d", 10000000+c.next()*7919%89999999)
	m.RecordNumber = fmt.Sprintf("QN-%06d", c.serial)
	p.add(event{day: cl.from, create: true})
}

// candidate is someone through the awareness course; roll decides how far
// they have come by today.
func (c *cast) candidate(p *person, cl cellSpec, roll int) {
	m := p.m
	m.Status = partyworks.StatusCandidate
	start := cl.from
	if age := m.BirthDate.AddDate(17, 6, 0); start.Before(age) {
		start = age
	}
	from, to := date("2023-01-01"), date("2026-06-30")
	if roll >= 5 { // admitted during the term: most still on probation
		from, to = date("2024-09-01"), date("2025-12-31")
	}
	course := c.between(maxDate(start, from), maxDate(start, to))
	m.Since = course
	p.add(event{day: course, create: true})
	if roll < 2 {
		return // candidate still
	}
	apply := course.AddDate(0, 1+c.r.IntN(4), c.r.IntN(20))
	p.add(event{day: apply, step: partyworks.StepInput{Step: partyworks.StepApply, Note: "Đơn xin vào Đảng"}})
	if roll < 4 {
		return // applicant
	}
	resolve := apply.AddDate(0, 2+c.r.IntN(3), c.r.IntN(20))
	if min := m.BirthDate.AddDate(18, 0, 1); resolve.Before(min) {
		resolve = min
	}
	p.add(event{day: resolve, intro: 2, step: partyworks.StepInput{Step: partyworks.StepResolve, VotesFor: 14, Voters: 15,
		Note: "Chi bộ họp xét, đề nghị kết nạp"}})
	if roll < 5 {
		return // awaiting the decision (if recent) or decided
	}
	admit := resolve.AddDate(0, 0, 21+c.r.IntN(40))
	p.add(event{day: admit, step: partyworks.StepInput{Step: partyworks.StepAdmit, Decision: c.decision(admit)}})
	ceremony := admit.AddDate(0, 0, 10+c.r.IntN(25))
	p.add(event{day: ceremony, step: partyworks.StepInput{Step: partyworks.StepCeremony, Note: "Lễ kết nạp tại chi bộ"}})
	c.recognize(p, partyworks.ProbationEnd(ceremony))
}

// recognize adds the recognition as official some weeks after the end of
// the probation.
func (c *cast) recognize(p *person, end partyworks.Date) {
	d := end.AddDate(0, 0, 7+c.r.IntN(40))
	p.add(event{day: d, step: partyworks.StepInput{Step: partyworks.StepRecognize, Decision: c.decision(d), VotesFor: 12, Voters: 13}})
}

// transfer sends p to another cell of the demo on day d, received a few
// weeks later when received is set.
func (c *cast) transfer(p *person, cl cellSpec, d partyworks.Date, received bool) {
	var to cellSpec
	for {
		to = c.cells[c.r.IntN(len(c.cells))]
		if to.code != cl.code && !d.Before(to.from) {
			break
		}
	}
	p.add(event{day: d, target: to.code, step: partyworks.StepInput{Step: partyworks.StepTransferOut, Decision: fmt.Sprintf("%d-GT/ĐU", c.next()),
		Note: "Chuyển sinh hoạt đảng chính thức"}})
	if received {
		p.add(event{day: d.AddDate(0, 0, 7+c.r.IntN(21)), step: partyworks.StepInput{Step: partyworks.StepTransferIn}})
	}
}

func (p *person) add(e event) { p.events = append(p.events, e) }

func maxDate(a, b partyworks.Date) partyworks.Date {
	if a.After(b) {
		return a
	}
	return b
}

// selfPerson is the demo member behind the account "dangvien".
func (c *cast) selfPerson() *person {
	m := &partyworks.Member{FullName: selfName, Sex: partyworks.Female, BirthDate: date("1979-04-12"), Ethnicity: "Kinh",
		Religion: "Không", Birthplace: "Hạ Long, Quảng Ninh", Hometown: "Thái Thụy, Thái Bình", Occupation: "Viên chức",
		Education: "12/12", Professional: "đại học", Theory: "trung cấp", Language: "Tiếng Anh B1",
		Address: "Tổ 4, khu 1, phường Hồng Gai, thành phố Hạ Long, Quảng Ninh", YouthUnion: date("1994-03-26")}
	m.Current = m.Address
	m.CitizenID = c.citizenID(m.BirthDate, m.Sex)
	p := &person{m: m, cell: selfCell, self: true, stable: true}
	c.existing(p, cellSpec{code: selfCell, from: termStart}, date("2006-05-19"), partyworks.StatusOfficial)
	m.Ceremony = date("2006-06-02")
	return p
}

// selfEntries are the tables of the self-service member's record.
var selfEntries = []partyworks.MemberEntry{
	{Kind: partyworks.EntryWork, From: date("2001-09-01"), To: date("2010-12-31"), Title: "Nhân viên", Detail: "Trung tâm Văn hóa thành phố Hạ Long"},
	{Kind: partyworks.EntryWork, From: date("2011-01-01"), Title: "Viên chức", Detail: "Thư viện tỉnh Quảng Ninh"},
	{Kind: partyworks.EntryTraining, From: date("1997-09-01"), To: date("2001-06-30"), Title: "Cử nhân Văn hóa học", Detail: "Trường Đại học Văn hóa Hà Nội"},
	{Kind: partyworks.EntryTraining, From: date("2015-03-01"), To: date("2016-12-31"), Title: "Trung cấp lý luận chính trị", Detail: "Trường Chính trị Nguyễn Văn Cừ"},
	{Kind: partyworks.EntryFamily, Title: "Hoàng Văn Thịnh", Detail: "Bố; hưu trí; Thái Thụy, Thái Bình"},
	{Kind: partyworks.EntryFamily, Title: "Phạm Thị Lụa", Detail: "Mẹ; hưu trí; Thái Thụy, Thái Bình"},
	{Kind: partyworks.EntryAward, From: date("2021-12-20"), Title: "Đảng viên hoàn thành xuất sắc nhiệm vụ 2021", Detail: "Đảng ủy phường Hồng Gai"},
}

// memberStory is the state of the demo's cast between the two halves of
// the story.
type memberStory struct {
	cast *cast
	svc  *sqldb.MemberService
}

// members creates the demo's members and records their stories up to the
// day before the reorganization.
func (s *seeder) members(ctx context.Context, db *sqldb.DB) (string, error) {
	c := newCast(partyworks.Today(time.Now()))
	c.people = append(c.people, c.selfPerson())
	s.story = &memberStory{cast: c, svc: sqldb.NewMemberService(db)}
	n, steps, err := s.story.run(ctx, s, reorgDay.AddDate(0, 0, -1))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d members created, %d lifecycle steps up to %s", n, steps, partyworks.FormatDateVN(reorgDay.AddDate(0, 0, -1))), nil
}

// membersSince records the rest of the stories, to today, and links the
// member account to its record.
func (s *seeder) membersSince(ctx context.Context) (string, error) {
	st := s.story
	n, steps, err := st.run(ctx, s, st.cast.today)
	if err != nil {
		return "", err
	}
	u, err := s.users.FindUserByUsername(ctx, selfUsername)
	if err != nil {
		return "", err
	}
	self := st.cast.people[len(st.cast.people)-1]
	if err := st.svc.LinkUser(ctx, self.m.ID, u.ID); err != nil {
		return "", err
	}
	counts := map[partyworks.MemberStatus]int{}
	for _, p := range st.cast.people {
		if p.m.ID != 0 {
			m, err := st.svc.FindMemberByID(ctx, p.m.ID)
			if err != nil {
				return "", err
			}
			counts[m.Status]++
		}
	}
	var parts []string
	for _, k := range partyworks.MemberStatuses {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	return fmt.Sprintf("%d members created, %d steps to %s; %s linked to %s; now %s", n, steps,
		partyworks.FormatDateVN(st.cast.today), selfName, selfUsername, strings.Join(parts, ", ")), nil
}

// run records every event dated up to until, in date order across people
// (so that introducers and receiving cells are as they stood that day).
func (st *memberStory) run(ctx context.Context, s *seeder, until partyworks.Date) (created, steps int, err error) {
	type pending struct {
		p *person
		e event
	}
	var todo []pending
	for _, p := range st.cast.people {
		for p.done < len(p.events) && !p.events[p.done].day.After(until) {
			todo = append(todo, pending{p, p.events[p.done]})
			p.done++
		}
	}
	sort.SliceStable(todo, func(i, j int) bool { return todo[i].e.day.Before(todo[j].e.day) })
	units := map[string]int64{}
	unitAt := func(code string, d partyworks.Date) (int64, error) {
		if id, ok := units[code]; ok {
			return id, nil
		}
		u, err := s.units.FindUnitByCode(ctx, code, d)
		if err != nil {
			return 0, fmt.Errorf("cell %s on %s: %w", code, partyworks.FormatDateVN(d), err)
		}
		units[code] = u.ID // a cell keeps its id through the reorganization
		return u.ID, nil
	}
	for _, t := range todo {
		m := t.p.m
		if t.e.create {
			if m.UnitID, err = unitAt(t.p.cell, t.e.day); err != nil {
				return created, steps, err
			}
			if err := st.svc.CreateMember(ctx, m); err != nil {
				return created, steps, fmt.Errorf("member %s: %w", m.FullName, err)
			}
			created++
			if t.p.self {
				for _, e := range selfEntries {
					if err := st.svc.AddEntry(ctx, m.ID, &e); err != nil {
						return created, steps, err
					}
				}
			}
			continue
		}
		in := t.e.step
		in.Date = t.e.day
		if t.e.target != "" {
			if in.UnitID, err = unitAt(t.e.target, t.e.day); err != nil {
				return created, steps, err
			}
		}
		if t.e.intro > 0 {
			in.Introducers = st.introducers(t.p, t.e.intro)
		}
		if _, err := st.svc.RecordStep(ctx, m.ID, in); err != nil {
			return created, steps, fmt.Errorf("member %s (%s), step %s on %s: %w", m.FullName, t.p.cell, in.Step, partyworks.FormatDateVN(in.Date), err)
		}
		steps++
	}
	return created, steps, nil
}

// introducers are n official members of p's cell who stay official
// throughout the story.
func (st *memberStory) introducers(p *person, n int) []string {
	var out []string
	for _, q := range st.cast.people {
		if q != p && q.stable && q.cell == p.cell && !q.self {
			out = append(out, q.m.CitizenID)
			if len(out) == n {
				break
			}
		}
	}
	return out
}
