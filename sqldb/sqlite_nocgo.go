//go:build !cgo

package sqldb

// Without cgo mattn/go-sqlite3 is a stub that refuses to open a file
// (PostgreSQL still works): its own name, no settings.
const sqliteDriver = "sqlite3"

var sqliteConfigured = -1

func sqliteMemoryUsed() int64 { return -1 }
