package sqldb

// SetNamePlan forces the plan of s's name searches: "index", "walk",
// "merge", "subtree" ("" chooses by cost).
func SetNamePlan(s *MemberService, plan string) { s.plan = plan }

// SetPendingCap sets how many later unit versions a province's search
// checks (pendingCap) and returns a function that restores it.
func SetPendingCap(n int) func() {
	old := pendingCap
	pendingCap = n
	return func() { pendingCap = old }
}
