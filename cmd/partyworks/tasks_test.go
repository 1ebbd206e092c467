package main

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

// smtpSink is a tiny SMTP server on 127.0.0.1 that keeps what it receives.
func smtpSink(t *testing.T) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 10)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { c.Write([]byte(s + "\r\n")) }
				say("220 sink")
				var data strings.Builder
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 sink")
					case strings.HasPrefix(cmd, "DATA"):
						say("354 go on")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						got <- data.String()
						say("250 ok")
					case strings.HasPrefix(cmd, "QUIT"):
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}(conn)
		}
	}()
	return ln.Addr().String(), got
}

// TestOverdueTaskIsEmailed: with PARTYWORKS_SMTP set, a reminder run emails
// the overdue task to its unit's address; without it, email is off.
func TestOverdueTaskIsEmailed(t *testing.T) {
	if smtpMailer(func(string) string { return "" }) != nil {
		t.Fatal("email must be off unless PARTYWORKS_SMTP is set")
	}
	addr, got := smtpSink(t)
	env := map[string]string{"PARTYWORKS_SMTP": addr, "PARTYWORKS_SMTP_FROM": "noreply@example.org"}
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	db.Now = func() time.Time { return time.Date(2025, 7, 20, 5, 0, 0, 0, time.UTC) }
	units := sqldb.NewUnitService(db)
	if _, err := units.ImportUnits(ctx, partyworks.UnitImport{Effective: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Rows: []partyworks.UnitRow{
		{Line: 2, Code: "22", Name: "Tỉnh ủy Quảng Ninh", Kind: partyworks.KindProvince},
		{Line: 3, Code: "06688", Name: "Đảng ủy phường Hạ Long", Kind: partyworks.KindWard, ParentCode: "22"}}}); err != nil {
		t.Fatal(err)
	}
	p, _ := units.FindUnitByCode(ctx, "22", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	w, _ := units.FindUnitByCode(ctx, "06688", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	tasks := sqldb.NewTaskService(db, t.TempDir())
	tasks.SetMailer(smtpMailer(func(k string) string { return env[k] }))
	d := &partyworks.Directive{OwnerID: p.ID, Symbol: "35-CT/TW", Title: "Đại hội", Issued: time.Date(2024, 6, 14, 0, 0, 0, 0, time.UTC)}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{w.ID}, Title: "Đại hội phường",
		Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Deadline: time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := tasks.SetMailAddresses(ctx, w.ID, []string{"vanphong@halong.example"}); err != nil {
		t.Fatal(err)
	}
	res, err := tasks.Remind(ctx, partyworks.RemindConfig{})
	if err != nil || res.Overdue != 1 || res.Mailed != 1 {
		t.Fatalf("remind: %+v %v", res, err)
	}
	select {
	case msg := <-got:
		if !strings.Contains(msg, "To: vanphong@halong.example") || !strings.Contains(msg, "Subject: =?utf-8?b?") || !strings.Contains(msg, "Đại hội phường") {
			t.Fatalf("message: %q", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail arrived")
	}
	if res, _ := tasks.Remind(ctx, partyworks.RemindConfig{}); res.Mailed != 0 {
		t.Fatalf("mailed again: %+v", res)
	}
}
