package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestFoldEthMigration writes a member, a unit and a document as they
// were stored before Fold took Ð (U+00D0, typed for Đ) for d, and wants
// migration 0014 to make "dinh" find them.
func TestFoldEthMigration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		members := sqldb.NewMemberService(db)
		mustImport(t, f.units, "2020-01-01", [4]string{"C9", "Chi bộ khu Ðông", "cell", "06661"})
		cell := mustCode(t, f.units, "C9", "2024-01-01").ID
		m := &partyworks.Member{FullName: "Ðinh Văn Ðạt", Sex: partyworks.Male, BirthDate: day("1980-02-02"), UnitID: cell,
			Status: partyworks.StatusOfficial, Admitted: day("2010-03-01"), Ceremony: day("2010-03-20"), CitizenID: "022080000123"}
		if err := members.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		d := f.out(t, "193", "BC", "2024-05-02", "Ðinh Văn Ðạt báo cáo", 0)
		found := func() (ms, us, ds int) {
			list, _, err := members.FindMembers(ctx, partyworks.MemberFilter{Query: "dinh van dat"})
			if err != nil {
				t.Fatal(err)
			}
			units, _, err := f.units.FindUnits(ctx, partyworks.UnitFilter{At: day("2024-01-01"), Query: "khu dong"})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := f.docs.SearchDocuments(ctx, f.viewers["national"], partyworks.SearchQuery{Text: "dinh van dat"})
			if err != nil {
				t.Fatal(err)
			}
			return len(list), len(units), len(hits)
		}
		if ms, us, ds := found(); ms != 1 || us != 1 || ds != 1 {
			t.Fatalf("written now: %d members, %d units, %d documents found", ms, us, ds)
		}
		// As stored before: ð in the folds, and the tokens made of them.
		old := "ðinh van ðat bao cao"
		stmts := []string{
			fmt.Sprintf(`UPDATE members SET name_fold = 'ðinh van ðat', given_fold = 'ðat' WHERE id = %d`, m.ID),
			fmt.Sprintf(`UPDATE unit_versions SET name_fold = 'chi bo khu ðong' WHERE unit_id = %d`, cell),
			fmt.Sprintf(`UPDATE document_text SET fold = '%s' WHERE document_id = %d`, old, d.ID),
		}
		if db.Postgres() {
			stmts = append(stmts, fmt.Sprintf(`UPDATE document_search SET toks = string_to_array('%s', ' ') WHERE document_id = %d`, sqldb.SearchTokens(old), d.ID))
		} else {
			stmts = append(stmts, fmt.Sprintf(`DELETE FROM document_search WHERE docid = %d`, d.ID),
				fmt.Sprintf(`INSERT INTO document_search (docid, toks) VALUES (%d, '%s')`, d.ID, sqldb.SearchTokens(old)))
		}
		for _, q := range stmts {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if ms, us, ds := found(); ms != 0 || us != 0 || ds != 0 {
			t.Fatalf("stored as before: %d members, %d units, %d documents found", ms, us, ds)
		}
		if err := sqldb.Remigrate(ctx, db, "0014_fold_eth"); err != nil {
			t.Fatal(err)
		}
		if ms, us, ds := found(); ms != 1 || us != 1 || ds != 1 {
			t.Errorf("after the migration: %d members, %d units, %d documents found", ms, us, ds)
		}
	})
}
