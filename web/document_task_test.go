package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partyworks"
)

// TestRouteBecomesTask: an incoming document routed to a department as a
// task gives the department a task with the routing's deadline, under a
// directive made once from the document; a classified document or a
// routing to a person is refused as a task, and nothing is written.
func TestRouteBecomesTask(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	staff := h.user("staff", partyworks.RoleStaff, "193")
	c := h.login("staff")
	d := h.incoming("193", "35-CT/TW", "Chỉ thị về tổ chức đại hội đảng bộ các cấp", 0)
	ward := h.ids["06661"]
	route := func(doc int64, form url.Values) (*http.Response, string) {
		return h.page("POST", fmt.Sprintf("/documents/%d/routes", doc), c, form)
	}
	for range 2 {
		res, body := route(d.ID, url.Values{"to_unit_code": {"06661"}, "deadline": {"30/06/2030"}, "note": {"Báo cáo trước 30/6"}, "task": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("route as task: %d %s", res.StatusCode, body)
		}
	}
	tasks, n, err := h.server.Tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ward})
	if err != nil || n != 2 {
		t.Fatalf("%d tasks, %v", n, err)
	}
	if tasks[0].DirectiveID != tasks[1].DirectiveID || tasks[0].Title != d.Summary || partyworks.FormatDate(tasks[0].Deadline) != "2030-06-30" ||
		!strings.Contains(tasks[0].Detail, "35-CT/TW") {
		t.Errorf("tasks: %+v %+v", tasks[0], tasks[1])
	}
	// A classified document: refused as a task, no routing written.
	secret := h.incoming("193", "36-HD/VPTW", "Danh sách nhân sự dự kiến", partyworks.Confidential)
	if err := h.server.Documents.SetClearance(ctx, staff.ID, partyworks.Confidential); err != nil {
		t.Fatal(err)
	}
	res, _ := route(secret.ID, url.Values{"to_unit_code": {"06661"}, "deadline": {"30/06/2030"}, "task": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("classified as a task: %d", res.StatusCode)
	}
	got, _ := h.server.Documents.FindDocumentByID(ctx, partyworks.Viewer{System: true}, secret.ID)
	if len(got.Routes) != 0 {
		t.Errorf("routing written after a refusal: %+v", got.Routes)
	}
	// Without the box: a routing only, no task. (A plain routing with the
	// same department and deadline as a task's would be taken for it.)
	if res, body := route(d.ID, url.Values{"to_unit_code": {"06661"}, "deadline": {"30/09/2030"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("plain route: %d %s", res.StatusCode, body)
	}
	if _, n, _ := h.server.Tasks.FindTasks(ctx, partyworks.TaskFilter{UnitID: ward}); n != 2 {
		t.Errorf("a plain routing made a task: %d", n)
	}
	// "What needs doing" lists the plain routing; the ones made tasks are
	// the tasks' own items, not listed twice.
	due, err := h.server.Documents.(partyworks.DueSource).FindDue(ctx, h.ids["193"], mustDay("2031-01-01"))
	if err != nil || len(due) != 1 {
		t.Errorf("routings due: %+v %v", due, err)
	}
}
