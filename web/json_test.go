package web

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"partyworks"
)

// onlySpellingDiffers says whether a and b are the same text once every
// JSON number in them is written as "0" and every escaped replacement
// character (goccy's spelling of invalid UTF-8) as itself (Go 1.27's).
func onlySpellingDiffers(a, b string) bool {
	num := regexp.MustCompile(`-?\d+(\.\d+)?([eE][-+]?\d+)?`)
	norm := func(s string) string { return num.ReplaceAllString(strings.ReplaceAll(s, `\ufffd`, "\ufffd"), "0") }
	return norm(a) == norm(b)
}

// TestJSONEncoderMatchesStdlib holds writeJSON's encoder (goccy/go-json)
// to what encoding/json writes, byte for byte but for how a number or an
// invalid byte is spelt, over the kinds of values the API answers with and the strings
// that need escaping. (segmentio/encoding failed it: it wrote the empty
// fields of an embedded *Member that omitempty leaves out.)
func TestJSONEncoderMatchesStdlib(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type withEmbedded struct {
		*inner
		Name  string            `json:"name,omitempty"`
		Tags  []string          `json:"tags"`
		Extra map[string]string `json:"extra,omitempty"`
		Raw   json.RawMessage   `json:"raw,omitempty"`
		Ptr   *int              `json:"ptr"`
		Skip  string            `json:"-"`
		Any   any               `json:"any"`
	}
	seven := 7
	day := time.Date(2025, 7, 1, 8, 30, 0, 123456789, time.FixedZone("ICT", 7*3600))
	m := &partyworks.Member{ID: 42, CitizenID: "022190123456", FullName: "Nguyễn Thị <Hồng> & \"Nhung\"", Sex: partyworks.Female,
		BirthDate: partyworks.Today(day), UnitID: 9, Status: partyworks.StatusOfficial, Notes: "line\nbreak\ttab \u2028 \u2029 \x01",
		Updated: day, Entries: []partyworks.MemberEntry{{Kind: "work", Title: "Chuyên viên", Detail: "Sở Nội vụ"}}}
	values := []any{
		nil, true, 0, -1, int64(math.MaxInt64), uint8(255), 3.14, 1e21, 1e-7, float32(0.1), math.Copysign(0, -1),
		"", "plain", "<script>alert('x')</script> & more", "\xff\xfe invalid UTF-8", "emoji 🇻🇳 and Tiếng Việt", "\u2028\u2029", "\x00\x1f\x7f",
		[]string(nil), []string{}, []int{1, 2, 3}, map[string]any{}, map[string]any(nil),
		map[string]any{"b": 1, "a": []any{"x", nil, 2.5}, "c": map[string]int{"z": 1, "y": 2}},
		map[int]string{3: "c", 1: "a", 20: "t"},
		day, time.Time{}, []byte("bytes as base64"),
		withEmbedded{}, withEmbedded{inner: &inner{N: 5}, Name: "x", Tags: []string{"a"}, Extra: map[string]string{"k": "v"}, Raw: json.RawMessage(`{"a": [1, 2]}`), Ptr: &seven, Any: []int{1}},
		m, []*partyworks.Member{m, nil},
		map[string]any{"members": []apiMember{toAPIMember(m)}, "total": 1, "total_capped": false, "next": "abc|1"},
	}
	for _, v := range values {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(v); err != nil {
			t.Fatalf("encoding/json %#v: %v", v, err)
		}
		rec := httptest.NewRecorder()
		writeJSON(rec, 200, v)
		got := rec.Body.String()
		if got == want.String() {
			continue
		}
		// The same bytes, but for how a number or invalid UTF-8 is spelt
		// (goccy writes 1e-07 and "\ufffd" where encoding/json writes 1e-7
		// and the character itself): the same values.
		var g, w any
		if json.Unmarshal([]byte(got), &g) != nil || json.Unmarshal(want.Bytes(), &w) != nil || !reflect.DeepEqual(g, w) || !onlySpellingDiffers(got, want.String()) {
			t.Errorf("%#v:\n got  %s\n want %s", v, got, want.String())
		}
	}
	// A value encoding/json refuses is a 500, not half an answer.
	rec := httptest.NewRecorder()
	writeJSON(rec, 200, map[string]any{"bad": math.NaN()})
	if rec.Code != 500 {
		t.Errorf("NaN: status %d, body %q", rec.Code, rec.Body.String())
	}
}
