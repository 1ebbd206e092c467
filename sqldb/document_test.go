package sqldb_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/vault"
)

// docFixture is a small tree with documents' services, a key file and
// three readers: a national one with the highest clearance, one on Hạ
// Long without clearance and one on Hạ Long cleared for "Mật".
type docFixture struct {
	db      *sqldb.DB
	units   *sqldb.UnitService
	users   *sqldb.UserService
	audit   *sqldb.AuditService
	docs    *sqldb.DocumentService
	vault   *vault.Vault
	ids     map[string]int64
	viewers map[string]partyworks.Viewer
}

func newDocFixture(t testing.TB, db *sqldb.DB) *docFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := vault.CreateKeyFile(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(filepath.Join(dir, "files"), keys)
	if err != nil {
		t.Fatal(err)
	}
	f := &docFixture{db: db, units: sqldb.NewUnitService(db), users: sqldb.NewUserService(db), audit: sqldb.NewAuditService(db),
		vault: v, ids: map[string]int64{}, viewers: map[string]partyworks.Viewer{}}
	f.docs = sqldb.NewDocumentService(db, v)
	mustImport(t, f.units, "2020-01-01",
		[4]string{"22", "Tỉnh ủy Quảng Ninh", "province", ""},
		[4]string{"22.VP", "Văn phòng Tỉnh ủy", "department", "22"},
		[4]string{"193", "Thành ủy Hạ Long", "provincial_city", "22"},
		[4]string{"06661", "Đảng ủy phường Hà Khánh", "ward", "193"},
		[4]string{"207", "Huyện ủy Cô Tô", "district", "22"},
	)
	for _, c := range []string{"22", "22.VP", "193", "06661", "207"} {
		f.ids[c] = mustCode(t, f.units, c, "2024-01-01").ID
	}
	for _, u := range []struct {
		name, unit string
		clearance  partyworks.Secrecy
	}{{"national", "", partyworks.TopSecret}, {"halong", "193", 0}, {"halong.mat", "193", partyworks.Confidential}, {"coto.tuyetmat", "207", partyworks.TopSecret}} {
		usr := &partyworks.User{Username: u.name}
		if err := f.users.CreateUser(ctx, usr, "a long test password"); err != nil {
			t.Fatal(err)
		}
		if err := f.users.AddGrant(ctx, &partyworks.Grant{UserID: usr.ID, Role: partyworks.RoleStaff, UnitID: f.ids[u.unit]}); err != nil {
			t.Fatal(err)
		}
		if u.clearance > 0 {
			if err := f.docs.SetClearance(ctx, usr.ID, u.clearance); err != nil {
				t.Fatal(err)
			}
		}
		vw := partyworks.Viewer{UserID: usr.ID}
		if u.unit == "" {
			vw.All = true
		} else {
			vw.Paths = []string{mustCode(t, f.units, u.unit, "2024-01-01").Path}
		}
		f.viewers[u.name] = vw
	}
	for code, abbr := range map[string]string{"22": "TU", "193": "TU", "06661": "ĐU", "207": "HU"} {
		if err := f.docs.SetIssuer(ctx, f.ids[code], abbr); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *docFixture) out(t testing.TB, unit, typ, issued, summary string, secrecy partyworks.Secrecy) *partyworks.Document {
	t.Helper()
	d := &partyworks.Document{UnitID: f.ids[unit], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: typ},
		Issued: day(issued), Summary: summary, Secrecy: secrecy}
	if err := f.docs.RegisterDocument(context.Background(), partyworks.Viewer{System: true}, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// in registers an incoming document of the province's (its symbol's number
// given) in unit's register, received the day after issued.
func (f *docFixture) in(t testing.TB, unit string, number int, issued, summary string) (*partyworks.Document, error) {
	t.Helper()
	d := &partyworks.Document{UnitID: f.ids[unit], Direction: partyworks.Incoming, Symbol: partyworks.Symbol{Number: number, Type: "CV", Issuer: "TU"},
		Issuer: "Tỉnh ủy", Issued: day(issued), Received: day(issued).AddDate(0, 0, 1), Summary: summary}
	return d, f.docs.RegisterDocument(context.Background(), partyworks.Viewer{System: true}, d)
}

func TestDocumentNumbering(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		sys := partyworks.Viewer{System: true}
		// Before any congress: one counter per type.
		for i, want := range []string{"1-KH/TU", "2-KH/TU", "1-NQ/TU", "3-KH/TU"} {
			typ := map[int]string{0: "KH", 1: "KH", 2: "NQ", 3: "KH"}[i]
			d := f.out(t, "22", typ, "2024-03-01", "Kế hoạch "+want, 0)
			if d.Symbol.String() != want {
				t.Errorf("document %d: %s, want %s", i, d.Symbol, want)
			}
		}
		// A congress: its documents share one counter; after it, each type starts again.
		if err := f.docs.AddCongress(ctx, partyworks.Congress{UnitID: f.ids["22"], Label: "Đại hội XVI", Opens: day("2025-09-25"), Closes: day("2025-09-27")}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ typ, issued, want string }{
			{"BC", "2025-09-25", "1-BC/TU"}, {"NQ", "2025-09-27", "2-NQ/TU"}, {"BB", "2025-09-26", "3-BB/TU"},
			{"NQ", "2025-09-28", "1-NQ/TU"}, {"KH", "2025-10-01", "1-KH/TU"}, {"NQ", "2025-11-01", "2-NQ/TU"},
			{"KH", "2025-09-01", "4-KH/TU"}, // still the old term
		} {
			if d := f.out(t, "22", c.typ, c.issued, "Văn bản", 0); d.Symbol.String() != c.want {
				t.Errorf("%s on %s: %s, want %s", c.typ, c.issued, d.Symbol, c.want)
			}
		}
		if err := f.docs.AddCongress(ctx, partyworks.Congress{UnitID: f.ids["22"], Label: "chồng lấn", Opens: day("2025-09-26"), Closes: day("2025-09-30")}); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("overlapping congress: %v", err)
		}
		// Numbers are per issuer.
		if d := f.out(t, "193", "KH", "2024-03-01", "Kế hoạch", 0); d.Symbol.String() != "1-KH/TU" || d.UnitName != "Thành ủy Hạ Long" {
			t.Errorf("another issuer: %s %s", d.Symbol, d.UnitName)
		}
		// A unit without an abbreviation cannot number.
		d := &partyworks.Document{UnitID: f.ids["22.VP"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"}, Issued: day("2024-01-02"), Summary: "x"}
		if err := f.docs.RegisterDocument(ctx, sys, d); partyworks.ErrorField(err) != "issuer" {
			t.Errorf("no issuer: %v", err)
		}
		// Incoming: the symbol as received, the register's own number per year.
		for i, sym := range []string{"18-NQ/TW", "1679/NQ-UBTVQH15"} {
			s, _ := partyworks.ParseSymbol(sym)
			d := &partyworks.Document{UnitID: f.ids["22"], Direction: partyworks.Incoming, Symbol: s, Issuer: "Ban Chấp hành Trung ương",
				Issued: day("2017-10-25"), Received: day("2017-10-30"), Summary: "Một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy"}
			if err := f.docs.RegisterDocument(ctx, sys, d); err != nil {
				t.Fatal(err)
			}
			if d.RegNo != i+1 || d.Symbol.String() != sym {
				t.Errorf("incoming %s: reg no %d, symbol %s", sym, d.RegNo, d.Symbol)
			}
		}
		// Legacy numbers: free ones are taken and move the counter; a taken one is a conflict, audited, nothing written.
		leg := &partyworks.Document{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Number: 439, Type: "KH"}, Issued: day("2025-10-02"), Summary: "Kế hoạch 439"}
		if err := f.docs.RegisterLegacy(ctx, sys, leg); err != nil || leg.Symbol.String() != "439-KH/TU" {
			t.Fatalf("legacy: %v %s", err, leg.Symbol)
		}
		again := *leg
		if err := f.docs.RegisterLegacy(ctx, sys, &again); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("a number taken twice: %v", err)
		}
		if next := f.out(t, "22", "KH", "2025-10-03", "Kế hoạch sau", 0); next.Symbol.Number != 440 {
			t.Errorf("after a legacy number: %s", next.Symbol)
		}
		_, total, _ := f.docs.FindDocuments(ctx, sys, partyworks.DocumentFilter{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Limit: 200})
		if total != 13 {
			t.Errorf("outgoing register of 22: %d lines, want 13", total)
		}
		refused, _ := f.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.register.refused", Limit: 10})
		if len(refused) != 2 { // the unit without an issuer, the number taken twice
			t.Errorf("refusals audited: %d, want 2", len(refused))
		}
		// Bad input.
		for _, bad := range []*partyworks.Document{
			{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "XX"}, Issued: day("2024-01-01"), Summary: "x"},
			{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"}, Issued: day("2024-01-01"), Summary: " "},
			{UnitID: f.ids["22"], Direction: partyworks.Incoming, Symbol: partyworks.Symbol{Type: "CV"}, Issued: day("2024-01-01"), Summary: "x"},
			{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"}, Issued: day("2024-01-01"), Summary: "x", Secrecy: 4},
		} {
			if err := f.docs.RegisterDocument(ctx, sys, bad); partyworks.ErrorCode(err) != partyworks.EINVALID {
				t.Errorf("bad %+v: %v", bad, err)
			}
		}
	})
}

// TestDocumentNumbersConcurrent registers 50 documents at once, through
// two handles on the same database (two app nodes on PostgreSQL): the
// numbers are exactly 1..50.
func TestDocumentNumbersConcurrent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		db2, err := sqldb.Open(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		nodes := []*sqldb.DocumentService{f.docs, sqldb.NewDocumentService(db2, f.vault)}
		const writers = 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &partyworks.Document{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"},
					Issued: day("2025-03-01"), Summary: "Công văn"}
				errs <- nodes[i%2].RegisterDocument(ctx, partyworks.Viewer{System: true}, d)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		docs, total, err := f.docs.FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{UnitID: f.ids["22"], Limit: 200})
		if err != nil || total != writers {
			t.Fatalf("%d documents, %v", total, err)
		}
		seen := map[int]bool{}
		for _, d := range docs {
			if seen[d.RegNo] {
				t.Errorf("number %d taken twice", d.RegNo)
			}
			seen[d.RegNo] = true
		}
		for n := 1; n <= writers; n++ {
			if !seen[n] {
				t.Errorf("gap: number %d missing", n)
			}
		}
	})
}

// TestDocumentNumbersRefused: registrations refused by the database after
// taking their number, mixed among 60 concurrent ones on two nodes, give
// their numbers back inside the group transaction: the numbers that stay
// are exactly 1..successes.
func TestDocumentNumbersRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		db2, err := sqldb.Open(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		nodes := []*sqldb.DocumentService{f.docs, sqldb.NewDocumentService(db2, f.vault)}
		const writers = 60
		var mu sync.Mutex
		var wg sync.WaitGroup
		got := map[int]int{}
		failed := 0
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := nodes[i%2].NumberThenFail(ctx, f.ids["22"], "t", "CV", i%3 == 0)
				mu.Lock()
				defer mu.Unlock()
				if i%3 == 0 {
					if err == nil {
						t.Errorf("writer %d: not refused", i)
					}
					failed++
					return
				}
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
					return
				}
				got[n]++
			}()
		}
		wg.Wait()
		if failed != writers/3 {
			t.Fatalf("%d refused", failed)
		}
		for n := 1; n <= writers-failed; n++ {
			if got[n] != 1 {
				t.Errorf("number %d taken %d times", n, got[n])
			}
		}
		if len(got) != writers-failed {
			t.Errorf("numbers %v", got)
		}
		_, rows, err := f.docs.FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{UnitID: f.ids["22"]})
		if err != nil || rows != writers-failed {
			t.Errorf("%d rows kept, want %d", rows, writers-failed)
		}
	})
}

func TestDocumentSecrecy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		open := f.out(t, "193", "KH", "2025-01-10", "Kế hoạch tổ chức đại hội chi bộ", 0)
		mat := f.out(t, "193", "BC", "2025-01-11", "Báo cáo nhân sự đại hội (mật)", partyworks.Confidential)
		toimat := f.out(t, "193", "BC", "2025-01-12", "Báo cáo nhân sự đại hội (tối mật)", partyworks.Secret)
		count := func(who string) (int, int) {
			_, total, err := f.docs.FindDocuments(ctx, f.viewers[who], partyworks.DocumentFilter{UnitID: f.ids["193"]})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := f.docs.SearchDocuments(ctx, f.viewers[who], partyworks.SearchQuery{Text: "nhan su dai hoi"})
			if err != nil {
				t.Fatal(err)
			}
			return total, len(hits)
		}
		for who, want := range map[string][2]int{"national": {3, 2}, "halong": {1, 0}, "halong.mat": {2, 1}, "coto.tuyetmat": {0, 0}} {
			if total, hits := count(who); total != want[0] || hits != want[1] {
				t.Errorf("%s: register %d (want %d), search %d (want %d)", who, total, want[0], hits, want[1])
			}
		}
		for who, want := range map[string]map[int64]string{
			"halong":        {open.ID: "", mat.ID: partyworks.ENOTFOUND, toimat.ID: partyworks.ENOTFOUND},
			"halong.mat":    {mat.ID: "", toimat.ID: partyworks.ENOTFOUND},
			"coto.tuyetmat": {open.ID: partyworks.EFORBIDDEN, mat.ID: partyworks.ENOTFOUND},
			"national":      {toimat.ID: ""},
		} {
			for id, code := range want {
				_, err := f.docs.FindDocumentByID(ctx, f.viewers[who], id)
				if got := partyworks.ErrorCode(err); got != code {
					t.Errorf("%s reads document %d: %q, want %q", who, id, got, code)
				}
				_, err = f.docs.DocumentUnit(ctx, f.viewers[who], id)
				if got := partyworks.ErrorCode(err); code == partyworks.ENOTFOUND && got != code {
					t.Errorf("%s resolves document %d: %q", who, id, got)
				}
			}
		}
		hidden, _ := f.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.hidden", Limit: 100})
		reads, _ := f.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.read", Limit: 100})
		if len(hidden) < 5 || len(reads) != 2 {
			t.Errorf("audit: %d hidden, %d reads of classified documents", len(hidden), len(reads))
		}
		// Withdrawing a clearance takes effect at once.
		if err := f.docs.SetClearance(ctx, f.viewers["halong.mat"].UserID, 0); err != nil {
			t.Fatal(err)
		}
		if total, hits := count("halong.mat"); total != 1 || hits != 0 {
			t.Errorf("after withdrawal: %d, %d", total, hits)
		}
		// Nobody registers a mark above their clearance.
		d := &partyworks.Document{UnitID: f.ids["193"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "BC"}, Issued: day("2025-02-01"), Summary: "x", Secrecy: partyworks.Confidential}
		if err := f.docs.RegisterDocument(ctx, f.viewers["halong"], d); partyworks.ErrorField(err) != "secrecy" {
			t.Errorf("register above clearance: %v", err)
		}
		// The "what needs doing" feed never shows a classified routing.
		for _, id := range []int64{open.ID, mat.ID} {
			if err := f.docs.RouteDocument(ctx, f.viewers["national"], &partyworks.DocumentRoute{DocumentID: id, ToUnitID: f.ids["06661"], Deadline: day("2025-02-01")}); err != nil {
				t.Fatal(err)
			}
		}
		due, err := f.docs.FindDue(ctx, f.ids["22"], day("2025-03-01"))
		if err != nil || len(due) != 1 || !strings.Contains(due[0].Title, "Kế hoạch tổ chức") {
			t.Errorf("due: %+v %v", due, err)
		}
	})
}

func TestDocumentSearch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		f.out(t, "22", "BC", "2024-12-18", "Báo cáo tổng kết công tác xây dựng Đảng năm 2024, phương hướng nhiệm vụ năm 2025", 0)
		f.out(t, "22", "KL", "2024-12-18", "Kết luận hội nghị: 党建部門の年末総括会議", 0)
		withFile := f.out(t, "193", "CV", "2025-02-01", "Công văn về việc sắp xếp tổ chức bộ máy", 0)
		if _, err := f.docs.AttachFile(ctx, f.viewers["national"], withFile.ID, "phu-luc.txt", []byte("Phụ lục: danh sách chi bộ bốn tốt năm 2024")); err != nil {
			t.Fatal(err)
		}
		all := f.viewers["national"]
		for q, want := range map[string]int{
			"xay dung dang": 1, "XÂY DỰNG ĐẢNG": 1, "phuong huong": 1, "総括会議": 1, "会議": 1, "chi bo bon tot": 1,
			"sap xep to chuc": 1, "nam 2025": 1, "khong co gi": 0, "BC/TU": 1,
		} {
			hits, err := f.docs.SearchDocuments(ctx, all, partyworks.SearchQuery{Text: q})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if len(hits) != want {
				t.Errorf("%q: %d hits, want %d", q, len(hits), want)
			}
		}
		hits, _ := f.docs.SearchDocuments(ctx, all, partyworks.SearchQuery{Text: "xay dung dang"})
		var marked string
		for _, fr := range hits[0].Summary {
			if fr.Match {
				marked += fr.Text
			}
		}
		if marked != "xây dựng Đảng" {
			t.Errorf("highlight: %q", marked)
		}
		hits, _ = f.docs.SearchDocuments(ctx, all, partyworks.SearchQuery{Text: "bon tot"})
		if len(hits) != 1 || len(hits[0].Snippet) == 0 {
			t.Fatalf("file text: %+v", hits)
		}
		// Limited by scope: Hạ Long's reader does not find the province's documents.
		if hits, _ := f.docs.SearchDocuments(ctx, f.viewers["halong"], partyworks.SearchQuery{Text: "xay dung dang"}); len(hits) != 0 {
			t.Errorf("out of scope: %d hits", len(hits))
		}
		if _, err := f.docs.SearchDocuments(ctx, all, partyworks.SearchQuery{Text: "ab"}); partyworks.ErrorCode(err) != partyworks.EINVALID {
			t.Errorf("short query: %v", err)
		}
	})
}

func docx(t testing.TB, text string, pad int) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<?xml version="1.0"?><Types/>`))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>` + text + `</w:t></w:r></w:p>`))
	w.Write(bytes.Repeat([]byte(" "), pad))
	w.Write([]byte(`</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDocumentFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		all := f.viewers["national"]
		open := f.out(t, "193", "BC", "2025-01-10", "Báo cáo", 0)
		secret := f.out(t, "193", "BC", "2025-01-11", "Báo cáo mật", partyworks.Confidential)
		// DOCX text is found; the file comes back as it went in.
		body := docx(t, "Hội nghị tổng kết", 0)
		fl, err := f.docs.AttachFile(ctx, all, open.ID, "../../bao-cao.docx", body)
		if err != nil {
			t.Fatal(err)
		}
		if fl.Name != "bao-cao.docx" || fl.Encrypted {
			t.Errorf("file: %+v", fl)
		}
		if hits, _ := f.docs.SearchDocuments(ctx, all, partyworks.SearchQuery{Text: "hoi nghi tong ket"}); len(hits) != 1 {
			t.Errorf("docx text not found: %d", len(hits))
		}
		// Bad files: nothing written, the attempt audited.
		bomb := docx(t, "x", vault.MaxPartSize+1)
		for name, data := range map[string][]byte{
			"a.pdf": []byte("<html><script>alert(1)</script></html>"), "a.txt": []byte("<html><body>x</body></html>"),
			"a.docx": []byte("%PDF-1.4 not a zip"), "a.exe": []byte("MZ"), "bomb.docx": bomb,
			"big.txt": bytes.Repeat([]byte("a"), vault.MaxFileSize+1),
		} {
			if _, err := f.docs.AttachFile(ctx, all, open.ID, name, data); partyworks.ErrorCode(err) != partyworks.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		d, _ := f.docs.FindDocumentByID(ctx, all, open.ID)
		if len(d.Files) != 1 {
			t.Errorf("files after refusals: %d", len(d.Files))
		}
		refused, _ := f.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.file.refused", Limit: 20})
		if len(refused) != 6 {
			t.Errorf("refusals audited: %d", len(refused))
		}
		// A classified document's file is encrypted at rest.
		plain := []byte("Danh sách nhân sự dự kiến")
		sf, err := f.docs.AttachFile(ctx, all, secret.ID, "nhan-su.txt", plain)
		if err != nil || !sf.Encrypted {
			t.Fatalf("secret file: %+v %v", sf, err)
		}
		entries, _ := os.ReadDir(f.vault.Dir)
		var onDisk [][]byte
		for _, e := range entries {
			sub, _ := os.ReadDir(filepath.Join(f.vault.Dir, e.Name()))
			for _, s := range sub {
				b, _ := os.ReadFile(filepath.Join(f.vault.Dir, e.Name(), s.Name()))
				onDisk = append(onDisk, b)
			}
		}
		if len(onDisk) != 2 {
			t.Fatalf("%d files on disk", len(onDisk))
		}
		for _, b := range onDisk {
			if bytes.Contains(b, []byte("nhân sự")) {
				t.Error("the classified file is stored in clear")
			}
		}
		// A file through another document's URL: not found.
		if _, _, err := f.docs.OpenFile(ctx, all, open.ID, sf.ID); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("file of another document: %v", err)
		}
		if _, _, err := f.docs.OpenFile(ctx, f.viewers["halong"], secret.ID, sf.ID); partyworks.ErrorCode(err) != partyworks.ENOTFOUND {
			t.Errorf("secret file without clearance: %v", err)
		}
		// Rotation re-wraps the data key; the file still opens, with the new key only.
		old := f.vault.Keys.Current()
		if _, err := f.vault.Keys.AddKey(); err != nil {
			t.Fatal(err)
		}
		n, err := f.docs.RotateKeys(ctx)
		if err != nil || n != 1 {
			t.Fatalf("rotate: %d %v", n, err)
		}
		if err := f.vault.Keys.RemoveKeys(old); err != nil {
			t.Fatal(err)
		}
		_, got, err := f.docs.OpenFile(ctx, f.viewers["halong.mat"], secret.ID, sf.ID)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("after rotation: %q %v", got, err)
		}
		inUse, _ := f.docs.KeysInUse(ctx)
		if len(inUse) != 1 || inUse[0] != f.vault.Keys.Current() {
			t.Errorf("keys in use: %v", inUse)
		}
		reads, _ := f.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.file.read", Limit: 10})
		if len(reads) != 1 {
			t.Errorf("classified file reads audited: %d", len(reads))
		}
	})
}

func TestDocumentRetention(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		all := f.viewers["national"]
		cv := f.out(t, "193", "CV", "2012-05-01", "Công văn cũ", 0)
		nq := f.out(t, "193", "NQ", "2012-06-01", "Nghị quyết cũ", 0)
		f.out(t, "193", "CV", "2025-05-01", "Công văn mới", 0)
		due, err := f.docs.DueForRetention(ctx, all, f.ids["193"], day("2025-06-01"))
		if err != nil || len(due) != 2 {
			t.Fatalf("due: %d %v", len(due), err)
		}
		if err := f.docs.Dispose(ctx, all, partyworks.Disposition{UnitID: f.ids["193"], Action: "dispose", Documents: []int64{cv.ID}, Decision: "12-QĐ/TU", Day: day("2025-06-01")}); err == nil {
			t.Error("disposed of a document not yet archived")
		}
		if err := f.docs.Dispose(ctx, all, partyworks.Disposition{UnitID: f.ids["193"], Action: "archive", Documents: []int64{cv.ID, nq.ID}, Decision: "bad", Day: day("2025-06-01")}); partyworks.ErrorField(err) != "decision" {
			t.Errorf("bad decision: %v", err)
		}
		if err := f.docs.Dispose(ctx, all, partyworks.Disposition{UnitID: f.ids["193"], Action: "archive", Documents: []int64{cv.ID, nq.ID}, Decision: "11-QĐ/TU", Day: day("2025-06-01")}); err != nil {
			t.Fatal(err)
		}
		due, _ = f.docs.DueForRetention(ctx, all, f.ids["193"], day("2025-06-01"))
		if len(due) != 1 || due[0].Document.ID != cv.ID || due[0].Action != "dispose" {
			t.Fatalf("after archiving: %+v", due)
		}
		if err := f.docs.Dispose(ctx, all, partyworks.Disposition{UnitID: f.ids["193"], Action: "dispose", Documents: []int64{cv.ID}, Decision: "12-QĐ/TU", Day: day("2025-06-01")}); err != nil {
			t.Fatal(err)
		}
		d, _ := f.docs.FindDocumentByID(ctx, all, cv.ID)
		if d.Status != partyworks.DocDisposed {
			t.Errorf("status %s", d.Status)
		}
		if err := f.docs.SetRetentionPeriod(ctx, partyworks.RetentionPeriod{Class: "NQ", ArchiveAfter: 1, Keep: 5}); err != nil {
			t.Fatal(err)
		}
		due, _ = f.docs.DueForRetention(ctx, all, f.ids["193"], day("2025-06-01"))
		if len(due) != 1 || due[0].Document.ID != nq.ID {
			t.Errorf("after changing the period: %+v", due)
		}
	})
}

// Two units that both keep registers merge: the successor takes the
// merged unit's documents with their numbers, next to its own of the same
// numbers, and its own register goes on from where it was.
func TestMergeKeepsEachRegistersNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		sys := partyworks.Viewer{System: true}
		own := f.out(t, "193", "KH", "2024-03-01", "Kế hoạch của Thành ủy", 0)
		came := f.out(t, "207", "KH", "2024-03-01", "Kế hoạch của Huyện ủy", 0)
		in, err := f.in(t, "207", 5, "2024-03-02", "Công văn đến")
		if err != nil {
			t.Fatal(err)
		}
		ownIn, err := f.in(t, "193", 6, "2024-03-02", "Công văn đến Thành ủy")
		if err != nil {
			t.Fatal(err)
		}
		if in.RegNo != 1 || ownIn.RegNo != 1 {
			t.Fatalf("incoming numbers %d and %d: the test wants both registers' first", in.RegNo, ownIn.RegNo)
		}
		if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2024-06-01"), Decision: "1-NQ/TW",
			Unit: f.ids["193"], Sources: []int64{f.ids["207"]}}); err != nil {
			t.Fatalf("merge of two units with registers: %v", err)
		}
		for _, d := range []*partyworks.Document{own, came, in, ownIn} {
			got, err := f.docs.FindDocumentByID(ctx, sys, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.UnitID != f.ids["193"] || got.RegNo != d.RegNo || got.Symbol.String() != d.Symbol.String() {
				t.Errorf("%s after the merge: unit %d, number %d (%s); want unit %d, number %d", d.Summary, got.UnitID, got.RegNo, got.Symbol, f.ids["193"], d.RegNo)
			}
			want := ""
			if d.UnitID == f.ids["207"] {
				want = "Huyện ủy Cô Tô"
			}
			if got.RegisterName != want {
				t.Errorf("%s after the merge: numbered in the register of %q, want %q", d.Summary, got.RegisterName, want)
			}
		}
		if d := f.out(t, "193", "KH", "2024-07-01", "Kế hoạch sau sáp nhập", 0); d.Symbol.String() != "2-KH/TU" {
			t.Errorf("the successor's next plan: %s, want 2-KH/TU", d.Symbol)
		}
		// A number already in the successor's own register is still refused.
		legacy := &partyworks.Document{UnitID: f.ids["193"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Number: 1, Type: "KH"},
			Issued: day("2024-03-01"), Summary: "trùng số"}
		if err := f.docs.RegisterLegacy(ctx, sys, legacy); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
			t.Errorf("number 1-KH/TU again: %v, want a conflict", err)
		}
	})
}

// A unit merged into one whose own merge was recorded earlier: its
// register goes on to the last successor, not to a unit that ends.
func TestRegistersFollowChainedMerges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		sys := partyworks.Viewer{System: true}
		ward := f.out(t, "06661", "KH", "2024-03-01", "Kế hoạch của phường", 0)
		for _, c := range []partyworks.UnitChange{
			{Type: partyworks.EventMerge, Effective: day("2024-08-01"), Decision: "2-NQ/TW", Unit: f.ids["193"], Sources: []int64{f.ids["207"]}},
			{Type: partyworks.EventMerge, Effective: day("2024-07-01"), Decision: "3-NQ/TW", Unit: f.ids["207"], Sources: []int64{f.ids["06661"]}},
		} {
			if _, err := f.units.ApplyUnitChange(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := f.docs.FindDocumentByID(ctx, sys, ward.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.UnitID != f.ids["193"] || got.Symbol.String() != "1-KH/ĐU" {
			t.Errorf("the ward's plan is with unit %d (%s); want the last successor %d", got.UnitID, got.Symbol, f.ids["193"])
		}
	})
}

// A merge recorded ahead of its day: the merging unit keeps its register,
// and registers in it, until the day; the hourly run hands the register
// to the successor then, numbers and all.
func TestRegistersHandedOverOnTheDay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		setToday(db, "2024-05-20")
		f := newDocFixture(t, db)
		sys := partyworks.Viewer{System: true}
		tasks := sqldb.NewTaskService(db, t.TempDir())
		first := f.out(t, "207", "KH", "2024-03-01", "Kế hoạch trước", 0)
		if _, err := f.units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2024-06-01"), Decision: "4-NQ/TW",
			Unit: f.ids["193"], Sources: []int64{f.ids["207"]}}); err != nil {
			t.Fatal(err)
		}
		setToday(db, "2024-05-25")
		second := f.out(t, "207", "KH", "2024-05-25", "Kế hoạch sau khi có nghị quyết", 0)
		if second.Symbol.String() != "2-KH/HU" {
			t.Fatalf("the merging unit's register goes on: %s, want 2-KH/HU", second.Symbol)
		}
		holder := func(d *partyworks.Document) int64 {
			got, err := f.docs.FindDocumentByID(ctx, sys, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Symbol.String() != d.Symbol.String() || got.RegNo != d.RegNo {
				t.Errorf("%s became %s (number %d)", d.Symbol, got.Symbol, got.RegNo)
			}
			return got.UnitID
		}
		for _, c := range []struct {
			today  string
			handed int
			unit   string
		}{{"2024-05-31", 0, "207"}, {"2024-06-01", 1, "193"}, {"2024-06-01", 0, "193"}} {
			setToday(db, c.today)
			handOver(t, tasks, c.handed, "on "+c.today)
			for _, d := range []*partyworks.Document{first, second} {
				if u := holder(d); u != f.ids[c.unit] {
					t.Errorf("on %s %s is with unit %d, want %s (%d)", c.today, d.Symbol, u, c.unit, f.ids[c.unit])
				}
			}
		}
	})
}

// A divided unit keeps its own register, even when a unit merged into it
// afterwards (dated before the division) brings its documents along.
func TestSplitUnitKeepsItsRegister(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		sys := partyworks.Viewer{System: true}
		own := f.out(t, "207", "KH", "2024-03-01", "Kế hoạch", 0)
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventSplit, Effective: day("2024-08-01"), Decision: "2-NQ/TW",
			Unit: f.ids["207"], Targets: []int64{f.ids["193"], f.ids["22"]}})
		if g, _ := f.docs.FindDocumentByID(ctx, sys, own.ID); g.UnitID != f.ids["207"] {
			t.Fatalf("the split itself moved 207's plan to %d", g.UnitID)
		}
		mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2024-07-01"), Decision: "3-NQ/TW",
			Unit: f.ids["207"], Sources: []int64{f.ids["06661"]}})
		if g, _ := f.docs.FindDocumentByID(ctx, sys, own.ID); g.UnitID != f.ids["207"] {
			t.Errorf("207's own plan went to %d after a merge into 207", g.UnitID)
		}
	})
}

// A unit that received a merged unit's documents before registers kept
// their own numbers (migration 0021) holds them in its own register: the
// repair (0023) moves its counters past them, so that its next number is
// not refused for good.
func TestRegisterGoesPastNumbersHandedOnBefore(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		f.out(t, "207", "KH", "2024-03-01", "Kế hoạch 1", 0)
		f.out(t, "207", "KH", "2024-03-02", "Kế hoạch 2", 0)
		if _, err := f.in(t, "207", 5, "2024-03-02", "Công văn đến"); err != nil {
			t.Fatal(err)
		}
		// What a merge did before 0021: the documents change unit alone.
		if err := f.db.ExecRaw(ctx, `UPDATE documents SET unit_id = ? WHERE unit_id = ?`, f.ids["193"], f.ids["207"]); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.Remigrate(ctx, f.db, "0023_document_counters_repair"); err != nil {
			t.Fatal(err)
		}
		if d := f.out(t, "193", "KH", "2024-04-01", "Kế hoạch của Thành ủy", 0); d.Symbol.String() != "3-KH/TU" {
			t.Errorf("193's first plan after receiving 1 and 2: %s, want 3-KH/TU", d.Symbol)
		}
		if d := f.out(t, "193", "KH", "2024-04-02", "Kế hoạch tiếp", 0); d.Symbol.String() != "4-KH/TU" {
			t.Errorf("and the next: %s, want 4-KH/TU", d.Symbol)
		}
		if in2, err := f.in(t, "193", 6, "2024-04-02", "Công văn đến Thành ủy"); err != nil || in2.RegNo != 2 {
			t.Errorf("193's first incoming after receiving number 1: %d, %v; want 2", in2.RegNo, err)
		}
	})
}

// 06661 merges into 193, and 193 is divided the same day: recorded on the
// day or ahead of it, 06661's register goes to 193, which keeps its own.
func TestRegisterStopsAtAUnitDividedTheSameDay(t *testing.T) {
	for _, ahead := range []bool{false, true} {
		t.Run(map[bool]string{false: "on the day", true: "ahead"}[ahead], func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				ctx := context.Background()
				setToday(db, "2024-05-20")
				f := newDocFixture(t, db)
				tasks := sqldb.NewTaskService(db, t.TempDir())
				doc, err := f.in(t, "06661", 7, "2024-05-10", "Công văn")
				if err != nil {
					t.Fatal(err)
				}
				if !ahead {
					setToday(db, "2024-06-01")
				}
				mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventMerge, Effective: day("2024-06-01"), Decision: "4-NQ/TW",
					Unit: f.ids["193"], Sources: []int64{f.ids["06661"]}})
				mustChange(t, f.units, partyworks.UnitChange{Type: partyworks.EventSplit, Effective: day("2024-06-01"), Decision: "5-NQ/TW",
					Unit: f.ids["193"], Targets: []int64{f.ids["207"], f.ids["22"]}})
				setToday(db, "2024-06-01")
				if _, err := tasks.Remind(ctx, partyworks.RemindConfig{}); err != nil {
					t.Fatal(err)
				}
				g, err := f.docs.FindDocumentByID(ctx, partyworks.Viewer{System: true}, doc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if g.UnitID != f.ids["193"] {
					t.Errorf("recorded ahead %v: 06661's document is with unit %d, want 193 (%d)", ahead, g.UnitID, f.ids["193"])
				}
			})
		})
	}
}
