package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

// The directives and tasks of the story (issue 4): the conclusions of the
// joint year-end conference of 18/12/2024 with the 2025 tasks of the
// departments; Directive 35-CT/TW and the provincial plan 439-KH/TU on the
// congresses, cascaded to the commune-level committees; Resolution
// 18-NQ/TW on streamlining, given to the Organization Department and the
// district-level committees. Progress runs through 2025 and 2026: most
// tasks done on time, some late, some still overdue. The first half is
// recorded before the July 2025 reorganization (open tasks of merged
// communes then follow the fold hook to their successors), the second
// after it.

const (
	conferenceTitle = "Kết luận Hội nghị tổng kết công tác xây dựng Đảng năm 2024 khối xây dựng Đảng (hội nghị liên ngành 18/12/2024)"
	congressTitle   = "Tổ chức đại hội đảng bộ cấp cơ sở nhiệm kỳ 2025–2030"
)

var communeKinds = []partyworks.UnitKind{partyworks.KindCommune, partyworks.KindWard, partyworks.KindTownship, partyworks.KindSpecialZone}

// taskSeeder carries the task store through both halves.
type taskSeeder struct {
	*seeder
	tasks *sqldb.TaskService
	today partyworks.Date
	n     int // progress reports written
}

func (s *seeder) taskStore(db *sqldb.DB) *taskSeeder {
	dir := filepath.Join(os.TempDir(), "partyworks-demo-evidence") // no file is seeded
	return &taskSeeder{seeder: s, tasks: sqldb.NewTaskService(db, dir), today: partyworks.Today(time.Now())}
}

func (t *taskSeeder) unit(ctx context.Context, code string, at partyworks.Date) (int64, error) {
	u, err := t.units.FindUnitByCode(ctx, code, at)
	if err != nil {
		return 0, fmt.Errorf("unit %s: %w", code, err)
	}
	return u.ID, nil
}

// report records progress on a day of the story; a day still to come
// (the demo seeded before it) is left out.
func (t *taskSeeder) report(ctx context.Context, task *partyworks.Task, pct int, day string, note string) (*partyworks.Task, error) {
	d := date(day)
	if d.After(t.today) {
		return task, nil
	}
	out, err := t.tasks.ReportProgress(ctx, partyworks.ProgressReport{TaskID: task.ID, Version: task.Version, Progress: &pct, Day: d, Note: note})
	if err != nil {
		return nil, fmt.Errorf("report on task %d (%s): %w", task.ID, task.Title, err)
	}
	t.n++
	return out, nil
}

func (t *taskSeeder) accept(ctx context.Context, task *partyworks.Task) error {
	if !task.Done() {
		return nil
	}
	_, err := t.tasks.ReviewTask(ctx, task.ID, task.Version, true, "Đạt yêu cầu")
	return err
}

// tasksOf lists a directive's top-level tasks, by id (deterministic).
func (t *taskSeeder) tasksOf(ctx context.Context, dirID int64, title string) ([]*partyworks.Task, error) {
	var out []*partyworks.Task
	for off := 0; ; {
		ts, total, err := t.tasks.FindTasks(ctx, partyworks.TaskFilter{DirectiveID: dirID, Limit: 100, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, x := range ts {
			if x.ParentID == 0 && (title == "" || x.Title == title) {
				out = append(out, x)
			}
		}
		off += len(ts)
		if len(ts) == 0 || off >= total {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (t *taskSeeder) directive(ctx context.Context, d *partyworks.Directive) (*partyworks.Directive, error) {
	if err := t.tasks.CreateDirective(ctx, d); err != nil {
		return nil, fmt.Errorf("directive %s %s: %w", d.Symbol, d.Title, err)
	}
	return d, nil
}

// tasksBefore registers the directives and gives the 2025 tasks, with
// the progress reported up to 30/06/2025.
func (s *seeder) tasksBefore(ctx context.Context, db *sqldb.DB) (string, error) {
	t := s.taskStore(db)
	qn, err := t.unit(ctx, provinceCode, termStart)
	if err != nil {
		return "", err
	}
	conf, err := t.directive(ctx, &partyworks.Directive{OwnerID: qn, Kind: partyworks.DirConference, Issuer: "Tỉnh ủy Quảng Ninh", Issued: date("2024-12-18"),
		Title: conferenceTitle, Rule: partyworks.RuleWeighted,
		Summary: "Nhiệm vụ năm 2025 của khối xây dựng Đảng do đồng chí Bí thư Tỉnh ủy kết luận: đại hội đảng bộ các cấp, sắp xếp bộ máy, chuyển đổi số, củng cố tổ chức cơ sở đảng, dân vận, phòng chống tham nhũng, tham mưu quy chế làm việc."})
	if err != nil {
		return "", err
	}
	ct35, err := t.directive(ctx, &partyworks.Directive{OwnerID: qn, Symbol: "35-CT/TW", Issuer: "Bộ Chính trị", Issued: date("2024-06-14"), Rule: partyworks.RuleShareDone,
		Title: "Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIV của Đảng"})
	if err != nil {
		return "", err
	}
	kh439, err := t.directive(ctx, &partyworks.Directive{OwnerID: qn, Symbol: "439-KH/TU", Issuer: "Tỉnh ủy Quảng Ninh", Issued: date("2024-08-05"), Rule: partyworks.RuleShareDone,
		Title: "Kế hoạch thực hiện Chỉ thị số 35-CT/TW về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI"})
	if err != nil {
		return "", err
	}
	nq18, err := t.directive(ctx, &partyworks.Directive{OwnerID: qn, Symbol: "18-NQ/TW", Issuer: "Ban Chấp hành Trung ương", Issued: date("2017-10-25"), Rule: partyworks.RuleAverage,
		Title: "Một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả"})
	if err != nil {
		return "", err
	}
	_ = ct35 // its tasks come with the new communes (tasksAfter)

	jan := date("2025-01-02")
	// The departments' 2025 tasks from the conference. Propaganda and Mass
	// Mobilization had merged by the time the tasks were entered: their
	// tasks go to the merged department from its founding.
	type deptTask struct {
		code, title, deadline string
		weight                int
		at                    partyworks.Date
	}
	depts := []deptTask{
		{"22.BTC", "Tham mưu công tác nhân sự đại hội đảng bộ các cấp nhiệm kỳ 2025–2030", "2025-05-31", 3, jan},
		{"22.BTC", "Củng cố tổ chức cơ sở đảng, phát triển đảng viên; nhân rộng mô hình chi bộ \"4 tốt\", đảng bộ \"4 tốt\"", "2025-12-31", 2, jan},
		{"22.VP", "Chuyển đổi số, cải cách hành chính trong cơ quan đảng: giảm họp, giảm giấy tờ, giảm thủ tục", "2025-10-31", 2, jan},
		{"22.VP", "Tham mưu quy chế làm việc và chương trình công tác toàn khóa của Ban Chấp hành, Ban Thường vụ, Thường trực Tỉnh ủy", "2025-09-30", 1, jan},
		{"22.BNC", "Phòng, chống tham nhũng, lãng phí, tiêu cực; cải cách tư pháp", "2025-12-31", 2, jan},
		{merged.code, "Nâng cao chất lượng học tập, quán triệt, tuyên truyền nghị quyết, chỉ thị, kết luận của Trung ương và của Tỉnh", "2025-12-31", 2, mergeDay},
		{merged.code, "Thực hiện Quy chế dân vận và Luật Thực hiện dân chủ ở cơ sở", "2025-11-30", 1, mergeDay},
	}
	given := 0
	for _, d := range depts {
		id, err := t.unit(ctx, d.code, d.at)
		if err != nil {
			return "", err
		}
		n, err := t.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: conf.ID, Units: []int64{id}, At: d.at, Title: d.title,
			Start: d.at, Deadline: date(d.deadline), Weight: d.weight})
		if err != nil {
			return "", fmt.Errorf("%s: %w", d.title, err)
		}
		given += n
	}
	// 18-NQ/TW: the province's streamlining scheme, and the district-level
	// committees' plans for their communes.
	btc, err := t.unit(ctx, "22.BTC", jan)
	if err != nil {
		return "", err
	}
	if _, err := t.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: nq18.ID, Units: []int64{btc}, At: jan, Title: "Xây dựng Đề án sắp xếp tổ chức bộ máy của hệ thống chính trị tỉnh",
		Start: jan, Deadline: date("2025-02-28")}); err != nil {
		return "", err
	}
	n, err := t.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: nq18.ID, Under: qn, At: jan,
		Kinds: []partyworks.UnitKind{partyworks.KindDistrict, partyworks.KindTown, partyworks.KindProvincialCity},
		Title: "Xây dựng phương án sắp xếp đơn vị hành chính cấp xã và tổ chức đảng ở cơ sở", Start: jan, Deadline: date("2025-04-30")})
	if err != nil {
		return "", err
	}
	given += n + 1
	// 439-KH/TU: every commune-level committee holds its congress by 30/06.
	n, err = t.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: kh439.ID, Under: qn, At: jan, Kinds: communeKinds,
		Title: congressTitle, Start: jan, Deadline: date("2025-06-30"), Milestones: 0})
	if err != nil {
		return "", err
	}
	given += n

	// Progress to 30/06/2025.
	ts, err := t.tasksOf(ctx, nq18.ID, "")
	if err != nil {
		return "", err
	}
	for i, x := range ts {
		day := fmt.Sprintf("2025-04-%02d", 10+i%18)
		switch {
		case x.UnitID == btc:
			day = "2025-02-25"
		case i%6 == 5:
			day = "2025-05-12" // late
		}
		if x, err = t.report(ctx, x, 100, day, "Đã trình Ban Thường vụ Tỉnh ủy"); err != nil {
			return "", err
		}
		if i%2 == 0 {
			if err := t.accept(ctx, x); err != nil {
				return "", err
			}
		}
	}
	ts, err = t.tasksOf(ctx, kh439.ID, congressTitle)
	if err != nil {
		return "", err
	}
	for i, x := range ts {
		switch i % 10 {
		case 0, 1, 2, 3, 4, 5, 6: // held on time
			if x, err = t.report(ctx, x, 100, fmt.Sprintf("2025-%02d-%02d", 4+i%3, 5+i%20), "Đại hội thành công"); err != nil {
				return "", err
			}
			if i%3 == 0 {
				if err := t.accept(ctx, x); err != nil {
					return "", err
				}
			}
		case 7, 8: // preparing when the communes merged
			if _, err = t.report(ctx, x, 40+10*(i%10-7), "2025-06-15", "Đang chuẩn bị văn kiện, nhân sự"); err != nil {
				return "", err
			}
		}
	}
	for _, x := range mustTasks(t.tasksOf(ctx, conf.ID, "")) {
		switch {
		case x.UnitID == btc && x.Deadline.Equal(date("2025-05-31")):
			if x, err = t.report(ctx, x, 100, "2025-05-26", "Đã hoàn thành phương án nhân sự"); err == nil {
				err = t.accept(ctx, x)
			}
		default:
			_, err = t.report(ctx, x, 40, "2025-06-20", "Sơ kết 6 tháng")
		}
		if err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("4 directives (conference of 18/12/2024, 35-CT/TW, 439-KH/TU, 18-NQ/TW), %d tasks, %d progress reports to 30/06/2025", given, t.n), nil
}

func mustTasks(ts []*partyworks.Task, err error) []*partyworks.Task {
	if err != nil {
		panic(err) // only read errors of a fresh database
	}
	return ts
}

// tasksAfter gives the new communes their congress (35-CT/TW), records the
// progress from July 2025 through 2026 and runs the reminders once.
func (s *seeder) tasksAfter(ctx context.Context, db *sqldb.DB) (string, error) {
	t := s.taskStore(db)
	find := func(sym string) (*partyworks.Directive, error) {
		ds, err := t.tasks.FindDirectivesBySymbol(ctx, sym)
		if err != nil || len(ds) == 0 {
			return nil, fmt.Errorf("directive %s: %v", sym, err)
		}
		return ds[0], nil
	}
	ct35, err := find("35-CT/TW")
	if err != nil {
		return "", err
	}
	kh439, err := find("439-KH/TU")
	if err != nil {
		return "", err
	}
	qn, err := t.unit(ctx, provinceCode, reorgDay)
	if err != nil {
		return "", err
	}
	at := date("2025-07-15")
	n, err := t.tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: ct35.ID, Under: qn, At: at, Kinds: communeKinds,
		Title: "Đại hội đảng bộ xã, phường, đặc khu (sau sắp xếp) nhiệm kỳ 2025–2030", Start: at, Deadline: date("2025-08-31")})
	if err != nil {
		return "", err
	}
	for i, x := range mustTasks(t.tasksOf(ctx, ct35.ID, "")) {
		day := fmt.Sprintf("2025-08-%02d", 5+i%25)
		if i%9 == 4 {
			day = "2025-09-12" // late
		}
		if x, err = t.report(ctx, x, 100, day, "Đại hội thành công"); err != nil {
			return "", err
		}
		if i%2 == 0 {
			if err := t.accept(ctx, x); err != nil {
				return "", err
			}
		}
	}
	// The congresses that were still being prepared when the communes
	// merged: the successor holds them, late; a few are still open.
	open := 0
	for i, x := range mustTasks(t.tasksOf(ctx, kh439.ID, congressTitle)) {
		if x.Done() {
			continue
		}
		if i%4 == 3 {
			open++
			continue // still overdue
		}
		if _, err = t.report(ctx, x, 100, fmt.Sprintf("2025-08-%02d", 10+i%15), "Đã tổ chức cùng đại hội đảng bộ mới"); err != nil {
			return "", err
		}
	}
	// The departments' year: most done, one late, one overdue.
	ds, err := t.tasks.FindDirectives(ctx, qn)
	if err != nil {
		return "", err
	}
	for _, d := range ds {
		if d.Kind != partyworks.DirConference {
			continue
		}
		for i, x := range mustTasks(t.tasksOf(ctx, d.ID, "")) {
			if x.Done() {
				continue
			}
			switch i % 4 {
			case 0, 1:
				x, err = t.report(ctx, x, 100, x.Deadline.AddDate(0, 0, -5).Format(partyworks.DateLayout), "Hoàn thành")
				if err == nil && i%2 == 0 {
					err = t.accept(ctx, x)
				}
			case 2:
				_, err = t.report(ctx, x, 100, x.Deadline.AddDate(0, 0, 20).Format(partyworks.DateLayout), "Hoàn thành chậm do sắp xếp bộ máy")
			default:
				_, err = t.report(ctx, x, 80, "2026-01-15", "Đang triển khai")
			}
			if err != nil {
				return "", err
			}
		}
	}
	res, err := t.tasks.Remind(ctx, partyworks.RemindConfig{})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("35-CT/TW to %d new communes; %d reports; %d congresses of 439-KH/TU still overdue; reminders: %d overdue, %d escalated",
		n, t.n, open, res.Overdue, res.Escalated), nil
}
