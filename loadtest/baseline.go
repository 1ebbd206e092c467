package loadtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver sqldb uses, so that the baseline is comparable
)

// baselineRows is the size of the baseline's table: enough that the reads
// are spread, small enough to build in a moment.
const baselineRows = 100_000

// The baseline's one kind: a row by id.
var kindRow = &kind{name: "row", missing: func(*Targets) string { return "" },
	next: func(w *worker) request { return get("/row/%d", 1+w.rng.IntN(baselineRows)) }}

// RunBaseline loads a bare net/http handler that reads one row by primary
// key from a SQLite file (the same driver and DSN settings as the readers
// of sqldb, without their memory map: its table fits in the cache) and
// writes it as JSON: no routing table, authentication, access
// check, logging or metrics. It is the ceiling of this machine, to state
// partyworks' figures against. It serves in this process, so the report's
// generator CPU is the server's and the generator's together.
func RunBaseline(ctx context.Context, cfg Config) (*Report, error) {
	dir, err := os.MkdirTemp("", "partyworks-baseline-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := baselineDB(filepath.Join(dir, "baseline.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: baselineHandler(db), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	cfg.URLs, cfg.Mix = []string{"http://" + ln.Addr().String()}, "reads"
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := newClient(cfg.Conns)
	defer client.CloseIdleConnections()
	p := &plan{table: []*kind{kindRow}}
	r, err := load(ctx, cfg, client, &Targets{}, p)
	if r != nil {
		r.Mix = "baseline"
		r.Targets = fmt.Sprintf("a bare net/http handler reading 1 of %d SQLite rows by id", baselineRows)
	}
	return r, err
}

func baselineDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_synchronous=NORMAL&_cache_size=-65536")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8) // as sqldb's reader pool
	db.SetMaxIdleConns(8)
	if err := fillBaseline(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("baseline database: %w", err)
	}
	return db, nil
}

func fillBaseline(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, unit_id INTEGER NOT NULL)`); err != nil {
		return err
	}
	ins, err := tx.Prepare(`INSERT INTO rows (id, name, unit_id) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for i := 1; i <= baselineRows; i++ {
		if _, err := ins.Exec(i, "Nguyễn Văn "+strconv.Itoa(i), i%3000); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func baselineHandler(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var row struct {
			ID     int64  `json:"id"`
			Name   string `json:"name"`
			UnitID int64  `json:"unit_id"`
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/row/"), 10, 64)
		err := db.QueryRowContext(r.Context(), `SELECT id, name, unit_id FROM rows WHERE id = ?`, id).Scan(&row.ID, &row.Name, &row.UnitID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(row)
	})
}
