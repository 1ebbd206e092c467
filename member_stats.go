package partyworks

import "strconv"

// AgeBands turns the birth histogram (by year) into age bands on a day
// (the bands of the statistical reports: up to 30, 31–40, 41–50, 51–60,
// 61–70, over 70). Age is the age reached in the day's year, as the
// reports count it.
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
	for year, n := range hist {
		y, err := strconv.Atoi(year)
		if err != nil {
			continue
		}
		age := at.Year() - y
		i := 0
		for i < len(upper) && age > upper[i] {
			i++
		}
		out[names[i]] += n
	}
	return out
}

// AdmittedInYear counts the members admitted in the day's year (and
// counted by the day).
func AdmittedInYear(admitted map[string]int, at Date) int {
	return admitted[at.Format("2006")]
}
