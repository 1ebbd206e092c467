package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// Figures for docs/PERFORMANCE.md (documents section). The large
// benchmarks load PARTYWORKS_BENCH_DOCS documents (default 100,000) once
// into a database kept between runs (/tmp/pw-docbench-N.db, PostgreSQL
// schema docbench_N):
//
//	go test ./sqldb -run XXX -bench 'DocumentSearch|DocumentRegisterPage' -benchtime 200x -timeout 2h
//	go test ./sqldb -run XXX -bench 'DocumentNumbers' -benchtime 2000x

var words = strings.Fields(`tổ chức bộ máy tinh gọn hiệu lực hiệu quả đại hội đảng bộ các cấp nhiệm kỳ
	công tác cán bộ quy hoạch luân chuyển bổ nhiệm kiểm tra giám sát kỷ luật đảng viên chi bộ bốn tốt phát triển
	đảng viên mới dân vận tuyên giáo nội chính phòng chống tham nhũng lãng phí tiêu cực chuyển đổi số cải cách
	hành chính học tập quán triệt nghị quyết chỉ thị kết luận báo cáo tổng kết năm phương hướng nhiệm vụ sắp xếp
	đơn vị hành chính cấp xã phường đặc khu Quảng Ninh Hạ Long Cẩm Phả Uông Bí Móng Cái văn phòng tài chính tài sản`)

func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("PARTYWORKS_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchDocs opens (and on first use fills) the large database.
func benchDocs(b *testing.B, pg bool) (*sqldb.DocumentService, []int64, partyworks.Viewer) {
	ctx := context.Background()
	n := benchSize()
	var dsn string
	if pg {
		url := sqldbtest.PostgresURL(b)
		schema := fmt.Sprintf("docbench_%d", n)
		admin, err := sql.Open("pgx", url)
		if err != nil {
			b.Fatal(err)
		}
		admin.Exec("CREATE SCHEMA IF NOT EXISTS " + schema)
		admin.Close()
		dsn = url + "&search_path=" + schema
	} else {
		dsn = fmt.Sprintf("/tmp/pw-docbench-%d.db", n)
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	units := sqldb.NewUnitService(db)
	docs := sqldb.NewDocumentService(db, nil)
	if _, err := units.FindUnitByCode(ctx, "22", partyworks.Date{}); err != nil {
		rows := []partyworks.UnitRow{{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince}}
		for i := range 100 {
			rows = append(rows, partyworks.UnitRow{Line: i + 3, Code: fmt.Sprintf("22.%03d", i), Name: fmt.Sprintf("Đảng ủy xã %d", i), Kind: partyworks.KindCommune, ParentCode: "22"})
		}
		if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Rows: rows, Effective: day("2020-01-01")}); err != nil {
			b.Fatal(err)
		}
	}
	var ids []int64
	for i := range 100 {
		u, err := units.FindUnitByCode(ctx, fmt.Sprintf("22.%03d", i), partyworks.Date{})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	qn, _ := units.FindUnitByCode(ctx, "22", partyworks.Date{})
	_, have, err := docs.FindDocuments(ctx, partyworks.Viewer{System: true}, partyworks.DocumentFilter{UnitID: ids[99], Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	if have == 0 {
		start := time.Now()
		types := []string{"NQ", "CT", "KL", "KH", "HD", "TB", "BC", "CV", "QĐ", "TTr"}
		err := docs.BulkLoadDocuments(ctx, n, func(i int, d *partyworks.Document) {
			r := rand.New(rand.NewPCG(uint64(i), 7))
			d.UnitID = ids[i%len(ids)]
			d.Direction = partyworks.Outgoing
			if i%2 == 1 {
				d.Direction, d.Received = partyworks.Incoming, day("2025-01-01")
			}
			typ := types[r.IntN(len(types))]
			d.RegNo = i + 1
			d.Symbol = partyworks.Symbol{Number: i + 1, Type: typ, Issuer: "TU"}
			d.Issued = day("2016-01-01").AddDate(0, 0, i%3500)
			nw := 12 + r.IntN(14)
			parts := make([]string, nw)
			for j := range parts {
				parts[j] = words[r.IntN(len(words))]
			}
			d.Summary = strings.Join(parts, " ")
			if i%20 == 0 {
				d.Secrecy = partyworks.Confidential
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded %d documents in %v", n, time.Since(start))
		if pg {
			// What autovacuum does after a load: statistics for the
			// planner, the visibility map for index-only counts.
			if err := db.ExecRaw(ctx, "VACUUM ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
	}
	return docs, ids, partyworks.Viewer{UserID: 0, Paths: []string{qn.Path}}
}

// docLatencies runs op n times and reports p50 and p99 in milliseconds.
func docLatencies(b *testing.B, op func(i int) error) {
	var ds []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		i++
	}
	docReport(b, ds)
}

func docReport(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	if len(ds) == 0 {
		return
	}
	pct := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(float64(len(ds))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

var searchQueries = []string{"chi bo bon tot", "phong chong tham nhung", "luan chuyen bo nhiem", "dac khu", "chuyen doi so cai cach",
	"Hạ Long", "kiem tra giam sat ky luat", "tinh gon hieu luc", "quan triet nghi quyet", "Mong Cai van phong"}

func BenchmarkDocumentSearch(b *testing.B) {
	for _, pg := range []bool{false, true} {
		b.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(b *testing.B) {
			docs, _, v := benchDocs(b, pg)
			ctx := context.Background()
			docLatencies(b, func(i int) error {
				_, err := docs.SearchDocuments(ctx, v, partyworks.SearchQuery{Text: searchQueries[i%len(searchQueries)], Limit: 20})
				return err
			})
		})
	}
}

func BenchmarkDocumentRegisterPage(b *testing.B) {
	for _, pg := range []bool{false, true} {
		b.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(b *testing.B) {
			docs, ids, v := benchDocs(b, pg)
			ctx := context.Background()
			docLatencies(b, func(i int) error {
				_, _, err := docs.FindDocuments(ctx, v, partyworks.DocumentFilter{UnitID: ids[i%len(ids)], Direction: partyworks.Outgoing, Limit: 50})
				return err
			})
		})
	}
}

// BenchmarkDocumentNumbers: 50 writers take numbers of one counter at
// once, through two handles on PostgreSQL (two app nodes); each op is one number, its
// latency includes the queue. "register" numbers whole registrations
// (line, search text, audit entry). Gaps and duplicates are checked after.
func BenchmarkDocumentNumbers(b *testing.B) {
	for _, pg := range []bool{false, true} {
		for _, whole := range []bool{false, true} {
			name := map[bool]string{false: "sqlite", true: "postgres"}[pg] + map[bool]string{false: "/counter", true: "/register"}[whole]
			b.Run(name, func(b *testing.B) {
				var db *sqldb.DB
				if pg {
					db = sqldbtest.Postgres(b)
				} else {
					db = sqldbtest.SQLite(b)
				}
				f := newDocFixture(b, db)
				// SQLite serves one app node (a second handle would be a
				// second writer fighting over the file's lock); PostgreSQL
				// gets a second node.
				nodes := []*sqldb.DocumentService{f.docs, f.docs}
				if pg {
					db2, err := sqldb.Open(context.Background(), db.DSN)
					if err != nil {
						b.Fatal(err)
					}
					defer db2.Close()
					nodes[1] = sqldb.NewDocumentService(db2, f.vault)
				}
				unit := f.ids["22"]
				const writers = 50
				ctx := context.Background()
				var mu sync.Mutex
				var ds []time.Duration
				got := map[int]int{}
				total := b.N
				b.ResetTimer()
				var wg sync.WaitGroup
				for w := range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for k := w; k < total; k += writers {
							start := time.Now()
							var n int
							var err error
							if whole {
								d := &partyworks.Document{UnitID: unit, Direction: partyworks.Outgoing, Symbol: partyworks.Symbol{Type: "CV"}, Issued: day("2025-03-01"), Summary: "Công văn"}
								err = nodes[k%2].RegisterDocument(ctx, partyworks.Viewer{System: true}, d)
								n = d.RegNo
							} else {
								n, err = nodes[k%2].NextNumber(ctx, unit, "bench", "CV")
							}
							el := time.Since(start)
							if err != nil {
								b.Error(err)
								return
							}
							mu.Lock()
							ds, got[n] = append(ds, el), got[n]+1
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				for k := 1; k <= total; k++ {
					if got[k] != 1 {
						b.Fatalf("number %d taken %d times", k, got[k])
					}
				}
				docReport(b, ds)
			})
		}
	}
}
