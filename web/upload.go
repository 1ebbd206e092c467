package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"partyworks"
	"partyworks/sheet"
)

// upload is a spreadsheet sent with a request.
type upload struct {
	Name string
	Data []byte
}

// readUpload takes the spreadsheet of a request: the multipart field
// "file" (forms), the base64 field "plan" (a preview page sending its plan
// back), or the raw body (API: text/csv or the XLSX type). The size is
// capped; the content is checked by sheet.Read, not by the name.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, tooBig(err, s.cfg.MaxUpload)
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			return nil, partyworks.FieldErrorf("file", "choose a CSV or XLSX file")
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxUpload+1))
		if err != nil {
			return nil, tooBig(err, s.cfg.MaxUpload)
		}
		if int64(len(data)) > s.cfg.MaxUpload {
			return nil, tooBig(nil, s.cfg.MaxUpload)
		}
		return &upload{Name: h.Filename, Data: data}, nil
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, tooBig(err, s.cfg.MaxUpload)
		}
		data, err := base64.StdEncoding.DecodeString(r.PostFormValue("plan"))
		if err != nil || len(data) == 0 {
			return nil, partyworks.FieldErrorf("file", "choose a CSV or XLSX file")
		}
		return &upload{Name: r.PostFormValue("name"), Data: data}, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxUpload+1))
	if err != nil {
		return nil, tooBig(err, s.cfg.MaxUpload)
	}
	if int64(len(data)) > s.cfg.MaxUpload {
		return nil, tooBig(nil, s.cfg.MaxUpload)
	}
	if len(data) == 0 {
		return nil, partyworks.FieldErrorf("file", "send the CSV or XLSX file as the request body")
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "upload"
	}
	return &upload{Name: name, Data: data}, nil
}

func tooBig(err error, max int64) error {
	var mbe *http.MaxBytesError
	if err == nil || errors.As(err, &mbe) {
		return partyworks.FieldErrorf("file", "the file is larger than %d MiB", max>>20)
	}
	return partyworks.FieldErrorf("file", "the upload could not be read: %v", err)
}

// table reads the upload as a spreadsheet.
func (u *upload) table() (*partyworks.Table, error) {
	t, err := sheet.Read(bytes.NewReader(u.Data), u.Name)
	if err != nil {
		return nil, fileError(err)
	}
	return t, nil
}

// fileError is a file that could not be read as a spreadsheet, said of
// the form's file field.
func fileError(err error) error {
	return &partyworks.Error{Code: partyworks.EINVALID, Field: "file", Message: partyworks.ErrorMessage(err)}
}

// stream reads the upload as a spreadsheet whose rows may still be read
// while the first ones are used (sheet.Stream).
func (u *upload) stream() (*partyworks.TableStream, error) {
	st, err := sheet.Stream(bytes.NewReader(u.Data), u.Name)
	if err != nil {
		return nil, fileError(err)
	}
	return st, nil
}

// base64 is the upload for a hidden field.
func (u *upload) base64() string { return base64.StdEncoding.EncodeToString(u.Data) }

// param reads a form value or, for the API, a query parameter.
func param(r *http.Request, key string) string {
	if v := r.FormValue(key); v != "" {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(r.URL.Query().Get(key))
}
