package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // PostgreSQL
	_ "github.com/mattn/go-sqlite3"  // SQLite: chosen by measurement, see docs/ARCHITECTURE.md (settings: sqlite_config.go)
)

// dialect is the one place where SQLite and PostgreSQL differ in Go code;
// the schemas differ in migrations/{sqlite,postgres}.
type dialect int

const (
	sqlite dialect = iota
	postgres
)

func (d dialect) name() string {
	if d == postgres {
		return "postgres"
	}
	return "sqlite"
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteReaders is how many connections of a SQLite database read at once.
const SQLiteReaders = 8

// openSQLite opens a reader pool and a single writer connection on one
// file. WAL lets readers run beside the writer; the writer takes its lock
// at BEGIN (IMMEDIATE) so that two writers queue on busy_timeout instead of
// failing midway.
func openSQLite(driver, path string) (read, write *sql.DB, err error) {
	if path == "" || path == ":memory:" {
		return nil, nil, fmt.Errorf("sqlite: give a file path (two pools cannot share :memory:)")
	}
	base := "file:" + path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_synchronous=NORMAL&_cache_size=-65536&_stmt_cache_size=128"
	write, err = sql.Open(driver, base+"&_txlock=immediate")
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err = sql.Open(driver, base+"&_query_only=1")
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	read.SetMaxOpenConns(SQLiteReaders)
	read.SetMaxIdleConns(SQLiteReaders)
	read.SetConnMaxIdleTime(0)
	return read, write, nil
}

// openPostgres opens one pool that serves reads and writes. A server that
// does not answer fails a connection after connect_timeout (5 s unless the
// URL says) rather than hanging the request; pgx's stdlib pings a
// connection idle for over a second before reuse, so the pool drops the
// connections of a restarted server by itself.
func openPostgres(dsn string) (read, write *sql.DB, err error) {
	db, err := sql.Open("pgx", withDefaultParam(dsn, "connect_timeout", "5"))
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return db, db, nil
}

// copyFrom loads rows into table with PostgreSQL's COPY, inside the
// transaction (which must come from updateConn).
func (tx *Tx) copyFrom(table string, cols []string, rows [][]any) error {
	if tx.conn == nil {
		return fmt.Errorf("copy into %s: not a PostgreSQL bulk transaction", table)
	}
	return copyInto(tx.ctx, tx.conn, table, cols, pgx.CopyFromRows(rows))
}

// copyInto runs PostgreSQL's COPY on conn's pgx connection: database/sql
// serializes the connection's use, and COPY runs on the same server
// session, so the rows belong to whatever transaction conn has open.
func copyInto(ctx context.Context, conn *sql.Conn, table string, cols []string, src pgx.CopyFromSource) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection", table)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
}
