package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"partyworks"
)

// Files of a directive (issue 4, item 1): attached by the registering unit
// under the rules of task evidence, served only as attachments through the
// directive's own URL as seen from a unit on its branch.

// directiveFilesFrom reads the multipart field "files" of a request.
func directiveFilesFrom(w http.ResponseWriter, r *http.Request) ([]partyworks.EvidenceFile, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 10*(20<<20)+(1<<20))
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return nil, partyworks.FieldErrorf("files", "send the files as multipart/form-data (field \"files\")")
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, partyworks.FieldErrorf("files", "the upload could not be read: %v", tooBig(err, 200<<20))
	}
	var out []partyworks.EvidenceFile
	for _, fh := range r.MultipartForm.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return nil, partyworks.FieldErrorf("files", "the upload could not be read")
		}
		data, err := io.ReadAll(io.LimitReader(f, 20<<20+1))
		f.Close()
		if err != nil {
			return nil, partyworks.FieldErrorf("files", "the upload could not be read")
		}
		out = append(out, partyworks.EvidenceFile{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// attachDirectiveFiles attaches files to the directive {did}; only through
// the URL of the unit that registered it (the guard checked task.assign on
// that unit).
func (s *Server) attachDirectiveFiles(w http.ResponseWriter, r *http.Request) (*partyworks.Unit, *partyworks.Directive, []partyworks.EvidenceMeta, error) {
	u, d, err := s.directiveAt(r)
	if err != nil {
		return nil, nil, nil, err
	}
	if d.OwnerID != u.ID {
		return nil, nil, nil, partyworks.Errorf(partyworks.EFORBIDDEN, "only %s, which registered the directive, attaches its files", d.OwnerName)
	}
	files, err := directiveFilesFrom(w, r)
	if err != nil {
		return nil, nil, nil, err
	}
	metas, err := s.Tasks.AttachDirectiveFiles(r.Context(), d.ID, files)
	return u, d, metas, err
}

func (s *Server) htmlDirectiveAttach(w http.ResponseWriter, r *http.Request) {
	u, d, _, err := s.attachDirectiveFiles(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/units/"+itoa(u.ID)+"/directives/"+itoa(d.ID), http.StatusSeeOther)
}

func (s *Server) apiDirectiveAttach(w http.ResponseWriter, r *http.Request) {
	_, _, metas, err := s.attachDirectiveFiles(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"files": metas})
}

// directiveFile serves a directive's file as an attachment.
func (s *Server) directiveFile(w http.ResponseWriter, r *http.Request) {
	_, d, err := s.directiveAt(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fid, err := pathInt(r, "dfid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, data, err := s.Tasks.DirectiveFile(r.Context(), d.ID, fid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", m.Type)
	w.Header().Set("Content-Disposition", "attachment; filename=\"directive-"+itoa(m.ID)+"\"; filename*=UTF-8''"+url.PathEscape(m.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Write(data)
}
