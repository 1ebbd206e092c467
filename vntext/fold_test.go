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
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q; want %q", in, got, want)
		}
	}
}
