package partyworks

import (
	"fmt"
	"strconv"
	"strings"
)

// MemberStatus is where a person stands in the member lifecycle.
type MemberStatus string

// The states of the lifecycle [Charter; 294-QĐ/TW].
const (
	StatusCandidate    MemberStatus = "candidate"    // quần chúng ưu tú, after the awareness course
	StatusApplied      MemberStatus = "applied"      // application submitted
	StatusResolved     MemberStatus = "resolved"     // the cell resolved to propose admission
	StatusAdmitted     MemberStatus = "admitted"     // admission decision, awaiting the ceremony
	StatusProbationary MemberStatus = "probationary" // dự bị: 12 months from the ceremony
	StatusOfficial     MemberStatus = "official"     // chính thức
	StatusExempted     MemberStatus = "exempted"     // miễn sinh hoạt (reversible)
	StatusTempOut      MemberStatus = "temp_out"     // temporary transfer out (still counted at home)
	StatusTransferring MemberStatus = "transferring" // official transfer sent, not yet received
	StatusRemoved      MemberStatus = "removed"      // xóa tên
	StatusExpelled     MemberStatus = "expelled"     // khai trừ
	StatusLeft         MemberStatus = "left"         // ra khỏi Đảng
	StatusDeceased     MemberStatus = "deceased"
)

// MemberStatuses lists the states in the lifecycle's order.
var MemberStatuses = []MemberStatus{StatusCandidate, StatusApplied, StatusResolved, StatusAdmitted,
	StatusProbationary, StatusOfficial, StatusExempted, StatusTempOut, StatusTransferring,
	StatusRemoved, StatusExpelled, StatusLeft, StatusDeceased}

// Valid reports whether s is one of MemberStatuses.
func (s MemberStatus) Valid() bool {
	for _, v := range MemberStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Member reports whether the person is a party member in this state
// (probationary or official, including exempted and transferring ones).
func (s MemberStatus) Member() bool {
	switch s {
	case StatusProbationary, StatusOfficial, StatusExempted, StatusTempOut, StatusTransferring:
		return true
	}
	return false
}

// Counted reports whether the state counts in its unit's totals: members,
// including those temporarily away (they are counted at home, not where
// they stay) and those whose transfer has not been received yet.
func (s MemberStatus) Counted() bool { return s.Member() }

// StepName names a lifecycle step.
type StepName string

// The steps.
const (
	StepApply        StepName = "apply"
	StepResolve      StepName = "resolve" // the cell's resolution
	StepAdmit        StepName = "admit"   // the admission decision
	StepCeremony     StepName = "ceremony"
	StepRecognize    StepName = "recognize" // recognized as official
	StepNotRecognize StepName = "not_recognize"
	StepExempt       StepName = "exempt"
	StepUnexempt     StepName = "unexempt"
	StepTempOut      StepName = "temp_out"
	StepTempReturn   StepName = "temp_return"
	StepTransferOut  StepName = "transfer_out"
	StepTransferIn   StepName = "transfer_in" // the receiving unit receives
	StepRemove       StepName = "remove"
	StepExpel        StepName = "expel"
	StepLeave        StepName = "leave"
	StepDie          StepName = "die"
	StepReadmit      StepName = "readmit"
)

// Transition is a row of the state machine: a step, the states it may
// start from, and the state it leads to ("" To: back to the status the
// member had before leaving temporarily or being transferred).
type Transition struct {
	Step StepName
	From []MemberStatus
	To   MemberStatus
}

var alive = []MemberStatus{StatusProbationary, StatusOfficial, StatusExempted, StatusTempOut, StatusTransferring}

// Transitions is the whole state machine, in one table.
var Transitions = []Transition{
	{StepApply, []MemberStatus{StatusCandidate}, StatusApplied},
	{StepResolve, []MemberStatus{StatusApplied}, StatusResolved},
	{StepAdmit, []MemberStatus{StatusResolved}, StatusAdmitted},
	{StepCeremony, []MemberStatus{StatusAdmitted}, StatusProbationary},
	{StepRecognize, []MemberStatus{StatusProbationary}, StatusOfficial},
	{StepNotRecognize, []MemberStatus{StatusProbationary}, StatusRemoved},
	{StepExempt, []MemberStatus{StatusOfficial}, StatusExempted},
	{StepUnexempt, []MemberStatus{StatusExempted}, StatusOfficial},
	{StepTempOut, []MemberStatus{StatusProbationary, StatusOfficial}, StatusTempOut},
	{StepTempReturn, []MemberStatus{StatusTempOut}, ""},
	{StepTransferOut, []MemberStatus{StatusProbationary, StatusOfficial}, StatusTransferring},
	{StepTransferIn, []MemberStatus{StatusTransferring}, ""},
	{StepRemove, []MemberStatus{StatusProbationary, StatusOfficial, StatusExempted, StatusTempOut}, StatusRemoved},
	{StepExpel, []MemberStatus{StatusOfficial, StatusExempted, StatusTempOut}, StatusExpelled},
	{StepLeave, []MemberStatus{StatusProbationary, StatusOfficial, StatusExempted}, StatusLeft},
	{StepDie, append([]MemberStatus{StatusCandidate, StatusApplied, StatusResolved, StatusAdmitted}, alive...), StatusDeceased},
	{StepReadmit, []MemberStatus{StatusRemoved, StatusLeft}, StatusApplied},
}

// TransitionFor finds the step's row.
func TransitionFor(step StepName) (Transition, bool) {
	for _, t := range Transitions {
		if t.Step == step {
			return t, true
		}
	}
	return Transition{}, false
}

// StepsFrom lists the steps the machine allows from a state.
func StepsFrom(s MemberStatus) []StepName {
	var out []StepName
	for _, t := range Transitions {
		for _, f := range t.From {
			if f == s {
				out = append(out, t.Step)
			}
		}
	}
	return out
}

// Next returns the state a step leads to from m's state, or an error
// naming the step and the state when the machine does not allow it.
func Next(m *Member, step StepName) (MemberStatus, error) {
	t, ok := TransitionFor(step)
	if !ok {
		return "", FieldErrorf("step", "%q is not a lifecycle step", step)
	}
	for _, f := range t.From {
		if f == m.Status {
			if t.To == "" {
				if m.Resume == "" {
					return StatusOfficial, nil
				}
				return m.Resume, nil
			}
			return t.To, nil
		}
	}
	allowed := make([]string, len(t.From))
	for i, f := range t.From {
		allowed[i] = string(f)
	}
	return "", Errorf(ECONFLICT, "the step %s is not allowed for a member who is %s (only from: %s)", step, m.Status, strings.Join(allowed, ", "))
}

// Rule is a number the rules fix, with the document that fixes it and the
// period it is in force. A step is judged by the rule in force on its
// date. Values marked UNVERIFIED in RULES.md are configurable: replace
// the entries of Rules.
type Rule struct {
	ID     string
	Value  int
	Unit   string // "months", "working days", "years"
	Source string
	From   Date
	To     Date // exclusive; zero: still in force
}

// The rule ids.
const (
	RuleMinAge        = "admission.min_age"        // months, at the cell's meeting
	RuleMaxAge        = "admission.max_age"        // months; older needs the provincial committee
	RuleEducation     = "admission.education"      // grade of 12 (lower-secondary)
	RuleIntroducers   = "admission.introducers"    // official members (or one plus the Youth Union)
	RuleAdmitDays     = "deadline.admission"       // working days from the cell's resolution
	RuleCeremonyDays  = "deadline.ceremony"        // working days from the decision
	RuleProbation     = "probation.months"         // months from the ceremony
	RuleRecognizeDays = "deadline.recognition"     // working days after probation ends
	RuleTransferDays  = "deadline.transfer_letter" // working days to present the letter
	RuleReadmitMonths = "readmission.months"       // months after leaving
	RuleVoteShare     = "votes.share_thirds"       // ≥ 2/3 of the cell
)

var (
	d29  = mustDate("2016-09-25")
	d24  = mustDate("2021-07-30")
	d232 = mustDate("2025-01-20")
	d294 = mustDate("2025-07-01")
)

// rulePeriods gives each regulation its period.
func rulePeriods(id string, value int, unit string) []Rule {
	return []Rule{
		{id, value, unit, "29-QĐ/TW", d29, d24},
		{id, value, unit, "24-QĐ/TW", d24, d232},
		{id, value, unit, "232-QĐ/TW", d232, d294},
		{id, value, unit, "294-QĐ/TW", d294, Date{}},
	}
}

// Rules are the rules in force through time. The same number under
// successive regulations is kept once per regulation, so a refusal cites
// the document in force on the step's date.
var Rules = concatRules(
	rulePeriods(RuleMinAge, 18*12, "months"),
	rulePeriods(RuleMaxAge, 60*12, "months"),
	rulePeriods(RuleEducation, 9, "grade"),
	rulePeriods(RuleIntroducers, 2, "official members"),
	rulePeriods(RuleAdmitDays, 60, "working days"),
	rulePeriods(RuleCeremonyDays, 30, "working days"),
	rulePeriods(RuleProbation, 12, "months"),
	rulePeriods(RuleRecognizeDays, 30, "working days"),
	rulePeriods(RuleTransferDays, 30, "working days"),
	rulePeriods(RuleReadmitMonths, 36, "months"),
	rulePeriods(RuleVoteShare, 2, "thirds"),
)

func concatRules(rs ...[]Rule) []Rule {
	var out []Rule
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

// RuleAt returns the rule in force on day d. Before the first regulation
// known, the earliest one applies.
func RuleAt(id string, d Date) Rule {
	var first *Rule
	for i := range Rules {
		r := &Rules[i]
		if r.ID != id {
			continue
		}
		if first == nil || r.From.Before(first.From) {
			first = r
		}
		if !d.Before(r.From) && (r.To.IsZero() || d.Before(r.To)) {
			return *r
		}
	}
	if first == nil {
		panic("partyworks: no rule " + id)
	}
	return *first
}

// Refusal is a step refused by a rule: it names the rule, its source and
// the numbers.
func refuse(r Rule, format string, args ...any) error {
	return &Error{Code: EINVALID, Field: r.ID, Message: fmt.Sprintf(format, args...) + " (" + r.Source + ")"}
}

// StepFacts are what the rules of a step need beyond the member's record.
type StepFacts struct {
	// Introducers found by citizen ID, with their status on the step's date.
	Introducers map[string]MemberStatus
	LeftOn      Date // the day the member left (re-admission)
	Expelled    bool // ever expelled: never re-admitted
	Calendar    *Calendar
}

// CheckStep applies the rules in force on the step's date. It does not
// check the state machine (Next does).
func CheckStep(m *Member, in StepInput, f StepFacts) error {
	d := in.Date
	if d.IsZero() {
		return FieldErrorf("date", "the step's date is missing")
	}
	if d.Before(m.BirthDate) {
		return FieldErrorf("date", "%s is before the member's birth", FormatDateVN(d))
	}
	if in.Voters > 0 {
		r := RuleAt(RuleVoteShare, d)
		if in.VotesFor*3 < in.Voters*r.Value {
			return refuse(r, "%d of %d votes is less than two thirds", in.VotesFor, in.Voters)
		}
	}
	switch in.Step {
	case StepResolve:
		age := ageMonths(m.BirthDate, d)
		if r := RuleAt(RuleMinAge, d); age < r.Value {
			return refuse(r, "the applicant is %s old at the cell meeting; the minimum is %d years", YearsMonths(age), r.Value/12)
		}
		if r := RuleAt(RuleMaxAge, d); age > r.Value && !strings.Contains(strings.ToLower(in.Note), "tỉnh ủy") {
			return refuse(r, "the applicant is %s old at the cell meeting; above %d years the provincial committee must agree (say so in the note)", YearsMonths(age), r.Value/12)
		}
		if r := RuleAt(RuleEducation, d); !educationAtLeast(m.Education, r.Value) {
			return refuse(r, "general education %q is below lower-secondary (grade %d of 12)", m.Education, r.Value)
		}
		r := RuleAt(RuleIntroducers, d)
		need := r.Value
		if in.YouthUnion {
			need--
		}
		if len(in.Introducers) != need {
			return refuse(r, "%d introducers given; %d are needed", len(in.Introducers), need)
		}
		for _, cid := range in.Introducers {
			st, ok := f.Introducers[cid]
			if !ok {
				return refuse(r, "the introducer %s is not in the records", cid)
			}
			if st != StatusOfficial {
				return refuse(r, "the introducer %s is %s on %s, not an official member", cid, st, FormatDateVN(d))
			}
		}
	case StepAdmit:
		if !m.Resolved.IsZero() && d.Before(m.Resolved) {
			return FieldErrorf("date", "the decision (%s) cannot come before the cell's resolution (%s)", FormatDateVN(d), FormatDateVN(m.Resolved))
		}
	case StepCeremony:
		if !m.Admitted.IsZero() && d.Before(m.Admitted) {
			return FieldErrorf("date", "the ceremony (%s) cannot come before the admission decision (%s)", FormatDateVN(d), FormatDateVN(m.Admitted))
		}
	case StepRecognize:
		end := ProbationEnd(m.Ceremony)
		if r := RuleAt(RuleProbation, d); d.Before(end) {
			return refuse(r, "the probation ends on %s (%d months from the ceremony of %s); recognition on %s is too early", FormatDateVN(end), r.Value, FormatDateVN(m.Ceremony), FormatDateVN(d))
		}
	case StepReadmit:
		r := RuleAt(RuleReadmitMonths, d)
		if m.Readmitted {
			return refuse(r, "the member was already re-admitted once; re-admission is allowed once")
		}
		if f.Expelled {
			return refuse(r, "an expelled member is never re-admitted")
		}
		if !f.LeftOn.IsZero() {
			if gap := ageMonths(f.LeftOn, d); gap < r.Value {
				return refuse(r, "%s since leaving on %s; at least %d months are needed", YearsMonths(gap), FormatDateVN(f.LeftOn), r.Value)
			}
		}
	case StepTransferOut:
		if in.UnitID == 0 {
			return FieldErrorf("unit", "name the receiving unit")
		}
		if in.UnitID == m.UnitID {
			return FieldErrorf("unit", "the receiving unit is the member's own unit")
		}
	}
	return nil
}

// educationAtLeast reads "9/12", "12/12", "7/10" (the old 10-year system)
// or a plain grade, and compares it with a grade of the 12-year system.
func educationAtLeast(s string, grade12 int) bool {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	g, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return false
	}
	if ok {
		of, err := strconv.Atoi(strings.TrimSpace(b))
		if err != nil || of <= 0 {
			return false
		}
		if of == 10 {
			return g >= grade12-2 // 7/10 was lower-secondary
		}
	}
	return g >= grade12
}

func mustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
