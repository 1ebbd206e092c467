package web

import (
	"context"
	"fmt"
	"net/http"

	"partyworks"
)

// The whole country's members: the statistics of the tree's roots summed
// (MemberStats of unit 0), a row per province, and the member search over
// the whole tree. The routes target the root (wholeTree), so only a
// national grant reaches them; a provincial user is refused.

// provinceRow is one root unit on the day with its members counted.
type provinceRow struct {
	Unit  *partyworks.Unit
	Total int
	Width int // percent of the largest province, for the chart
}

// Base is the prefix of the statistics page's links: the unit's pages, or
// the country's ("").
func (p *memberStatsPage) Base() string { return unitBase(p.Unit) }

// Base is the prefix of the list page's links, as for the statistics.
func (p *membersPage) Base() string { return unitBase(p.Unit) }

func unitBase(u *partyworks.Unit) string {
	if u == nil {
		return ""
	}
	return fmt.Sprintf("/units/%d", u.ID)
}

// CountryStats reports whether the user may read the whole country's
// members (a national grant), to show the link in the navigation.
func (p *Page) CountryStats() bool {
	return p.User != nil && p.User.Can(partyworks.ActMemberRead, "")
}

// countryStats builds the country page: the country's figures on the day,
// each linking to the whole-country list, and each province's total
// linking to its own page.
func (s *Server) countryStats(r *http.Request) (*memberStatsPage, error) {
	ms, err := s.members()
	if err != nil {
		return nil, err
	}
	// The unit pages' target checks the day; this route has no unit, so
	// a malformed day is refused here rather than shown as today.
	if _, err := s.atDate(r); err != nil {
		return nil, err
	}
	p := &memberStatsPage{Page: s.page(r, "country.stats")}
	p.Nav = "country"
	st, err := ms.MemberStats(r.Context(), 0, p.At)
	if err != nil {
		return nil, err
	}
	p.Total = st.Total()
	p.Sections = statSections(st, "/members", p.At, func(k string) string { return p.T(k) })
	if p.Provinces, err = s.provinceTotals(r.Context(), ms, p.At); err != nil {
		return nil, err
	}
	return p, nil
}

// provinceTotals counts the members of every root unit on the day, in the
// tree's order: one statistics read each (34 since July 2025), each a
// range of the member_stats index.
func (s *Server) provinceTotals(ctx context.Context, ms partyworks.MemberService, at partyworks.Date) ([]provinceRow, error) {
	root := int64(0)
	roots, _, err := s.Units.FindUnits(ctx, partyworks.UnitFilter{At: at, ParentID: &root, Limit: 200})
	if err != nil {
		return nil, err
	}
	rows := make([]provinceRow, len(roots))
	top := 1
	for i, u := range roots {
		st, err := ms.MemberStats(ctx, u.ID, at)
		if err != nil {
			return nil, err
		}
		rows[i] = provinceRow{Unit: u, Total: st.Total()}
		top = max(top, rows[i].Total)
	}
	for i := range rows {
		rows[i].Width = rows[i].Total * 100 / top
	}
	return rows, nil
}

func (s *Server) htmlCountryStats(w http.ResponseWriter, r *http.Request) {
	p, err := s.countryStats(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "member_stats.html", p)
}

func (s *Server) htmlCountryStatsXLSX(w http.ResponseWriter, r *http.Request) {
	p, err := s.countryStats(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeStatsXLSX(w, r, p)
}

// apiCountryStats is the country's figures in the shape of a unit's
// (unit_id 0), with each province's total.
func (s *Server) apiCountryStats(w http.ResponseWriter, r *http.Request) {
	ms, err := s.members()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	at, err := s.atDate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := ms.MemberStats(r.Context(), 0, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.provinceTotals(r.Context(), ms, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	provinces := make([]map[string]any, len(rows))
	for i, pr := range rows {
		provinces[i] = map[string]any{"unit_id": pr.Unit.ID, "code": pr.Unit.Code, "name": pr.Unit.Name, "total": pr.Total}
	}
	out := memberStatsJSON(st, at)
	out["provinces"] = provinces
	writeJSON(w, http.StatusOK, out)
}

// memberStatsJSON is the API's form of a subtree's figures on a day.
func memberStatsJSON(st *partyworks.MemberStats, at partyworks.Date) map[string]any {
	return map[string]any{"unit_id": st.UnitID, "at": partyworks.FormatDate(at), "total": st.Total(),
		"counts": st.Counts, "age_bands": partyworks.AgeBands(st.Counts["birth"], at),
		"party_age_bands": partyworks.PartyAgeBands(st.Counts["admitted"], at), "admitted_this_year": partyworks.AdmittedInYear(st.Counts["admitted"], at)}
}
