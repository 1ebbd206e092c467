package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

var (
	taskServicesMu sync.Mutex
	taskServices   = map[*sqldb.DB]*sqldb.TaskService{}
)

// tasks returns the task service of db (one per database), storing
// evidence under PARTYWORKS_FILES (default: beside the database file), with
// email when PARTYWORKS_SMTP is set, and starts the reminder run: at start
// and at the start of every hour until ctx ends (each run notifies once per
// task and kind). With several app nodes on one database the run of an hour
// is claimed by one node and skipped by the others (sqldb.RunJob).
func (c *cli) tasks(ctx context.Context, log *slog.Logger, db *sqldb.DB) *sqldb.TaskService {
	taskServicesMu.Lock()
	defer taskServicesMu.Unlock()
	if s := taskServices[db]; s != nil {
		return s
	}
	dir := c.getenv("PARTYWORKS_FILES")
	if dir == "" {
		dir = "partyworks-files"
		if !db.Postgres() {
			dir = strings.TrimSuffix(db.DSN, ".db") + "-files"
		}
	}
	s := sqldb.NewTaskService(db, dir+"/evidence")
	if m := smtpMailer(c.getenv); m != nil {
		s.SetMailer(m)
	}
	taskServices[db] = s
	n := thisNode()
	log.Info("app node", "node", n.id)
	go n.remindHourly(ctx, log, db, s)
	return s
}

// smtpMailer sends mail through PARTYWORKS_SMTP (host:port), from
// PARTYWORKS_SMTP_FROM, with PLAIN auth when PARTYWORKS_SMTP_USER is set.
// Email is off (nil) when PARTYWORKS_SMTP is empty.
func smtpMailer(getenv func(string) string) sqldb.Mailer {
	addr := getenv("PARTYWORKS_SMTP")
	if addr == "" {
		return nil
	}
	from := getenv("PARTYWORKS_SMTP_FROM")
	if from == "" {
		from = "partyworks@localhost"
	}
	var auth smtp.Auth
	if u := getenv("PARTYWORKS_SMTP_USER"); u != "" {
		host, _, _ := strings.Cut(addr, ":")
		auth = smtp.PlainAuth("", u, getenv("PARTYWORKS_SMTP_PASSWORD"), host)
	}
	return func(to []string, subject, body string) error {
		msg := "From: " + from + "\r\nTo: " + strings.Join(to, ", ") + "\r\nSubject: " + mimeWord(subject) +
			"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
		return smtp.SendMail(addr, auth, from, to, []byte(msg))
	}
}

// mimeWord encodes a header for non-ASCII text (RFC 2047, base64 "B").
func mimeWord(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?b?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

// remindHourly runs the task reminders at start and then at the start of
// every hour, as the job "task.remind": once per hour across all nodes;
// at the half hour it takes over a run whose node died.
func (n *appNode) remindHourly(ctx context.Context, log *slog.Logger, db *sqldb.DB, s *sqldb.TaskService) {
	remind := func(ctx context.Context) (string, error) {
		res, err := s.Remind(ctx, partyworks.RemindConfig{})
		if res == nil {
			return "", err
		}
		if res.DueSoon+res.Overdue+res.Escalated+res.HandedOver > 0 {
			log.Info("task reminders", "due_soon", res.DueSoon, "overdue", res.Overdue, "escalated", res.Escalated, "mailed", res.Mailed,
				"handed_over", res.HandedOver)
		}
		detail := fmt.Sprintf("due soon %d, overdue %d, escalated %d, mailed %d", res.DueSoon, res.Overdue, res.Escalated, res.Mailed)
		if res.HandedOver > 0 {
			detail += fmt.Sprintf("; %d ended units handed their tasks on", res.HandedOver)
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", detail, err)
		}
		return detail, nil
	}
	for {
		n.runJob(ctx, log, db, "task.remind", remind)
		// At the half hour, take over the hour's run if its node died
		// mid-run (sqldb.JobLease).
		if wait := untilNextHour(time.Now()) - 30*time.Minute; wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			if stuck, err := db.JobStuck(ctx, "task.remind", sqldb.HourSlot(db.Now())); err != nil {
				log.Error("job check", "job", "task.remind", "err", err)
			} else if stuck {
				n.runJob(ctx, log, db, "task.remind", remind)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(untilNextHour(time.Now())):
		}
	}
}

// untilNextHour is the wait until just after the next hour starts, so
// that every node wakes into the new slot.
func untilNextHour(now time.Time) time.Duration {
	return now.Truncate(time.Hour).Add(time.Hour + time.Second).Sub(now)
}
