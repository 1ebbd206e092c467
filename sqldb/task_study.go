package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"partyworks"
)

// CreateCampaign starts the study and dissemination of a directive, run by
// a unit for the units of some kinds below it.
func (s *TaskService) CreateCampaign(ctx context.Context, c *partyworks.StudyCampaign) error {
	c.Title = strings.TrimSpace(c.Title)
	switch {
	case c.Title == "" || utf8.RuneCountInString(c.Title) > 500:
		return partyworks.FieldErrorf("title", "give the campaign's title (at most 500 characters)")
	case c.Start.IsZero() || c.End.IsZero():
		return partyworks.FieldErrorf("start", "give the campaign's first and last days")
	case c.End.Before(c.Start):
		return partyworks.FieldErrorf("end", "the campaign ends before it starts")
	case len(c.Kinds) == 0:
		return partyworks.FieldErrorf("kinds", "say which kinds of unit hold sessions")
	}
	kinds := make([]string, len(c.Kinds))
	for i, k := range c.Kinds {
		if !k.Valid() {
			return partyworks.FieldErrorf("kinds", "unknown kind of unit %q", k)
		}
		kinds[i] = string(k)
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(`SELECT id FROM directives WHERE id = ?`, c.DirectiveID).Scan(new(int64)); errors.Is(err, sql.ErrNoRows) {
			return partyworks.FieldErrorf("directive", "directive %d does not exist", c.DirectiveID)
		} else if err != nil {
			return err
		}
		if _, err := tx.versionAt(c.OwnerID, fmtDate(partyworks.Today(tx.now))); err != nil {
			return err
		}
		id, err := tx.InsertID(`INSERT INTO study_campaigns (directive_id, owner_id, title, start, end_day, kinds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.DirectiveID, c.OwnerID, c.Title, fmtDate(c.Start), fmtDate(c.End), strings.Join(kinds, ","), fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		c.ID = id
		return tx.audit("study.create", fmt.Sprintf("campaign:%d", id), nil, c)
	})
}

const campaignColumns = `id, directive_id, owner_id, title, start, end_day, kinds`

func scanCampaign(s scanner) (*partyworks.StudyCampaign, error) {
	var c partyworks.StudyCampaign
	var start, end, kinds string
	if err := s.Scan(&c.ID, &c.DirectiveID, &c.OwnerID, &c.Title, &start, &end, &kinds); err != nil {
		return nil, err
	}
	c.Start, c.End = parseDate(start), parseDate(end)
	for _, k := range strings.Split(kinds, ",") {
		c.Kinds = append(c.Kinds, partyworks.UnitKind(k))
	}
	return &c, nil
}

// FindCampaignByID returns a campaign.
func (s *TaskService) FindCampaignByID(ctx context.Context, id int64) (*partyworks.StudyCampaign, error) {
	c, err := scanCampaign(s.db.queryRow(ctx, `SELECT `+campaignColumns+` FROM study_campaigns WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "study campaign %d does not exist", id)
	}
	return c, err
}

// FindCampaigns lists a directive's campaigns.
func (s *TaskService) FindCampaigns(ctx context.Context, directiveID int64) ([]*partyworks.StudyCampaign, error) {
	rows, err := s.db.query(ctx, `SELECT `+campaignColumns+` FROM study_campaigns WHERE directive_id = ? ORDER BY start, id`, directiveID)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.StudyCampaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordSession records a session a unit held, with its attendance.
func (s *TaskService) RecordSession(ctx context.Context, ss *partyworks.StudySession) error {
	ss.Note = strings.TrimSpace(ss.Note)
	switch {
	case ss.Held.IsZero():
		return partyworks.FieldErrorf("held", "give the day the session was held")
	case ss.Attended < 0 || ss.Expected < 1:
		return partyworks.FieldErrorf("expected", "give how many members were expected (1 or more) and attended")
	case ss.Attended > ss.Expected:
		return partyworks.FieldErrorf("attended", "more attended (%d) than were expected (%d)", ss.Attended, ss.Expected)
	case utf8.RuneCountInString(ss.Note) > 2000:
		return partyworks.FieldErrorf("note", "the note is too long")
	}
	c, err := s.FindCampaignByID(ctx, ss.CampaignID)
	if err != nil {
		return err
	}
	if ss.Held.Before(c.Start) || ss.Held.After(c.End) {
		return partyworks.FieldErrorf("held", "the campaign runs from %s to %s", partyworks.FormatDateVN(c.Start), partyworks.FormatDateVN(c.End))
	}
	if err := s.checkAttendees(ctx, ss); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		d := fmtDate(ss.Held)
		unit, err := tx.versionAt(ss.UnitID, d)
		if err != nil {
			return err
		}
		owner, err := tx.versionAt(c.OwnerID, d)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(unit.path, owner.path) {
			return partyworks.FieldErrorf("unit", "%s is not inside %s, which runs the campaign", unit.name, owner.name)
		}
		id, err := tx.InsertID(`INSERT INTO study_sessions (campaign_id, unit_id, held, attended, expected, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			ss.CampaignID, ss.UnitID, d, ss.Attended, ss.Expected, ss.Note, fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("record session: %w", err)
		}
		ss.ID = id
		for _, m := range ss.Members {
			if _, err := tx.Exec(`INSERT INTO study_attendance (session_id, member_id) VALUES (?, ?)`, id, m); err != nil {
				return fmt.Errorf("record attendance: %w", err)
			}
		}
		return tx.audit("study.session", fmt.Sprintf("campaign:%d", ss.CampaignID), nil, ss)
	})
}

// Coverage is a campaign's coverage over a unit's subtree as it stands
// today: how many units of the expected kinds held a session, and the
// attendance at those sessions; with the subtree's sessions, newest first.
func (s *TaskService) Coverage(ctx context.Context, campaignID, unitID int64) (*partyworks.StudyCoverage, []*partyworks.StudySession, error) {
	c, err := s.FindCampaignByID(ctx, campaignID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.unitToday(ctx, unitID)
	if err != nil {
		return nil, nil, err
	}
	today := fmtDate(partyworks.Today(s.db.Now()))
	lo, hi := subtreeRange(u.Path)
	ph := marks(len(c.Kinds))
	args := []any{today, today, lo, hi}
	for _, k := range c.Kinds {
		args = append(args, string(k))
	}
	cov := &partyworks.StudyCoverage{}
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM unit_versions v WHERE v.valid_from <= ? AND v.valid_to > ? AND v.path >= ? AND v.path < ? AND v.kind IN (`+ph+`)`, args...).Scan(&cov.Units); err != nil {
		return nil, nil, fmt.Errorf("coverage: %w", err)
	}
	sargs := append([]any{campaignID}, args...)
	if err := s.db.queryRow(ctx, `SELECT COUNT(DISTINCT s.unit_id), COALESCE(SUM(s.attended), 0), COALESCE(SUM(s.expected), 0)
		FROM study_sessions s JOIN unit_versions v ON v.unit_id = s.unit_id
		WHERE s.campaign_id = ? AND v.valid_from <= ? AND v.valid_to > ? AND v.path >= ? AND v.path < ? AND v.kind IN (`+ph+`)`, sargs...).
		Scan(&cov.Held, &cov.Attended, &cov.Expected); err != nil {
		return nil, nil, fmt.Errorf("coverage: %w", err)
	}
	cov.Coverage = partyworks.Figure{How: "study.how.coverage", Args: []any{cov.Held, cov.Units}}
	if cov.Units > 0 {
		cov.Coverage.Value, cov.Coverage.Known = 100*float64(cov.Held)/float64(cov.Units), true
	}
	members := partyStatuses()
	margs := []any{today, today, lo, hi}
	for _, st := range members {
		margs = append(margs, string(st))
	}
	mph := marks(len(members))
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM members m JOIN unit_versions v ON v.unit_id = m.unit_id
		WHERE v.valid_from <= ? AND v.valid_to > ? AND v.path >= ? AND v.path < ? AND m.status IN (`+mph+`)`, margs...).Scan(&cov.Members); err != nil {
		return nil, nil, fmt.Errorf("coverage by members: %w", err)
	}
	// Reached: members of the subtree today named at one of the campaign's
	// sessions (wherever they were then).
	rargs := append([]any{campaignID}, margs...)
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM members m JOIN unit_versions v ON v.unit_id = m.unit_id
		WHERE EXISTS (SELECT 1 FROM study_attendance a JOIN study_sessions s ON s.id = a.session_id WHERE a.member_id = m.id AND s.campaign_id = ?)
		AND v.valid_from <= ? AND v.valid_to > ? AND v.path >= ? AND v.path < ? AND m.status IN (`+mph+`)`, rargs...).Scan(&cov.MembersReached); err != nil {
		return nil, nil, fmt.Errorf("coverage by members: %w", err)
	}
	cov.MemberCoverage = partyworks.Figure{How: "study.how.members", Args: []any{cov.MembersReached, cov.Members}}
	if cov.Members > 0 {
		cov.MemberCoverage.Value, cov.MemberCoverage.Known = 100*float64(cov.MembersReached)/float64(cov.Members), true
	}
	cov.Presence = partyworks.Figure{How: "study.how.presence", Args: []any{cov.Attended, cov.Expected}}
	if cov.Expected > 0 {
		cov.Presence.Value, cov.Presence.Known = 100*float64(cov.Attended)/float64(cov.Expected), true
	}
	rows, err := s.db.query(ctx, `SELECT s.id, s.unit_id, v.name, s.held, s.attended, s.expected, s.note
		FROM study_sessions s JOIN unit_versions v ON v.unit_id = s.unit_id AND v.valid_from <= ? AND v.valid_to > ?
		WHERE s.campaign_id = ? AND v.path >= ? AND v.path < ? ORDER BY s.held DESC, s.id DESC LIMIT 200`, today, today, campaignID, lo, hi)
	if err != nil {
		return nil, nil, fmt.Errorf("sessions: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.StudySession
	for rows.Next() {
		ss := &partyworks.StudySession{CampaignID: campaignID}
		var held string
		if err := rows.Scan(&ss.ID, &ss.UnitID, &ss.UnitName, &held, &ss.Attended, &ss.Expected, &ss.Note); err != nil {
			return nil, nil, err
		}
		ss.Held = parseDate(held)
		out = append(out, ss)
	}
	return cov, out, rows.Err()
}

// checkAttendees validates the members named as attending: no repeats,
// each a party member of the session's unit subtree on the session's day
// (read through the member store), and the counts kept consistent: the
// attended count is the number named.
func (s *TaskService) checkAttendees(ctx context.Context, ss *partyworks.StudySession) error {
	if len(ss.Members) == 0 {
		ss.Members = nil
		return nil
	}
	seen := make(map[int64]bool, len(ss.Members))
	for _, m := range ss.Members {
		if seen[m] {
			return partyworks.FieldErrorf("members", "member %d is named twice", m)
		}
		seen[m] = true
	}
	if ss.Attended != 0 && ss.Attended != len(ss.Members) {
		return partyworks.FieldErrorf("attended", "%d attended, but %d members are named", ss.Attended, len(ss.Members))
	}
	ss.Attended = len(ss.Members)
	if ss.Attended > ss.Expected {
		return partyworks.FieldErrorf("attended", "more attended (%d) than were expected (%d)", ss.Attended, ss.Expected)
	}
	found, _, err := NewMemberService(s.db).FindMembers(ctx, partyworks.MemberFilter{
		At: ss.Held, Under: ss.UnitID, Statuses: partyStatuses(), Limit: 100000,
	})
	if err != nil {
		return err
	}
	in := make(map[int64]bool, len(found))
	for _, m := range found {
		in[m.ID] = true
	}
	for _, m := range ss.Members {
		if !in[m] {
			return partyworks.FieldErrorf("members", "member %d was not a party member of the unit on %s", m, partyworks.FormatDateVN(ss.Held))
		}
	}
	return nil
}

// partyStatuses are the states in which a person is a party member.
func partyStatuses() []partyworks.MemberStatus {
	var out []partyworks.MemberStatus
	for _, st := range partyworks.MemberStatuses {
		if st.Member() {
			out = append(out, st)
		}
	}
	return out
}
