package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Targets are the real ids the requests are made on, found through the API
// before the run, so that the load spreads over the whole tree as real use
// does instead of hitting one cached row.
type Targets struct {
	Tops      []int64  // the top of the tree: provinces, centrally-run cities
	Units     []int64  // the tops and the units below them
	Parents   []int64  // units that have children
	Populated []int64  // units with members in their subtree
	Members   []int64  // member ids
	Names     []string // full names of members, for name searches
	Tasks     []Task   // tasks open to progress reports
	TaskUnits []int64  // units that received or gave tasks
	Took      time.Duration
}

// Task is a task a progress report can be sent to, with the version the
// report must name.
type Task struct {
	ID      int64 `json:"id"`
	UnitID  int64 `json:"unit_id"` // only this unit may report on it
	Version int64 `json:"version"`
}

// TaskUnitIDs returns the units of the open tasks, once each: an account
// reporting progress needs a grant on each (only a unit reports on its own
// tasks).
func (t *Targets) TaskUnitIDs() []int64 {
	var s set
	for _, task := range t.Tasks {
		s.add(task.UnitID)
	}
	return s.ids
}

// Counts describes the targets in a line of the report.
func (t *Targets) Counts() string {
	return fmt.Sprintf("%d units (%d at the top, %d with members), %d members, %d tasks open to reports, %d units with tasks",
		len(t.Units), len(t.Tops), len(t.Populated), len(t.Members), len(t.Tasks), len(t.TaskUnits))
}

// api is a small client of the JSON API for discovery.
type api struct {
	base   string
	token  string
	client *http.Client
}

func (a *api) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	res, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("GET %s: 401: the API token is not valid (create one: partyworks token create --user NAME)", path)
	case res.StatusCode != http.StatusOK:
		return fmt.Errorf("GET %s: %d: %s", path, res.StatusCode, firstLine(body))
	}
	return json.Unmarshal(body, v)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return s
}

type apiUnit struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Depth    int    `json:"depth"`
	Children int    `json:"children"`
	Kind     string `json:"kind"`
}

type unitPage struct {
	Items []apiUnit `json:"items"`
	Next  string    `json:"next"`
}

type apiMember struct {
	ID       int64  `json:"id"`
	UnitID   int64  `json:"unit_id"`
	FullName string `json:"full_name"`
}

type apiTask struct {
	ID         int64  `json:"id"`
	UnitID     int64  `json:"unit_id"`
	AssignerID int64  `json:"assigner_id"`
	Version    int64  `json:"version"`
	Start      string `json:"start"`
	Review     string `json:"review"`
}

// discovery gathers targets; sets keep each id once.
type discovery struct {
	api       *api
	rng       *rand.Rand
	parent    map[int64]int64
	units     set
	parents   set
	populated set
	members   set
	taskUnits set
	tasks     map[int64]Task
	names     []string
	today     string
}

type set struct {
	seen map[int64]bool
	ids  []int64
}

func (s *set) add(id int64) {
	if s.seen == nil {
		s.seen = map[int64]bool{}
	}
	if id != 0 && !s.seen[id] {
		s.seen[id] = true
		s.ids = append(s.ids, id)
	}
}

// Discover finds targets through the API: the top of the tree and the
// level below it, members of every top unit and of a sample of the level
// below, and the tasks those units gave. It asks a few hundred requests at
// most, whatever the size of the database.
func Discover(ctx context.Context, base, token string, client *http.Client, seed uint64) (*Targets, error) {
	start := time.Now()
	d := &discovery{api: &api{base: strings.TrimSuffix(base, "/"), token: token, client: client},
		rng: rand.New(rand.NewPCG(seed, 0x10ad)), parent: map[int64]int64{}, tasks: map[int64]Task{},
		today: time.Now().In(vietnam).Format(time.DateOnly)}
	var me struct{ Username string }
	if err := d.api.get(ctx, "/api/v1/me", &me); err != nil {
		return nil, err
	}
	tops, err := d.tops(ctx)
	if err != nil {
		return nil, err
	}
	var second []int64
	for _, top := range tops {
		kids, err := d.children(ctx, top)
		if err != nil {
			return nil, err
		}
		second = append(second, kids...)
	}
	for _, id := range append(slices.Clone(tops), d.sample(second, 30)...) {
		if err := d.membersOf(ctx, id); err != nil {
			return nil, err
		}
	}
	for _, id := range append(slices.Clone(tops), d.sample(second, 200)...) {
		if err := d.tasksGivenBy(ctx, id); err != nil {
			return nil, err
		}
	}
	t := &Targets{Tops: tops, Units: d.units.ids, Parents: d.parents.ids, Populated: d.populated.ids,
		Members: d.members.ids, Names: d.names, TaskUnits: d.taskUnits.ids, Took: time.Since(start)}
	for _, task := range d.tasks {
		t.Tasks = append(t.Tasks, task)
	}
	slices.SortFunc(t.Tasks, func(a, b Task) int { return int(a.ID - b.ID) })
	if len(t.Units) == 0 {
		return nil, fmt.Errorf("the token's user sees no unit: give a token of an account with a grant (partyworks grant NAME --role admin)")
	}
	return t, nil
}

// vietnam is the time zone of the server's "today"; a fixed offset, so no
// time zone database is needed.
var vietnam = time.FixedZone("ICT", 7*3600)

// tops finds the units at the top of the tree the user may read: those of
// the smallest depth among the provinces and cities, else among the first
// page of units.
func (d *discovery) tops(ctx context.Context) ([]int64, error) {
	var all []apiUnit
	for _, kind := range []string{"province", "city"} {
		var p unitPage
		if err := d.api.get(ctx, "/api/v1/units?limit=500&kind="+kind, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
	}
	if len(all) == 0 {
		var p unitPage
		if err := d.api.get(ctx, "/api/v1/units?limit=500", &p); err != nil {
			return nil, err
		}
		all = p.Items
	}
	if len(all) == 0 {
		return nil, nil
	}
	depth := slices.MinFunc(all, func(a, b apiUnit) int { return a.Depth - b.Depth }).Depth
	var tops []int64
	for _, u := range all {
		if u.Depth == depth {
			tops = append(tops, u.ID)
			d.addUnit(u)
		}
	}
	return tops, nil
}

func (d *discovery) addUnit(u apiUnit) {
	d.units.add(u.ID)
	if u.Children > 0 {
		d.parents.add(u.ID)
	}
	if u.ParentID != 0 {
		d.parent[u.ID] = u.ParentID
	}
}

// children reads a unit's children, up to 2,000.
func (d *discovery) children(ctx context.Context, id int64) ([]int64, error) {
	var ids []int64
	after := ""
	for range 4 {
		var p unitPage
		if err := d.api.get(ctx, fmt.Sprintf("/api/v1/units/%d/children?limit=500&after=%s", id, after), &p); err != nil {
			return nil, err
		}
		for _, u := range p.Items {
			d.addUnit(u)
			ids = append(ids, u.ID)
		}
		if after = p.Next; after == "" {
			break
		}
	}
	return ids, nil
}

// membersOf reads up to 500 members of a unit's subtree; their units and
// those units' known ancestors are populated.
func (d *discovery) membersOf(ctx context.Context, id int64) error {
	var p struct{ Members []apiMember }
	if err := d.api.get(ctx, fmt.Sprintf("/api/v1/units/%d/members?limit=500", id), &p); err != nil {
		return err
	}
	if len(p.Members) > 0 {
		d.populated.add(id)
	}
	for _, m := range p.Members {
		if d.members.seen[m.ID] {
			continue
		}
		d.members.add(m.ID)
		d.names = append(d.names, m.FullName)
		for u := m.UnitID; u != 0 && !d.populated.seen[u]; u = d.parent[u] {
			d.populated.add(u)
		}
	}
	return nil
}

// tasksGivenBy reads the tasks a unit gave: their units have task lists,
// and those open to reports (not accepted, started) are write targets.
func (d *discovery) tasksGivenBy(ctx context.Context, id int64) error {
	var p struct{ Tasks []apiTask }
	if err := d.api.get(ctx, fmt.Sprintf("/api/v1/units/%d/tasks?given=true", id), &p); err != nil {
		return err
	}
	if len(p.Tasks) > 0 {
		d.taskUnits.add(id)
	}
	for _, t := range p.Tasks {
		d.taskUnits.add(t.UnitID)
		if t.Review != "accepted" && t.Start <= d.today {
			d.tasks[t.ID] = Task{ID: t.ID, UnitID: t.UnitID, Version: t.Version}
		}
	}
	return nil
}

// sample returns up to n ids picked at random.
func (d *discovery) sample(ids []int64, n int) []int64 {
	ids = slices.Clone(ids)
	d.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(n, len(ids))]
}
