package sqldb

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"partyworks"
)

// syncPaths brings tasks.unit_path up to date with the tree when the tree
// has changed (a new event or version) or the day has turned since the
// last sync. Tree changes are rare; the check is two index lookups.
func (s *TaskService) syncPaths(ctx context.Context) error {
	today := fmtDate(partyworks.Today(s.db.Now()))
	stamp, err := s.treeStamp(ctx, today)
	if err != nil {
		return err
	}
	var last string
	if err := s.db.queryRow(ctx, `SELECT stamp FROM task_sync WHERE id = 1`).Scan(&last); err != nil {
		return fmt.Errorf("task sync: %w", err)
	}
	if last == stamp {
		return nil
	}
	return s.db.update(ctx, func(tx *Tx) error {
		// One sync at a time (PostgreSQL), and only if no other did it
		// meanwhile: the counters must move each task once.
		if err := tx.lockTree(); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT stamp FROM task_sync WHERE id = 1`).Scan(&last); err != nil {
			return fmt.Errorf("task sync: %w", err)
		}
		if last == stamp {
			return nil
		}
		// The counters follow the tasks whose path changes.
		moved, err := tx.taskIDs(`EXISTS (SELECT 1 FROM unit_versions v WHERE v.unit_id = tasks.unit_id AND v.valid_from <= ? AND v.valid_to > ? AND v.path <> tasks.unit_path)`, today, today)
		if err != nil {
			return fmt.Errorf("task sync: %w", err)
		}
		c := tx.taskCounter()
		if err := c.ids(-1, moved); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE tasks SET unit_path = (SELECT v.path FROM unit_versions v WHERE v.unit_id = tasks.unit_id AND v.valid_from <= ? AND v.valid_to > ?)
			WHERE EXISTS (SELECT 1 FROM unit_versions v WHERE v.unit_id = tasks.unit_id AND v.valid_from <= ? AND v.valid_to > ? AND v.path <> tasks.unit_path)`,
			today, today, today, today); err != nil {
			return fmt.Errorf("task sync: %w", err)
		}
		if err := c.ids(1, moved); err != nil {
			return err
		}
		if err := c.apply(); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE task_sync SET stamp = ? WHERE id = 1`, stamp)
		return err
	})
}

func (s *TaskService) treeStamp(ctx context.Context, today string) (string, error) {
	var ev, ver int64
	if err := s.db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM unit_events`).Scan(&ev); err != nil {
		return "", err
	}
	if err := s.db.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM unit_versions`).Scan(&ver); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d/%d/%s", ev, ver, today), nil
}

// rollupSums is the aggregate a roll-up reads, over top-level tasks of one
// directive in a path range (the recount the counters are checked
// against).
const rollupSums = `COUNT(*),
	COALESCE(SUM(CASE WHEN done_on IS NOT NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN done_on IS NOT NULL AND done_on <= deadline THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN done_on IS NOT NULL AND review = 'accepted' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN done_on IS NULL AND deadline < ? THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN done_on IS NULL AND progress > 0 THEN 1 ELSE 0 END), 0),
	CAST(COALESCE(SUM(CASE WHEN done_on IS NOT NULL THEN 100 ELSE progress END), 0) AS BIGINT),
	CAST(COALESCE(SUM(weight), 0) AS BIGINT),
	CAST(COALESCE(SUM(weight * CASE WHEN done_on IS NOT NULL THEN 100 ELSE progress END), 0) AS BIGINT)`

// countSums is the same aggregate over the counters (task_counts): one row
// per deadline of the subtree's tasks.
const countSums = `CAST(COALESCE(SUM(tasks), 0) AS BIGINT),
	CAST(COALESCE(SUM(done), 0) AS BIGINT),
	CAST(COALESCE(SUM(done_on_time), 0) AS BIGINT),
	CAST(COALESCE(SUM(accepted), 0) AS BIGINT),
	CAST(COALESCE(SUM(CASE WHEN deadline < ? THEN tasks - done ELSE 0 END), 0) AS BIGINT),
	CAST(COALESCE(SUM(started), 0) AS BIGINT),
	CAST(COALESCE(SUM(percent_sum), 0) AS BIGINT),
	CAST(COALESCE(SUM(weight_sum), 0) AS BIGINT),
	CAST(COALESCE(SUM(weighted_sum), 0) AS BIGINT)`

// RecountRollup computes a roll-up's counts from the tasks themselves,
// without the counters: the check that they agree.
func (s *TaskService) RecountRollup(ctx context.Context, directiveID, unitID int64) (partyworks.RollupCounts, error) {
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return partyworks.RollupCounts{}, err
	}
	if err := s.syncPaths(ctx); err != nil {
		return partyworks.RollupCounts{}, err
	}
	lo, hi := subtreeRange(u.Path)
	return scanCounts(s.db.queryRow(ctx, `SELECT `+rollupSums+` FROM tasks WHERE directive_id = ? AND parent_id IS NULL AND unit_path >= ? AND unit_path < ?`,
		fmtDate(partyworks.Today(s.db.Now())), directiveID, lo, hi))
}

func scanCounts(s scanner, extra ...any) (partyworks.RollupCounts, error) {
	var c partyworks.RollupCounts
	err := s.Scan(append(extra, &c.Tasks, &c.Done, &c.DoneOnTime, &c.Accepted, &c.Overdue, &c.Started, &c.PercentSum, &c.WeightSum, &c.WeightedSum)...)
	return c, err
}

// Rollup computes a directive's progress over a unit's subtree (as the
// tree stands today) by the directive's rule; with children, the same for
// each unit just below.
func (s *TaskService) Rollup(ctx context.Context, directiveID, unitID int64, children bool) (*partyworks.Rollup, error) {
	d, err := s.findDirective(ctx, directiveID, directiveHead)
	if err != nil {
		return nil, err
	}
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.syncPaths(ctx); err != nil {
		return nil, err
	}
	today := partyworks.Today(s.db.Now())
	r := &partyworks.Rollup{DirectiveID: d.ID, UnitID: u.ID, UnitName: u.Name, Rule: d.Rule, Today: today}
	r.Counts, err = scanCounts(s.db.queryRow(ctx, `SELECT `+countSums+` FROM task_counts WHERE directive_id = ? AND unit_id = ?`,
		fmtDate(today), d.ID, u.ID))
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	r.Progress, r.OnTime = partyworks.ComputeRollup(d.Rule, r.Counts)
	if children && r.Counts.Tasks > 0 {
		if r.Children, err = s.childRollups(ctx, d, u, today); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// childRollups reads the counters of the units just below u (those whose
// above_id is u), one group per child.
func (s *TaskService) childRollups(ctx context.Context, d *partyworks.Directive, u *partyworks.Unit, today partyworks.Date) ([]*partyworks.Rollup, error) {
	rows, err := s.db.query(ctx, `SELECT unit_id, `+countSums+` FROM task_counts WHERE directive_id = ? AND above_id = ? GROUP BY unit_id`,
		fmtDate(today), d.ID, u.ID)
	if err != nil {
		return nil, fmt.Errorf("rollup by child: %w", err)
	}
	defer rows.Close()
	byChild := map[int64]*partyworks.Rollup{}
	var order []int64
	for rows.Next() {
		var id int64
		c, err := scanCounts(rows, &id)
		if err != nil {
			return nil, err
		}
		if c.Tasks == 0 {
			continue
		}
		byChild[id] = &partyworks.Rollup{DirectiveID: d.ID, UnitID: id, Rule: d.Rule, Today: today, Counts: c}
		order = append(order, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.unitNames(ctx, order)
	if err != nil {
		return nil, err
	}
	out := make([]*partyworks.Rollup, 0, len(order))
	for _, id := range order {
		ch := byChild[id]
		ch.UnitName = names[id].name
		ch.Progress, ch.OnTime = partyworks.ComputeRollup(d.Rule, ch.Counts)
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UnitName < out[j].UnitName })
	return out, nil
}

// LateUnits lists the top-level tasks of a directive in a subtree that are
// overdue or were done late, most late first.
func (s *TaskService) LateUnits(ctx context.Context, directiveID, unitID int64, limit int) ([]partyworks.LateUnit, error) {
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.syncPaths(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	today := partyworks.Today(s.db.Now())
	lo, hi := subtreeRange(u.Path)
	rows, err := s.db.query(ctx, `SELECT id, unit_id, deadline, COALESCE(done_on, ''), progress FROM tasks
		WHERE directive_id = ? AND parent_id IS NULL AND unit_path >= ? AND unit_path < ?
		AND ((done_on IS NULL AND deadline < ?) OR done_on > deadline) ORDER BY deadline, id LIMIT `+strconv.Itoa(limit),
		directiveID, lo, hi, fmtDate(today))
	if err != nil {
		return nil, fmt.Errorf("late units: %w", err)
	}
	defer rows.Close()
	var out []partyworks.LateUnit
	var ids []int64
	for rows.Next() {
		var l partyworks.LateUnit
		var deadline, done string
		if err := rows.Scan(&l.TaskID, &l.UnitID, &deadline, &done, &l.Progress); err != nil {
			return nil, err
		}
		l.Deadline = parseDate(deadline)
		end := today
		if done != "" {
			l.DoneOn = parseDate(done)
			end = l.DoneOn
		}
		l.Status = partyworks.Status(l.Deadline, l.Progress, l.DoneOn, today)
		l.DaysLate = int(end.Sub(l.Deadline).Hours() / 24)
		out, ids = append(out, l), append(ids, l.UnitID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.unitNames(ctx, ids)
	for i := range out {
		out[i].UnitName = names[out[i].UnitID].name
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DaysLate > out[j].DaysLate })
	return out, err
}

// RollupHistory is the roll-up through time: by the end of each month,
// how many top-level tasks of the subtree were done, done on time, and
// due.
func (s *TaskService) RollupHistory(ctx context.Context, directiveID, unitID int64) ([]partyworks.RollupPoint, error) {
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.syncPaths(ctx); err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(u.Path)
	months := map[string]*partyworks.RollupPoint{}
	point := func(m string) *partyworks.RollupPoint {
		if months[m] == nil {
			months[m] = &partyworks.RollupPoint{Month: m}
		}
		return months[m]
	}
	for _, q := range []string{
		`SELECT SUBSTR(done_on, 1, 7), COUNT(*), COALESCE(SUM(CASE WHEN done_on <= deadline THEN 1 ELSE 0 END), 0) FROM tasks
			WHERE directive_id = ? AND parent_id IS NULL AND unit_path >= ? AND unit_path < ? AND done_on IS NOT NULL GROUP BY SUBSTR(done_on, 1, 7)`,
		`SELECT SUBSTR(deadline, 1, 7), COUNT(*), 0 FROM tasks
			WHERE directive_id = ? AND parent_id IS NULL AND unit_path >= ? AND unit_path < ? GROUP BY SUBSTR(deadline, 1, 7)`,
	} {
		rows, err := s.db.query(ctx, q, directiveID, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("rollup history: %w", err)
		}
		done := strings.Contains(q, "done_on IS NOT NULL")
		for rows.Next() {
			var m string
			var n, onTime int
			if err := rows.Scan(&m, &n, &onTime); err != nil {
				rows.Close()
				return nil, err
			}
			if done {
				point(m).Done, point(m).DoneOnTime = n, onTime
			} else {
				point(m).Due = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]partyworks.RollupPoint, 0, len(months))
	for _, p := range months {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Month < out[j].Month })
	for i := 1; i < len(out); i++ {
		out[i].Done += out[i-1].Done
		out[i].DoneOnTime += out[i-1].DoneOnTime
		out[i].Due += out[i-1].Due
	}
	return out, nil
}
