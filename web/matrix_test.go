package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"partyworks"
)

// The access matrix lives in docs/SECURITY.md: a table of action × role ×
// scope and a table of every route with its action. This test reads both,
// checks that they match the code (partyworks.Allows and the route table;
// a route missing from the document fails), then walks every route × every
// role × every scope (own unit, below it, its ancestor, a sibling subtree,
// another province) over HTTP and compares the answer with the matrix.

const securityDoc = "../docs/SECURITY.md"

var scopeNames = []string{"own", "below", "ancestor", "outside"}

func scopeOfName(n string) partyworks.Scope {
	return map[string]partyworks.Scope{"own": partyworks.ScopeOwn, "below": partyworks.ScopeBelow, "ancestor": partyworks.ScopeAncestor, "outside": partyworks.ScopeNone}[n]
}

type docMatrix struct {
	allows map[string]bool   // "action|role|scope" → allowed
	routes map[string]string // "METHOD pattern" → action
}

// tableRows returns the rows of the markdown tables that follow each
// occurrence of a marker (each capability has its own routes table).
func tableRows(t *testing.T, lines []string, marker string) [][]string {
	var rows [][]string
	in := false
	for _, l := range lines {
		switch {
		case strings.Contains(l, marker):
			in = true
		case in && strings.HasPrefix(l, "|"):
			cells := strings.Split(strings.Trim(l, "| "), "|")
			for i := range cells {
				cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
			}
			if strings.HasPrefix(cells[0], "---") || cells[0] == "action" || cells[0] == "method" {
				continue
			}
			rows = append(rows, cells)
		case in && strings.TrimSpace(l) == "":
		case in:
			in = false
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no table after %q", securityDoc, marker)
	}
	return rows
}

func readDocMatrix(t *testing.T) docMatrix {
	f, err := os.Open(securityDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	m := docMatrix{allows: map[string]bool{}, routes: map[string]string{}}
	for _, r := range tableRows(t, lines, "<!-- matrix -->") {
		if len(r) != 6 {
			t.Fatalf("matrix row %v: want action, role, own, below, ancestor, outside", r)
		}
		for i, sc := range scopeNames {
			m.allows[r[0]+"|"+r[1]+"|"+sc] = r[2+i] == "yes"
		}
	}
	for _, r := range tableRows(t, lines, "<!-- routes -->") {
		if len(r) < 3 {
			t.Fatalf("route row %v: want method, pattern, action", r)
		}
		m.routes[r[0]+" "+r[1]] = r[2]
	}
	return m
}

func TestMatrixDocumentMatchesCode(t *testing.T) {
	m := readDocMatrix(t)
	actions := map[partyworks.Action]bool{}
	h := sqlite(t)
	for _, rt := range h.server.Routes() {
		key := rt.Method + " " + rt.Pattern
		act, ok := m.routes[key]
		if !ok {
			t.Errorf("route %s is missing from the routes table of docs/SECURITY.md", key)
			continue
		}
		if act != string(rt.Action) {
			t.Errorf("route %s: the document says %s, the code %s", key, act, rt.Action)
		}
		delete(m.routes, key)
		actions[rt.Action] = true
	}
	for key := range m.routes {
		t.Errorf("docs/SECURITY.md lists %s, which the server does not have", key)
	}
	for act := range actions {
		if act == partyworks.ActPublic || act == partyworks.ActSelf {
			continue
		}
		for _, role := range partyworks.Roles {
			for _, sc := range scopeNames {
				want, ok := m.allows[string(act)+"|"+string(role)+"|"+sc]
				if !ok {
					t.Errorf("the matrix has no row for %s × %s", act, role)
					break
				}
				if got := partyworks.Allows(role, act, scopeOfName(sc)); got != want {
					t.Errorf("%s × %s × %s: the document says %v, the code %v", act, role, sc, want, got)
				}
			}
		}
	}
}

// wholeCountryMembers are the member routes over the whole tree
// (web/html_members_country.go).
var wholeCountryMembers = map[string]bool{"/members": true, "/members/stats": true, "/members/stats.xlsx": true, "/api/v1/members/stats": true}

var paramRE = regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`)

func TestEveryRouteEveryRoleEveryScope(t *testing.T) {
	m := readDocMatrix(t)
	h := sqlite(t)
	ctx := context.Background()
	// One user per role, all granted on Hạ Long (193).
	for _, role := range partyworks.Roles {
		h.user(string(role), role, "193")
	}
	// A user to be managed in each scope, with a grant there.
	scopeUnit := map[string]string{"own": "193", "below": "06661", "ancestor": "22", "sibling": "207", "other": "01"}
	managed := map[string]int64{}
	for sc, code := range scopeUnit {
		u := h.user("managed."+sc, partyworks.RoleStaff, code)
		managed[sc] = u.ID
	}
	seedMatrixDocuments(t, h, scopeUnit)
	seedMatrixMembers(t, h, scopeUnit)
	seedMatrixTasks(t, h, scopeUnit)
	cookies := map[string]*http.Cookie{}
	for _, role := range partyworks.Roles {
		cookies[string(role)] = h.login(string(role))
	}
	var checked int
	for _, rt := range h.server.Routes() {
		act := partyworks.Action(m.routes[rt.Method+" "+rt.Pattern])
		for _, role := range partyworks.Roles {
			for _, sc := range []string{"own", "below", "ancestor", "sibling", "other"} {
				path, targeted := fillRoute(rt.Pattern, h.ids[scopeUnit[sc]], managed[sc])
				if rt.Pattern == "/api/v1/units" {
					path, targeted = fmt.Sprintf("/api/v1/units?parent=%d", h.ids[scopeUnit[sc]]), true
				}
				if !targeted && sc != "own" {
					continue // a route without a target is checked once per role
				}
				docScope := map[string]string{"own": "own", "below": "below", "ancestor": "ancestor", "sibling": "outside", "other": "outside"}[sc]
				var want bool
				switch {
				case act == partyworks.ActPublic || act == partyworks.ActSelf:
					want = true
				case targeted:
					want = m.allows[string(act)+"|"+string(role)+"|"+docScope]
				default:
					// The audit trail, the status page, the retention
					// periods and the whole country's members target the
					// root: only a national grant's own scope reaches them,
					// and every grant here is on 193.
					want = act != partyworks.ActAuditRead && act != partyworks.ActSystemRead &&
						!strings.HasSuffix(rt.Pattern, "/documents/retention-periods") && !wholeCountryMembers[rt.Pattern] &&
						(m.allows[string(act)+"|"+string(role)+"|own"] || m.allows[string(act)+"|"+string(role)+"|below"])
				}
				var res *http.Response
				if strings.HasPrefix(rt.Pattern, "/api/") {
					res, _ = h.api(rt.Method, path, string(role), "", "")
				} else {
					c := cookies[string(role)]
					if rt.Pattern == "/logout" {
						c = h.login(string(role))
					}
					res, _ = h.page(rt.Method, path, c, nil)
				}
				got := res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized
				if act == partyworks.ActPublic {
					got = res.StatusCode != http.StatusForbidden // a 401 from /login is a wrong password
				}
				if res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login") && rt.Pattern != "/logout" && act != partyworks.ActPublic {
					got = false
				}
				if got != want {
					t.Errorf("%s %s as %s on %s (%s): status %d, the matrix says allowed=%v", rt.Method, path, role, sc, scopeUnit[sc], res.StatusCode, want)
				}
				checked++
			}
		}
	}
	// Anonymous callers get nothing but the public routes.
	for _, rt := range h.server.Routes() {
		if rt.Action == partyworks.ActPublic {
			continue
		}
		path, _ := fillRoute(rt.Pattern, h.ids["193"], managed["own"])
		var res *http.Response
		if strings.HasPrefix(rt.Pattern, "/api/") {
			res, _ = h.api(rt.Method, path, "", "", "")
		} else {
			res, _ = h.page(rt.Method, path, nil, nil)
		}
		if res.StatusCode != http.StatusUnauthorized && !(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")) &&
			res.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous %s %s: %d", rt.Method, path, res.StatusCode)
		}
		checked++
	}
	// Every refusal is in the audit trail.
	denied, _ := h.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "access.denied", Limit: 500})
	if len(denied) == 0 {
		t.Error("no refusal was audited")
	}
	t.Logf("%d route × role × scope cases checked; %d refusals audited", checked, len(denied))
	routes := map[string]bool{}
	for _, rt := range h.server.Routes() {
		routes[rt.Method+" "+rt.Pattern] = true
	}
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
}

// fillRoute puts a unit id, a user id and an unknown grant id into a
// pattern; targeted says whether the pattern names a unit or a user.
func fillRoute(pattern string, unitID, userID int64) (string, bool) {
	targeted := false
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	path := paramRE.ReplaceAllStringFunc(pattern, func(p string) string {
		switch p {
		case "{id}":
			targeted = true
			return fmt.Sprint(unitID)
		case "{uid}":
			targeted = true
			return fmt.Sprint(userID)
		case "{gid}":
			return "999999"
		case "{doc}": // a document of the unit (web/document_test.go)
			targeted = true
			return fmt.Sprint(matrixDocs[unitID].doc)
		case "{mid}": // a member of the unit (web/member_test.go)
			targeted = true
			return fmt.Sprint(matrixMembers[unitID])
		case "{fid}":
			return fmt.Sprint(matrixDocs[unitID].file)
		case "{rid}":
			return fmt.Sprint(matrixDocs[unitID].route)
		case "{tid}", "{did}", "{cid}", "{dfid}": // a task, directive, campaign, directive file of the unit (web/task_test.go)
			targeted = true
			return fmt.Sprint(matrixTasks[unitID][p])
		case "{file...}":
			return "style.css"
		case "{$}":
			return ""
		}
		return "x"
	})
	return path, targeted
}
