package web

import (
	"errors"
	"fmt"
	"net/http"

	"partyworks"
)

// Routing → tasks. An incoming document routed to a department "as a
// task" becomes a directive of the document's unit (found again by its
// symbol and date when it is routed a second time) and a task of the
// department with the routing's deadline, tracked like any other task.
// A routing to a person stays a to-do item ("what needs doing", the
// documents' DueSource). There is no transaction across the two stores:
// the checks run first, then the routing, then the task; if the task
// fails after the routing was written, the error says so and the routing
// stays (it can be made a task by hand on the directives page).

// checkRouteTask refuses, before anything is written, a task the request
// cannot have.
func (s *Server) checkRouteTask(r *http.Request, rt *partyworks.DocumentRoute) (*partyworks.Document, error) {
	switch {
	case s.Tasks == nil:
		return nil, partyworks.FieldErrorf("task", "tasks are not enabled on this server")
	case rt.ToUnitID == 0:
		return nil, partyworks.FieldErrorf("task", "only a routing to a department becomes a task; a person's routing is on their to-do list")
	}
	d, err := s.Documents.FindDocumentByID(r.Context(), viewer(r), rt.DocumentID)
	if err != nil {
		return nil, err
	}
	if d.Direction != partyworks.Incoming {
		return nil, partyworks.FieldErrorf("task", "only an incoming document's handling becomes a task")
	}
	if d.Secrecy.Classified() {
		// Task lists, roll-ups and reminders know nothing of clearances.
		return nil, partyworks.FieldErrorf("task", "a classified document's handling is not made a task: its summary would show in task lists")
	}
	path, err := s.Documents.DocumentUnit(r.Context(), viewer(r), d.ID)
	if err != nil {
		return nil, err
	}
	if err := s.check(r, partyworks.ActTaskAssign, target{Any: []string{path}}); err != nil {
		return nil, err
	}
	return d, nil
}

// routeTask creates the directive (once) and the department's task.
func (s *Server) routeTask(r *http.Request, d *partyworks.Document, rt *partyworks.DocumentRoute) error {
	ctx := r.Context()
	sym := d.Symbol.String()
	var dirID int64
	existing, err := s.Tasks.FindDirectives(ctx, d.UnitID)
	if err != nil {
		return err
	}
	for _, x := range existing {
		if x.OwnerID == d.UnitID && x.Symbol == sym && x.Issued == d.Issued {
			dirID = x.ID
		}
	}
	if dirID == 0 {
		dir := &partyworks.Directive{OwnerID: d.UnitID, Symbol: sym, Issuer: d.Issuer, Issued: d.Issued, Title: clip(d.Summary, 500)}
		if err := s.Tasks.CreateDirective(ctx, dir); err != nil {
			return fmt.Errorf("the routing is recorded, but its task was not created: %w", err)
		}
		dirID = dir.ID
	}
	today := s.today()
	start := today
	if rt.Deadline.Before(start) {
		start = rt.Deadline
	}
	detail := fmt.Sprintf("Văn bản đến số %d, %s", d.RegNo, sym)
	if rt.Note != "" {
		detail += "\n" + rt.Note
	}
	if _, err := s.Tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: dirID, Units: []int64{rt.ToUnitID}, At: today,
		Title: clip(d.Summary, 500), Detail: detail, Start: start, Deadline: rt.Deadline}); err != nil {
		var pe *partyworks.Error
		if errors.As(err, &pe) {
			return &partyworks.Error{Code: pe.Code, Field: "task", Message: "the routing is recorded, but its task was not created: " + pe.Message}
		}
		return err
	}
	return nil
}

func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
