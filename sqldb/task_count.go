package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"partyworks"
)

// Roll-up counters (table task_counts). For each directive, each unit and
// each deadline they hold the sums of the directive's top-level tasks in
// the unit's subtree as tasks.unit_path places them. Every change to a
// counted column of tasks (unit_path, deadline, done_on, progress, weight,
// review, parent_id, or a new task) goes through a taskCounter in the same
// transaction: the rows' contributions are subtracted before the change
// and added after it, and only the net difference is written. A subtree's
// roll-up then reads one row per deadline instead of every task.

type countKey struct {
	dir, unit, above int64
	deadline         string
}

type countVal struct {
	tasks, done, onTime, accepted, started, pct, weight, weighted int64
}

func (v *countVal) add(o countVal, sign int64) {
	v.tasks += sign * o.tasks
	v.done += sign * o.done
	v.onTime += sign * o.onTime
	v.accepted += sign * o.accepted
	v.started += sign * o.started
	v.pct += sign * o.pct
	v.weight += sign * o.weight
	v.weighted += sign * o.weighted
}

func (v countVal) zero() bool { return v == countVal{} }

// taskCounter accumulates the net change to task_counts of a transaction's
// task changes.
type taskCounter struct {
	tx    *Tx
	delta map[countKey]*countVal
}

func (tx *Tx) taskCounter() *taskCounter {
	return &taskCounter{tx: tx, delta: map[countKey]*countVal{}}
}

// taskCountColumns is what a task contributes to the counters.
const taskCountColumns = `directive_id, unit_path, deadline, COALESCE(done_on, ''), progress, weight, review`

// where adds (sign +1) or subtracts (sign -1) the contribution of the
// top-level tasks matching cond.
func (c *taskCounter) where(sign int64, cond string, args ...any) error {
	rows, err := c.tx.Query(`SELECT `+taskCountColumns+` FROM tasks WHERE parent_id IS NULL AND (`+cond+`)`, args...)
	if err != nil {
		return fmt.Errorf("task counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dir int64
		var path, deadline, done, review string
		var progress, weight int64
		if err := rows.Scan(&dir, &path, &deadline, &done, &progress, &weight, &review); err != nil {
			return err
		}
		var v countVal
		v.tasks, v.weight = 1, weight
		if done != "" {
			v.done, v.pct, v.weighted = 1, 100, 100*weight
			if done <= deadline {
				v.onTime = 1
			}
			if review == "accepted" {
				v.accepted = 1
			}
		} else {
			v.pct, v.weighted = progress, progress*weight
			if progress > 0 {
				v.started = 1
			}
		}
		c.addPath(dir, path, deadline, v, sign)
	}
	return rows.Err()
}

// addPath spreads a task's contribution over its unit and every unit
// above it in path ("/1/5/23/").
func (c *taskCounter) addPath(dir int64, path, deadline string, v countVal, sign int64) {
	var above int64
	for rest := strings.Trim(path, "/"); rest != ""; {
		var seg string
		seg, rest, _ = strings.Cut(rest, "/")
		id, err := strconv.ParseInt(seg, 10, 64)
		if err != nil {
			continue
		}
		k := countKey{dir, id, above, deadline}
		d := c.delta[k]
		if d == nil {
			d = &countVal{}
			c.delta[k] = d
		}
		d.add(v, sign)
		above = id
	}
}

// ids adds or subtracts the contribution of the tasks with these ids.
func (c *taskCounter) ids(sign int64, ids []int64) error {
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := c.where(sign, `id IN (`+marks(n)+`)`, args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// apply writes the net change: an upsert per changed key, in batches, then
// removes the rows left empty.
func (c *taskCounter) apply() error {
	var keys []countKey
	var emptied []countKey
	for k, v := range c.delta {
		if v.zero() {
			continue
		}
		keys = append(keys, k)
		if v.tasks < 0 {
			emptied = append(emptied, k)
		}
	}
	// The same order in every transaction: two reports on tasks of one
	// directive touch the same ancestors' rows, and PostgreSQL locks an
	// upsert's rows in the order given; map order made them deadlock
	// (40P01) under concurrent writers.
	slices.SortFunc(keys, compareKeys)
	slices.SortFunc(emptied, compareKeys)
	const batch = 200
	for len(keys) > 0 {
		n := min(batch, len(keys))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO task_counts (directive_id, unit_id, above_id, deadline, tasks, done, done_on_time, accepted, started, percent_sum, weight_sum, weighted_sum) VALUES `)
		args := make([]any, 0, n*12)
		for i, k := range keys[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			v := c.delta[k]
			args = append(args, k.dir, k.unit, k.above, k.deadline, v.tasks, v.done, v.onTime, v.accepted, v.started, v.pct, v.weight, v.weighted)
		}
		sb.WriteString(` ON CONFLICT (directive_id, unit_id, above_id, deadline) DO UPDATE SET
			tasks = task_counts.tasks + excluded.tasks, done = task_counts.done + excluded.done,
			done_on_time = task_counts.done_on_time + excluded.done_on_time, accepted = task_counts.accepted + excluded.accepted,
			started = task_counts.started + excluded.started, percent_sum = task_counts.percent_sum + excluded.percent_sum,
			weight_sum = task_counts.weight_sum + excluded.weight_sum, weighted_sum = task_counts.weighted_sum + excluded.weighted_sum`)
		if _, err := c.tx.Exec(sb.String(), args...); err != nil {
			return fmt.Errorf("task counts: %w", err)
		}
		keys = keys[n:]
	}
	for _, k := range emptied {
		if _, err := c.tx.Exec(`DELETE FROM task_counts WHERE directive_id = ? AND unit_id = ? AND above_id = ? AND deadline = ? AND tasks = 0`,
			k.dir, k.unit, k.above, k.deadline); err != nil {
			return fmt.Errorf("task counts: %w", err)
		}
	}
	c.delta = map[countKey]*countVal{}
	return nil
}

func compareKeys(a, b countKey) int {
	return cmp.Or(cmp.Compare(a.dir, b.dir), cmp.Compare(a.unit, b.unit), cmp.Compare(a.above, b.above), cmp.Compare(a.deadline, b.deadline))
}

// taskIDs lists the ids of the top-level tasks matching cond.
func (tx *Tx) taskIDs(cond string, args ...any) ([]int64, error) {
	rows, err := tx.Query(`SELECT id FROM tasks WHERE parent_id IS NULL AND (`+cond+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// unitToday is a unit as it stands today, whose path is the one tasks'
// unit_path is synced with (a change dated ahead does not count yet); a
// unit that no longer stands is taken as it last stood.
func (s *TaskService) unitToday(ctx context.Context, id int64) (*partyworks.Unit, error) {
	u, err := s.units.FindUnitByID(ctx, id, partyworks.Today(s.db.Now()))
	if partyworks.ErrorCode(err) == partyworks.ENOTFOUND {
		return s.units.FindUnitByID(ctx, id, partyworks.Date{})
	}
	return u, err
}

// RebuildTaskCounts recomputes every roll-up counter from the tasks: for
// rows written outside the store (bulk loads, repairs).
func (s *TaskService) RebuildTaskCounts(ctx context.Context) error {
	if err := s.syncPaths(ctx); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM task_counts`); err != nil {
			return err
		}
		c := tx.taskCounter()
		if err := c.where(1, "1 = 1"); err != nil {
			return err
		}
		return c.apply()
	})
}
