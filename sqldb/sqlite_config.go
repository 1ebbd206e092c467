//go:build cgo

package sqldb

/*
// sqlite3_config is variadic, which cgo cannot call: pw_memstatus_off
// calls it. The symbol is mattn/go-sqlite3's copy of SQLite, linked into
// the same binary.
extern int sqlite3_config(int, ...);
extern int sqlite3_status64(int, long long *, long long *, int);
static int pw_memstatus_off(void) { return sqlite3_config(9, 0); } // SQLITE_CONFIG_MEMSTATUS
static long long pw_memory_used(void) {
	long long cur = 0, hi = 0;
	sqlite3_status64(0, &cur, &hi, 0); // SQLITE_STATUS_MEMORY_USED
	return cur;
}
*/
import "C"

import (
	"database/sql"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// sqliteConfigured is what sqlite3_config said when the process started
// (0: SQLITE_OK).
var sqliteConfigured = int(C.pw_memstatus_off())

// SQLite's memory statistics are turned off before SQLite starts (the
// package's variables are set before any database is opened). With them
// on, as mattn/go-sqlite3 builds SQLite, every allocation SQLite makes
// takes one mutex shared by all connections: under 50 concurrent reads
// the connections queued on it, the process switched threads 7.4–8.2 times a
// request instead of 2.7–3.5, and it answered 13–24 % fewer requests
// (docs/PERFORMANCE.md, "SQLite's memory statistics and memory map":
// 2,079 / 2,186 → 2,571 / 2,481 req/s with this change alone). SQLite's own
// documentation recommends SQLITE_DEFAULT_MEMSTATUS=0 for speed;
// sqlite3_config does the same at run time, without build flags that
// `go run` would have to be given.
//
// sqliteMemoryUsed is SQLite's count of the memory it holds: 0 while the
// statistics are off.
func sqliteMemoryUsed() int64 { return int64(C.pw_memory_used()) }

// sqliteDriver is mattn/go-sqlite3 with the settings of every connection
// that the DSN cannot carry: SQLite reads the first sqliteMmap bytes of
// the file through a memory map instead of a read(2) into its own cache
// for each page it lacks. With 5.6 million members, under the load
// test's reads, that took 18.6 page reads a request down to 6.3
// (docs/PERFORMANCE.md, "SQLite's memory statistics and memory map").
// SQLite writes through write(2) as before; the mapped pages are the
// operating system's file cache, shared by the connections (the process's
// resident size counts them once a connection). The price: a disk's read
// error, or the file cut short in place by another program (a copy over
// the live file), stops the whole process (SIGBUS) where a read(2) failed
// one request (docs/OPERATIONS.md).
const sqliteDriver = "partyworks-sqlite3"

// sqliteMmap is SQLite's own ceiling on a memory map (SQLITE_MAX_MMAP_SIZE
// as mattn/go-sqlite3 builds it): a larger size is cut to it.
const sqliteMmap = 0x7fff0000

func init() {
	// Registered here, with cgo: without it mattn/go-sqlite3 is a stub
	// (sqlite_nocgo.go).
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", sqliteMmap), nil)
		return err
	}})
}
