package main

import (
	"runtime"
	"testing"
)

// On SQLite, serve runs three Ps per CPU it may use, unless GOMAXPROCS is
// set; on PostgreSQL it leaves them. Asked twice, it does not multiply.
func TestSQLiteProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	runtime.GOMAXPROCS(startProcs)
	if n := sqliteProcs(true, ""); n != 0 || runtime.GOMAXPROCS(0) != startProcs {
		t.Errorf("postgres: %d, GOMAXPROCS %d", n, runtime.GOMAXPROCS(0))
	}
	if n := sqliteProcs(false, "2"); n != 0 || runtime.GOMAXPROCS(0) != startProcs {
		t.Errorf("GOMAXPROCS=2 in the environment: %d, GOMAXPROCS %d", n, runtime.GOMAXPROCS(0))
	}
	for range 2 {
		if n := sqliteProcs(false, ""); n != 3*startProcs || runtime.GOMAXPROCS(0) != 3*startProcs {
			t.Errorf("sqlite: %d, GOMAXPROCS %d, want %d", n, runtime.GOMAXPROCS(0), 3*startProcs)
		}
	}
}
