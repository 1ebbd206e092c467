package partyworks

import "fmt"

// AgeBands turns the birth histogram into age bands on a day (the bands
// of the statistical reports: up to 30, 31–40, 41–50, 51–60, 61–70, over
// 70). Age is counted by year-month, so a member born in the day's month
// counts as having had the birthday.
func AgeBands(birth map[string]int, at Date) map[string]int {
	return bands(birth, at, []int{30, 40, 50, 60, 70}, []string{"≤30", "31–40", "41–50", "51–60", "61–70", ">70"})
}

// PartyAgeBands turns the admission histogram into party-age bands (under
// 10 years, 10–19, 20–29, 30–39, 40 and more) on a day. Gaps are not
// subtracted here: see PartyAgeMonths for one member.
func PartyAgeBands(admitted map[string]int, at Date) map[string]int {
	return bands(admitted, at, []int{9, 19, 29, 39}, []string{"<10", "10–19", "20–29", "30–39", "≥40"})
}

func bands(hist map[string]int, at Date, upper []int, names []string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		out[n] = 0
	}
	for ym, n := range hist {
		var y, mo int
		if _, err := fmt.Sscanf(ym, "%d-%d", &y, &mo); err != nil {
			continue
		}
		age := at.Year() - y
		if int(at.Month()) < mo {
			age--
		}
		i := 0
		for i < len(upper) && age > upper[i] {
			i++
		}
		out[names[i]] += n
	}
	return out
}

// AdmittedInYear counts the members admitted in the day's year up to its month.
func AdmittedInYear(admitted map[string]int, at Date) int {
	n := 0
	lo, hi := fmt.Sprintf("%04d-01", at.Year()), at.Format("2006-01")
	for ym, c := range admitted {
		if ym >= lo && ym <= hi {
			n += c
		}
	}
	return n
}
