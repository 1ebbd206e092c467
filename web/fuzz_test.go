package web_test

import (
	"fmt"
	"net/url"
	"testing"

	"partyworks"
	"partyworks/sqldb/sqldbtest"
)

// FuzzAPI sends arbitrary query strings to the unit lists and arbitrary
// bodies to the event and user endpoints: whatever comes in, the answer is
// a 2xx or a 4xx with a problem document, never a 5xx.
func FuzzAPI(f *testing.F) {
	f.Add("q=ha+khanh&at=2025-07-01", `{"type":"rename","effective":"2025-08-01","decision":"1-QĐ/TU","name":"X"}`)
	f.Add("parent=1&after=%00&limit=-1", `{"type":"merge","effective":"01/07/2025","decision":"60-NQ/TW","sources":[1,2,3]}`)
	f.Add("code=22&kind=province&at=31/02/2025", `{"type":"split","targets":[1],"assign":{"x":1}}`)
	f.Add("under=999999999999", `[]`)
	h := newHarness(f, sqldbtest.SQLite(f))
	h.user("admin", partyworks.RoleAdmin, "")
	f.Fuzz(func(t *testing.T, query, body string) {
		h.t = t
		if _, err := url.ParseQuery(query); err != nil {
			return
		}
		if _, err := url.Parse("/api/v1/units?" + query); err != nil {
			return // not a request a client could send (control characters)
		}
		for _, path := range []string{"/api/v1/units?" + query, fmt.Sprintf("/api/v1/units/%d/children?%s", h.ids["22"], query)} {
			res, b := h.api("GET", path, "admin", "", "")
			if res.StatusCode >= 500 {
				t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
			}
		}
		for _, path := range []string{fmt.Sprintf("/api/v1/units/%d/events", h.ids["CB1"]), "/api/v1/users"} {
			res, b := h.api("POST", path, "admin", body, "application/json")
			if res.StatusCode >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, res.StatusCode, b)
			}
		}
	})
}
