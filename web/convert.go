package web

import (
	"strconv"

	"partyworks"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// formID reads an id from a form or query value; 0 when absent or bad.
func formID(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// optionalDate parses a day if one is given.
func optionalDate(field, s string) (partyworks.Date, error) {
	if s == "" {
		return partyworks.Date{}, nil
	}
	d, err := partyworks.ParseDate(s)
	if err != nil {
		return d, &partyworks.Error{Code: partyworks.EINVALID, Field: field, Message: partyworks.ErrorMessage(err)}
	}
	return d, nil
}
