package i18n

func init() { register(planVI, planEN, planJA) }

// Why a unit ends in a restructuring plan (partyworks.PlanUnit.Reason).
var planVI = map[string]string{
	"plan.reason.merged":  "sáp nhập vào %s",
	"plan.reason.split":   "chia tách",
	"plan.reason.emptied": "không còn đơn vị trực thuộc, kết thúc hoạt động",
}

var planEN = map[string]string{
	"plan.reason.merged":  "merged into %s",
	"plan.reason.split":   "divided",
	"plan.reason.emptied": "emptied by the plan, ends",
}

var planJA = map[string]string{
	"plan.reason.merged":  "%s に統合",
	"plan.reason.split":   "分割",
	"plan.reason.emptied": "下部組織がなくなり、活動終了",
}
