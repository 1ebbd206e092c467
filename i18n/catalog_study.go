package i18n

func init() { register(studyVI, studyEN, studyJA) }

// Per-member attendance at study sessions (issue 4, item 6).
var studyVI = map[string]string{
	"directive.files":        "Tệp của văn bản",
	"directive.no_files":     "Chưa có tệp nào.",
	"directive.attach":       "Đính kèm tệp",
	"study.members":          "Tỷ lệ đảng viên đã học tập",
	"study.how.members":      "%d đảng viên đã tham dự ít nhất một buổi ÷ %d đảng viên",
	"study.attendees":        "Đảng viên tham dự",
	"study.attendees_hint":   "Đánh dấu những đảng viên đã tham dự; khi đó số tham dự là số người được đánh dấu.",
	"study.per_member_count": "Số tham dự theo buổi gồm cả buổi chỉ ghi số lượng; tỷ lệ đảng viên chỉ tính những người được điểm danh.",
}

var studyEN = map[string]string{
	"directive.files":        "Files",
	"directive.no_files":     "No files yet.",
	"directive.attach":       "Attach files",
	"study.members":          "Members reached",
	"study.how.members":      "%d members attended at least one session ÷ %d members",
	"study.attendees":        "Members who attended",
	"study.attendees_hint":   "Tick the members who attended; the attended count is then the number ticked.",
	"study.per_member_count": "Attendance per session includes sessions recorded as counts only; members reached counts only members named at a session.",
}

var studyJA = map[string]string{
	"directive.files":        "文書のファイル",
	"directive.no_files":     "ファイルはまだありません。",
	"directive.attach":       "ファイルを添付",
	"study.members":          "学習した党員の割合",
	"study.how.members":      "少なくとも1回出席した党員 %d 名 ÷ 党員 %d 名",
	"study.attendees":        "出席した党員",
	"study.attendees_hint":   "出席した党員にチェックを入れてください。出席者数はチェックした人数になります。",
	"study.per_member_count": "回ごとの出席率には人数のみ記録した回も含まれます。党員の割合は出席記録のある党員のみを数えます。",
}
