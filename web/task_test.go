package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"partyworks"
	"partyworks/sqldb"
)

var harnessTaskServices sync.Map // *sqldb.DB → *sqldb.TaskService

// harnessTasks is the task service of a harness's database (one per
// database, so that the fold hook is registered once).
func harnessTasks(t testing.TB, db *sqldb.DB) *sqldb.TaskService {
	if s, ok := harnessTaskServices.Load(db); ok {
		return s.(*sqldb.TaskService)
	}
	s := sqldb.NewTaskService(db, t.TempDir())
	harnessTaskServices.Store(db, s)
	return s
}

// matrixTasks holds, per unit, a directive it registered, a task it gave
// itself and a study campaign it runs, for the access-matrix walk.
var matrixTasks = map[int64]map[string]int64{}

func seedMatrixTasks(t *testing.T, h *harness, scopeUnit map[string]string) {
	ctx := context.Background()
	tasks := harnessTasks(t, h.db)
	for _, code := range scopeUnit {
		id := h.ids[code]
		d := &partyworks.Directive{OwnerID: id, Symbol: "35-CT/TW", Title: "Đại hội " + code, Issued: mustDay("2024-06-14")}
		if err := tasks.CreateDirective(ctx, d); err != nil {
			t.Fatal(err)
		}
		today := partyworks.Today(h.db.Now())
		if _, err := tasks.Assign(ctx, partyworks.TaskAssign{DirectiveID: d.ID, Units: []int64{id}, Title: "Tự kiểm tra", Start: today, Deadline: today.AddDate(0, 1, 0)}); err != nil {
			t.Fatal(err)
		}
		ts, _, err := tasks.FindTasks(ctx, partyworks.TaskFilter{DirectiveID: d.ID})
		if err != nil || len(ts) != 1 {
			t.Fatal(err)
		}
		c := &partyworks.StudyCampaign{DirectiveID: d.ID, OwnerID: id, Title: "Học tập", Start: today, End: today.AddDate(0, 1, 0), Kinds: []partyworks.UnitKind{"ward"}}
		if err := tasks.CreateCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		files, err := tasks.AttachDirectiveFiles(ctx, d.ID, []partyworks.EvidenceFile{{Name: "chỉ thị.pdf", Data: []byte("%PDF-1.4\n")}})
		if err != nil {
			t.Fatal(err)
		}
		matrixTasks[id] = map[string]int64{"{did}": d.ID, "{tid}": ts[0].ID, "{cid}": c.ID, "{dfid}": files[0].ID}
	}
}

func decodeBody(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// TestTasksOverHTTP walks the story over HTTP: register a
// directive, cascade it, report from the unit, refuse a report from
// outside it and a stale one, accept by the assigning unit, read the
// roll-up, attach and download evidence, import progress.
func TestTasksOverHTTP(t *testing.T) {
	h := sqlite(t)
	h.user("city", partyworks.RoleStaff, "193")   // Thành ủy Hạ Long: assigns
	h.user("ward", partyworks.RoleStaff, "06661") // Đảng ủy phường Hà Khánh: reports
	h.user("hanoi", partyworks.RoleAdmin, "01")
	city, ward := fmt.Sprint(h.ids["193"]), fmt.Sprint(h.ids["06661"])

	res, body := h.api("POST", "/api/v1/units/"+city+"/directives", "city", `{"symbol":"439/KH/TU","title":"x","issued":"2024-12-18"}`, "application/json")
	if res.StatusCode != 422 || !strings.Contains(body, "18-NQ/TW") {
		t.Fatalf("malformed symbol: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/units/"+city+"/directives", "city", `{"symbol":"439-KH/TU","title":"Kế hoạch đại hội","issued":"2024-12-18","rule":"share"}`, "application/json")
	if res.StatusCode != 201 {
		t.Fatalf("directive: %d %s", res.StatusCode, body)
	}
	var d struct{ ID int64 }
	decodeBody(t, body, &d)
	did := fmt.Sprint(d.ID)
	today := partyworks.FormatDate(partyworks.Today(h.db.Now()))
	deadline := partyworks.FormatDate(partyworks.Today(h.db.Now()).AddDate(0, 0, 10))
	res, body = h.api("POST", "/api/v1/directives/"+did+"/tasks", "ward", `{"under":"193","kinds":["ward"],"title":"t","start":"`+today+`","deadline":"`+deadline+`"}`, "application/json")
	if res.StatusCode != 403 {
		t.Fatalf("a unit below gives the city's tasks: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/directives/"+did+"/tasks", "city", `{"under":"193","kinds":["township"],"title":"t","start":"`+today+`","deadline":"`+deadline+`"}`, "application/json")
	if res.StatusCode != 422 {
		t.Fatalf("a cascade that matches no unit: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/directives/"+did+"/tasks", "city", `{"under":"193","kinds":["ward"],"title":"Đại hội phường","start":"`+today+`","deadline":"`+deadline+`"}`, "application/json")
	if res.StatusCode != 201 || !strings.Contains(body, `"tasks":1`) {
		t.Fatalf("cascade: %d %s", res.StatusCode, body)
	}
	_, body = h.api("GET", "/api/v1/units/"+ward+"/tasks", "ward", "", "")
	var list struct {
		Tasks []struct {
			ID      int64
			Version int64
			Status  string
		}
	}
	decodeBody(t, body, &list)
	if len(list.Tasks) != 1 || list.Tasks[0].Status != "not_started" {
		t.Fatalf("ward tasks: %s", body)
	}
	tid, v := fmt.Sprint(list.Tasks[0].ID), list.Tasks[0].Version
	if _, body = h.api("GET", "/api/v1/units/"+city+"/todo", "city", "", ""); !strings.Contains(body, "/tasks/"+tid) {
		t.Fatalf("the city's to-do list misses the ward's task: %s", body)
	}

	// A completion reported from outside the unit is refused; so is a stale one.
	if res, _ = h.api("POST", "/api/v1/tasks/"+tid+"/progress", "city", fmt.Sprintf(`{"version":%d,"progress":100}`, v), "application/json"); res.StatusCode != 403 {
		t.Fatalf("the city reports for the ward: %d", res.StatusCode)
	}
	if res, _ = h.api("POST", "/api/v1/tasks/"+tid+"/progress", "ward", fmt.Sprintf(`{"version":%d,"progress":101}`, v), "application/json"); res.StatusCode != 422 {
		t.Fatalf("101%%: %d", res.StatusCode)
	}
	// Evidence through the form, as a browser sends it.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("version", fmt.Sprint(v))
	mw.WriteField("progress", "40")
	fw, _ := mw.CreateFormFile("files", "biên bản.pdf")
	fw.Write([]byte("%PDF-1.4 biên bản"))
	mw.Close()
	c := h.login("ward")
	req, _ := http.NewRequest("POST", h.srv.URL+"/tasks/"+tid+"/progress", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(c)
	if res, body = h.do(req); res.StatusCode != 303 {
		t.Fatalf("report with evidence: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/tasks/"+tid+"/progress", "ward", fmt.Sprintf(`{"version":%d,"progress":100}`, v), "application/json")
	if res.StatusCode != 409 {
		t.Fatalf("stale version: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", "/api/v1/tasks/"+tid+"/progress", "ward", fmt.Sprintf(`{"version":%d,"progress":100}`, v+1), "application/json")
	if res.StatusCode != 200 || !strings.Contains(body, `"status":"done_on_time"`) {
		t.Fatalf("done: %d %s", res.StatusCode, body)
	}
	// Only the assigning unit reviews.
	if res, _ = h.api("POST", "/api/v1/tasks/"+tid+"/review", "ward", fmt.Sprintf(`{"version":%d,"decision":"accept"}`, v+2), "application/json"); res.StatusCode != 403 {
		t.Fatalf("the ward accepts its own task: %d", res.StatusCode)
	}
	if res, body = h.api("POST", "/api/v1/tasks/"+tid+"/review", "city", fmt.Sprintf(`{"version":%d,"decision":"accept"}`, v+2), "application/json"); res.StatusCode != 200 {
		t.Fatalf("accept: %d %s", res.StatusCode, body)
	}

	// The roll-up says how it was computed; another province sees nothing.
	res, body = h.api("GET", "/api/v1/units/"+city+"/directives/"+did+"/rollup?children=true", "city", "", "")
	if res.StatusCode != 200 || !strings.Contains(body, `"progress_how":"share of tasks done: 1 done ÷ 1 tasks"`) {
		t.Fatalf("rollup: %d %s", res.StatusCode, body)
	}
	if res, _ = h.api("GET", "/api/v1/units/"+fmt.Sprint(h.ids["01"])+"/directives/"+did+"/rollup", "hanoi", "", ""); res.StatusCode != 404 {
		t.Fatalf("a directive of another branch through one's own unit: %d", res.StatusCode)
	}
	if res, _ = h.api("GET", "/api/v1/tasks/"+tid, "hanoi", "", ""); res.StatusCode != 403 {
		t.Fatalf("another province reads the task: %d", res.StatusCode)
	}
	cc := h.login("city")
	res, body = h.page("GET", "/units/"+city+"/directives/"+did, cc, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "1 nhiệm vụ hoàn thành ÷ 1 nhiệm vụ") {
		t.Fatalf("directive page: %d %s", res.StatusCode, body)
	}
	res, body = h.page("GET", "/tasks/"+tid, cc, nil)
	i := strings.Index(body, "/tasks/"+tid+"/files/")
	if res.StatusCode != 200 || i < 0 {
		t.Fatalf("task page: %d", res.StatusCode)
	}
	link := body[i : i+strings.IndexByte(body[i:], '"')]
	res, body = h.page("GET", link, cc, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || body != "%PDF-1.4 biên bản" {
		t.Fatalf("evidence: %d %q %q", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
	if res, _ = h.page("GET", "/units/"+city+"/directives/"+did+"/export", cc, nil); res.StatusCode != 200 ||
		!strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d", res.StatusCode)
	}

	// Import: the accepted task is refused with its line; a bad number too.
	csv := "task,progress\n" + tid + ",50\nabc,10\n"
	res, body = h.api("POST", "/api/v1/units/"+ward+"/tasks/import?name=p.csv", "ward", csv, "text/csv")
	if res.StatusCode != 200 || !strings.Contains(body, `"written":0`) || !strings.Contains(body, `"line":2`) || !strings.Contains(body, `"line":3`) {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	for _, p := range []string{"/units/" + city + "/tasks", "/units/" + ward + "/tasks/import", "/units/" + city + "/directives/new"} {
		if res, body = h.page("GET", p, cc, nil); res.StatusCode != 200 && !(p == "/units/"+ward+"/tasks/import" && res.StatusCode == 403) {
			t.Fatalf("%s: %d %s", p, res.StatusCode, body)
		}
	}
}
