package i18n

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCatalogsComplete fails when a key is in one language and not in
// another, or when a message is empty.
func TestCatalogsComplete(t *testing.T) {
	for _, a := range Langs {
		for _, b := range Langs {
			if a == b {
				continue
			}
			for key := range catalogs[a] {
				if _, ok := catalogs[b][key]; !ok {
					t.Errorf("%q is in %s but not in %s", key, a, b)
				}
			}
		}
		for key, msg := range catalogs[a] {
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s %q is empty", a, key)
			}
			if !utf8.ValidString(msg) {
				t.Errorf("%s %q is not valid UTF-8", a, key)
			}
		}
	}
}

// TestCatalogsVerbs fails when a key's messages take a different number of
// arguments, or an argument with a different verb, from one language to
// another, and when a message does not format cleanly.
func TestCatalogsVerbs(t *testing.T) {
	for key, ref := range catalogVI {
		want, err := verbs(ref)
		if err != nil {
			t.Errorf("vi %q: %v", key, err)
			continue
		}
		for _, l := range Langs[1:] {
			msg, ok := catalogs[l][key]
			if !ok {
				continue // reported by TestCatalogsComplete
			}
			got, err := verbs(msg)
			if err != nil {
				t.Errorf("%s %q: %v", l, key, err)
				continue
			}
			if len(got) != len(want) {
				t.Errorf("%s %q has %d verbs, vi has %d: %q vs %q", l, key, len(got), len(want), msg, ref)
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %q takes arguments %q, vi takes %q", l, key, got, want)
			}
		}
	}
	for _, l := range Langs {
		for key, msg := range catalogs[l] {
			vs, _ := verbs(msg)
			if len(vs) == 0 {
				if strings.Contains(strings.ReplaceAll(msg, "%%", ""), "%") {
					t.Errorf("%s %q has a stray %%: %q", l, key, msg)
				}
				continue
			}
			args := make([]any, len(vs))
			for i, v := range vs {
				if v == 'd' {
					args[i] = 7
				} else {
					args[i] = "x"
				}
			}
			if out := T(l, key, args...); strings.Contains(out, "%!") {
				t.Errorf("%s %q formats badly: %q", l, key, out)
			}
		}
	}
}

// verbs lists the verb of each argument a format takes, by argument
// position (explicit indexes such as %[2]s count at their index).
func verbs(format string) ([]rune, error) {
	var byArg []rune
	next := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed argument index in %q", format)
			}
			var n int
			if _, err := fmt.Sscanf(format[i+1:i+end], "%d", &n); err != nil || n < 1 {
				return nil, fmt.Errorf("bad argument index in %q", format)
			}
			next = n - 1
			i += end + 1
		}
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		if i >= len(format) {
			return nil, fmt.Errorf("%% at the end of %q", format)
		}
		for len(byArg) <= next {
			byArg = append(byArg, 0)
		}
		if prev := byArg[next]; prev != 0 && prev != rune(format[i]) {
			return nil, fmt.Errorf("argument %d used as %%%c and %%%c in %q", next+1, prev, format[i], format)
		}
		byArg[next] = rune(format[i])
		next++
	}
	if slices.Contains(byArg, 0) {
		return nil, fmt.Errorf("an argument is never used in %q", format)
	}
	return byArg, nil
}

func TestVerbs(t *testing.T) {
	tests := []struct {
		format string
		want   string
	}{
		{"plain", ""},
		{"100%% sure", ""},
		{"%d of %s", "ds"},
		{"%s từ %s đến %s", "sss"},
		{"%[2]s then %[1]d", "ds"},
		{"%5.2f%%", "f"},
	}
	for _, tt := range tests {
		got, err := verbs(tt.format)
		if err != nil {
			t.Errorf("verbs(%q): %v", tt.format, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("verbs(%q) = %q, want %q", tt.format, string(got), tt.want)
		}
	}
	for _, bad := range []string{"50%", "%[2]s", "%[1]d %[1]s"} {
		if _, err := verbs(bad); err == nil {
			t.Errorf("verbs(%q) gave no error", bad)
		}
	}
}

// TestRequiredKeys fails when a key the pages use is missing.
func TestRequiredKeys(t *testing.T) {
	keys := []string{
		"app.name", "app.subtitle", "app.tagline",
		"nav.tree", "nav.units", "nav.import", "nav.restructure", "nav.users", "nav.audit",
		"nav.logout", "nav.login", "nav.account", "nav.language", "nav.skip",
		"login.title", "login.username", "login.password", "login.submit", "login.failed", "login.throttled", "login.totp",
		"tree.title", "tree.at_date", "tree.show", "tree.today", "tree.roots", "tree.search_placeholder", "tree.search",
		"tree.no_children", "tree.children", "tree.more", "tree.page_next", "tree.page_prev",
		"unit.code", "unit.name", "unit.kind", "unit.parent", "unit.children", "unit.history", "unit.valid_from",
		"unit.valid_to", "unit.standing", "unit.ended", "unit.not_at_date", "unit.breadcrumb", "unit.version",
		"unit.events_none", "unit.record_event",
		"event.establish", "event.rename", "event.reparent", "event.merge", "event.split", "event.dissolve",
		"event.restructure", "event.effective", "event.decision", "event.note", "event.sources", "event.targets",
		"event.submit", "event.type",
		"import.title", "import.file", "import.help", "import.effective", "import.decision", "import.under",
		"import.submit", "import.done", "import.errors",
		"plan.title", "plan.file", "plan.effective", "plan.decision", "plan.preview", "plan.apply", "plan.created",
		"plan.merged", "plan.renamed", "plan.reparented", "plan.dissolved", "plan.split", "plan.review",
		"plan.review_help", "plan.default", "plan.unchanged", "plan.applied", "plan.more",
		"users.title", "users.new", "users.username", "users.display_name", "users.password", "users.role",
		"users.scope", "users.grant", "users.disabled", "users.disable", "users.enable", "users.create",
		"users.whole_tree", "users.revoke",
		"audit.title", "audit.at", "audit.user", "audit.action", "audit.object", "audit.addr", "audit.verify",
		"audit.ok", "audit.broken", "audit.filter",
		"form.save", "form.cancel", "form.required", "form.search", "form.filter",
		"err.title", "err.not_found", "err.forbidden", "err.invalid", "err.conflict", "err.internal",
		"err.unauthorized", "err.too_many",
		"footer.text",
	}
	// Every unit kind, event type, role and error code of the domain, so
	// that pages can build the key from the value ("kind."+string(k)).
	for _, k := range []string{"central", "province", "city", "district", "urban_district", "town",
		"provincial_city", "commune", "ward", "township", "special_zone", "direct_committee",
		"department", "grassroots", "cell", "group"} {
		keys = append(keys, "kind."+k)
	}
	for _, r := range []string{"admin", "staff", "leader", "member"} {
		keys = append(keys, "role."+r, "role."+r+"_help")
	}
	for _, c := range []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "internal", "too_many_requests"} {
		keys = append(keys, "err."+c)
	}
	for _, key := range keys {
		if _, ok := catalogVI[key]; !ok {
			t.Errorf("%q is missing", key)
		}
	}
}

// TestVerbsAgree checks the messages whose arguments the brief fixed.
func TestVerbsAgree(t *testing.T) {
	want := map[string]string{
		"login.throttled": "d", "tree.children": "d", "unit.ended": "s", "unit.not_at_date": "sss",
		"import.done": "dd", "plan.more": "d", "audit.ok": "d",
	}
	for key, w := range want {
		got, err := verbs(catalogVI[key])
		if err != nil || string(got) != w {
			t.Errorf("vi %q takes %q (%v), want %q", key, string(got), err, w)
		}
	}
}

// TestVietnameseTerms checks the party-administration vocabulary.
func TestVietnameseTerms(t *testing.T) {
	want := map[string]string{
		"kind.province": "Tỉnh ủy", "kind.city": "Thành ủy trực thuộc Trung ương",
		"kind.provincial_city": "Thành ủy trực thuộc tỉnh", "kind.grassroots": "Tổ chức cơ sở đảng",
		"kind.cell": "Chi bộ", "kind.group": "Tổ đảng", "kind.special_zone": "Đảng ủy đặc khu",
		"event.merge": "Sáp nhập", "event.split": "Chia tách", "event.dissolve": "Giải thể",
		"event.rename": "Đổi tên", "event.reparent": "Chuyển trực thuộc", "event.establish": "Thành lập",
		"event.effective": "Ngày hiệu lực", "event.decision": "Quyết định",
		"tree.at_date": "Xem cây tổ chức tại ngày", "app.subtitle": "Công tác xây dựng Đảng",
	}
	for key, w := range want {
		if got := catalogVI[key]; got != w {
			t.Errorf("vi %q = %q, want %q", key, got, w)
		}
	}
	// "uỷ" (old placement of the tone mark) must not creep in beside "ủy".
	for key, msg := range catalogVI {
		if strings.Contains(strings.ToLower(msg), "uỷ") {
			t.Errorf("vi %q writes uỷ, not ủy: %q", key, msg)
		}
	}
}
