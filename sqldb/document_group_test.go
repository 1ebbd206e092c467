package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// TestDocumentGroupDeferredWrites: registrations committed in groups
// write their search text and audit entries in one statement each per
// group; every one is still searchable, audited once with its own
// actor, and the hash chain verifies, on both databases.
func TestDocumentGroupDeferredWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newDocFixture(t, db)
		audit := sqldb.NewAuditService(db)
		const writers = 40
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actx := partyworks.WithActor(ctx, partyworks.Actor{Username: fmt.Sprintf("w%02d", i)})
				d := &partyworks.Document{UnitID: f.ids["22"], Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"},
					Issued: day("2025-03-01"), Summary: fmt.Sprintf("Công văn số hiệu riêng kxq%02d", i)}
				errs <- f.docs.RegisterDocument(actx, partyworks.Viewer{System: true}, d)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, problems, err := audit.VerifyAudit(ctx)
		if err != nil || len(problems) > 0 {
			t.Fatalf("audit chain: %d entries, %v, %v", n, problems, err)
		}
		entries, err := audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "document.register", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		who := map[string]int{}
		for _, e := range entries {
			who[e.Username]++
		}
		for i := range writers {
			if u := fmt.Sprintf("w%02d", i); who[u] != 1 {
				t.Errorf("%s audited %d times", u, who[u])
			}
		}
		for _, i := range []int{0, 17, writers - 1} {
			hits, err := f.docs.SearchDocuments(ctx, partyworks.Viewer{System: true}, partyworks.SearchQuery{Text: fmt.Sprintf("kxq%02d", i), Limit: 10})
			if err != nil || len(hits) != 1 {
				t.Errorf("search kxq%02d: %d hits, %v", i, len(hits), err)
			}
		}
	})
}
