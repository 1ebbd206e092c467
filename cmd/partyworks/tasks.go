package main

import (
	"context"
	"encoding/base64"
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
// and every hour until ctx ends (each run notifies once per task and kind).
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
	go func() {
		for {
			if res, err := s.Remind(ctx, partyworks.RemindConfig{}); err != nil && ctx.Err() == nil {
				log.Error("task reminders", "err", err)
			} else if res != nil && res.DueSoon+res.Overdue+res.Escalated > 0 {
				log.Info("task reminders", "due_soon", res.DueSoon, "overdue", res.Overdue, "escalated", res.Escalated, "mailed", res.Mailed)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Hour):
			}
		}
	}()
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
