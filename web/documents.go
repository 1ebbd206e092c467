package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"partyworks"
)

// The documents' routes share these: the reader a request acts for, the
// target of a document route, and the answer for a file.

// viewer is who reads documents in a request: the subtrees where the
// user's grants allow reading documents. The store adds the clearance.
func viewer(r *http.Request) partyworks.Viewer {
	u := userFrom(r)
	v := partyworks.Viewer{UserID: u.ID}
	for _, g := range u.Grants {
		if !partyworks.Allows(g.Role, partyworks.ActDocRead, partyworks.ScopeOwn) {
			continue
		}
		if g.UnitID == 0 {
			v.All = true
		} else if g.UnitPath != "" {
			v.Paths = append(v.Paths, g.UnitPath)
		}
	}
	return v
}

// pathDocument targets the unit whose register holds the document named
// in the path ({doc}). A classified document the user may not know of is
// "not found" here, before any check of rights, so that its existence
// does not show through a "forbidden".
func pathDocument(s *Server, r *http.Request) (target, bool, error) {
	id, err := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	if err != nil || s.Documents == nil {
		return target{}, false, partyworks.Errorf(partyworks.ENOTFOUND, "no such document")
	}
	path, err := s.Documents.DocumentUnit(r.Context(), viewer(r), id)
	if err != nil {
		return target{}, false, err
	}
	return target{Any: []string{path}}, true, nil
}

// needDocs answers 404 when the server runs without the documents store.
func (s *Server) needDocs(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Documents == nil {
			s.fail(w, r, partyworks.Errorf(partyworks.ENOTFOUND, "documents are not enabled on this server"))
			return
		}
		h(w, r)
	}
}

func docParam(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n
}

// serveFile sends a document's file as an attachment, never inline: the
// name is encoded per RFC 6266/5987, the browser may not sniff, and the
// answer may not be cached or framed.
func serveFile(w http.ResponseWriter, f *partyworks.DocumentFile, data []byte) {
	h := w.Header()
	ascii := strings.Map(func(r rune) rune {
		if r < 32 || r > 126 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, f.Name)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})
	if cd == "" || !strings.Contains(cd, "filename*") {
		cd = mime.FormatMediaType("attachment", map[string]string{"filename": ascii})
	} else {
		cd = `attachment; filename="` + ascii + `"; ` + strings.TrimPrefix(cd, "attachment; ")
	}
	h.Set("Content-Disposition", cd)
	h.Set("Content-Type", f.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// documentFromForm reads a registration from a form or a JSON body's
// fields (the same names).
type documentInput struct {
	Direction  string `json:"direction"`
	Type       string `json:"type"`   // outgoing: the type to number
	Symbol     string `json:"symbol"` // incoming: the symbol as received
	Issuer     string `json:"issuer"`
	Issued     string `json:"issued"`
	Received   string `json:"received"`
	Summary    string `json:"summary"`
	Signer     string `json:"signer"`
	Recipients string `json:"recipients"`
	Secrecy    int    `json:"secrecy"`
	Urgency    int    `json:"urgency"`
}

func (in documentInput) document(unitID int64) (*partyworks.Document, error) {
	d := &partyworks.Document{UnitID: unitID, Direction: partyworks.Direction(in.Direction), Issuer: in.Issuer, Summary: in.Summary,
		Signer: in.Signer, Recipients: in.Recipients, Secrecy: partyworks.Secrecy(in.Secrecy), Urgency: partyworks.Urgency(in.Urgency)}
	var err error
	if d.Issued, err = optionalDate("issued", in.Issued); err != nil {
		return nil, err
	}
	if d.Received, err = optionalDate("received", in.Received); err != nil {
		return nil, err
	}
	switch d.Direction {
	case partyworks.Outgoing:
		d.Symbol.Type = strings.TrimSpace(in.Type)
	case partyworks.Incoming:
		if d.Symbol, err = partyworks.ParseSymbol(in.Symbol); err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "symbol", Message: partyworks.ErrorMessage(err)}
		}
	}
	return d, nil
}
