package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"partyworks"
)

// Mailer sends one message; nil means email is off (the default).
type Mailer func(to []string, subject, body string) error

// SetMailer turns email notifications on.
func (s *TaskService) SetMailer(m Mailer) { s.mail = m }

// Remind writes the notifications due today, once per task and kind:
// tasks due within DueSoonDays, tasks overdue, and tasks overdue for more
// than EscalateAfter days, which are escalated to the parent unit. When a
// mailer is set, each new notification is emailed to its unit's
// addresses. It is safe to run as often as one likes.
func (s *TaskService) Remind(ctx context.Context, cfg partyworks.RemindConfig) (*partyworks.RemindResult, error) {
	if cfg.DueSoonDays <= 0 {
		cfg.DueSoonDays = 3
	}
	if cfg.EscalateAfter <= 0 {
		cfg.EscalateAfter = 14
	}
	res := &partyworks.RemindResult{}
	err := s.db.updateRetrying(ctx, func(tx *Tx) error {
		*res = partyworks.RemindResult{}
		today := partyworks.Today(tx.now)
		d, soon, esc := fmtDate(today), fmtDate(today.AddDate(0, 0, cfg.DueSoonDays)), fmtDate(today.AddDate(0, 0, -cfg.EscalateAfter))
		now := fmtTime(tx.now)
		// First the tasks of units that ended today (a merge recorded
		// ahead): their reminders go to the successor.
		var err error
		if res.HandedOver, err = tx.handOverDue(); err != nil {
			return err
		}
		count := func(n *int, q string, args ...any) error {
			r, err := tx.Exec(q, args...)
			if err != nil {
				return fmt.Errorf("remind: %w", err)
			}
			m, _ := r.RowsAffected()
			*n = int(m)
			return nil
		}
		if err := count(&res.DueSoon, `INSERT INTO task_notifications (unit_id, task_id, kind, text, created_at)
			SELECT t.unit_id, t.id, 'due_soon', t.title, ? FROM tasks t WHERE t.done_on IS NULL AND t.deadline >= ? AND t.deadline <= ?
			AND NOT EXISTS (SELECT 1 FROM task_notifications n WHERE n.task_id = t.id AND n.kind = 'due_soon' AND n.unit_id = t.unit_id)`, now, d, soon); err != nil {
			return err
		}
		if err := count(&res.Overdue, `INSERT INTO task_notifications (unit_id, task_id, kind, text, created_at)
			SELECT t.unit_id, t.id, 'overdue', t.title, ? FROM tasks t WHERE t.done_on IS NULL AND t.deadline < ?
			AND NOT EXISTS (SELECT 1 FROM task_notifications n WHERE n.task_id = t.id AND n.kind = 'overdue' AND n.unit_id = t.unit_id)`, now, d); err != nil {
			return err
		}
		if err := count(&res.Escalated, `INSERT INTO task_notifications (unit_id, task_id, kind, text, created_at)
			SELECT v.parent_id, t.id, 'escalated', t.title, ? FROM tasks t JOIN unit_versions v ON v.unit_id = t.unit_id AND v.valid_from <= ? AND v.valid_to > ?
			WHERE t.done_on IS NULL AND t.deadline < ? AND t.escalated_on IS NULL AND v.parent_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM task_notifications n WHERE n.task_id = t.id AND n.kind = 'escalated' AND n.unit_id = v.parent_id)`, now, d, d, esc); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE tasks SET escalated_on = ? WHERE done_on IS NULL AND deadline < ? AND escalated_on IS NULL`, d, esc); err != nil {
			return fmt.Errorf("remind: %w", err)
		}
		if res.DueSoon+res.Overdue+res.Escalated+res.HandedOver == 0 {
			return nil
		}
		return tx.audit("task.remind", "tasks", nil, res)
	})
	if err != nil || s.mail == nil {
		return res, err
	}
	res.Mailed, err = s.sendMail(ctx)
	return res, err
}

// sendMail emails the notifications not yet mailed to their unit's
// addresses, marking each once sent.
func (s *TaskService) sendMail(ctx context.Context) (int, error) {
	rows, err := s.db.query(ctx, `SELECT n.id, n.kind, n.text, n.task_id, m.address FROM task_notifications n
		JOIN task_mail m ON m.unit_id = n.unit_id WHERE n.mailed = 0 ORDER BY n.id, m.address LIMIT 5000`)
	if err != nil {
		return 0, fmt.Errorf("mail: %w", err)
	}
	type msg struct {
		kind, text string
		task       int64
		to         []string
	}
	var order []int64
	msgs := map[int64]*msg{}
	for rows.Next() {
		var id, task int64
		var kind, text, addr string
		if err := rows.Scan(&id, &kind, &text, &task, &addr); err != nil {
			rows.Close()
			return 0, err
		}
		if msgs[id] == nil {
			msgs[id] = &msg{kind: kind, text: text, task: task}
			order = append(order, id)
		}
		msgs[id].to = append(msgs[id].to, addr)
	}
	rows.Close()
	sent := 0
	for _, id := range order {
		m := msgs[id]
		subject := fmt.Sprintf("[partyworks] %s: %s", mailKinds[m.kind], oneLine(m.text))
		body := fmt.Sprintf("%s\n\nTask %d: %s\n", mailKinds[m.kind], m.task, m.text)
		if err := s.mail(m.to, subject, body); err != nil {
			return sent, fmt.Errorf("mail notification %d: %w", id, err)
		}
		if err := s.db.update(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE task_notifications SET mailed = 1 WHERE id = ?`, id)
			return err
		}); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

var mailKinds = map[string]string{
	"due_soon": "Sắp đến hạn (due soon)", "overdue": "Quá hạn (overdue)", "escalated": "Đơn vị cấp dưới quá hạn (escalated)",
	"returned": "Bị trả lại (returned)", "accepted": "Được chấp nhận (accepted)",
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// SetMailAddresses replaces where a unit's notifications are emailed.
func (s *TaskService) SetMailAddresses(ctx context.Context, unitID int64, addrs []string) error {
	for _, a := range addrs {
		if !strings.Contains(a, "@") || strings.ContainsAny(a, " \r\n<>,") {
			return partyworks.FieldErrorf("address", "%q is not an email address", a)
		}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.versionAt(unitID, fmtDate(partyworks.Today(tx.now))); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM task_mail WHERE unit_id = ?`, unitID); err != nil {
			return err
		}
		for _, a := range addrs {
			if _, err := tx.Exec(`INSERT INTO task_mail (unit_id, address) VALUES (?, ?)`, unitID, a); err != nil {
				return err
			}
		}
		return tx.audit("task.mail", fmt.Sprintf("unit:%d", unitID), nil, addrs)
	})
}

// FindNotifications lists a unit's newest notifications.
func (s *TaskService) FindNotifications(ctx context.Context, unitID int64, limit int) ([]*partyworks.Notification, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.db.query(ctx, `SELECT id, unit_id, task_id, kind, text, created_at FROM task_notifications WHERE unit_id = ? ORDER BY id DESC LIMIT `+strconv.Itoa(limit), unitID)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.Notification
	for rows.Next() {
		n := &partyworks.Notification{}
		var at string
		if err := rows.Scan(&n.ID, &n.UnitID, &n.TaskID, &n.Kind, &n.Text, &at); err != nil {
			return nil, err
		}
		n.At = parseTime(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// dueLimit caps the tasks one "what needs doing" page lists.
const dueLimit = 200

// FindDue lists the open tasks of a unit's subtree due by until (overdue
// ones first), for the "what needs doing" page.
func (s *TaskService) FindDue(ctx context.Context, unitID int64, until partyworks.Date) ([]partyworks.DueItem, error) {
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.syncPaths(ctx); err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(u.Path)
	rows, err := s.db.query(ctx, `SELECT t.id, t.unit_id, t.title, t.deadline, COALESCE(NULLIF(d.symbol, ''), d.title), t.escalated_on IS NOT NULL
		FROM tasks t JOIN directives d ON d.id = t.directive_id
		WHERE t.done_on IS NULL AND t.unit_path >= ? AND t.unit_path < ? AND t.deadline <= ? ORDER BY t.deadline, t.id LIMIT `+strconv.Itoa(dueLimit),
		lo, hi, fmtDate(until))
	if err != nil {
		return nil, fmt.Errorf("due tasks: %w", err)
	}
	defer rows.Close()
	var out []partyworks.DueItem
	var ids []int64
	for rows.Next() {
		var id, unit int64
		var title, deadline, dir string
		var escalated bool
		if err := rows.Scan(&id, &unit, &title, &deadline, &dir, &escalated); err != nil {
			return nil, err
		}
		kind := "task"
		if escalated {
			kind = "task.escalated"
		}
		out = append(out, partyworks.DueItem{UnitID: unit, Kind: kind, Title: dir + ": " + title, Due: parseDate(deadline), Link: "/tasks/" + strconv.FormatInt(id, 10)})
		ids = append(ids, unit)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return out, nil
	}
	names, err := s.unitNames(ctx, ids)
	for i := range out {
		if out[i].UnitID != unitID {
			out[i].Title += " — " + names[out[i].UnitID].name
		}
	}
	return out, err
}
