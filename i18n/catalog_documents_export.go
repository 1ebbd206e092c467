package i18n

func init() { register(docExportVI, docExportEN, docExportJA) }

var docExportVI = map[string]string{
	"doc.export":          "Xuất sổ",
	"doc.export_csv":      "CSV",
	"doc.export_xlsx":     "Excel (XLSX)",
	"doc.export_status":   "Tình trạng",
	"doc.route_task":      "Giao thành nhiệm vụ cho đơn vị",
	"doc.route_task_hint": "Việc xử lý văn bản trở thành nhiệm vụ của đơn vị được chuyển, theo dõi tiến độ như mọi nhiệm vụ. Chỉ với văn bản đến không mật, chuyển cho đơn vị.",
}

var docExportEN = map[string]string{
	"doc.export":          "Export the register",
	"doc.export_csv":      "CSV",
	"doc.export_xlsx":     "Excel (XLSX)",
	"doc.export_status":   "Status",
	"doc.route_task":      "Make it a task of the department",
	"doc.route_task_hint": "Handling the document becomes a task of the department it is routed to, tracked like any task. Only for unclassified incoming documents routed to a department.",
}

var docExportJA = map[string]string{
	"doc.export":          "台帳を出力",
	"doc.export_csv":      "CSV",
	"doc.export_xlsx":     "Excel (XLSX)",
	"doc.export_status":   "状態",
	"doc.route_task":      "部署のタスクにする",
	"doc.route_task_hint": "文書の処理が回付先部署のタスクとなり、他のタスクと同様に進捗を管理します。秘密指定のない受信文書を部署に回付する場合のみ。",
}
