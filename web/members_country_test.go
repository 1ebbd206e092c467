package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/sqldb/sqldbtest"
)

var statValueRE = regexp.MustCompile(`<span class="stat-value">([0-9.,\s]+)</span>`)

// statTotal reads the total of a statistics page.
func statTotal(t *testing.T, body string) int {
	t.Helper()
	m := statValueRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no total on the page:\n%.2000s", body)
	}
	n, err := strconv.Atoi(strings.NewReplacer(".", "", ",", "", " ", "").Replace(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCountryMembers: the whole country's statistics are the sum of its
// provinces' and only a national grant reaches them; the list behind each
// figure, the API and the workbook agree with the page.
func TestCountryMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		h := newHarness(t, db)
		h.user("national", partyworks.RoleAdmin, "")
		h.user("chief", partyworks.RoleLeader, "")
		h.user("province", partyworks.RoleStaff, "22")
		// Members in two provinces: three in Quảng Ninh (two subtrees),
		// two in Hà Nội, one of them a woman of the Tày.
		names := []string{"Nguyễn Văn Một", "Trần Văn Hai", "Lê Văn Ba", "Phạm Văn Bốn"}
		for i, unit := range []string{"CB1", "CB1", "07171", "001"} {
			addMember(t, h, names[i], unit)
		}
		tay := &partyworks.Member{FullName: "Hoàng Thị Năm", Sex: partyworks.Female, BirthDate: mustDay("1985-05-05"), CitizenID: "001185000777",
			UnitID: h.ids["001"], Status: partyworks.StatusOfficial, Admitted: mustDay("2012-01-01"), Ceremony: mustDay("2012-02-01"), Ethnicity: "Tày"}
		if err := sqldb.NewMemberService(h.db).CreateMember(context.Background(), tay); err != nil {
			t.Fatal(err)
		}
		national, chief, province := h.login("national"), h.login("chief"), h.login("province")

		// The country page: its total is the sum of the province pages'.
		res, body := h.page("GET", "/members/stats", national, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("country page: %d %.500s", res.StatusCode, body)
		}
		total := statTotal(t, body)
		sum := 0
		for _, code := range []string{"22", "01"} {
			link := fmt.Sprintf(`href="/units/%d/members/stats?at=`, h.ids[code])
			if !strings.Contains(body, link) {
				t.Errorf("no province row linking to %s", link)
			}
			_, pb := h.page("GET", fmt.Sprintf("/units/%d/members/stats", h.ids[code]), national, nil)
			sum += statTotal(t, pb)
		}
		if total != 5 || sum != total {
			t.Errorf("country total %d, provinces %d; want 5", total, sum)
		}
		if !strings.Contains(body, `action="/members/stats"`) || !strings.Contains(body, `href="/members/stats.xlsx?at=`) {
			t.Error("the date picker or the XLSX link does not stay on the country page")
		}
		// Every figure links to the whole country's list behind it.
		if !strings.Contains(body, `href="/members?at=`) || !strings.Contains(body, "ethnicity=T%C3%A0y") {
			t.Error("figures do not link to the country's list")
		}
		_, list := h.page("GET", "/members?status=official", national, nil)
		for _, n := range append(names, tay.FullName) {
			if !strings.Contains(list, n) {
				t.Errorf("the country's list lacks %s", n)
			}
		}
		_, list = h.page("GET", "/members?q=hoang+thi", chief, nil)
		if !strings.Contains(list, tay.FullName) || strings.Contains(list, names[0]) {
			t.Error("a name search over the country")
		}
		// The navigation shows the page to national users only.
		if _, home := h.page("GET", "/", chief, nil); !strings.Contains(home, `href="/members/stats"`) {
			t.Error("no link to the country page for a national leader")
		}
		if _, home := h.page("GET", "/", province, nil); strings.Contains(home, `href="/members/stats"`) {
			t.Error("a provincial user is shown the country page")
		}

		// A provincial grant is refused everywhere, and the refusal audited.
		for _, path := range []string{"/members/stats", "/members/stats.xlsx", "/members?q=nguyen"} {
			if res, _ := h.page("GET", path, province, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("provincial GET %s: %d", path, res.StatusCode)
			}
		}
		if res, _ := h.api("GET", "/api/v1/members/stats", "province", "", ""); res.StatusCode != http.StatusForbidden {
			t.Errorf("provincial API: %d", res.StatusCode)
		}
		if res, _ := h.page("GET", "/members/stats?at=31/02/2025", national, nil); res.StatusCode == http.StatusOK {
			t.Error("a malformed day was accepted")
		}

		// The API has the same counts, and each province's total.
		res, body = h.api("GET", "/api/v1/members/stats", "chief", "", "")
		var doc struct {
			UnitID    int64                     `json:"unit_id"`
			Total     int                       `json:"total"`
			Counts    map[string]map[string]int `json:"counts"`
			Provinces []struct {
				UnitID int64  `json:"unit_id"`
				Code   string `json:"code"`
				Total  int    `json:"total"`
			} `json:"provinces"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("api: %d %v %s", res.StatusCode, err, body)
		}
		byCode := map[string]int{}
		for _, p := range doc.Provinces {
			byCode[p.Code] = p.Total
		}
		if doc.UnitID != 0 || doc.Total != total || doc.Counts["status"]["official"] != 5 || doc.Counts["sex"]["female"] != 1 ||
			doc.Counts["ethnicity"]["Tày"] != 1 || byCode["22"] != 3 || byCode["01"] != 2 {
			t.Errorf("api: %s", body)
		}

		// The workbook opens and has the figures and the provinces.
		res, body = h.page("GET", "/members/stats.xlsx", national, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("xlsx: %d", res.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows {
			if len(r) == 3 {
				got[r[0]+"|"+r[1]] = r[2]
			}
		}
		for key, want := range map[string]string{"Theo tỉnh, thành phố|Tỉnh ủy Quảng Ninh": "3", "Theo tỉnh, thành phố|Thành ủy Hà Nội": "2",
			"Theo tình trạng|Chính thức": "5", "Theo dân tộc|Tày": "1"} {
			if got[key] != want {
				t.Errorf("xlsx row %s = %q, want %s (rows %v)", key, got[key], want, rows)
			}
		}
	})
}
