package i18n

func init() { register(docSettingsVI, docSettingsEN, docSettingsJA) }

var docSettingsVI = map[string]string{
	"doc.settings":          "Thiết lập sổ văn bản",
	"doc.issuer_abbr":       "Chữ viết tắt tên cơ quan ban hành",
	"doc.issuer_abbr_hint":  "Dùng trong số, ký hiệu văn bản đi của cấp ủy này (ví dụ 12-NQ/TU). Đổi chữ viết tắt chỉ áp dụng cho văn bản đăng ký sau đó.",
	"doc.congresses":        "Các kỳ đại hội",
	"doc.congress":          "Đại hội",
	"doc.congress_opens":    "Ngày khai mạc",
	"doc.congress_closes":   "Ngày bế mạc",
	"doc.congress_add":      "Thêm đại hội",
	"doc.congress_hint":     "Mỗi nhiệm kỳ đánh số lại từ 1 sau ngày bế mạc đại hội; trong những ngày đại hội, các văn bản của đại hội dùng chung một dãy số. Các kỳ đại hội không được trùng ngày.",
	"doc.no_congresses":     "Chưa ghi kỳ đại hội nào.",
	"doc.periods_lead":      "Áp dụng cho sổ văn bản của mọi đơn vị.",
	"doc.periods_edit":      "Sửa thời hạn bảo quản",
	"doc.periods_edit_hint": "Số năm tính từ ngày ban hành; để trống thời hạn bảo quản nghĩa là bảo quản vĩnh viễn. Lớp * áp dụng cho các loại văn bản chưa có thời hạn riêng.",
	"doc.period_add":        "Thêm thời hạn cho một loại văn bản",
	"doc.period_name":       "Tên gọi",
	"doc.no_periods":        "Chưa có thời hạn bảo quản nào.",
}

var docSettingsEN = map[string]string{
	"doc.settings":          "Register settings",
	"doc.issuer_abbr":       "Issuer abbreviation",
	"doc.issuer_abbr_hint":  "Used in the symbols of this committee's outgoing documents (e.g. 12-NQ/TU). A change applies to documents registered afterwards.",
	"doc.congresses":        "Congresses",
	"doc.congress":          "Congress",
	"doc.congress_opens":    "Opened on",
	"doc.congress_closes":   "Closed on",
	"doc.congress_add":      "Add a congress",
	"doc.congress_hint":     "Each term numbers from 1 again after the day the congress closes; during the congress, its documents share one counter. Congresses may not overlap.",
	"doc.no_congresses":     "No congress recorded yet.",
	"doc.periods_lead":      "They apply to the registers of every unit.",
	"doc.periods_edit":      "Edit the retention periods",
	"doc.periods_edit_hint": "Years from the day of issue; an empty keeping period means permanent. Class * applies to the types without a period of their own.",
	"doc.period_add":        "Add a period for a document type",
	"doc.period_name":       "Name",
	"doc.no_periods":        "No retention period yet.",
}

var docSettingsJA = map[string]string{
	"doc.settings":          "文書台帳の設定",
	"doc.issuer_abbr":       "発行機関の略称",
	"doc.issuer_abbr_hint":  "この委員会の発信文書の番号・記号に使われます（例：12-NQ/TU）。変更はその後に登録する文書に適用されます。",
	"doc.congresses":        "大会",
	"doc.congress":          "大会",
	"doc.congress_opens":    "開会日",
	"doc.congress_closes":   "閉会日",
	"doc.congress_add":      "大会を追加",
	"doc.congress_hint":     "各任期は大会閉会日の翌日から1番に戻ります。大会期間中の文書は一つの番号系列を共有します。大会の日程は重複できません。",
	"doc.no_congresses":     "大会はまだ記録されていません。",
	"doc.periods_lead":      "すべての組織の文書台帳に適用されます。",
	"doc.periods_edit":      "保存期間を編集",
	"doc.periods_edit_hint": "発行日からの年数です。保存期間が空欄の場合は永年保存です。クラス * は個別の期間がない種類に適用されます。",
	"doc.period_add":        "文書の種類に期間を追加",
	"doc.period_name":       "名称",
	"doc.no_periods":        "保存期間はまだありません。",
}
