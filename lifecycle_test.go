package partyworks_test

import (
	"strings"
	"testing"

	"partyworks"
)

func applicant(birth string) *partyworks.Member {
	return &partyworks.Member{FullName: "Lê Thị Hoa", Sex: partyworks.Female, BirthDate: day(birth),
		Education: "12/12", Status: partyworks.StatusApplied}
}

func TestMinimumAgeNamesRuleAndNumbers(t *testing.T) {
	m := applicant("2007-08-15")
	in := partyworks.StepInput{Step: partyworks.StepResolve, Date: day("2025-08-01"), Introducers: []string{"a", "b"}}
	facts := partyworks.StepFacts{Introducers: map[string]partyworks.MemberStatus{"a": partyworks.StatusOfficial, "b": partyworks.StatusOfficial}}
	err := partyworks.CheckStep(m, in, facts)
	if err == nil {
		t.Fatal("a 17-year-old was admitted")
	}
	msg := partyworks.ErrorMessage(err)
	for _, want := range []string{"17 years 11 months", "minimum is 18 years", "294-QĐ/TW"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// The same meeting before 1 July 2025 cites the regulation then in force.
	m = applicant("2007-03-15")
	in.Date = day("2025-03-01")
	if err := partyworks.CheckStep(m, in, facts); err == nil || !strings.Contains(partyworks.ErrorMessage(err), "232-QĐ/TW") {
		t.Errorf("before 1/7/2025: %v", err)
	}
	// On the 18th birthday the applicant is eligible.
	m = applicant("2007-08-01")
	in.Date = day("2025-08-01")
	if err := partyworks.CheckStep(m, in, facts); err != nil {
		t.Errorf("on the 18th birthday: %v", err)
	}
}

func TestIntroducersMustBeOfficial(t *testing.T) {
	m := applicant("1995-01-01")
	in := partyworks.StepInput{Step: partyworks.StepResolve, Date: day("2025-08-01"), Introducers: []string{"a", "b"}}
	facts := partyworks.StepFacts{Introducers: map[string]partyworks.MemberStatus{"a": partyworks.StatusOfficial, "b": partyworks.StatusProbationary}}
	if err := partyworks.CheckStep(m, in, facts); err == nil || !strings.Contains(partyworks.ErrorMessage(err), "not an official member") {
		t.Errorf("a probationary introducer: %v", err)
	}
	in.Introducers, in.YouthUnion = []string{"a"}, true
	if err := partyworks.CheckStep(m, in, facts); err != nil {
		t.Errorf("one member and the Youth Union: %v", err)
	}
	m.Education = "7/12"
	if err := partyworks.CheckStep(m, in, facts); err == nil || !strings.Contains(partyworks.ErrorMessage(err), "lower-secondary") {
		t.Errorf("grade 7: %v", err)
	}
}

func TestStateMachine(t *testing.T) {
	m := &partyworks.Member{Status: partyworks.StatusCandidate}
	path := []partyworks.StepName{partyworks.StepApply, partyworks.StepResolve, partyworks.StepAdmit, partyworks.StepCeremony, partyworks.StepRecognize,
		partyworks.StepTempOut, partyworks.StepTempReturn, partyworks.StepExempt, partyworks.StepUnexempt, partyworks.StepLeave, partyworks.StepReadmit}
	want := []partyworks.MemberStatus{partyworks.StatusApplied, partyworks.StatusResolved, partyworks.StatusAdmitted, partyworks.StatusProbationary,
		partyworks.StatusOfficial, partyworks.StatusTempOut, partyworks.StatusOfficial, partyworks.StatusExempted, partyworks.StatusOfficial,
		partyworks.StatusLeft, partyworks.StatusApplied}
	for i, st := range path {
		next, err := partyworks.Next(m, st)
		if err != nil {
			t.Fatalf("%s from %s: %v", st, m.Status, err)
		}
		if next != want[i] {
			t.Fatalf("%s from %s: %s, want %s", st, m.Status, next, want[i])
		}
		if st == partyworks.StepTempOut {
			m.Resume = m.Status
		}
		m.Status = next
	}
	m.Status = partyworks.StatusProbationary
	if _, err := partyworks.Next(m, partyworks.StepExpel); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
		t.Errorf("a probationary member expelled: %v", err)
	}
	m.Status = partyworks.StatusExpelled
	if _, err := partyworks.Next(m, partyworks.StepReadmit); err == nil {
		t.Error("an expelled member re-admitted")
	}
}

func TestReadmissionOnceAfter36Months(t *testing.T) {
	m := &partyworks.Member{BirthDate: day("1970-01-01"), Status: partyworks.StatusLeft}
	in := partyworks.StepInput{Step: partyworks.StepReadmit, Date: day("2024-12-31")}
	err := partyworks.CheckStep(m, in, partyworks.StepFacts{LeftOn: day("2022-01-01")})
	if err == nil || !strings.Contains(partyworks.ErrorMessage(err), "36 months") {
		t.Errorf("35 months after leaving: %v", err)
	}
	in.Date = day("2025-01-01")
	if err := partyworks.CheckStep(m, in, partyworks.StepFacts{LeftOn: day("2022-01-01")}); err != nil {
		t.Errorf("36 months after leaving: %v", err)
	}
	m.Readmitted = true
	if err := partyworks.CheckStep(m, in, partyworks.StepFacts{LeftOn: day("2022-01-01")}); err == nil {
		t.Error("re-admitted twice")
	}
}

func TestDerivedFacts(t *testing.T) {
	if got := partyworks.OfficialDate(day("2024-02-29")); !got.Equal(day("2025-03-01")) {
		t.Errorf("official date: %v", got)
	}
	adm := day("1990-06-01")
	at := day("2025-06-01")
	if n := partyworks.PartyAgeMonths(adm, nil, at); n != 35*12 {
		t.Errorf("party age: %d", n)
	}
	gaps := []partyworks.Gap{{day("2000-01-01"), day("2003-01-01")}}
	if n := partyworks.PartyAgeMonths(adm, gaps, at); n < 31*12+11 || n > 32*12 {
		t.Errorf("party age minus 3 years: %d months", n)
	}
	y, due := partyworks.NextBadge(adm, nil, at)
	if y != 40 || !due.Equal(day("2030-06-01")) {
		t.Errorf("next badge: %d %v", y, due)
	}
	rec := partyworks.RuleAt(partyworks.RuleRecognizeDays, day("2025-08-01"))
	if rec.Source != "294-QĐ/TW" || rec.Value != 30 {
		t.Errorf("rule: %+v", rec)
	}
}

func TestRecognitionNotBeforeProbationEnds(t *testing.T) {
	m := &partyworks.Member{BirthDate: day("1990-01-01"), Status: partyworks.StatusProbationary, Ceremony: day("2024-09-01")}
	err := partyworks.CheckStep(m, partyworks.StepInput{Step: partyworks.StepRecognize, Date: day("2025-08-20")}, partyworks.StepFacts{})
	if err == nil || !strings.Contains(partyworks.ErrorMessage(err), "01/09/2025") {
		t.Errorf("early recognition: %v", err)
	}
}
