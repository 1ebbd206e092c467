package partyworks

import "strings"

// Action is something a route does, checked against the user's grants.
type Action string

// The actions. Every route names one (web/routes.go); docs/SECURITY.md
// states which role may do each, and over which scope.
const (
	ActPublic      Action = "public"      // no login: login page, health, static files
	ActSelf        Action = "self"        // any logged-in user, on their own account
	ActUnitRead    Action = "unit.read"   // see a unit, its children and its history
	ActUnitWrite   Action = "unit.write"  // record an event on a unit below the grant's unit
	ActUnitPlace   Action = "unit.place"  // put units under this one: parent of a new unit, destination of a move, merge or split
	ActUnitImport  Action = "unit.import" // import a tree under a unit
	ActRestructure Action = "unit.restructure"
	ActUserManage  Action = "user.manage" // create users, grant roles inside one's subtree
	ActAuditRead   Action = "audit.read"  // browse the trail (national administrators)
	ActSystemRead  Action = "system.read" // status page, metrics for operators
	// Official documents (the documents issue). Classified documents also
	// need the user's clearance: see DocumentService.
	ActDocRead    Action = "document.read"    // a unit's registers, its documents, their files, search
	ActDocWrite   Action = "document.write"   // register, attach, route
	ActDocArchive Action = "document.archive" // archive and dispose by decision
	ActDocAdmin   Action = "document.admin"   // a unit's issuer abbreviation and congresses; on the whole tree, the retention periods

	// Directives and tasks (task.go).
	ActTaskRead   Action = "task.read"   // see directives, tasks, roll-ups, study coverage
	ActTaskWrite  Action = "task.write"  // a unit works on its own tasks: progress, evidence, study sessions
	ActTaskAssign Action = "task.assign" // a unit registers directives, gives tasks below it, accepts or returns them

	// Party members (member.go). A member's unit decides the scope.
	ActMemberRead   Action = "member.read"   // lists, records, statistics and exports of the members of a subtree
	ActMemberWrite  Action = "member.write"  // create and edit records, record lifecycle steps (also on a member's behalf)
	ActMemberImport Action = "member.import" // import members from CSV or XLSX
)

// Scope is how a target unit relates to a grant's unit.
type Scope int

// The scopes, from the grant's point of view.
const (
	ScopeNone     Scope = iota // another branch of the tree
	ScopeOwn                   // the grant's unit itself
	ScopeBelow                 // strictly inside the grant's subtree
	ScopeAncestor              // above the grant's unit
)

// ScopeOf relates a target path to a grant path ("" is the whole tree).
func ScopeOf(grantPath, targetPath string) Scope {
	switch {
	case grantPath == "":
		if targetPath == "" {
			return ScopeOwn
		}
		return ScopeBelow
	case targetPath == grantPath:
		return ScopeOwn
	case strings.HasPrefix(targetPath, grantPath):
		return ScopeBelow
	case strings.HasPrefix(grantPath, targetPath):
		return ScopeAncestor
	}
	return ScopeNone
}

// Allows is the access matrix: may role do action on a target in scope?
// It is the one place the rules live; docs/SECURITY.md writes it down and
// a test checks every route against that table.
func Allows(role Role, act Action, scope Scope) bool {
	inside := scope == ScopeOwn || scope == ScopeBelow
	switch act {
	case ActPublic, ActSelf:
		return true
	case ActUnitRead:
		if role == RoleMember {
			return scope == ScopeOwn
		}
		return inside
	case ActUnitWrite:
		// Staff change the units below them; a change to the grant's own
		// unit (renaming or moving it) is the business of the level above.
		return (role == RoleAdmin || role == RoleStaff) && scope == ScopeBelow
	case ActUnitPlace:
		return (role == RoleAdmin || role == RoleStaff) && inside
	case ActUnitImport, ActRestructure, ActUserManage:
		return role == RoleAdmin && inside
	case ActTaskRead:
		if role == RoleMember {
			return scope == ScopeOwn
		}
		return inside
	case ActTaskWrite, ActTaskAssign:
		// Only the unit itself: a unit reports on its own tasks and only the
		// assigning unit accepts; a level above does not act in its name.
		return (role == RoleAdmin || role == RoleStaff) && scope == ScopeOwn
	case ActDocRead:
		return role != RoleMember && inside
	case ActDocWrite, ActDocArchive:
		return (role == RoleAdmin || role == RoleStaff) && inside
	case ActDocAdmin:
		return role == RoleAdmin && inside
	case ActMemberRead:
		// Members read their own record through the self-service page only.
		return role != RoleMember && inside
	case ActMemberWrite, ActMemberImport:
		return (role == RoleAdmin || role == RoleStaff) && inside
	case ActAuditRead, ActSystemRead:
		// Only national administrators: the trail spans every subtree.
		return role == RoleAdmin && scope == ScopeOwn
	}
	return false
}

// Can reports whether any of the user's grants allows the action on a unit
// at targetPath ("" asks for the whole tree: only a national grant's own
// scope matches).
func (u *User) Can(act Action, targetPath string) bool {
	if act == ActPublic || act == ActSelf {
		return true
	}
	for _, g := range u.Grants {
		if Allows(g.Role, act, ScopeOf(g.UnitPath, targetPath)) {
			return true
		}
	}
	return false
}

// National reports whether the user holds the role over the whole tree.
func (u *User) National(r Role) bool {
	for _, g := range u.Grants {
		if g.Role == r && g.UnitID == 0 {
			return true
		}
	}
	return false
}
