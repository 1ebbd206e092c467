package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"partyworks"
)

// TestStudyAttendanceOverHTTP ticks the members who attended a session on
// the campaign page, reads the coverage by members, and has the API refuse
// a member from outside the unit.
func TestStudyAttendanceOverHTTP(t *testing.T) {
	h := sqlite(t)
	h.user("ward", partyworks.RoleStaff, "06661")
	ward := h.ids["06661"]
	in := addMember(t, h, "Nguyễn Văn Tham", "06661")
	out := addMember(t, h, "Trần Văn Ngoài", "193") // the city committee: not inside the ward
	tasks := harnessTasks(t, h.db)
	ctx := context.Background()
	d := &partyworks.Directive{OwnerID: ward, Symbol: "18-NQ/TW", Title: "Tinh gọn", Issued: mustDay("2017-10-25")}
	if err := tasks.CreateDirective(ctx, d); err != nil {
		t.Fatal(err)
	}
	today := partyworks.Today(h.db.Now())
	c := &partyworks.StudyCampaign{DirectiveID: d.ID, OwnerID: ward, Title: "Học tập NQ 18", Start: today, End: today.AddDate(0, 1, 0), Kinds: []partyworks.UnitKind{"ward"}}
	if err := tasks.CreateCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/units/%d/campaigns/%d", ward, c.ID)
	cookie := h.login("ward")
	res, body := h.page("GET", path, cookie, nil)
	if res.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`name="member" value="%d"`, in.ID)) || strings.Contains(body, out.FullName) {
		t.Fatalf("roster: %d %s", res.StatusCode, body)
	}
	res, body = h.page("POST", path+"/sessions", cookie, url.Values{"held": {today.Format("2006-01-02")}, "expected": {"3"}, "member": {fmt.Sprint(in.ID)}})
	if res.StatusCode != 200 && res.StatusCode != 303 {
		t.Fatalf("record: %d %s", res.StatusCode, body)
	}
	cov, _, err := tasks.Coverage(ctx, c.ID, ward)
	if err != nil || cov.Members != 1 || cov.MembersReached != 1 || cov.Attended != 1 {
		t.Fatalf("coverage %+v %v", cov, err)
	}
	_, body = h.page("GET", path, cookie, nil)
	if !strings.Contains(body, "1 đảng viên đã tham dự ít nhất một buổi ÷ 1 đảng viên") {
		t.Fatalf("members coverage not shown: %s", body)
	}
	res, body = h.api("POST", fmt.Sprintf("/api/v1/units/%d/campaigns/%d/sessions", ward, c.ID), "ward",
		fmt.Sprintf(`{"held":%q,"expected":3,"members":[%d]}`, today.Format("2006-01-02"), out.ID), "application/json")
	if res.StatusCode != 422 || !strings.Contains(body, "members") {
		t.Fatalf("outsider: %d %s", res.StatusCode, body)
	}
	res, body = h.api("GET", fmt.Sprintf("/api/v1/units/%d/campaigns/%d", ward, c.ID), "ward", "", "")
	if res.StatusCode != 200 || !strings.Contains(body, `"members_reached":1`) {
		t.Fatalf("api coverage: %d %s", res.StatusCode, body)
	}
}
