package web

import (
	"net/http"
	"strconv"
	"time"

	"partyworks"
)

// statusPage is the national administrator's view of the system: what
// runs, on which database, and whether the scheduled jobs ran.
type statusPage struct {
	Page
	*partyworks.SystemStatus
}

func (s *Server) htmlStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &statusPage{Page: s.page(r, "status.title"), SystemStatus: st}
	p.Nav = "status"
	s.render(w, r, http.StatusOK, "status.html", p)
}

// Bytes writes a size in the page's language; a negative size is unknown.
func (p *statusPage) Bytes(n int64) string {
	switch {
	case n < 0:
		return "—"
	case n >= 1<<30:
		return p.T("status.gib", strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64))
	case n >= 1<<20:
		return p.T("status.mib", strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64))
	}
	return p.T("status.kib", strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64))
}

// Uptime writes how long this node has run, to the minute.
func (p *statusPage) Uptime() string {
	d := time.Duration(p.UptimeSeconds) * time.Second
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	return p.T("status.uptime_dhm", days, hours, mins)
}

// Count writes a row count; an estimate is marked as one.
func (p *statusPage) Count(t partyworks.TableStat) string {
	if t.Estimated {
		return "≈ " + p.Num(int(t.Rows))
	}
	return p.Num(int(t.Rows))
}
