package web

import (
	"net/http"

	"partyworks"
)

// Route is one entry of the route table: what it answers, what it does in
// the access matrix, and how to find the unit it acts on.
type Route struct {
	Method  string
	Pattern string
	Action  partyworks.Action
	// Target finds the unit the request acts on; guard checks the action
	// against it. Routes without a target are checked against the user's
	// grants as a whole (national routes: against the whole tree).
	Target  targetFunc
	Summary string
	handler http.HandlerFunc
}

// API reports whether the route belongs to the JSON API.
func (rt *Route) API() bool { return len(rt.Pattern) > 8 && rt.Pattern[:8] == "/api/v1/" }

// routeTable declares every route, one function a capability. The
// access-matrix test walks this table and fails for any route that
// docs/SECURITY.md does not list.
func (s *Server) routeTable() []*Route {
	var rs []*Route
	for _, part := range [][]*Route{s.coreRoutes(), s.memberRoutes(), s.taskRoutes(), s.documentRoutes()} {
		rs = append(rs, part...)
	}
	return rs
}

// coreRoutes: operations, sessions, the tree, accounts and the audit trail.
func (s *Server) coreRoutes() []*Route {
	public, self := partyworks.ActPublic, partyworks.ActSelf
	read, place := partyworks.ActUnitRead, partyworks.ActUnitPlace
	imp, restructure := partyworks.ActUnitImport, partyworks.ActRestructure
	users, audit, system := partyworks.ActUserManage, partyworks.ActAuditRead, partyworks.ActSystemRead
	return []*Route{
		// Operations.
		{"GET", "/healthz", public, nil, "Liveness", s.healthz},
		{"GET", "/readyz", public, nil, "Readiness: the database answers", s.readyz},
		{"GET", "/metrics", system, nil, "Prometheus metrics", s.metricsHandler},
		{"GET", "/static/{file...}", public, nil, "Stylesheet and icons", s.static},

		// Sessions and language.
		{"GET", "/login", public, nil, "Login form", s.htmlLoginForm},
		{"POST", "/login", public, nil, "Log in", s.htmlLogin},
		{"GET", "/login/totp", public, nil, "Second-factor form of a pending login", s.htmlTOTPForm},
		{"POST", "/login/totp", public, nil, "Finish a login with a second-factor code", s.htmlTOTPLogin},
		{"POST", "/logout", self, nil, "Log out", s.htmlLogout},
		{"POST", "/lang", public, nil, "Choose the interface language", s.htmlLang},

		// The tree.
		{"GET", "/{$}", self, nil, "Home: the units the user may see", s.htmlHome},
		{"GET", "/units/{id}", read, pathUnit, "A unit on a day, its children and history", s.htmlUnit},
		{"GET", "/units/{id}/todo", read, pathUnit, "What the unit and those below it have to do", s.htmlTodo},
		{"GET", "/units/{id}/events/new", place, pathUnit, "Form to record an event", s.htmlEventForm},
		{"POST", "/units/{id}/events", place, pathUnit, "Record an event", s.htmlEventCreate},
		{"GET", "/units/{id}/import", imp, pathUnit, "Form to import units under a unit", s.htmlImportForm},
		{"POST", "/units/{id}/import", imp, pathUnit, "Import units under a unit", s.htmlImport},
		{"GET", "/import", imp, nil, "Form to import a whole tree", s.htmlImportForm},
		{"POST", "/import", imp, nil, "Import a whole tree", s.htmlImport},
		{"GET", "/restructure", restructure, nil, "Form to preview a restructuring plan", s.htmlRestructureForm},
		{"POST", "/restructure", restructure, nil, "Preview or apply a restructuring plan", s.htmlRestructure},

		// Accounts.
		{"GET", "/account", self, nil, "The user's own account", s.htmlAccount},
		{"GET", "/account/totp", self, nil, "Enrol a second factor", s.htmlTOTPEnrolForm},
		{"POST", "/account/totp", self, nil, "Confirm a second factor with the password and a code", s.htmlTOTPEnrol},
		{"GET", "/users", users, nil, "Users the administrator manages", s.htmlUsers},
		{"POST", "/users", users, nil, "Create a user", s.htmlUserCreate},
		{"GET", "/users/{uid}", users, userScope, "A user and their grants", s.htmlUser},
		{"POST", "/users/{uid}/grants", users, userScope, "Grant a role", s.htmlGrant},
		{"POST", "/users/{uid}/grants/{gid}/delete", users, userScope, "Revoke a grant", s.htmlRevoke},
		{"POST", "/users/{uid}/disable", users, userScope, "Disable or enable a user", s.htmlDisable},
		{"POST", "/users/{uid}/totp/delete", users, userScope, "Remove a user's second factor (a lost phone)", s.htmlTOTPRemove},

		// Audit.
		{"GET", "/audit", audit, nil, "Browse the audit trail", s.htmlAudit},

		// The JSON API.
		{"GET", "/api/v1/openapi.json", public, nil, "This document", s.apiOpenAPI},
		{"GET", "/api/v1/me", self, nil, "The caller and their grants", s.apiMe},
		{"GET", "/api/v1/units", read, queryUnit, "Find units by code, parent, subtree or name, on a day", s.apiUnits},
		{"GET", "/api/v1/units/{id}", read, pathUnit, "A unit on a day", s.apiUnit},
		{"GET", "/api/v1/units/{id}/children", read, pathUnit, "A unit's children on a day (keyset pages)", s.apiChildren},
		{"GET", "/api/v1/units/{id}/ancestors", read, pathUnit, "The units above a unit on a day", s.apiAncestors},
		{"GET", "/api/v1/units/{id}/todo", read, pathUnit, "What the unit and those below it have to do, by due date", s.apiTodo},
		{"GET", "/api/v1/units/{id}/events", read, pathUnit, "A unit's history", s.apiEvents},
		{"POST", "/api/v1/units/{id}/events", place, pathUnit, "Record an event on a unit", s.apiEventCreate},
		{"POST", "/api/v1/units/{id}/import", imp, pathUnit, "Import units under a unit (CSV or XLSX body)", s.apiImport},
		{"POST", "/api/v1/units/import", imp, nil, "Import a whole tree (CSV or XLSX body)", s.apiImport},
		{"POST", "/api/v1/restructure/preview", restructure, nil, "Preview a restructuring plan (CSV or XLSX body)", s.apiRestructure},
		{"POST", "/api/v1/restructure/apply", restructure, nil, "Apply a restructuring plan (CSV or XLSX body)", s.apiRestructure},
		{"GET", "/api/v1/users", users, nil, "Users the administrator manages", s.apiUsers},
		{"POST", "/api/v1/users", users, nil, "Create a user", s.apiUserCreate},
		{"GET", "/api/v1/users/{uid}", users, userScope, "A user and their grants", s.apiUser},
		{"POST", "/api/v1/users/{uid}/grants", users, userScope, "Grant a role", s.apiGrant},
		{"DELETE", "/api/v1/users/{uid}/grants/{gid}", users, userScope, "Revoke a grant", s.apiRevoke},
		{"POST", "/api/v1/users/{uid}/disable", users, userScope, "Disable or enable a user", s.apiDisable},
		{"DELETE", "/api/v1/users/{uid}/totp", users, userScope, "Remove a user's second factor (a lost phone)", s.apiTOTPRemove},
		{"GET", "/api/v1/audit", audit, nil, "The audit trail, newest first", s.apiAudit},
		{"POST", "/api/v1/audit/verify", audit, nil, "Verify the audit hash chain", s.apiAuditVerify},
	}
}

// memberRoutes: party members (the members issue).
func (s *Server) memberRoutes() []*Route {
	return nil
}

// taskRoutes: directives and the tasks they create (the directives issue).
func (s *Server) taskRoutes() []*Route {
	return nil
}

// documentRoutes: official documents (the documents issue).
func (s *Server) documentRoutes() []*Route {
	return nil
}
