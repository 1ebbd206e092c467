package web

import (
	"bytes"
	"net/http"
	"strconv"

	"partyworks"
	"partyworks/sheet"
)

// maxExportLines caps one export; a larger register is exported by year.
const maxExportLines = 100_000

// htmlDocumentsExport sends a register (outgoing or incoming, optionally
// filtered by ?q= and ?year=) as CSV or XLSX (?format=xlsx). The lines are
// read through FindDocuments page by page, so the export holds exactly what
// the register page shows the user: their scope, their clearance, and a
// classified line's read audited like any listing.
func (s *Server) htmlDocumentsExport(w http.ResponseWriter, r *http.Request) {
	u, err := s.Units.FindUnitByID(r.Context(), pathID(r), partyworks.Date{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	dir := partyworks.Direction(q.Get("dir"))
	if !dir.Valid() {
		dir = partyworks.Outgoing
	}
	f := partyworks.DocumentFilter{UnitID: u.ID, Direction: dir, Query: q.Get("q"), Limit: 200}
	if y := q.Get("year"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil || f.Year < 1930 || f.Year > 9999 {
			s.fail(w, r, partyworks.FieldErrorf("year", "not a year"))
			return
		}
	}
	p := s.page(r, "doc.register")
	header := []string{p.T("doc.reg_no"), p.T("doc.symbol"), p.T("doc.issued"), p.T("doc.issuer"), p.T("doc.summary"),
		p.T("doc.signer"), p.T("doc.recipients"), p.T("doc.secrecy"), p.T("doc.urgency"), p.T("doc.export_status")}
	if dir == partyworks.Incoming {
		header = append(header[:3:3], append([]string{p.T("doc.received")}, header[3:]...)...)
	}
	var rows [][]string
	for len(rows) < maxExportLines {
		docs, _, err := s.Documents.FindDocuments(r.Context(), viewer(r), f)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, d := range docs {
			urgency := p.UrgencyName(d.Urgency)
			secrecy := ""
			if d.Secrecy.Classified() {
				secrecy = p.SecrecyName(d.Secrecy)
			}
			row := []string{strconv.Itoa(d.RegNo), d.Symbol.String(), partyworks.FormatDateVN(d.Issued), d.Issuer, d.Summary,
				d.Signer, d.Recipients, secrecy, urgency, p.T("doc.status." + string(d.Status))}
			if dir == partyworks.Incoming {
				row = append(row[:3:3], append([]string{partyworks.FormatDateVN(d.Received)}, row[3:]...)...)
			}
			rows = append(rows, row)
		}
		if len(docs) < f.Limit {
			break
		}
		last := docs[len(docs)-1]
		f.BeforeIssued, f.BeforeID = partyworks.FormatDate(last.Issued), last.ID
	}
	name := u.Code + "-" + map[partyworks.Direction]string{partyworks.Outgoing: "van-ban-di", partyworks.Incoming: "van-ban-den"}[dir]
	var buf bytes.Buffer
	format, ct := "csv", "text/csv; charset=utf-8"
	if q.Get("format") == "xlsx" {
		format, ct = "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = sheet.WriteXLSX(&buf, p.T("doc.register"), header, rows)
	} else {
		err = sheet.WriteCSV(&buf, header, rows)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}
