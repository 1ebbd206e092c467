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

// sqliteConfigured is what sqlite3_config said when the process started
// (0: SQLITE_OK).
var sqliteConfigured = int(C.pw_memstatus_off())

// SQLite's memory statistics are turned off before SQLite starts (the
// package's variables are set before any database is opened). With them
// on, as mattn/go-sqlite3 builds SQLite, every allocation SQLite makes
// takes one mutex shared by all connections: under 50 concurrent reads
// the connections queued on it, the process switched threads 7–8 times a
// request instead of about 3, and it answered 15–20 % fewer requests
// (docs/PERFORMANCE.md, "SQLite's memory statistics"). SQLite's own
// documentation recommends SQLITE_DEFAULT_MEMSTATUS=0 for speed;
// sqlite3_config does the same at run time, without build flags that
// `go run` would have to be given.
//
// sqliteMemoryUsed is SQLite's count of the memory it holds: 0 while the
// statistics are off.
func sqliteMemoryUsed() int64 { return int64(C.pw_memory_used()) }
