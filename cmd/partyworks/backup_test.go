package main

import (
	"path/filepath"
	"testing"
)

func TestBackupAndRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	ok(t, db, "units", "import", unitsCSV, "--effective", "2020-10-01")
	backup := filepath.Join(dir, "backup.db")
	contains(t, ok(t, db, "backup", backup), "written and checked")
	fails(t, db, "exists already", "backup", backup)
	restored := filepath.Join(dir, "restored.db")
	contains(t, ok(t, restored, "restore", backup), "restored")
	if n := count(t, restored, standing, "2021-01-01", "2021-01-01"); n != 10806 {
		t.Errorf("%d units in the restored database", n)
	}
	fails(t, db, "already holds data", "restore", backup)
	ok(t, restored, "audit", "verify")
}
