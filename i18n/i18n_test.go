package i18n

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
	}{
		{"vi", VI},
		{"en", EN},
		{"ja", JA},
		{"EN", EN},
		{" Ja ", JA},
		{"", VI},
		{"fr", VI},
		{"english", VI},
		{"ja-JP,ja;q=0.9,en;q=0.8", JA},
		{"en-US,en;q=0.9", EN},
		{"vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", VI},
		{"fr-FR,fr;q=0.9,en;q=0.5,ja;q=0.7", JA},
		{"de,en;q=0.3", EN},
		{"en;q=0.5,ja;q=0.5", EN},   // a tie goes to the first
		{"en;q=0,ja;q=0.1", JA},     // q=0 means "not acceptable"
		{"en;q=0", VI},              // nothing acceptable
		{"en;q=abc,ja;q=0.2", JA},   // a malformed weight is not acceptable
		{"zh-CN, ja-jp ;q=0.8", JA}, // spaces around parts
		{"en_GB", EN},               // POSIX-style locale
		{"*", VI},
	}
	for _, tt := range tests {
		if got := Parse(tt.in); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang Lang
		key  string
		args []any
		want string
	}{
		{VI, "nav.tree", nil, "Cây tổ chức"},
		{EN, "nav.tree", nil, "Organization tree"},
		{JA, "nav.tree", nil, "組織ツリー"},
		{VI, "tree.children", []any{12}, "12 đơn vị trực thuộc"},
		{EN, "plan.more", []any{3}, "and 3 more"},
		{JA, "login.throttled", []any{15}, "ログインの失敗が続いたため、一時的にロックされています。15分後にもう一度お試しください。"},
		{VI, "unit.not_at_date", []any{"01/07/2025", "01/01/2020", "30/06/2025"},
			"Đơn vị này không tồn tại vào ngày 01/07/2025. Đơn vị hoạt động từ ngày 01/01/2020 đến ngày 30/06/2025."},
		{Lang("fr"), "nav.tree", nil, "Cây tổ chức"}, // unknown language: Vietnamese
		{EN, "no.such.key", nil, "no.such.key"},      // unknown key: the key
		{EN, "no.such.key", []any{1}, "no.such.key"}, // not formatted
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
		if got := tt.lang.T(tt.key, tt.args...); got != T(tt.lang, tt.key, tt.args...) {
			t.Errorf("%s.T(%q) = %q, differs from T", tt.lang, tt.key, got)
		}
	}
}

func TestTFallsBackToVietnamese(t *testing.T) {
	catalogVI["test.only_vi"] = "chỉ có tiếng Việt %d"
	defer delete(catalogVI, "test.only_vi")
	for _, l := range Langs {
		if got := T(l, "test.only_vi", 5); got != "chỉ có tiếng Việt 5" {
			t.Errorf("T(%s) = %q, want the Vietnamese message", l, got)
		}
	}
}

func TestName(t *testing.T) {
	want := map[Lang]string{VI: "Tiếng Việt", EN: "English", JA: "日本語", Lang("xx"): "Tiếng Việt"}
	for l, w := range want {
		if got := l.Name(); got != w {
			t.Errorf("%q.Name() = %q, want %q", l, got, w)
		}
	}
	if len(Langs) != 3 || Langs[0] != Default || Default != VI {
		t.Errorf("Langs = %v, Default = %v: Vietnamese must come first and be the default", Langs, Default)
	}
	for _, l := range Langs {
		if !l.Valid() {
			t.Errorf("%q is not Valid", l)
		}
	}
	if Lang("fr").Valid() || Lang("").Valid() {
		t.Error("fr or empty is Valid")
	}
}

func TestDate(t *testing.T) {
	day := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	forever := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		lang Lang
		in   time.Time
		want string
	}{
		{VI, day, "01/07/2025"},
		{EN, day, "01 Jul 2025"},
		{JA, day, "2025年7月1日"},
		{VI, end, "31/12/2025"},
		{EN, end, "31 Dec 2025"},
		{JA, end, "2025年12月31日"},
		{Lang("xx"), day, "01/07/2025"},
		{VI, time.Time{}, ""},
		{EN, time.Time{}, ""},
		{JA, time.Time{}, ""},
		{VI, forever, ""},
		{JA, forever.AddDate(0, 0, -1), ""},
		// A day is its own calendar day, not moved to Vietnam time.
		{VI, time.Date(2025, 6, 30, 20, 0, 0, 0, time.UTC), "30/06/2025"},
	}
	for _, tt := range tests {
		if got := tt.lang.Date(tt.in); got != tt.want {
			t.Errorf("%s.Date(%v) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	// 10:05 UTC is 17:05 in Vietnam; 20:30 UTC on 30 June is 03:30 on 1 July.
	at := time.Date(2025, 7, 1, 10, 5, 0, 0, time.UTC)
	late := time.Date(2025, 6, 30, 20, 30, 0, 0, time.UTC)
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		lang Lang
		in   time.Time
		want string
	}{
		{VI, at, "17:05 01/07/2025"},
		{EN, at, "01 Jul 2025, 17:05"},
		{JA, at, "2025年7月1日 17:05"},
		{VI, late, "03:30 01/07/2025"},
		{VI, at.In(tokyo), "17:05 01/07/2025"},
		{VI, time.Time{}, ""},
		{JA, time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := tt.lang.DateTime(tt.in); got != tt.want {
			t.Errorf("%s.DateTime(%v) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		n          int
		vi, en, ja string
	}{
		{0, "0", "0", "0"},
		{7, "7", "7", "7"},
		{999, "999", "999", "999"},
		{1000, "1.000", "1,000", "1,000"},
		{10047, "10.047", "10,047", "10,047"},
		{123456, "123.456", "123,456", "123,456"},
		{5234567, "5.234.567", "5,234,567", "5,234,567"},
		{-1000, "-1.000", "-1,000", "-1,000"},
		{-999, "-999", "-999", "-999"},
	}
	for _, tt := range tests {
		for l, want := range map[Lang]string{VI: tt.vi, EN: tt.en, JA: tt.ja} {
			if got := l.Number(tt.n); got != want {
				t.Errorf("%s.Number(%d) = %q, want %q", l, tt.n, got, want)
			}
		}
	}
}
