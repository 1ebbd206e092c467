package sqldb_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
)

// memberBenchRows is the size of the generated members file
// (PARTYWORKS_BENCH_MEMBERS overrides; default 200,000).
func memberBenchRows() int {
	if n, err := strconv.Atoi(os.Getenv("PARTYWORKS_BENCH_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return 200000
}

// benchTree builds a province of 50 communes × 8 grassroots × 5 cells
// (2,000 cells) and returns the cell codes.
func benchTree(b *testing.B, units *sqldb.UnitService) []string {
	rows := []partyworks.UnitRow{{Line: 2, Code: "P", Name: "Tỉnh ủy Thử", Kind: partyworks.KindProvince}}
	var cells []string
	for c := range 50 {
		cc := fmt.Sprintf("X%02d", c)
		rows = append(rows, partyworks.UnitRow{Line: len(rows) + 2, Code: cc, Name: "Đảng ủy xã " + cc, Kind: partyworks.KindCommune, ParentCode: "P"})
		for g := range 8 {
			gc := fmt.Sprintf("%s-G%d", cc, g)
			rows = append(rows, partyworks.UnitRow{Line: len(rows) + 2, Code: gc, Name: "Đảng bộ cơ sở " + gc, Kind: partyworks.KindGrassroots, ParentCode: cc})
			for k := range 5 {
				kc := fmt.Sprintf("%s-C%d", gc, k)
				rows = append(rows, partyworks.UnitRow{Line: len(rows) + 2, Code: kc, Name: "Chi bộ " + kc, Kind: partyworks.KindCell, ParentCode: gc})
				cells = append(cells, kc)
			}
		}
	}
	if _, err := units.ImportUnits(context.Background(), partyworks.UnitImport{Rows: rows, Effective: day("2000-01-01")}); err != nil {
		b.Fatal(err)
	}
	return cells
}

var (
	families = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	middles  = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc"}
	givens   = []string{"An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương", "Sơn", "Thảo", "Trang", "Tuấn", "Yến"}
	ethnics  = []string{"Kinh", "Kinh", "Kinh", "Kinh", "Tày", "Dao", "Sán Dìu", "Hoa"}
)

// memberCSV generates n valid member rows over the cells.
func memberCSV(n int, cells []string) []byte {
	r := rand.New(rand.NewSource(1))
	var b strings.Builder
	b.WriteString("citizen_id,full_name,sex,birth_date,unit_code,status,admitted,ethnicity,religion,education,professional,theory\n")
	for i := range n {
		birth := time.Date(1940+r.Intn(65), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC)
		sex, code := "nam", (birth.Year()/100-19)*2
		if r.Intn(2) == 1 {
			sex, code = "nữ", code+1
		}
		adm := birth.AddDate(18+r.Intn(max(1, 2024-birth.Year()-18)), r.Intn(12), 0)
		if adm.Year() > 2024 {
			adm = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
		}
		fmt.Fprintf(&b, "0%02d%d%02d%06d,%s %s %s,%s,%s,%s,official,%s,%s,Không,12/12,Đại học,Trung cấp\n",
			1+r.Intn(96), code, birth.Year()%100, i, families[r.Intn(len(families))], middles[r.Intn(len(middles))], givens[r.Intn(len(givens))],
			sex, birth.Format("02/01/2006"), cells[r.Intn(len(cells))], adm.Format("02/01/2006"), ethnics[r.Intn(len(ethnics))])
	}
	return []byte(b.String())
}

// BenchmarkMemberImport imports a generated file of members (full
// validation, statistics, 20,000 rows a transaction) into a fresh
// database, as CSV and as XLSX (the same rows written by sheet.WriteXLSX),
// and in the same run inserts the same number of eight-column rows raw
// (one transaction, one prepared statement, no index) for the ratio.
// rows/s counts reading the file and importing it, as the CLI and the web
// do (sheet.Stream: a large XLSX goes in while the rest of its sheet is
// scanned; read-s is the time until its first rows are ready, rows/s-store
// the import's own rate, which then includes the rest of the scan); cpu-s is the process's
// CPU time over both (the machine is shared: the wall time moves with the
// load). Targets (SQLite): CSV 120,000 rows/s, XLSX 50,000 rows/s.
func BenchmarkMemberImport(b *testing.B) {
	n := memberBenchRows()
	eachBackend(b, func(b *testing.B, be benchBackend) {
		for _, format := range []string{"csv", "xlsx"} {
			b.Run(format, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					db, done := be.open(b)
					units := sqldb.NewUnitService(db)
					cells := benchTree(b, units)
					data, name := memberCSV(n, cells), "members.csv"
					if format == "xlsx" {
						data, name = memberXLSX(b, data), "members.xlsx"
					}
					runtime.GC()
					b.StartTimer()
					t0, cpu0 := time.Now(), cpuTime()
					st, err := sheet.Stream(bytes.NewReader(data), name)
					if err != nil {
						b.Fatal(err)
					}
					parse := time.Since(t0)
					start := time.Now()
					res, err := sqldb.NewMemberService(db).ImportMembers(context.Background(), partyworks.MemberImport{Name: name, Hash: "bench", Stream: st, Effective: day("2025-01-01")})
					el, cpu := time.Since(start), cpuTime()-cpu0
					b.StopTimer()
					if err != nil || res.Inserted != n {
						b.Fatalf("import: %v %d errors %v", err, res.Inserted, res.Errors[:min(3, len(res.Errors))])
					}
					raw := rawInsert(b, db, n)
					b.ReportMetric(float64(n)/(el+parse).Seconds(), "rows/s")
					b.ReportMetric(parse.Seconds(), "read-s")
					b.ReportMetric(float64(n)/el.Seconds(), "rows/s-store")
					b.ReportMetric(cpu.Seconds(), "cpu-s")
					b.ReportMetric(raw, "raw-rows/s")
					b.ReportMetric(float64(n)/(el+parse).Seconds()/raw, "ratio")
					done()
					b.StartTimer()
				}
			})
		}
	})
}

// memberXLSX writes the rows of a generated CSV as an XLSX workbook.
func memberXLSX(b *testing.B, csv []byte) []byte {
	t, err := sheet.Read(bytes.NewReader(csv), "members.csv")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, "Đảng viên", t.Header, t.Rows); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func rawInsert(b *testing.B, db *sqldb.DB, n int) float64 {
	ctx := context.Background()
	if err := db.ExecRaw(ctx, `CREATE TABLE raw_bench (a TEXT, b TEXT, c TEXT, d TEXT, e BIGINT, f TEXT, g TEXT, h TEXT)`); err != nil {
		b.Fatal(err)
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO raw_bench VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := range n {
		if _, err := st.Exec("022090001234", "Nguyễn Văn An", "male", "1990-01-01", i, "official", "2010-01-01", "Kinh"); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkMemberReads measures, after importing the generated members,
// the statistics of the province, a commune and a cell on random days
// (target p99 < 20 ms), a name search across the province (target p99 <
// 100 ms) and a member's record (target p99 < 20 ms).
func BenchmarkMemberReads(b *testing.B) {
	n := memberBenchRows()
	eachBackend(b, func(b *testing.B, be benchBackend) {
		db, done := be.open(b)
		defer done()
		units := sqldb.NewUnitService(db)
		cells := benchTree(b, units)
		table, _ := sheet.Read(strings.NewReader(string(memberCSV(n, cells))), "m.csv")
		ms := sqldb.NewMemberService(db)
		ctx := context.Background()
		if _, err := ms.ImportMembers(ctx, partyworks.MemberImport{Name: "m.csv", Hash: "bench", Table: table, Effective: day("2025-01-01")}); err != nil {
			b.Fatal(err)
		}
		at := day("2025-06-01")
		prov := mustCode(b, units, "P", "2025-06-01")
		r := rand.New(rand.NewSource(2))
		for _, c := range []struct {
			name string
			unit func() int64
		}{
			{"stats-province", func() int64 { return prov.ID }},
			{"stats-commune", func() int64 { return mustCode(b, units, fmt.Sprintf("X%02d", r.Intn(50)), "2025-06-01").ID }},
			{"stats-cell", func() int64 { return mustCode(b, units, cells[r.Intn(len(cells))], "2025-06-01").ID }},
		} {
			b.Run(c.name, func(b *testing.B) {
				var l latencies
				for b.Loop() {
					id := c.unit()
					l.time(func() {
						if _, err := ms.MemberStats(ctx, id, at.AddDate(0, 0, r.Intn(400))); err != nil {
							b.Fatal(err)
						}
					})
				}
				l.report(b)
			})
		}
		// Searches as of today read the members table (the name index);
		// a past day goes through the history union.
		for _, c := range []struct {
			name string
			at   partyworks.Date
		}{{"search-name", partyworks.Today(time.Now())}, {"search-name-past", at}} {
			b.Run(c.name, func(b *testing.B) {
				var l latencies
				for b.Loop() {
					q := strings.ToLower(families[r.Intn(len(families))] + " " + middles[r.Intn(len(middles))] + " " + givens[r.Intn(len(givens))])
					l.time(func() {
						if _, _, err := ms.FindMembers(ctx, partyworks.MemberFilter{At: c.at, Under: prov.ID, Query: q}); err != nil {
							b.Fatal(err)
						}
					})
				}
				l.report(b)
			})
		}
		b.Run("member-page", func(b *testing.B) {
			var l latencies
			for b.Loop() {
				id := int64(1 + r.Intn(n))
				l.time(func() {
					if _, err := ms.FindMemberByID(ctx, id); err != nil {
						b.Fatal(err)
					}
				})
			}
			l.report(b)
		})
	})
}
