package partyworks

import (
	"sort"
	"time"
)

// Calendar counts working days: Monday to Friday, except public holidays.
// The defaults are Vietnam's public holidays (Labour Code 2019, art. 112):
// 1 January; Tết Nguyên Đán (the last day of the lunar year and the first
// four of the new one); Hùng Kings' day (10th of the 3rd lunar month);
// 30 April; 1 May; 2 September and the day before or after it (1 Sep
// here). Lunar dates come from a fixed table for 2020–2030. Days off moved
// by government decision (compensation, swaps) are configured with Add.
type Calendar struct {
	holidays map[Date]string
}

// tetDates: the first day of the lunar year (mùng 1 Tết), 2020–2030.
var tetDates = []string{"2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10",
	"2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03"}

// hungKings: the 10th day of the 3rd lunar month, 2020–2030.
var hungKings = []string{"2020-04-02", "2021-04-21", "2022-04-10", "2023-04-29", "2024-04-18",
	"2025-04-07", "2026-04-26", "2027-04-16", "2028-04-04", "2029-04-23", "2030-04-12"}

// VietnamCalendar returns the default calendar for 2020–2030.
func VietnamCalendar() *Calendar {
	c := &Calendar{holidays: map[Date]string{}}
	for y := 2020; y <= 2030; y++ {
		c.Add(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), "Tết Dương lịch")
		c.Add(time.Date(y, 4, 30, 0, 0, 0, 0, time.UTC), "Ngày Giải phóng miền Nam")
		c.Add(time.Date(y, 5, 1, 0, 0, 0, 0, time.UTC), "Ngày Quốc tế Lao động")
		c.Add(time.Date(y, 9, 1, 0, 0, 0, 0, time.UTC), "Quốc khánh")
		c.Add(time.Date(y, 9, 2, 0, 0, 0, 0, time.UTC), "Quốc khánh")
	}
	for _, s := range tetDates {
		d := mustDate(s)
		for i := -1; i <= 3; i++ {
			c.Add(d.AddDate(0, 0, i), "Tết Nguyên Đán")
		}
	}
	for _, s := range hungKings {
		c.Add(mustDate(s), "Giỗ Tổ Hùng Vương")
	}
	return c
}

// Add makes a day a holiday.
func (c *Calendar) Add(d Date, name string) { c.holidays[Day(d)] = name }

// Remove makes a day an ordinary day again (a swapped holiday).
func (c *Calendar) Remove(d Date) { delete(c.holidays, Day(d)) }

// Holiday names the holiday on d, or "".
func (c *Calendar) Holiday(d Date) string { return c.holidays[Day(d)] }

// Holidays lists the holidays of a year in order.
func (c *Calendar) Holidays(year int) []Date {
	var out []Date
	for d := range c.holidays {
		if d.Year() == year {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Working reports whether d is a working day.
func (c *Calendar) Working(d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, off := c.holidays[Day(d)]
	return !off
}

// AddWorkingDays returns the day n working days after d (d itself not
// counted): the deadline of "within n working days of d".
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.Working(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after a up to and including b.
func (c *Calendar) WorkingDaysBetween(a, b Date) int {
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.Working(d) {
			n++
		}
	}
	return n
}
