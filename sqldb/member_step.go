package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partyworks"
)

// RecordStep runs one lifecycle step: the state machine allows it from the
// member's state, the rules in force on its date allow it, and then, in
// one transaction, the step is appended, the record's state changes (the
// old state goes to the history) and the statistics follow.
func (s *MemberService) RecordStep(ctx context.Context, memberID int64, in partyworks.StepInput) (*partyworks.MemberStep, error) {
	var step *partyworks.MemberStep
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		step, err = tx.recordStep(memberID, in, s.Calendar)
		return err
	})
	return step, err
}

func (tx *Tx) recordStep(memberID int64, in partyworks.StepInput, cal *partyworks.Calendar) (*partyworks.MemberStep, error) {
	// The tree's lock before the member is read (lockTreeShared): a fold
	// committing between the read and the write would be overwritten by
	// the unit read.
	if err := tx.lockTreeShared(); err != nil {
		return nil, err
	}
	m, err := tx.member(memberID)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != m.Version {
		return nil, partyworks.Errorf(partyworks.ECONFLICT, "the record was changed by someone else (version %d, yours %d): reload it", m.Version, in.Version)
	}
	next, err := partyworks.Next(m, in.Step)
	if err != nil {
		return nil, err
	}
	today := partyworks.Today(tx.now)
	if in.Date.After(today) {
		return nil, partyworks.FieldErrorf("date", "%s is in the future: record a step once it has happened", partyworks.FormatDateVN(in.Date))
	}
	if in.Date.Before(m.Since) {
		return nil, partyworks.FieldErrorf("date", "%s is before the member's last recorded change (%s): steps are recorded in date order",
			partyworks.FormatDateVN(in.Date), partyworks.FormatDateVN(m.Since))
	}
	if in.Decision != "" {
		if _, err := partyworks.ParseSymbol(in.Decision); err != nil {
			return nil, &partyworks.Error{Code: partyworks.EINVALID, Field: "decision", Message: partyworks.ErrorMessage(err)}
		}
	}
	facts := partyworks.StepFacts{Calendar: cal, Introducers: map[string]partyworks.MemberStatus{}}
	for _, cid := range in.Introducers {
		var id int64
		if err := tx.QueryRow(`SELECT id FROM members WHERE citizen_id = ?`, cid).Scan(&id); err == nil {
			facts.Introducers[cid], err = tx.statusOn(id, fmtDate(in.Date))
			if err != nil {
				return nil, err
			}
		}
	}
	if in.Step == partyworks.StepReadmit {
		var left string
		tx.QueryRow(`SELECT COALESCE(MAX(day), '') FROM member_steps WHERE member_id = ? AND to_status IN ('left', 'removed')`, memberID).Scan(&left)
		if left == "" {
			left = fmtDate(m.Since)
		}
		facts.LeftOn = parseDate(left)
		var n int
		tx.QueryRow(`SELECT COUNT(*) FROM member_steps WHERE member_id = ? AND to_status = 'expelled'`, memberID).Scan(&n)
		facts.Expelled = n > 0
	}
	if err := partyworks.CheckStep(m, in, facts); err != nil {
		return nil, err
	}
	d := fmtDate(in.Date)
	newUnit := m.UnitID
	var transferTo any
	resume := m.Resume
	switch in.Step {
	case partyworks.StepTransferOut:
		if _, err := tx.versionAt(in.UnitID, d); err != nil {
			return nil, partyworks.FieldErrorf("unit", "the receiving unit does not stand on %s", partyworks.FormatDateVN(in.Date))
		}
		transferTo, resume = in.UnitID, m.Status
	case partyworks.StepTempOut:
		resume = m.Status
	case partyworks.StepTransferIn:
		newUnit, resume = m.TransferTo, ""
	case partyworks.StepTempReturn:
		resume = ""
	}
	top, err := tx.topOf(newUnit)
	if err != nil {
		return nil, err
	}
	// The statistics: out of the old category (and unit), into the new.
	st := newStatBuf()
	if err := st.member(tx, m, m.UnitID, d, -1); err != nil {
		return nil, err
	}
	after := *m
	after.Status = next
	switch in.Step {
	case partyworks.StepAdmit:
		if after.Admitted.IsZero() {
			after.Admitted = in.Date // party age counts from the first admission
		}
	case partyworks.StepCeremony:
		after.Ceremony = in.Date
	}
	if err := st.member(tx, &after, newUnit, d, 1); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(`INSERT INTO member_history (member_id, unit_id, status, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)`,
		memberID, m.UnitID, m.Status, fmtDate(m.Since), d); err != nil {
		return nil, err
	}
	set := `status = ?, unit_id = ?, top_id = ?, since = ?, resume = ?, transfer_to = ?, version = version + 1, updated_at = ?`
	args := []any{next, newUnit, top, d, resume, transferTo, fmtTime(tx.now)}
	switch in.Step {
	case partyworks.StepResolve:
		set += ", resolved = ?, introducers = ?"
		args = append(args, d, joinIDs(in.Introducers))
	case partyworks.StepAdmit:
		set += ", admitted = ?"
		args = append(args, optDate(after.Admitted))
	case partyworks.StepCeremony:
		set += ", ceremony = ?"
		args = append(args, d)
	case partyworks.StepRecognize:
		set += ", recognized = ?"
		args = append(args, d)
	case partyworks.StepReadmit:
		set += ", readmitted = 1, resolved = '', ceremony = ''"
	}
	// Only the record as read: on PostgreSQL a fold followed by another
	// writer (the tree's lock is shared) may have moved her since; the
	// step is then refused, not written over the move.
	res, err := tx.Exec(`UPDATE members SET `+set+` WHERE id = ? AND version = ?`, append(args, memberID, m.Version)...)
	if err != nil {
		return nil, fmt.Errorf("record step: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("record step: %w", err)
	} else if n != 1 {
		return nil, partyworks.Errorf(partyworks.ECONFLICT, "the record was changed by someone else while the step was recorded: reload it and record the step again")
	}
	if err := st.flush(tx); err != nil {
		return nil, err
	}
	ms := &partyworks.MemberStep{MemberID: memberID, Step: in.Step, Date: in.Date, Decision: in.Decision, From: m.Status, To: next,
		UnitID: in.UnitID, Note: in.Note, RecordedBy: tx.actor.Username, OnBehalf: tx.actor.OnBehalf, RecordedAt: tx.now}
	if ms.UnitID == 0 && in.Step == partyworks.StepTransferIn {
		ms.UnitID = newUnit
	}
	ms.ID, err = tx.InsertID(`INSERT INTO member_steps (member_id, step, day, decision, from_status, to_status, unit_id, note, recorded_by, on_behalf, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, memberID, ms.Step, d, ms.Decision, ms.From, ms.To, nullable(ms.UnitID), ms.Note,
		ms.RecordedBy, ms.OnBehalf, fmtTime(tx.now))
	if err != nil {
		return nil, err
	}
	if err := tx.audit("member.step", fmt.Sprintf("member:%d", memberID), map[string]any{"status": m.Status, "unit_id": m.UnitID},
		map[string]any{"step": in.Step, "day": d, "status": next, "unit_id": newUnit, "decision": in.Decision}); err != nil {
		return nil, err
	}
	_, err = tx.followFolds([]int64{newUnit})
	return ms, err
}

// statusOn is a member's status on a day.
func (tx *Tx) statusOn(memberID int64, d string) (partyworks.MemberStatus, error) {
	var st partyworks.MemberStatus
	err := tx.QueryRow(`SELECT status FROM (`+stateAt+`) s WHERE member_id = ?`, d, d, d, memberID).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "not yet a member", nil
	}
	return st, err
}

func joinIDs(ids []string) string {
	out := ""
	for i, s := range ids {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

// FindSteps returns a member's steps in the order they were recorded.
func (s *MemberService) FindSteps(ctx context.Context, memberID int64) ([]*partyworks.MemberStep, error) {
	rows, err := s.db.query(ctx, `SELECT id, step, day, decision, from_status, to_status, unit_id, note, recorded_by, on_behalf, recorded_at
		FROM member_steps WHERE member_id = ? ORDER BY id`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*partyworks.MemberStep
	for rows.Next() {
		st := &partyworks.MemberStep{MemberID: memberID}
		var day, at string
		var unit sql.NullInt64
		if err := rows.Scan(&st.ID, &st.Step, &day, &st.Decision, &st.From, &st.To, &unit, &st.Note, &st.RecordedBy, &st.OnBehalf, &at); err != nil {
			return nil, err
		}
		st.Date, st.RecordedAt, st.UnitID = parseDate(day), parseTime(at), unit.Int64
		out = append(out, st)
	}
	return out, rows.Err()
}

// Gaps are the periods that do not count towards a member's party age:
// from leaving, removal or expulsion to re-admission.
func (s *MemberService) Gaps(ctx context.Context, memberID int64) ([]partyworks.Gap, error) {
	steps, err := s.FindSteps(ctx, memberID)
	if err != nil {
		return nil, err
	}
	var gaps []partyworks.Gap
	var open *partyworks.Gap
	for _, st := range steps {
		switch {
		case st.To == partyworks.StatusLeft || st.To == partyworks.StatusRemoved || st.To == partyworks.StatusExpelled:
			open = &partyworks.Gap{From: st.Date}
		case open != nil && st.Step == partyworks.StepAdmit:
			open.To = st.Date
			gaps = append(gaps, *open)
			open = nil
		}
	}
	if open != nil {
		gaps = append(gaps, *open)
	}
	return gaps, nil
}
