package partyworks

import (
	"strconv"
	"strings"
)

// Congress is a congress held by an issuer (its committee). Congresses cut
// the issuer's numbering into terms: each type is numbered from 1 in the
// term that starts the day after a congress closes, and during a congress
// one counter serves all of that congress's documents [36-HD/VPTW].
type Congress struct {
	ID     int64  `json:"id"`
	UnitID int64  `json:"unit_id"`
	Label  string `json:"label"` // "Đại hội XVI (2025–2030)"
	Opens  Date   `json:"-"`
	Closes Date   `json:"-"`
}

// CongressSeries is the series name of the counter a congress shares.
const CongressSeries = "congress"

// NumberSeries says which counter numbers an outgoing document of an
// issuer: Period names the term (or congress), Series the type (or the
// congress's shared counter). Congresses may come in any order.
//   - during a congress (Opens ≤ day ≤ Closes): ("c<id>", "congress");
//   - after a congress closed, until the next one opens: ("c<id>", type);
//   - before the first congress recorded: ("", type).
func NumberSeries(congresses []Congress, day Date, typ string) (period, series string) {
	var last *Congress
	for i := range congresses {
		c := &congresses[i]
		if !day.Before(c.Opens) && !day.After(c.Closes) {
			return "c" + strconv.FormatInt(c.ID, 10), CongressSeries
		}
		if c.Closes.Before(day) && (last == nil || c.Closes.After(last.Closes)) {
			last = c
		}
	}
	if last == nil {
		return "", typ
	}
	return "c" + strconv.FormatInt(last.ID, 10), typ
}

// Validate checks a congress's label and dates.
func (c *Congress) Validate() error {
	switch {
	case strings.TrimSpace(c.Label) == "":
		return FieldErrorf("label", "name the congress")
	case c.Opens.IsZero() || c.Closes.IsZero():
		return FieldErrorf("opens", "give the days the congress opened and closed")
	case c.Closes.Before(c.Opens):
		return FieldErrorf("closes", "a congress cannot close before it opens")
	}
	return nil
}

// ValidIssuer checks an issuer's abbreviation the way ParseSymbol reads
// it ("TU", "BTCTU", "ĐU").
func ValidIssuer(abbr string) error {
	if abbr == "" || len(abbr) > 32 {
		return FieldErrorf("issuer", "give the issuer's abbreviation as it is written in symbols, e.g. TU or BTCTU")
	}
	if _, err := ParseSymbol("1-CV/" + abbr); err != nil {
		return FieldErrorf("issuer", "%q cannot stand in a symbol: letters, digits and hyphens only", abbr)
	}
	return nil
}
