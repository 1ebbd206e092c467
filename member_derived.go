package partyworks

import "time"

// The derived facts of a record: one function each, never stored.

// ProbationEnd is the day a probationary member becomes eligible for
// recognition: the ceremony plus the probation (12 months).
func ProbationEnd(ceremony Date) Date {
	if ceremony.IsZero() {
		return Date{}
	}
	return ceremony.AddDate(0, RuleAt(RuleProbation, ceremony).Value, 0)
}

// OfficialDate is the day a recognized member counts as official: the
// ceremony plus 12 months, even when the cell meets late.
func OfficialDate(ceremony Date) Date { return ProbationEnd(ceremony) }

// Gap is a period that does not count towards party age (removed,
// expelled, left, out of contact, between transfers): [From, To).
type Gap struct{ From, To Date }

// PartyAgeMonths is the party age on day at, in whole months: from the
// (first) admission decision, minus the gaps.
func PartyAgeMonths(admitted Date, gaps []Gap, at Date) int {
	if admitted.IsZero() || at.Before(admitted) {
		return 0
	}
	days := 0
	for _, g := range gaps {
		from, to := g.From, g.To
		if to.IsZero() || to.After(at) {
			to = at
		}
		if from.Before(admitted) {
			from = admitted
		}
		if to.After(from) {
			days += int(to.Sub(from) / (24 * time.Hour))
		}
	}
	return ageMonths(admitted.AddDate(0, 0, days), at)
}

// BadgeMilestones are the party-age years at which the party badge is
// given (30, 40, 45, 50, 55, … 90).
var BadgeMilestones = []int{30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90}

// NextBadge returns the next badge milestone (in years) after a party age
// in months, and the day it falls due assuming no further gaps; 0 when
// past the last.
func NextBadge(admitted Date, gaps []Gap, at Date) (years int, due Date) {
	age := PartyAgeMonths(admitted, gaps, at)
	for _, y := range BadgeMilestones {
		if y*12 > age {
			return y, at.AddDate(0, y*12-age, 0)
		}
	}
	return 0, Date{}
}

// Deadline is a due step of a member's lifecycle.
type Deadline struct {
	Step StepName
	Due  Date
	Rule Rule
}

// NextDeadline is what the member's unit must do next and by when, from
// the member's state; ok is false when nothing is due.
func NextDeadline(m *Member, cal *Calendar) (Deadline, bool) {
	switch m.Status {
	case StatusResolved:
		r := RuleAt(RuleAdmitDays, m.Resolved)
		return Deadline{StepAdmit, cal.AddWorkingDays(m.Resolved, r.Value), r}, !m.Resolved.IsZero()
	case StatusAdmitted:
		r := RuleAt(RuleCeremonyDays, m.Admitted)
		return Deadline{StepCeremony, cal.AddWorkingDays(m.Admitted, r.Value), r}, !m.Admitted.IsZero()
	case StatusProbationary:
		end := ProbationEnd(m.Ceremony)
		r := RuleAt(RuleRecognizeDays, end)
		return Deadline{StepRecognize, cal.AddWorkingDays(end, r.Value), r}, !m.Ceremony.IsZero()
	case StatusTransferring:
		r := RuleAt(RuleTransferDays, m.Since)
		return Deadline{StepTransferIn, cal.AddWorkingDays(m.Since, r.Value), r}, true
	}
	return Deadline{}, false
}
