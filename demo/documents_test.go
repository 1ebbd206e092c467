package demo_test

import (
	"bytes"
	"context"
	"testing"

	"partyworks"
	"partyworks/demo"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestSeedDocuments: the story's registers, and the classified papers
// seen only by the cleared demo users.
func TestSeedDocuments(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	var out bytes.Buffer
	if _, err := demo.Seed(ctx, db, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	users := sqldb.NewUserService(db)
	docs := sqldb.NewDocumentService(db, nil)
	qn, err := sqldb.NewUnitService(db).FindUnitByCode(ctx, "22", partyworks.Date{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"admin": 12, "lanhdao.qn": 12, "tochuc.qn": 11, "halong.staff": 0} {
		u, err := users.FindUserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		v := partyworks.Viewer{UserID: u.ID}
		for _, g := range u.Grants {
			if g.UnitID == 0 {
				v.All = true
			} else {
				v.Paths = append(v.Paths, g.UnitPath)
			}
		}
		_, total, err := docs.FindDocuments(ctx, v, partyworks.DocumentFilter{UnitID: qn.ID})
		if err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Errorf("%s sees %d of the province's documents, want %d", name, total, want)
		}
	}
	list, _, _ := docs.FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{UnitID: qn.ID, Limit: 100})
	symbols := map[string]bool{}
	for _, d := range list {
		symbols[d.Symbol.String()] = true
	}
	for _, s := range []string{"18-NQ/TW", "35-CT/TW", "439-KH/TU", "2286-QĐ/TU", "1679/NQ-UBTVQH15", "1-NQ/TU"} {
		if !symbols[s] {
			t.Errorf("%s is not in the registers: %v", s, symbols)
		}
	}
}
