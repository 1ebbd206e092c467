package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"partyworks"
	"partyworks/sqldb"
)

// TestBackupWhileServingAndRestore is the restore drill: a backup taken
// while writers keep changing the tree holds a consistent snapshot (its
// audit chain verifies, every row committed before it began is there), it
// restores into a fresh file that matches it table by table, and a restore
// refuses a damaged backup and a target that holds data.
func TestBackupWhileServingAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	units := sqldb.NewUnitService(db)
	importNational(t, units)
	before, err := db.Checksums(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qn := mustCode(t, units, "22", "2021-01-01")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the service keeps writing during the backup
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			units.ApplyUnitChange(ctx, partyworks.UnitChange{Type: partyworks.EventEstablish, Effective: day("2021-01-01"), Decision: "1-QĐ/TU",
				Parent: qn.ID, Code: fmt.Sprintf("W%d", i), Name: fmt.Sprintf("Chi bộ %d", i), Kind: partyworks.KindCell})
		}
	}()
	backup := filepath.Join(dir, "backup.db")
	err = db.Backup(ctx, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, backup); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
		t.Errorf("a backup over an existing file: %v", err)
	}
	if err := sqldb.CheckFile(ctx, backup); err != nil {
		t.Fatal(err)
	}
	restored := filepath.Join(dir, "restored.db")
	if err := sqldb.Restore(ctx, backup, restored, false); err != nil {
		t.Fatal(err)
	}
	rdb, err := sqldb.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	bdb, err := sqldb.Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := rdb.Checksums(ctx)
	want, _ := bdb.Checksums(ctx)
	bdb.Close()
	for table, sum := range want {
		if got[table] != sum {
			t.Errorf("%s: restored %+v, backup %+v", table, got[table], sum)
		}
		if got[table].Rows < before[table].Rows {
			t.Errorf("%s: %d rows restored, %d were committed before the backup began", table, got[table].Rows, before[table].Rows)
		}
	}
	if n, problems, err := sqldb.NewAuditService(rdb).VerifyAudit(ctx); err != nil || len(problems) > 0 {
		t.Errorf("the restored audit chain (%d entries): %v %v", n, problems, err)
	}
	// A damaged backup and a target with data are refused, and nothing changes.
	damaged := filepath.Join(dir, "damaged.db")
	data, _ := os.ReadFile(backup)
	os.WriteFile(damaged, data[:len(data)/2], 0o600)
	if err := sqldb.Restore(ctx, damaged, filepath.Join(dir, "x.db"), false); partyworks.ErrorCode(err) != partyworks.EINVALID {
		t.Errorf("restoring a damaged backup: %v", err)
	}
	if err := sqldb.Restore(ctx, backup, path, false); partyworks.ErrorCode(err) != partyworks.ECONFLICT {
		t.Errorf("restoring over a database with data: %v", err)
	}
}
