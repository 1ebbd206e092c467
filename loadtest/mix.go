package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// request is one request to send, and what to do with its answer (writes
// keep the task's new version).
type request struct {
	method, path string
	body         []byte
	writer       bool // sent with the writer's token
	after        func(status int, body []byte)
}

// kind is one sort of request of the mix: what real use does.
type kind struct {
	name  string
	write bool
	// writer: the request needs the writer's token (an account with a
	// grant on the task's own unit).
	writer bool
	// missing says why the targets cannot feed this kind ("" if they can).
	missing func(t *Targets) string
	next    func(w *worker) request
}

var kinds = map[string]*kind{
	"unit": {name: "unit", missing: need("units", func(t *Targets) int { return len(t.Units) }),
		next: func(w *worker) request { return get("/api/v1/units/%d", pick(w, w.t.Units)) }},
	"children": {name: "children", missing: need("units with children", func(t *Targets) int { return len(t.Parents) }),
		next: func(w *worker) request { return get("/api/v1/units/%d/children?limit=50", pick(w, w.t.Parents)) }},
	"stats": {name: "stats", missing: need("units with members", func(t *Targets) int { return len(t.Populated) }),
		next: func(w *worker) request { return get("/api/v1/units/%d/members/stats", pick(w, w.t.Populated)) }},
	"members": {name: "members", missing: need("units with members", func(t *Targets) int { return len(t.Populated) }),
		next: func(w *worker) request { return get("/api/v1/units/%d/members?limit=50", pick(w, w.t.Populated)) }},
	"search": {name: "search", missing: need("member names", func(t *Targets) int { return len(t.Names) }),
		next: func(w *worker) request {
			return get("/api/v1/units/%d/members?limit=50&q=%s", pick(w, w.t.Tops), url.QueryEscape(w.nameQuery()))
		}},
	"member": {name: "member", missing: need("members", func(t *Targets) int { return len(t.Members) }),
		next: func(w *worker) request { return get("/api/v1/members/%d", pick(w, w.t.Members)) }},
	"tasks": {name: "tasks", missing: need("units with tasks", func(t *Targets) int { return len(t.TaskUnits) }),
		next: func(w *worker) request { return get("/api/v1/units/%d/tasks", pick(w, w.t.TaskUnits)) }},
	// The web pages people read (server-rendered HTML, with the same
	// token: the guard takes a bearer token on any route).
	"page.unit": {name: "page.unit", missing: need("units", func(t *Targets) int { return len(t.Units) }),
		next: func(w *worker) request { return get("/units/%d", pick(w, w.t.Units)) }},
	"page.members": {name: "page.members", missing: need("units with members", func(t *Targets) int { return len(t.Populated) }),
		next: func(w *worker) request { return get("/units/%d/members", pick(w, w.t.Populated)) }},
	"page.stats": {name: "page.stats", missing: need("units with members", func(t *Targets) int { return len(t.Populated) }),
		next: func(w *worker) request { return get("/units/%d/members/stats", pick(w, w.t.Populated)) }},
	"page.member": {name: "page.member", missing: need("members", func(t *Targets) int { return len(t.Members) }),
		next: func(w *worker) request { return get("/members/%d", pick(w, w.t.Members)) }},
	"task.update": {name: "task.update", write: true, writer: true, missing: need("open tasks", func(t *Targets) int { return len(t.Tasks) }),
		next: (*worker).taskUpdate},
	"doc.register": {name: "doc.register", write: true, missing: need("units", func(t *Targets) int { return len(t.Units) }),
		next: (*worker).docRegister},
}

// mixes are the weights of each kind, per --mix. "reads" is what the
// issue calls mixed read traffic: dashboards, lists, searches, member
// pages; "mixed" adds one write in twenty.
var mixes = map[string]map[string]int{
	"reads":  {"unit": 15, "children": 15, "stats": 15, "members": 15, "search": 10, "member": 15, "tasks": 15},
	"lists":  {"members": 50, "tasks": 50},
	"writes": {"task.update": 50, "doc.register": 50},
	"pages":  {"page.unit": 25, "page.members": 25, "page.stats": 25, "page.member": 25},
	"mixed":  {"unit": 14, "children": 14, "stats": 14, "members": 14, "search": 10, "member": 14, "tasks": 15, "task.update": 3, "doc.register": 2},
}

// Mixes lists the names --mix accepts.
func Mixes() []string { return []string{"reads", "lists", "pages", "writes", "mixed"} }

func need(what string, n func(*Targets) int) func(*Targets) string {
	return func(t *Targets) string {
		if n(t) == 0 {
			return "no " + what + " found"
		}
		return ""
	}
}

func get(format string, args ...any) request {
	return request{method: "GET", path: fmt.Sprintf(format, args...)}
}

func pick[T any](w *worker, s []T) T { return s[w.rng.IntN(len(s))] }

// nameQuery is what a person types to find someone: most often the given
// name or the family name, sometimes the family and middle names or the
// whole name.
func (w *worker) nameQuery() string {
	parts := strings.Fields(pick(w, w.t.Names))
	if len(parts) == 0 {
		return "a"
	}
	switch r := w.rng.IntN(10); {
	case r < 4:
		return parts[len(parts)-1]
	case r < 7:
		return parts[0]
	case r < 9 && len(parts) > 2:
		return parts[0] + " " + parts[1]
	default:
		return strings.Join(parts, " ")
	}
}

// taskUpdate reports progress on one of the worker's own tasks (each
// worker has its share, so that writers do not overwrite each other's
// versions); a conflict reloads the task, an accepted task is dropped.
func (w *worker) taskUpdate() request {
	if len(w.tasks) == 0 {
		return w.docRegister()
	}
	i := w.rng.IntN(len(w.tasks))
	t := &w.tasks[i]
	body, _ := json.Marshal(map[string]any{"version": t.Version, "progress": 1 + w.rng.IntN(99), "note": "loadtest: tiến độ"})
	return request{method: "POST", path: fmt.Sprintf("/api/v1/tasks/%d/progress", t.ID), body: body, writer: true,
		after: func(status int, body []byte) {
			switch status {
			case http.StatusOK:
				var got Task
				if json.Unmarshal(body, &got) == nil && got.Version != 0 {
					t.Version = got.Version
				}
			case http.StatusConflict:
				w.reload(i)
			}
		}}
}

// reload reads a task again after a conflict (someone else reported);
// it is counted as a request of its own.
func (w *worker) reload(i int) {
	t := &w.tasks[i]
	rq := get("/api/v1/tasks/%d", t.ID)
	rq.writer = true
	status, body := w.do(kindReload, rq)
	var got struct {
		Task struct {
			Version int64  `json:"version"`
			Review  string `json:"review"`
		} `json:"task"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Task.Review == "accepted" {
		w.tasks = append(w.tasks[:i], w.tasks[i+1:]...) // closed or gone: no longer a target
		return
	}
	t.Version = got.Task.Version
}

var kindReload = &kind{name: "task.reload"}

// docRegister registers an incoming document in a unit's register: the
// register numbers it in the same transaction (document_batch.go).
func (w *worker) docRegister() request {
	now := time.Now().In(vietnam)
	body, _ := json.Marshal(map[string]any{"direction": "in", "symbol": fmt.Sprintf("%d-CV/TU", 1+w.rng.IntN(9999)),
		"issuer": "Văn phòng Tỉnh ủy", "issued": now.AddDate(0, 0, -3).Format(time.DateOnly), "received": now.AddDate(0, 0, -1).Format(time.DateOnly),
		"summary": "Công văn về việc thử tải hệ thống (loadtest)"})
	return request{method: "POST", path: fmt.Sprintf("/api/v1/units/%d/documents", pick(w, w.t.Units)), body: body}
}

// plan is the kinds of a mix, each repeated by its weight, for picking.
type plan struct {
	table   []*kind
	skipped []string // kinds left out, and why
}

func newPlan(mix string, t *Targets, writerToken string, skip []string) (*plan, error) {
	weights, ok := mixes[mix]
	if !ok {
		return nil, fmt.Errorf("--mix %q: choose one of %s", mix, strings.Join(Mixes(), ", "))
	}
	for _, s := range skip {
		if weights[s] == 0 {
			return nil, fmt.Errorf("--skip %s: the mix %s has no such kind (it has %s)", s, mix, strings.Join(sortedKeys(weights), ", "))
		}
	}
	p := &plan{}
	for _, name := range sortedKeys(weights) {
		k := kinds[name]
		why := k.missing(t)
		if slices.Contains(skip, name) {
			why = "--skip"
		}
		if k.writer && writerToken == "" && why == "" {
			why = "no --writer-token (an account with a grant on each task's unit: only a unit reports on its own tasks)"
		}
		if why != "" {
			p.skipped = append(p.skipped, name+": "+why)
			continue
		}
		for range weights[name] {
			p.table = append(p.table, k)
		}
	}
	if len(p.table) == 0 {
		return nil, fmt.Errorf("--mix %s: nothing to request (%s)", mix, strings.Join(p.skipped, "; "))
	}
	return p, nil
}

func reader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
