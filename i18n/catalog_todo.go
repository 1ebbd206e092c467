package i18n

func init() { register(todoVI, todoEN, todoJA) }

var todoVI = map[string]string{
	"todo.title":    "Việc cần làm",
	"todo.due":      "Hạn",
	"todo.what":     "Nội dung",
	"todo.status":   "Tình trạng",
	"todo.overdue":  "Quá hạn",
	"todo.due_soon": "Sắp đến hạn",
	"todo.none":     "Không có việc nào đến hạn trong 30 ngày tới.",
}

var todoEN = map[string]string{
	"todo.title":    "What needs doing",
	"todo.due":      "Due",
	"todo.what":     "What",
	"todo.status":   "Status",
	"todo.overdue":  "Overdue",
	"todo.due_soon": "Due soon",
	"todo.none":     "Nothing falls due in the next 30 days.",
}

var todoJA = map[string]string{
	"todo.title":    "やるべきこと",
	"todo.due":      "期限",
	"todo.what":     "内容",
	"todo.status":   "状況",
	"todo.overdue":  "期限切れ",
	"todo.due_soon": "期限間近",
	"todo.none":     "今後30日以内に期限を迎える事項はありません。",
}
