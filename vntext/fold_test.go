package vntext

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Văn An":           "nguyen van an",
		"Đặng Thị Hồng":           "dang thi hong",
		"Đảng ủy phường Hà Khánh": "dang uy phuong ha khanh",
		"  Tỉnh   ủy  ":           "tinh uy",
		"日本語":                     "日本語",
		"Thành ủy Hạ Long":        "thanh uy ha long",
		"\u00d0inh Văn \u00d0ạt":  "dinh van dat", // Ð (U+00D0), typed for Đ
		"\u00f0inh":               "dinh",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestFoldFast checks the table path against the normalization chain: on
// every rune of the table's ranges, alone and in names, and on text it
// must hand over (combining marks, other spaces, other scripts).
func TestFoldFast(t *testing.T) {
	for _, rg := range [][2]rune{{0x20, 0x7F}, {0xA0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			for _, s := range []string{string(r), "Nguyễn " + string(r) + "ăn  B", " " + string(r) + string(r) + " "} {
				if got, want := Fold(s), foldSlow(s); got != want {
					t.Errorf("Fold(%q) = %q; the normalization chain gives %q", s, got, want)
				}
			}
		}
	}
	if len(foldTable) < 200 {
		t.Errorf("the table has %d letters", len(foldTable))
	}
	for _, s := range []string{"Nguye\u0302\u0303n Va\u0306n An", "Lê\u00a0Bình", "Trần 日本", "Ｌê"} {
		if _, ok := foldFast(s); ok {
			t.Errorf("foldFast took %q", s)
		}
		if got, want := Fold(s), foldSlow(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}

func BenchmarkFold(b *testing.B) {
	for b.Loop() {
		Fold("Nguyễn Thị Phương Thảo")
	}
}
