package sqldb_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"partyworks"
	"partyworks/demo"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
	"partyworks/vault"
)

// TestCopyFromSQLite moves the demo, plus the values whose types differ
// between the two databases (a BLOB with every byte value, a boolean set
// to true, NULLs), from SQLite to PostgreSQL while the SQLite database is
// still open, and checks that every table matches by the dialect-neutral
// checksums, that the copy reads back through the services (photo bytes,
// disabled account, units, search index, audit chain), that new rows get
// fresh ids, that the checksum does see a changed boolean, and that a
// second copy into the now non-empty target is refused and changes
// nothing.
func TestCopyFromSQLite(t *testing.T) {
	ctx := context.Background()
	pg := sqldbtest.Postgres(t) // first: skip before seeding when there is no server
	lite := sqldbtest.SQLite(t)
	if _, err := demo.Seed(ctx, lite, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	members := sqldb.NewMemberService(lite)
	ms, _, err := members.FindMembers(ctx, partyworks.MemberFilter{At: day("2025-08-01"), Limit: 1})
	if err != nil || len(ms) == 0 {
		t.Fatalf("a demo member: %v", err)
	}
	photo := make([]byte, 512)
	for i := range photo {
		photo[i] = byte(i) // every byte value, NULs and invalid UTF-8 among them
	}
	if err := members.SetPhoto(ctx, ms[0].ID, "image/png", photo); err != nil {
		t.Fatal(err)
	}
	users := sqldb.NewUserService(lite)
	u := &partyworks.User{Username: "copy.disabled", DisplayName: "Đã khóa"}
	if err := users.CreateUser(ctx, u, "mot-hai-ba-bon-nam"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.CreateToken(ctx, u.ID, "script"); err != nil { // last_used NULL
		t.Fatal(err)
	}
	if err := users.SetDisabled(ctx, u.ID, true, u.Version); err != nil {
		t.Fatal(err)
	}

	checks, err := pg.CopyFromSQLite(ctx, lite.DSN)
	if err != nil {
		t.Fatal(err)
	}
	liteSums, err := lite.Checksums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != len(liteSums)-1 { // all but schema_migrations, each dialect's own
		t.Errorf("%d tables checked, the source has %d", len(checks), len(liteSums))
	}
	for _, c := range checks {
		if !c.Match() || c.Source != liteSums[c.Name] {
			t.Errorf("%s: source %+v, target %+v, SQLite now %+v", c.Name, c.Source, c.Target, liteSums[c.Name])
		}
	}
	if liteSums["units"].Rows < 10000 || liteSums["member_photos"].Rows != 1 || liteSums["document_search"].Rows == 0 {
		t.Errorf("the demo is not what the test expects: %+v", liteSums)
	}

	// The copy reads back through the services.
	if ct, data, err := sqldb.NewMemberService(pg).Photo(ctx, ms[0].ID); err != nil || ct != "image/png" || !bytes.Equal(data, photo) {
		t.Errorf("the photo on PostgreSQL: %q, %d bytes, %v", ct, len(data), err)
	}
	pgUsers := sqldb.NewUserService(pg)
	if got, err := pgUsers.FindUserByID(ctx, u.ID); err != nil || !got.Disabled || got.DisplayName != "Đã khóa" {
		t.Errorf("the disabled account on PostgreSQL: %+v %v", got, err)
	}
	want := mustCode(t, sqldb.NewUnitService(lite), "06688", "2025-07-01")
	if got := mustCode(t, sqldb.NewUnitService(pg), "06688", "2025-07-01"); got.ID != want.ID || got.Name != want.Name || got.Path != want.Path {
		t.Errorf("unit 06688 on PostgreSQL: %+v, on SQLite %+v", got, want)
	}
	searchBoth(t, lite, pg)
	if n, problems, err := sqldb.NewAuditService(pg).VerifyAudit(ctx); err != nil || len(problems) > 0 || n == 0 {
		t.Errorf("the copied audit chain (%d entries): %v %v", n, problems, err)
	}
	// Identity sequences continue after the copied ids.
	nu := &partyworks.User{Username: "after.copy", DisplayName: "Sau"}
	if err := pgUsers.CreateUser(ctx, nu, "mot-hai-ba-bon-nam"); err != nil || nu.ID <= u.ID {
		t.Errorf("a user created after the copy: id %d (last copied %d), %v", nu.ID, u.ID, err)
	}

	// The checksum sees a boolean changed on one side.
	before, _ := pg.Checksums(ctx)
	if err := pgUsers.SetDisabled(ctx, u.ID, false, u.Version+1); err != nil {
		t.Fatal(err)
	}
	after, _ := pg.Checksums(ctx)
	if after["users"].Sum == before["users"].Sum {
		t.Error("enabling an account left the users checksum as it was")
	}

	// A second copy is refused, names what the target holds, and writes nothing.
	if _, err := pg.CopyFromSQLite(ctx, lite.DSN); partyworks.ErrorCode(err) != partyworks.ECONFLICT ||
		!strings.Contains(partyworks.ErrorMessage(err), "units 10") || !strings.Contains(partyworks.ErrorMessage(err), "nothing was written") {
		t.Errorf("a copy into a database with data: %v", err)
	}
	again, _ := pg.Checksums(ctx)
	for table, sum := range after {
		if again[table] != sum {
			t.Errorf("%s changed by a refused copy: %+v → %+v", table, sum, again[table])
		}
	}
	// A SQLite target is refused.
	if _, err := sqldbtest.SQLite(t).CopyFromSQLite(ctx, lite.DSN); partyworks.ErrorCode(err) != partyworks.EINVALID {
		t.Errorf("a copy into SQLite: %v", err)
	}
}

// searchBoth runs the same full-text search on both databases: the index
// was copied from an FTS4 table into a text[] column.
func searchBoth(t *testing.T, lite, pg *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	find := func(db *sqldb.DB, text string) []int64 {
		v, err := vault.New(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := sqldb.NewDocumentService(db, v).SearchDocuments(ctx, partyworks.Viewer{System: true}, partyworks.SearchQuery{Text: text, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range hits {
			ids = append(ids, h.Document.ID)
		}
		return ids
	}
	v, _ := vault.New(t.TempDir(), nil)
	docs, _, err := sqldb.NewDocumentService(lite, v).FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{Limit: 1})
	if err != nil || len(docs) == 0 {
		t.Fatalf("a demo document: %v", err)
	}
	words := strings.Fields(docs[0].Summary)
	if len(words) > 3 {
		words = words[:3]
	}
	q := strings.Join(words, " ")
	want, got := find(lite, q), find(pg, q)
	if len(want) == 0 || len(got) != len(want) {
		t.Errorf("search %q: %v on PostgreSQL, %v on SQLite", q, got, want)
	}
	if d, err := sqldb.NewDocumentService(pg, v).FindDocumentByID(ctx, partyworks.Viewer{System: true}, docs[0].ID); err != nil || d.Summary != docs[0].Summary {
		t.Errorf("document %d on PostgreSQL: %v", docs[0].ID, err)
	}
}
