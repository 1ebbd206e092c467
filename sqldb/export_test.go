package sqldb

// SetNamePlan forces the plan of s's name searches: "index", "walk",
// "merge", "subtree" ("" chooses by cost).
func SetNamePlan(s *MemberService, plan string) { s.plan = plan }
