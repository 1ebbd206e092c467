package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
)

var _ partyworks.TaskService = (*TaskService)(nil)

// TaskService keeps directives, their tasks, reports, roll-ups, reminders
// and study campaigns.
type TaskService struct {
	db    *DB
	units *UnitService
	// Files is the directory where evidence files are stored under
	// generated names.
	Files string
	// MaxFile caps one evidence file.
	MaxFile int64
	mail    Mailer
}

// NewTaskService returns the task service on db, storing evidence under
// files. (Open tasks move when units fold by the database's hook:
// storeHooks.)
func NewTaskService(db *DB, files string) *TaskService {
	return &TaskService{db: db, units: NewUnitService(db), Files: files, MaxFile: 20 << 20}
}

const taskColumns = `t.id, t.directive_id, COALESCE(NULLIF(d.symbol, ''), d.title), COALESCE(t.parent_id, 0), t.unit_id, t.unit_path, t.assigner_id,
	t.title, t.detail, t.start, t.deadline, t.weight, t.progress, t.milestones, t.reached, COALESCE(t.done_on, ''), t.review, t.review_note,
	COALESCE(t.escalated_on, ''), t.note, t.created_at, t.version,
	(SELECT COUNT(*) FROM tasks c WHERE c.parent_id = t.id)`

func scanTask(s scanner) (*partyworks.Task, error) {
	var t partyworks.Task
	var start, deadline, done, review, escalated, created string
	if err := s.Scan(&t.ID, &t.DirectiveID, &t.Directive, &t.ParentID, &t.UnitID, &t.UnitPath, &t.AssignerID,
		&t.Title, &t.Detail, &start, &deadline, &t.Weight, &t.Progress, &t.Milestones, &t.Reached, &done, &review, &t.ReviewNote,
		&escalated, &t.Note, &created, &t.Version, &t.SubTasks); err != nil {
		return nil, err
	}
	t.Start, t.Deadline, t.Review, t.CreatedAt = parseDate(start), parseDate(deadline), partyworks.Review(review), parseTime(created)
	if done != "" {
		t.DoneOn = parseDate(done)
	}
	if escalated != "" {
		t.EscalatedOn = parseDate(escalated)
	}
	return &t, nil
}

// FindTaskByID returns a task with its unit's and assigner's names and paths.
func (s *TaskService) FindTaskByID(ctx context.Context, id int64) (*partyworks.Task, error) {
	t, err := scanTask(s.db.queryRow(ctx, `SELECT `+taskColumns+`
		FROM tasks t JOIN directives d ON d.id = t.directive_id WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "task %d does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("task %d: %w", id, err)
	}
	return t, s.nameTasks(ctx, []*partyworks.Task{t})
}

func (s *TaskService) nameTasks(ctx context.Context, ts []*partyworks.Task) error {
	var ids []int64
	for _, t := range ts {
		ids = append(ids, t.UnitID, t.AssignerID)
	}
	names, err := s.unitNames(ctx, ids)
	for _, t := range ts {
		t.UnitName, t.UnitPath = names[t.UnitID].name, names[t.UnitID].path
		t.AssignerName, t.AssignerPath = names[t.AssignerID].name, names[t.AssignerID].path
	}
	return err
}

// FindTasks lists tasks by deadline, with the total that match.
func (s *TaskService) FindTasks(ctx context.Context, f partyworks.TaskFilter) ([]*partyworks.Task, int, error) {
	var where []string
	var args []any
	if f.UnitID != 0 {
		where, args = append(where, "t.unit_id = ?"), append(args, f.UnitID)
	}
	if f.AssignerID != 0 {
		where, args = append(where, "t.assigner_id = ?"), append(args, f.AssignerID)
	}
	if f.DirectiveID != 0 {
		where, args = append(where, "t.directive_id = ?"), append(args, f.DirectiveID)
	}
	if f.ParentID != 0 {
		where, args = append(where, "t.parent_id = ?"), append(args, f.ParentID)
	}
	if f.Open {
		where = append(where, "t.done_on IS NULL")
	}
	if len(where) == 0 {
		return nil, 0, partyworks.Errorf(partyworks.EINVALID, "say whose tasks to list")
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM tasks t WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count tasks: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.db.query(ctx, `SELECT `+taskColumns+`
		FROM tasks t JOIN directives d ON d.id = t.directive_id WHERE `+w+` ORDER BY t.deadline, t.id LIMIT `+
		strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find tasks: %w", err)
	}
	out, err := collect(rows, scanTask)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.nameTasks(ctx, out)
}

// Assign creates tasks in one transaction: for the units named, or for
// every unit of the kinds inside a subtree as it stood on a day, with one
// INSERT … SELECT over the subtree's path range.
func (s *TaskService) Assign(ctx context.Context, a partyworks.TaskAssign) (int, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	var n int
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.assign(&a)
		return err
	})
	return n, err
}

func (tx *Tx) assign(a *partyworks.TaskAssign) (int, error) {
	// The tree's lock, shared: a merge that folds a unit named here (and
	// records its heir) commits before or after this, never beside it.
	// Then the hand-over's turn (lockHandOver): a task may go to a unit
	// whose end has come, and a hand-over moves tasks, counters and
	// directives' owners, so the two must not hold those rows in
	// opposite orders: one waits for the other from the start.
	if err := tx.lockTreeShared(); err != nil {
		return 0, err
	}
	if err := tx.lockHandOver(); err != nil {
		return 0, err
	}
	var parent any
	var rule string
	if err := tx.QueryRow(`SELECT rule FROM directives WHERE id = ?`, a.DirectiveID).Scan(&rule); errors.Is(err, sql.ErrNoRows) {
		return 0, partyworks.FieldErrorf("directive", "directive %d does not exist", a.DirectiveID)
	} else if err != nil {
		return 0, err
	}
	if a.Parent != 0 {
		var dir, unit int64
		var deadline string
		if err := tx.QueryRow(`SELECT directive_id, unit_id, deadline FROM tasks WHERE id = ?`, a.Parent).Scan(&dir, &unit, &deadline); errors.Is(err, sql.ErrNoRows) {
			return 0, partyworks.Errorf(partyworks.ENOTFOUND, "task %d does not exist", a.Parent)
		} else if err != nil {
			return 0, err
		}
		if dir != a.DirectiveID {
			return 0, partyworks.FieldErrorf("directive", "a sub-task belongs to its parent's directive")
		}
		if fmtDate(a.Deadline) > deadline {
			return 0, partyworks.FieldErrorf("deadline", "a sub-task cannot be due after its task (%s)", partyworks.FormatDateVN(parseDate(deadline)))
		}
		a.AssignerID, parent = unit, a.Parent
	} else if err := tx.QueryRow(`SELECT owner_id FROM directives WHERE id = ?`, a.DirectiveID).Scan(&a.AssignerID); err != nil {
		return 0, err
	}
	at := fmtDate(a.At)
	assigner, err := tx.versionAt(a.AssignerID, at)
	if err != nil {
		return 0, err
	}
	lo, hi := subtreeRange(assigner.path)
	// Cascades of one directive one at a time (PostgreSQL): the counters
	// below read back the tasks this one creates (id > before).
	if _, err := tx.Exec(`UPDATE directives SET version = version WHERE id = ?`, a.DirectiveID); err != nil {
		return 0, err
	}
	var before int64
	if err := tx.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM tasks`).Scan(&before); err != nil {
		return 0, err
	}
	insert := `INSERT INTO tasks (directive_id, parent_id, unit_id, unit_path, assigner_id, title, detail, start, deadline, weight, milestones, created_at)
		SELECT ?, ?, v.unit_id, v.path, ?, ?, ?, ?, ?, ?, ?, ? FROM unit_versions v WHERE v.valid_from <= ? AND v.valid_to > ? AND v.path >= ? AND v.path < ?`
	args := []any{a.DirectiveID, parent, a.AssignerID, a.Title, a.Detail, fmtDate(a.Start), fmtDate(a.Deadline), a.Weight, a.Milestones, fmtTime(tx.now), at, at, lo, hi}
	what := map[string]any{"directive": a.DirectiveID, "parent": a.Parent, "title": a.Title, "deadline": fmtDate(a.Deadline), "at": at}
	if len(a.Units) > 0 {
		insert += ` AND v.unit_id IN (` + marks(len(a.Units)) + `)`
		seen := map[int64]bool{}
		for _, id := range a.Units {
			if seen[id] {
				return 0, partyworks.FieldErrorf("units", "unit %d is named twice", id)
			}
			seen[id] = true
			args = append(args, id)
		}
		what["units"] = a.Units
	} else {
		under, err := tx.versionAt(a.Under, at)
		if err != nil {
			return 0, err
		}
		if !strings.HasPrefix(under.path, assigner.path) {
			return 0, partyworks.FieldErrorf("under", "%s is not inside %s, which assigns the task", under.name, assigner.name)
		}
		ulo, uhi := subtreeRange(under.path)
		kinds := make([]string, len(a.Kinds))
		for i, k := range a.Kinds {
			kinds[i] = "?"
			args = append(args, string(k))
		}
		insert += ` AND v.kind IN (` + strings.Join(kinds, ", ") + `) AND v.path > ? AND v.path < ?`
		args = append(args, ulo, uhi)
		what["under"], what["kinds"] = a.Under, a.Kinds
	}
	res, err := tx.Exec(insert, args...)
	if err != nil {
		return 0, fmt.Errorf("assign: %w", err)
	}
	n64, _ := res.RowsAffected()
	n := int(n64)
	switch {
	case n == 0 && len(a.Units) > 0:
		return 0, partyworks.FieldErrorf("units", "none of the units named stood inside %s on %s", assigner.name, partyworks.FormatDateVN(a.At))
	case n == 0:
		return 0, partyworks.FieldErrorf("kinds", "the cascade matches no unit: no unit of those kinds stood there on %s", partyworks.FormatDateVN(a.At))
	case len(a.Units) > 0 && n < len(a.Units):
		return 0, partyworks.FieldErrorf("units", "%d of the %d units named did not stand inside %s on %s", len(a.Units)-n, len(a.Units), assigner.name, partyworks.FormatDateVN(a.At))
	}
	if at != fmtDate(partyworks.Today(tx.now)) {
		// A task given as of another day lives at its unit's path today.
		today := fmtDate(partyworks.Today(tx.now))
		if _, err := tx.Exec(`UPDATE tasks SET unit_path = COALESCE((SELECT v.path FROM unit_versions v
			WHERE v.unit_id = tasks.unit_id AND v.valid_from <= ? AND v.valid_to > ?), unit_path) WHERE id > ? AND directive_id = ?`, today, today, before, a.DirectiveID); err != nil {
			return 0, fmt.Errorf("assign: paths today: %w", err)
		}
	}
	// The units given a task that have an heir (see followTasks below).
	rows, err := tx.Query(`SELECT DISTINCT t.unit_id FROM tasks t JOIN unit_heirs h ON h.unit_id = t.unit_id
		WHERE t.directive_id = ? AND t.id > ?`, a.DirectiveID, before)
	if err != nil {
		return 0, fmt.Errorf("assign: %w", err)
	}
	ending, err := collect(rows, scanID)
	if err != nil {
		return 0, fmt.Errorf("assign: %w", err)
	}
	c := tx.taskCounter()
	if err := c.where(1, "id > ? AND directive_id = ?", before, a.DirectiveID); err != nil {
		return 0, err
	}
	if err := c.apply(); err != nil {
		return 0, err
	}
	// A task given to a unit that has ended (its merge recorded ahead and
	// its day come) goes on to its successor, as the unit's other open
	// tasks did (foldTasks defers those still ahead of their day).
	if err := tx.followTasks(ending); err != nil {
		return 0, err
	}
	what["tasks"] = n
	return n, tx.audit("task.assign", fmt.Sprintf("directive:%d", a.DirectiveID), nil, what)
}
