package sqldb_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestDirectiveFiles attaches files to a directive under the evidence
// rules and reads them back only through their own directive.
func TestDirectiveFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2025-03-01")
		_, tasks, ids := taskTree(t, db)
		d1 := &partyworks.Directive{OwnerID: ids["P"], Symbol: "35-CT/TW", Title: "Đại hội", Issued: day("2024-06-14")}
		d2 := &partyworks.Directive{OwnerID: ids["D1"], Symbol: "18-NQ/TW", Title: "Tinh gọn", Issued: day("2017-10-25")}
		for _, d := range []*partyworks.Directive{d1, d2} {
			if err := tasks.CreateDirective(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
		if _, err := tasks.AttachDirectiveFiles(ctx, d1.ID, []partyworks.EvidenceFile{{Name: "chỉ thị.pdf", Data: []byte("not a pdf at all")}}); partyworks.ErrorField(err) != "files" {
			t.Fatalf("content not matching the extension: %v", err)
		}
		if _, err := tasks.AttachDirectiveFiles(ctx, d1.ID, []partyworks.EvidenceFile{{Name: "run.exe", Data: []byte("MZ")}}); partyworks.ErrorField(err) != "files" {
			t.Fatalf("type not accepted: %v", err)
		}
		if _, err := tasks.AttachDirectiveFiles(ctx, 999999, []partyworks.EvidenceFile{{Name: "a.pdf", Data: pdf}}); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Fatalf("no such directive: %v", err)
		}
		metas, err := tasks.AttachDirectiveFiles(ctx, d1.ID, []partyworks.EvidenceFile{{Name: `C:\x\chỉ thị 35.pdf`, Data: pdf}})
		if err != nil || len(metas) != 1 || metas[0].Name != "chỉ thị 35.pdf" || metas[0].Type != "application/pdf" {
			t.Fatalf("attach: %+v %v", metas, err)
		}
		entries, _ := os.ReadDir(tasks.Files)
		if len(entries) != 1 || entries[0].Name() == "chỉ thị 35.pdf" || len(entries[0].Name()) != 32 {
			t.Fatalf("stored under a generated name: %v", entries)
		}
		m, data, err := tasks.DirectiveFile(ctx, d1.ID, metas[0].ID)
		if err != nil || !bytes.Equal(data, pdf) || m.Name != "chỉ thị 35.pdf" {
			t.Fatalf("read back: %+v %v", m, err)
		}
		if _, _, err := tasks.DirectiveFile(ctx, d2.ID, metas[0].ID); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Fatalf("through another directive: %v", err)
		}
		got, err := tasks.FindDirectiveByID(ctx, d1.ID)
		if err != nil || len(got.Files) != 1 || got.Files[0].ID != metas[0].ID {
			t.Fatalf("directive's files: %+v %v", got, err)
		}
		// Tampering on disk is detected.
		os.WriteFile(tasks.Files+"/"+entries[0].Name(), []byte("%PDF-1.4 changed"), 0o600)
		if _, _, err := tasks.DirectiveFile(ctx, d1.ID, metas[0].ID); err == nil {
			t.Fatal("a changed file was served")
		}
	})
}
