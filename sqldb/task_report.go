package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"partyworks"
)

// lockTask reads a task inside tx and checks the version the caller saw.
func (tx *Tx) lockTask(id, version int64) (*partyworks.Task, error) {
	t, err := scanTask(tx.QueryRow(`SELECT `+taskColumns+` FROM tasks t JOIN directives d ON d.id = t.directive_id WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "task %d does not exist", id)
	} else if err != nil {
		return nil, err
	}
	if version != 0 && version != t.Version {
		return nil, &partyworks.Error{Code: partyworks.ECONFLICT, Field: "version", Message: fmt.Sprintf(
			"task %d was changed by someone else (version %d, you saw %d): reload it and report again", id, t.Version, version)}
	}
	if version == 0 {
		return nil, partyworks.FieldErrorf("version", "send the version of the task you saw")
	}
	return t, nil
}

// saveTask writes a task's mutable fields if its version is still the one
// read, and bumps it.
func (tx *Tx) saveTask(t *partyworks.Task) error {
	var done, esc any
	if t.Done() {
		done = fmtDate(t.DoneOn)
	}
	if !t.EscalatedOn.IsZero() {
		esc = fmtDate(t.EscalatedOn)
	}
	c := tx.taskCounter()
	if err := c.where(-1, "id = ?", t.ID); err != nil {
		return err
	}
	res, err := tx.Exec(`UPDATE tasks SET progress = ?, reached = ?, done_on = ?, review = ?, review_note = ?, note = ?, escalated_on = ?, version = version + 1
		WHERE id = ? AND version = ?`, t.Progress, t.Reached, done, string(t.Review), t.ReviewNote, t.Note, esc, t.ID, t.Version)
	if err != nil {
		return fmt.Errorf("save task: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return partyworks.Errorf(partyworks.ECONFLICT, "task %d was changed by someone else: reload it", t.ID)
	}
	if err := c.where(1, "id = ?", t.ID); err != nil {
		return err
	}
	if err := c.apply(); err != nil {
		return err
	}
	t.Version++
	return nil
}

func (tx *Tx) addReport(taskID int64, day, kind string, progress int, note string) (int64, error) {
	return tx.InsertID(`INSERT INTO task_reports (task_id, day, kind, progress, note, by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		taskID, day, kind, progress, note, tx.actor.Username, fmtTime(tx.now))
}

// ReportProgress records a unit's report on its task: a percentage or the
// milestones reached, a note and evidence files. 100% marks the task done
// on the report's day; the assigning unit then accepts or returns it.
func (s *TaskService) ReportProgress(ctx context.Context, p partyworks.ProgressReport) (*partyworks.Task, error) {
	if err := p.Validate(partyworks.Today(s.db.Now())); err != nil {
		return nil, err
	}
	stored, err := s.storeFiles(p.Files)
	if err != nil {
		return nil, err
	}
	var t *partyworks.Task
	err = s.db.update(ctx, func(tx *Tx) error {
		var err error
		t, err = tx.report(&p, stored)
		return err
	})
	if err != nil {
		for _, f := range stored {
			os.Remove(filepath.Join(s.Files, f.stored))
		}
		return nil, err
	}
	return t, s.nameTasks(ctx, []*partyworks.Task{t})
}

func (tx *Tx) report(p *partyworks.ProgressReport, files []storedFile) (*partyworks.Task, error) {
	t, err := tx.lockTask(p.TaskID, p.Version)
	if err != nil {
		return nil, err
	}
	before := *t
	if t.Review == partyworks.ReviewAccepted {
		return nil, partyworks.Errorf(partyworks.ECONFLICT, "the assigning unit has accepted this task: it is closed")
	}
	if p.Day.Before(t.Start) {
		return nil, partyworks.FieldErrorf("day", "the task starts on %s", partyworks.FormatDateVN(t.Start))
	}
	progress := t.Progress
	if p.Reached != nil {
		if t.Milestones == 0 {
			return nil, partyworks.FieldErrorf("reached", "this task is tracked by percentage, not milestones")
		}
		if *p.Reached > t.Milestones {
			return nil, partyworks.FieldErrorf("reached", "the task has %d milestones, not %d", t.Milestones, *p.Reached)
		}
		t.Reached = *p.Reached
		progress = t.Reached * 100 / t.Milestones
	}
	if p.Progress != nil {
		progress = *p.Progress
	}
	t.Progress = progress
	if p.Note != "" {
		t.Note = p.Note
	}
	switch {
	case progress == 100 && !t.Done():
		t.DoneOn, t.Review, t.ReviewNote = p.Day, partyworks.ReviewNone, ""
	case progress < 100 && t.Done():
		t.DoneOn = partyworks.Date{} // the unit corrects a completion not yet accepted
	}
	if err := tx.saveTask(t); err != nil {
		return nil, err
	}
	rid, err := tx.addReport(t.ID, fmtDate(p.Day), "progress", progress, p.Note)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := tx.Exec(`INSERT INTO task_files (task_id, report_id, name, stored, size, type, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, rid, f.name, f.stored, f.size, f.typ, f.sum, fmtTime(tx.now)); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	after := map[string]any{"progress": t.Progress, "done_on": partyworks.FormatDate(t.DoneOn), "note": p.Note, "files": len(files), "version": t.Version}
	return t, tx.audit("task.report", fmt.Sprintf("task:%d", t.ID), map[string]any{"progress": before.Progress, "done_on": partyworks.FormatDate(before.DoneOn)}, after)
}

// ReviewTask is the assigning unit's answer to a completion: accepted, or
// returned with a reason (the task is open again).
func (s *TaskService) ReviewTask(ctx context.Context, taskID, version int64, accept bool, reason string) (*partyworks.Task, error) {
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return nil, partyworks.FieldErrorf("reason", "say why the task is sent back")
	}
	var t *partyworks.Task
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		if t, err = tx.lockTask(taskID, version); err != nil {
			return err
		}
		if !t.Done() {
			return partyworks.Errorf(partyworks.ECONFLICT, "the unit has not reported this task done")
		}
		if t.Review == partyworks.ReviewAccepted {
			return partyworks.Errorf(partyworks.ECONFLICT, "the task is already accepted")
		}
		kind := "accepted"
		if accept {
			t.Review, t.ReviewNote = partyworks.ReviewAccepted, reason
		} else {
			kind = "returned"
			t.Review, t.ReviewNote, t.DoneOn = partyworks.ReviewReturned, reason, partyworks.Date{}
		}
		if err := tx.saveTask(t); err != nil {
			return err
		}
		if _, err := tx.addReport(t.ID, fmtDate(partyworks.Today(tx.now)), kind, t.Progress, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO task_notifications (unit_id, task_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (task_id, kind, unit_id) DO UPDATE SET text = excluded.text, created_at = excluded.created_at, mailed = 0`,
			t.UnitID, t.ID, kind, reason, fmtTime(tx.now)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
		return tx.audit("task."+kind, fmt.Sprintf("task:%d", t.ID), nil, map[string]any{"reason": reason, "version": t.Version})
	})
	if err != nil {
		return nil, err
	}
	return t, s.nameTasks(ctx, []*partyworks.Task{t})
}

// FindTaskReports returns a task's history, oldest first, with its files.
func (s *TaskService) FindTaskReports(ctx context.Context, taskID int64) ([]*partyworks.TaskReport, error) {
	rows, err := s.db.query(ctx, `SELECT id, day, kind, progress, note, by_name, created_at FROM task_reports WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("task reports: %w", err)
	}
	var out []*partyworks.TaskReport
	byID := map[int64]*partyworks.TaskReport{}
	for rows.Next() {
		r := &partyworks.TaskReport{TaskID: taskID}
		var day, at string
		if err := rows.Scan(&r.ID, &day, &r.Kind, &r.Progress, &r.Note, &r.By, &at); err != nil {
			rows.Close()
			return nil, err
		}
		r.Day, r.At = parseDate(day), parseTime(at)
		out, byID[r.ID] = append(out, r), r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	files, err := s.db.query(ctx, `SELECT id, report_id, name, size, type FROM task_files WHERE task_id = ? ORDER BY id`, taskID)
	if err != nil {
		return nil, fmt.Errorf("task files: %w", err)
	}
	defer files.Close()
	for files.Next() {
		var f partyworks.EvidenceMeta
		var rid int64
		if err := files.Scan(&f.ID, &rid, &f.Name, &f.Size, &f.Type); err != nil {
			return nil, err
		}
		if r := byID[rid]; r != nil {
			r.Files = append(r.Files, f)
		}
	}
	return out, files.Err()
}

// storedFile is an evidence file written to disk, not yet recorded.
type storedFile struct {
	name, stored, typ, sum string
	size                   int64
}

// evidenceTypes are the files accepted as evidence, by extension, with the
// content type their bytes must show.
var evidenceTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".docx": "application/zip", ".xlsx": "application/zip", ".odt": "application/zip", ".ods": "application/zip",
	".txt": "text/plain; charset=utf-8", ".csv": "text/plain; charset=utf-8",
}

// storeFiles checks each file (size, content matching its extension) and
// writes it under a generated name.
func (s *TaskService) storeFiles(files []partyworks.EvidenceFile) ([]storedFile, error) {
	if len(files) == 0 {
		return nil, nil
	}
	if len(files) > 10 {
		return nil, partyworks.FieldErrorf("files", "at most 10 files per report")
	}
	if s.Files == "" {
		return nil, partyworks.Errorf(partyworks.EINVALID, "this server keeps no evidence files (no files directory configured)")
	}
	if err := os.MkdirAll(s.Files, 0o700); err != nil {
		return nil, fmt.Errorf("evidence directory: %w", err)
	}
	var out []storedFile
	fail := func(err error) ([]storedFile, error) {
		for _, f := range out {
			os.Remove(filepath.Join(s.Files, f.stored))
		}
		return nil, err
	}
	for _, f := range files {
		name := filepath.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		ext := strings.ToLower(filepath.Ext(name))
		want, ok := evidenceTypes[ext]
		if !ok {
			return fail(partyworks.FieldErrorf("files", "%s: evidence may be PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, TXT or CSV", name))
		}
		if int64(len(f.Data)) > s.MaxFile {
			return fail(partyworks.FieldErrorf("files", "%s is larger than %d MiB", name, s.MaxFile>>20))
		}
		if len(f.Data) == 0 {
			return fail(partyworks.FieldErrorf("files", "%s is empty", name))
		}
		if got := http.DetectContentType(f.Data); got != want {
			return fail(partyworks.FieldErrorf("files", "%s does not hold what its name says (%s)", name, ext))
		}
		var rnd [16]byte
		rand.Read(rnd[:])
		stored := hex.EncodeToString(rnd[:])
		if err := os.WriteFile(filepath.Join(s.Files, stored), f.Data, 0o600); err != nil {
			return fail(fmt.Errorf("store evidence: %w", err))
		}
		sum := sha256.Sum256(f.Data)
		typ, _, _ := strings.Cut(want, ";")
		if ext == ".docx" || ext == ".xlsx" || ext == ".odt" || ext == ".ods" {
			typ = "application/octet-stream"
		}
		out = append(out, storedFile{name: name, stored: stored, typ: typ, sum: hex.EncodeToString(sum[:]), size: int64(len(f.Data))})
	}
	return out, nil
}

// Evidence returns a stored file of a task; a file of another task is not
// found, so a file cannot be fetched through a task the caller may read.
func (s *TaskService) Evidence(ctx context.Context, taskID, fileID int64) (*partyworks.EvidenceMeta, []byte, error) {
	return s.storedFile(ctx, "task_files", "task_id", taskID, fileID)
}

// storedFile reads a file kept by storeFiles, found by its own id and its
// owner's together, and checks it against its SHA-256. table and owner are
// names from this package, never input.
func (s *TaskService) storedFile(ctx context.Context, table, owner string, ownerID, fileID int64) (*partyworks.EvidenceMeta, []byte, error) {
	var m partyworks.EvidenceMeta
	var stored, sum string
	err := s.db.queryRow(ctx, `SELECT id, name, size, type, stored, sha256 FROM `+table+` WHERE id = ? AND `+owner+` = ?`, fileID, ownerID).
		Scan(&m.ID, &m.Name, &m.Size, &m.Type, &stored, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, partyworks.Errorf(partyworks.ENOTFOUND, "no such file")
	} else if err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(filepath.Join(s.Files, stored))
	if err != nil {
		return nil, nil, fmt.Errorf("file %d: %w", fileID, err)
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
		return nil, nil, fmt.Errorf("file %d: the file on disk does not match its checksum", fileID)
	}
	return &m, data, nil
}

// ImportProgress applies a table of progress rows (columns: task, progress
// or milestones reached, note, day, version optional). Each good row is
// written in its own savepoint-free step of one transaction; bad rows are
// returned with their line and reason and write nothing.
func (s *TaskService) ImportProgress(ctx context.Context, t *partyworks.Table, may func(unitPath string) bool) (int, partyworks.RowErrors, error) {
	cTask, cPct := t.Column("task", "task_id", "id", "nhiệm vụ", "mã nhiệm vụ"), t.Column("progress", "percent", "%", "tiến độ")
	cReached, cNote := t.Column("reached", "milestones", "mốc"), t.Column("note", "ghi chú")
	cDay, cVersion := t.Column("day", "date", "ngày"), t.Column("version", "phiên bản")
	if cTask < 0 || (cPct < 0 && cReached < 0) {
		return 0, nil, partyworks.FieldErrorf("file", `the file needs a "task" column and a "progress" (or "reached") column`)
	}
	today := partyworks.Today(s.db.Now())
	var bad partyworks.RowErrors
	var good []partyworks.ProgressReport
	seen := map[int64]int{}
	for i := range t.Rows {
		line := t.Lines[i]
		rowErr := func(col, format string, args ...any) {
			bad = append(bad, partyworks.RowError{Line: line, Column: col, Reason: fmt.Sprintf(format, args...)})
		}
		id, err := strconv.ParseInt(t.Cell(i, cTask), 10, 64)
		if err != nil || id <= 0 {
			rowErr("task", "%q is not a task number", t.Cell(i, cTask))
			continue
		}
		if prev, dup := seen[id]; dup {
			rowErr("task", "task %d is already on line %d", id, prev)
			continue
		}
		seen[id] = line
		p := partyworks.ProgressReport{TaskID: id, Note: t.Cell(i, cNote)}
		if v := t.Cell(i, cPct); v != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
			if err != nil {
				rowErr("progress", "%q is not a whole percentage", v)
				continue
			}
			p.Progress = &n
		}
		if v := t.Cell(i, cReached); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				rowErr("reached", "%q is not a number of milestones", v)
				continue
			}
			p.Reached = &n
		}
		if v := t.Cell(i, cDay); v != "" {
			d, err := partyworks.ParseDate(v)
			if err != nil {
				rowErr("day", "%s", partyworks.ErrorMessage(err))
				continue
			}
			p.Day = d
		}
		if v := t.Cell(i, cVersion); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				rowErr("version", "%q is not a version", v)
				continue
			}
			p.Version = n
		}
		if err := p.Validate(today); err != nil {
			rowErr(partyworks.ErrorField(err), "%s", partyworks.ErrorMessage(err))
			continue
		}
		good = append(good, p)
	}
	written := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		for i := range good {
			p := &good[i]
			line := seen[p.TaskID]
			var path string
			if err := tx.QueryRow(`SELECT unit_path, version FROM tasks WHERE id = ?`, p.TaskID).Scan(&path, new(int64)); errors.Is(err, sql.ErrNoRows) {
				bad = append(bad, partyworks.RowError{Line: line, Column: "task", Reason: fmt.Sprintf("task %d does not exist", p.TaskID)})
				continue
			} else if err != nil {
				return err
			}
			if !may(path) {
				bad = append(bad, partyworks.RowError{Line: line, Column: "task", Reason: fmt.Sprintf("task %d belongs to a unit you may not report for", p.TaskID)})
				continue
			}
			if p.Version == 0 {
				// A file without versions reports on the task as it is now.
				tx.QueryRow(`SELECT version FROM tasks WHERE id = ?`, p.TaskID).Scan(&p.Version)
			}
			if _, err := tx.report(p, nil); err != nil {
				if code := partyworks.ErrorCode(err); code == partyworks.EINTERNAL {
					return err
				}
				bad = append(bad, partyworks.RowError{Line: line, Column: partyworks.ErrorField(err), Reason: partyworks.ErrorMessage(err)})
				continue
			}
			written++
		}
		return nil
	})
	sortRowErrors(bad)
	return written, bad, err
}
