package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"partyworks"
	"partyworks/sheet"
	"partyworks/sqldb"
	"partyworks/web"
)

// matrixMembers: unit id → a member of that unit, for the {mid} routes of
// the access-matrix walk.
var matrixMembers = map[int64]int64{}

var matrixCID = 0

// addMember records an official member in a harness unit.
func addMember(t testing.TB, h *harness, name, unit string) *partyworks.Member {
	t.Helper()
	matrixCID++
	m := &partyworks.Member{FullName: name, Sex: partyworks.Male, BirthDate: mustDay("1980-01-01"), CitizenID: fmt.Sprintf("022080%06d", matrixCID),
		UnitID: h.ids[unit], Status: partyworks.StatusOfficial, Admitted: mustDay("2010-01-01"), Ceremony: mustDay("2010-02-01"), Ethnicity: "Kinh"}
	if err := sqldb.NewMemberService(h.db).CreateMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func seedMatrixMembers(t testing.TB, h *harness, scopeUnit map[string]string) {
	for _, code := range scopeUnit {
		matrixMembers[h.ids[code]] = addMember(t, h, "Thành Viên "+code, code).ID
	}
}

func TestMembersOverHTTP(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("leader", partyworks.RoleLeader, "193")
	self := h.user("self", partyworks.RoleMember, "CB1")
	staff := h.login("staff")
	outside := addMember(t, h, "Đặng Văn Ngoài", "07171")

	// Staff add a record through the form; a citizen ID that contradicts the birth year is refused with the reason.
	form := url.Values{"full_name": {"Đặng Thị Ánh"}, "citizen_id": {"022185000001"}, "birth_date": {"12/03/1985"}, "sex": {"female"},
		"status": {"official"}, "admitted": {"01/02/2010"}, "ceremony": {"15/02/2010"}, "unit_id": {fmt.Sprint(h.ids["CB1"])}, "ethnicity": {"Tày"},
		"hometown": {"Hạ Long"}}
	res, body := h.page("POST", fmt.Sprintf("/units/%d/members", h.ids["193"]), staff, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	loc := res.Header.Get("Location")
	form.Set("citizen_id", "022190000002")
	res, body = h.page("POST", fmt.Sprintf("/units/%d/members", h.ids["193"]), staff, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "1985") {
		t.Errorf("bad citizen ID: %d", res.StatusCode)
	}
	// An id in a form field pointing into another subtree is refused.
	form.Set("citizen_id", "022185000003")
	form.Set("unit_id", fmt.Sprint(h.ids["07171"]))
	if res, _ = h.page("POST", fmt.Sprintf("/units/%d/members", h.ids["193"]), staff, form); res.StatusCode != http.StatusForbidden {
		t.Errorf("member created in another subtree: %d", res.StatusCode)
	}

	// Search without diacritics, from the subtree only; personal pages are not cached.
	res, body = h.page("GET", fmt.Sprintf("/units/%d/members?q=dang", h.ids["193"]), staff, nil)
	if !strings.Contains(body, "Đặng Thị Ánh") || strings.Contains(body, "Đặng Văn Ngoài") {
		t.Errorf("search: %d", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	// The export respects the scope.
	res, body = h.page("GET", fmt.Sprintf("/units/%d/members/export?format=csv", h.ids["193"]), staff, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "022185000001") || strings.Contains(body, outside.CitizenID) {
		t.Errorf("export: %d %s", res.StatusCode, body)
	}
	if res, _ = h.page("GET", fmt.Sprintf("/units/%d/members/export?format=csv", h.ids["207"]), staff, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("export of another subtree: %d", res.StatusCode)
	}
	res, _ = h.page("GET", fmt.Sprintf("/units/%d/members/export?format=xlsx", h.ids["193"]), staff, nil)
	if !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx export: %s", res.Header.Get("Content-Type"))
	}

	// Statistics: the figure links to the list behind it.
	res, body = h.page("GET", fmt.Sprintf("/units/%d/members/stats", h.ids["193"]), staff, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "ethnicity=T%C3%A0y") || !strings.Contains(body, "<svg") {
		t.Errorf("stats page: %d", res.StatusCode)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/members/stats", h.ids["22"]), "staff", "", "")
	if !strings.Contains(body, "forbidden") {
		t.Errorf("statistics above the grant: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/members/stats", h.ids["193"]), "leader", "", "")
	if !strings.Contains(body, `"total":1`) {
		t.Errorf("api stats: %s", body)
	}

	// A step recorded on the member's behalf says so in the trail.
	res, body = h.page("POST", loc+"/steps", staff, url.Values{"step": {"exempt"}, "date": {partyworks.FormatDate(partyworks.Today(time.Now()))}, "on_behalf": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("step: %d %s", res.StatusCode, body)
	}
	entries, _ := h.audit.FindAuditEntries(ctx, partyworks.AuditFilter{Action: "member.step", Limit: 5})
	if len(entries) != 1 || !strings.HasPrefix(entries[0].OnBehalf, "member:") {
		t.Errorf("assisted entry not in the trail: %+v", entries)
	}
	// A step the machine does not allow is refused with the reason.
	res, body = h.page("POST", loc+"/steps", staff, url.Values{"step": {"ceremony"}, "date": {"2025-01-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not allowed") {
		t.Errorf("a forbidden step: %d", res.StatusCode)
	}

	// The API's list gives each member's summary; full=true the whole record.
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/members?q=dang+thi+anh", h.ids["193"]), "staff", "", "")
	if !strings.Contains(body, `"full_name":"Đặng Thị Ánh"`) || !strings.Contains(body, `"ethnicity":"Tày"`) || !strings.Contains(body, `"official_date":"2011-02-15"`) ||
		strings.Contains(body, "Hạ Long") || !strings.Contains(body, `"full":false`) {
		t.Errorf("the list's summary: %s", body)
	}
	_, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/members?q=dang+thi+anh&full=true", h.ids["193"]), "staff", "", "")
	if !strings.Contains(body, `"hometown":"Hạ Long"`) || !strings.Contains(body, `"full":true`) {
		t.Errorf("the list's whole records: %s", body)
	}
	// Import through the API: good rows in, bad rows reported, the second run changes nothing.
	csv := "citizen_id,full_name,sex,birth_date,unit_code,status,admitted\n" +
		"022090000011,Lò Văn Sáng,nam,01/01/1990,CB1,official,01/01/2015\n" +
		"022090000012,Lò Văn Tối,nam,01/01/1990,07171,official,01/01/2015\n"
	_, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/members/import", h.ids["193"]), "staff", csv, "text/csv")
	if !strings.Contains(body, `"inserted":1`) || !strings.Contains(body, "outside") {
		t.Errorf("import: %s", body)
	}
	_, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/members/import", h.ids["193"]), "staff", csv, "text/csv")
	if !strings.Contains(body, `"inserted":0`) {
		t.Errorf("second import: %s", body)
	}
	// The imports are counted in the metrics: 1 inserted, 1 unchanged, 2 refused.
	h.user("national", partyworks.RoleAdmin, "")
	_, body = h.api("GET", "/metrics", "national", "", "")
	for _, want := range []string{`partyworks_import_rows_total{import="members",outcome="inserted"} 1`, `partyworks_import_rows_total{import="members",outcome="existing"} 1`,
		`partyworks_import_rows_total{import="members",outcome="refused"} 2`, `partyworks_import_duration_seconds_count{import="members"} 2`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	_, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/members/import", h.ids["193"]), "staff", "\x00\x01binary", "text/csv")
	if !strings.Contains(body, "not a spreadsheet") {
		t.Errorf("binary upload: %s", body)
	}

	// Self-service: the member sees their own record, and nobody else's.
	id := strings.TrimPrefix(loc, "/members/")
	var mid int64
	fmt.Sscan(id, &mid)
	if err := sqldb.NewMemberService(h.db).LinkUser(ctx, mid, self.ID); err != nil {
		t.Fatal(err)
	}
	me := h.login("self")
	res, body = h.page("GET", "/me/member", me, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Đặng Thị Ánh") || strings.Contains(body, `action="/members/`) {
		t.Errorf("self-service: %d", res.StatusCode)
	}
	if res, _ = h.page("GET", loc, me, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member reading a record through the staff page: %d", res.StatusCode)
	}
}

// TestIncomingTransfers: a member whose official transfer into the
// city's subtree has been sent is listed on the receiving subtree's
// members page, with the unit sending them, until received; not on the
// sending side's list of incoming members.
func TestIncomingTransfers(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("other", partyworks.RoleStaff, "07171")
	staff, other := h.login("staff"), h.login("other")
	m := addMember(t, h, "Lò Văn Đến", "07171")
	ms := sqldb.NewMemberService(h.db)
	today := partyworks.Today(time.Now())
	if _, err := ms.RecordStep(ctx, m.ID, partyworks.StepInput{Step: partyworks.StepTransferOut, UnitID: h.ids["CB1"], Date: today}); err != nil {
		t.Fatal(err)
	}
	// The sending unit is named with its parent.
	sender, err := h.units.FindUnitByID(ctx, h.ids["07171"], today)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := h.units.FindUnitByID(ctx, sender.ParentID, today)
	if err != nil {
		t.Fatal(err)
	}
	from := html.EscapeString(sender.Name + ", " + parent.Name)
	for _, unit := range []string{"193", "CB1"} {
		_, body := h.page("GET", fmt.Sprintf("/units/%d/members", h.ids[unit]), staff, nil)
		if !strings.Contains(body, `id="incoming-h"`) || !strings.Contains(body, "Lò Văn Đến") || !strings.Contains(body, from) {
			t.Errorf("%s: the transfer on its way is not listed from %q:\n%s", unit, from, body)
		}
	}
	if _, body := h.page("GET", fmt.Sprintf("/units/%d/members", h.ids["07171"]), other, nil); strings.Contains(body, `id="incoming-h"`) {
		t.Error("the sending unit lists its own member as incoming")
	}
	if _, err := ms.RecordStep(ctx, m.ID, partyworks.StepInput{Step: partyworks.StepTransferIn, Date: today}); err != nil {
		t.Fatal(err)
	}
	_, body := h.page("GET", fmt.Sprintf("/units/%d/members", h.ids["193"]), staff, nil)
	if strings.Contains(body, `id="incoming-h"`) || !strings.Contains(body, "Lò Văn Đến") {
		t.Errorf("after the reception: still incoming, or not a member of the city:\n%s", body)
	}
}

// TestMemberCorrection: staff correct a record through the form and the
// API; a stale version is a conflict that keeps what was typed and
// changes nothing; a bad citizen ID is refused; a leader cannot.
func TestMemberCorrection(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("leader", partyworks.RoleLeader, "193")
	staff, leader := h.login("staff"), h.login("leader")
	m := addMember(t, h, "Hà Văn Sửa", "CB1")
	page := fmt.Sprintf("/members/%d", m.ID)
	if _, body := h.page("GET", page, staff, nil); !strings.Contains(body, page+"/edit") {
		t.Error("no link to correct the record for staff")
	}
	if _, body := h.page("GET", page, leader, nil); strings.Contains(body, page+"/edit") {
		t.Error("a leader is offered the correction")
	}
	res, body := h.page("GET", page+"/edit", staff, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `value="Hà Văn Sửa"`) || !strings.Contains(body, `name="version" value="1"`) {
		t.Fatalf("form: %d %s", res.StatusCode, body)
	}
	form := url.Values{"version": {"1"}, "full_name": {"Hà Văn Sửa"}, "citizen_id": {m.CitizenID}, "birth_date": {"01/01/1980"}, "sex": {"male"},
		"education": {"12/12"}, "professional": {"Thạc sĩ"}, "notes": {"Đã sửa"}}
	res, body = h.page("POST", page, staff, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct: %d %s", res.StatusCode, body)
	}
	got, _ := sqldb.NewMemberService(h.db).FindMemberByID(ctx, m.ID)
	if got.Professional != "Thạc sĩ" || got.Notes != "Đã sửa" || got.Ethnicity != "Kinh" || got.Version != 2 || got.UnitID != m.UnitID {
		t.Errorf("after the correction: %+v", got)
	}
	// The same form again carries version 1: a conflict, nothing written, what was typed kept.
	form.Set("professional", "Tiến sĩ")
	res, body = h.page("POST", page, staff, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="Tiến sĩ"`) {
		t.Errorf("stale form: %d", res.StatusCode)
	}
	if got, _ := sqldb.NewMemberService(h.db).FindMemberByID(ctx, m.ID); got.Professional != "Thạc sĩ" {
		t.Errorf("a stale form overwrote the record: %q", got.Professional)
	}
	form.Set("version", "2")
	form.Set("citizen_id", "022199000001")
	if res, _ = h.page("POST", page, staff, form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a citizen ID that contradicts the birth year: %d", res.StatusCode)
	}
	if res, _ = h.page("POST", page, leader, form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader corrected a record: %d", res.StatusCode)
	}
	// The API: the version is required, the answer is the record.
	h.user("api", partyworks.RoleStaff, "193")
	res, body = h.api("POST", fmt.Sprintf("/api/v1/members/%d", m.ID), "api", `{"occupation":"Giáo viên"}`, "application/json")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("API without a version: %d %s", res.StatusCode, body)
	}
	res, body = h.api("POST", fmt.Sprintf("/api/v1/members/%d", m.ID), "api", `{"occupation":"Giáo viên","version":"2"}`, "application/json")
	if res.StatusCode != 200 || !strings.Contains(body, "Giáo viên") {
		t.Errorf("API correction: %d %s", res.StatusCode, body)
	}
	if got, _ := sqldb.NewMemberService(h.db).FindMemberByID(ctx, m.ID); got.Occupation != "Giáo viên" || got.Professional != "Thạc sĩ" || got.Version != 3 {
		t.Errorf("after the API correction: occupation %q professional %q version %d", got.Occupation, got.Professional, got.Version)
	}
}

// TestMemberAccountLink: staff link a member's own account to the record
// (form and API); the member then reads it at /me/member; an account
// already linked elsewhere, an unknown or a disabled account are refused
// and change nothing; an empty name unlinks; a leader cannot link.
func TestMemberAccountLink(t *testing.T) {
	h := sqlite(t)
	ctx := context.Background()
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("leader", partyworks.RoleLeader, "193")
	h.user("lan", "", "")
	gone := h.user("gone", "", "")
	staff, leader := h.login("staff"), h.login("leader")
	m := addMember(t, h, "Vũ Thị Lan", "CB1")
	other := addMember(t, h, "Vũ Văn Khác", "CB1")
	page := fmt.Sprintf("/members/%d", m.ID)
	if res, _ := h.page("GET", "/me/member", h.login("lan"), nil); res.StatusCode == 200 {
		t.Fatal("an account not linked reads a record")
	}

	res, _ := h.page("POST", page+"/account", staff, url.Values{"username": {" lan "}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", res.StatusCode)
	}
	if _, body := h.page("GET", page, staff, nil); !strings.Contains(body, `value="lan"`) {
		t.Error("the record does not name the linked account")
	}
	res, body := h.page("GET", "/me/member", h.login("lan"), nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Vũ Thị Lan") {
		t.Fatalf("the member's own page after the link: %d", res.StatusCode)
	}

	// The same account on a second record: refused, the first link kept.
	res, body = h.page("POST", fmt.Sprintf("/members/%d/account", other.ID), staff, url.Values{"username": {"lan"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, fmt.Sprintf("already linked to member record %d", m.ID)) || !strings.Contains(body, `value="lan"`) {
		t.Errorf("a second record for the same account: %d", res.StatusCode)
	}
	if _, body = h.page("GET", "/me/member", h.login("lan"), nil); !strings.Contains(body, "Vũ Thị Lan") {
		t.Error("the refused link moved the account")
	}
	if err := h.users.SetDisabled(ctx, gone.ID, true, gone.Version); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"nobody": "there is no account", "gone": "is disabled"} {
		res, body := h.api("POST", fmt.Sprintf("/api/v1/members/%d/account", other.ID), "staff", `{"username": "`+name+`"}`, "application/json")
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s", name, res.StatusCode, body)
		}
	}
	if res, _ := h.page("POST", page+"/account", leader, url.Values{"username": {""}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a leader unlinks: %d", res.StatusCode)
	}

	// Unlink through the API: the member's page is gone, the record free.
	res, body = h.api("POST", fmt.Sprintf("/api/v1/members/%d/account", m.ID), "staff", `{"username": ""}`, "application/json")
	if res.StatusCode != 200 {
		t.Fatalf("unlink: %d %s", res.StatusCode, body)
	}
	if res, _ := h.page("GET", "/me/member", h.login("lan"), nil); res.StatusCode == 200 {
		t.Error("the member still reads the record after the unlink")
	}
	if res, body := h.api("POST", fmt.Sprintf("/api/v1/members/%d/account", other.ID), "staff", `{"username": "lan"}`, "application/json"); res.StatusCode != 200 {
		t.Errorf("the account, free again, on the other record: %d %s", res.StatusCode, body)
	}
}

// TestMemberImportInBackground: a file larger than BackgroundImportRows,
// imported from the browser, runs in the background: the answer sends the
// user to the import's progress page, which reloads itself while the
// import runs and then shows what it did and its row errors; the page
// belongs to the unit the import was started on.
func TestMemberImportInBackground(t *testing.T) {
	h := sqlite(t)
	h.srv.Close()
	h.srv = httptest.NewServer(web.NewServer(slog.New(slog.NewTextHandler(testLog{t}, nil)),
		web.Config{SecureCookies: true, Version: "test", BackgroundImportRows: 2}, h.server.Deps))
	h.user("staff", partyworks.RoleStaff, "193")
	h.user("other", partyworks.RoleStaff, "207")
	staff, other := h.login("staff"), h.login("other")
	csv := "citizen_id,full_name,sex,birth_date,unit_code,status,admitted\n" +
		"022090000021,Lò Văn Một,nam,01/01/1990,CB1,official,01/01/2015\n" +
		"022090000022,Lò Văn Hai,nam,01/01/1990,CB1,official,01/01/2015\n" +
		"022090000023,Lò Văn Ba,nam,01/01/1990,CB1,official,01/01/2015\n" +
		"12345,Lò Văn Sai,nam,01/01/1990,CB1,official,01/01/2015\n"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "dang-vien.csv")
	fw.Write([]byte(csv))
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/units/%d/members/import", h.srv.URL, h.ids["193"]), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(staff)
	res, body := h.do(req)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, fmt.Sprintf("/units/%d/members/import/", h.ids["193"])) {
		t.Fatalf("a large import: %d %q %s", res.StatusCode, loc, body)
	}
	// The page reloads itself until the import is done (it is quick here).
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, body = h.page("GET", loc, staff, nil)
		if res.StatusCode != 200 {
			t.Fatalf("progress page: %d", res.StatusCode)
		}
		if !strings.Contains(body, `http-equiv="refresh"`) {
			break
		}
		if !strings.Contains(body, `<progress id="import-progress" max="4"`) {
			t.Fatalf("a running import without its progress bar:\n%s", body)
		}
		if time.Now().After(deadline) {
			t.Fatal("the import did not end")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, "Lò Văn Sai") && !strings.Contains(body, ">5<") {
		t.Errorf("the finished import does not show its row error:\n%s", body)
	}
	if !strings.Contains(body, "citizen") && !strings.Contains(body, "căn cước") {
		t.Errorf("the row error does not say what is wrong:\n%s", body)
	}
	ms := sqldb.NewMemberService(h.db)
	found, total, err := ms.FindMembers(context.Background(), partyworks.MemberFilter{Under: h.ids["CB1"], Query: "Lò Văn"})
	if err != nil || total != 3 || len(found) != 3 {
		t.Errorf("members in after the background import: %d (%v)", total, err)
	}
	jobID, _ := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	job, err := ms.FindImportJob(context.Background(), jobID)
	if err != nil || job.Status != "done" || job.Inserted != 3 || job.Errors != 1 || len(job.Report) != 1 || job.Report[0].Line != 5 {
		t.Errorf("the job's record: %+v %v", job, err)
	}
	// An import stopped midway (here: cancelled as soon as it starts)
	// records that it failed and why; what committed stays.
	tab, err := sheet.Read(strings.NewReader(strings.ReplaceAll(csv, "0220900000", "0220900001")), "stopped.csv")
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	_, err = ms.ImportMembers(cctx, partyworks.MemberImport{Name: "stopped.csv", Hash: "stopped", Table: tab, Batch: 2, Started: func(int64) { cancel() }})
	if err == nil {
		t.Fatal("a cancelled import did not fail")
	}
	stopped, err := ms.FindImportJob(context.Background(), jobID+1)
	if err != nil || stopped.Name != "stopped.csv" || stopped.Status != "failed" || !strings.Contains(stopped.Failure, "canceled") {
		t.Errorf("the stopped import's record: %+v %v", stopped, err)
	}
	// A running import (recorded as one), and one that failed.
	city, err := h.units.FindUnitByID(context.Background(), h.ids["193"], partyworks.Date{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []struct{ hash, status, failure string }{{"run", "running", ""}, {"fail", "failed", "database is locked"}} {
		if err := h.db.ExecRaw(context.Background(), `INSERT INTO member_import_jobs (name, hash, rows, done, status, scope, failure, created_at, updated_at)
			VALUES ('lon.xlsx', '`+j.hash+`', 80000, 20000, '`+j.status+`', '`+city.Path+`', '`+j.failure+`', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
	}
	var running, failed int64
	tx, err := h.db.BeginTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(`SELECT id FROM member_import_jobs WHERE hash = 'run'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(`SELECT id FROM member_import_jobs WHERE hash = 'fail'`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	_, body = h.page("GET", fmt.Sprintf("/units/%d/members/import/%d", h.ids["193"], running), staff, nil)
	for _, want := range []string{`<meta http-equiv="refresh" content="2">`, `<progress id="import-progress" max="80000" value="20000">`, "(25%)", "lon.xlsx",
		"không tiến thêm từ"} { // its last batch was long ago: it says so
		if !strings.Contains(body, want) {
			t.Errorf("a running import's page lacks %s:\n%s", want, body)
		}
	}
	_, body = h.page("GET", fmt.Sprintf("/units/%d/members/import/%d", h.ids["193"], failed), staff, nil)
	if strings.Contains(body, "http-equiv") || !strings.Contains(body, "database is locked") || !strings.Contains(body, "20.000") {
		t.Errorf("a failed import's page:\n%s", body)
	}
	// The same through the API.
	if res, body := h.api("GET", fmt.Sprintf("/api/v1/units/%d/members/import/%d", h.ids["193"], running), "staff", "", ""); res.StatusCode != 200 ||
		!strings.Contains(body, `"done":20000`) || !strings.Contains(body, `"status":"running"`) {
		t.Errorf("a running import through the API: %d %s", res.StatusCode, body)
	}
	// Another subtree's staff, on their own unit's address: not theirs.
	if res, _ := h.page("GET", fmt.Sprintf("/units/%d/members/import/%d", h.ids["207"], jobID), other, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("the import seen from another subtree: %d", res.StatusCode)
	}
	if res, _ := h.page("GET", loc, other, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("another subtree's staff on the import's page: %d", res.StatusCode)
	}
}

// TestMemberImportXLSXStreamed: an XLSX of a few thousand rows sent to the
// API goes in while its sheet is read (sheet.Stream): every good row, the
// bad one reported with its line.
func TestMemberImportXLSXStreamed(t *testing.T) {
	h := sqlite(t)
	h.user("staff", partyworks.RoleStaff, "193")
	rows := make([][]string, 2500)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("0220900%05d", i), fmt.Sprintf("Lò Văn Dòng %d", i), "nam", "01/01/1990", "CB1", "official", "01/01/2015"}
	}
	rows[2398][4] = "07171" // line 2,400: a unit outside the importer's
	var buf bytes.Buffer
	if err := sheet.WriteXLSX(&buf, "Đảng viên", []string{"citizen_id", "full_name", "sex", "birth_date", "unit_code", "status", "admitted"}, rows); err != nil {
		t.Fatal(err)
	}
	res, body := h.api("POST", fmt.Sprintf("/api/v1/units/%d/members/import?name=m.xlsx", h.ids["193"]), "staff", buf.String(),
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if res.StatusCode != 200 || !strings.Contains(body, `"inserted":2499`) || !strings.Contains(body, `"rows":2500`) || !strings.Contains(body, `"line":2400`) {
		t.Errorf("a streamed XLSX import: %d %.300s", res.StatusCode, body)
	}
	st, err := sqldb.NewMemberService(h.db).MemberStats(context.Background(), h.ids["CB1"], partyworks.Today(time.Now()))
	if err != nil || st.Total() < 2499 {
		t.Errorf("the cell counts %d members after the import, want 2,499 more (%v)", st.Total(), err)
	}
}
