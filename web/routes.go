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
		{"GET", "/admin/status", system, nil, "System status: version, database, migrations, tables, scheduled jobs, this app node", s.htmlStatus},
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
		{"GET", "/api/v1/status", system, nil, "System status: version, database, migrations, tables, scheduled jobs, this app node", s.apiStatus},
	}
}

// memberRoutes: party members (the members issue). A member's unit
// decides the scope (memberScope).
func (s *Server) memberRoutes() []*Route {
	read, write, imp := partyworks.ActMemberRead, partyworks.ActMemberWrite, partyworks.ActMemberImport
	return []*Route{
		{"GET", "/units/{id}/members", read, pathUnit, "Find the members of a subtree on a day", s.htmlMembers},
		{"GET", "/units/{id}/members/export", read, pathUnit, "Export the listed members (CSV or XLSX)", s.htmlMembersExport},
		{"GET", "/units/{id}/members/stats", read, pathUnit, "Member statistics of a subtree on a day", s.htmlMemberStats},
		{"GET", "/units/{id}/members/stats.xlsx", read, pathUnit, "Member statistics as XLSX", s.htmlMemberStatsXLSX},
		{"GET", "/units/{id}/members/new", write, pathUnit, "Form to add a member record", s.htmlMemberForm},
		{"POST", "/units/{id}/members", write, pathUnit, "Add a member record", s.htmlMemberCreate},
		{"GET", "/units/{id}/members/import", imp, pathUnit, "Form to import members", s.htmlMemberImportForm},
		{"GET", "/units/{id}/members/template", imp, pathUnit, "The XLSX template for a members import", s.htmlMemberTemplate},
		{"POST", "/units/{id}/members/import", imp, pathUnit, "Import members (CSV or XLSX; a large file runs in the background)", s.htmlMemberImport},
		{"GET", "/units/{id}/members/import/{job}", imp, pathUnit, "A members import's progress and result", s.htmlMemberImportJob},
		{"GET", "/members/{mid}", read, memberScope, "A member's record, lifecycle and deadlines", s.htmlMember},
		{"GET", "/members/{mid}/photo", read, memberScope, "A member's photo", s.htmlMemberPhoto},
		{"POST", "/members/{mid}/steps", write, memberScope, "Record a lifecycle step (also on the member's behalf)", s.htmlMemberStep},
		{"GET", "/members/{mid}/edit", write, memberScope, "Form to correct a member's record", s.htmlMemberEditForm},
		{"POST", "/members/{mid}/photo", write, memberScope, "Upload the record's photo (JPEG or PNG, at most 2 MiB)", s.htmlMemberPhotoUpload},
		{"POST", "/members/{mid}", write, memberScope, "Correct a member's record (a stale version is refused)", s.htmlMemberUpdate},
		{"POST", "/members/{mid}/entries", write, memberScope, "Add a row to a table of the record", s.htmlMemberEntry},
		{"POST", "/members/{mid}/account", write, memberScope, "Link an account to the record for self-service (an empty name unlinks)", s.htmlMemberAccount},
		{"GET", "/me/member", partyworks.ActSelf, nil, "The caller's own member record (self-service, read-only)", s.htmlMyMember},
		// The whole country: national grants only (the root as target).
		{"GET", "/members", read, wholeTree, "Find the members of the whole country on a day", s.htmlMembers},
		{"GET", "/members/stats", read, wholeTree, "Member statistics of the whole country on a day, by province", s.htmlCountryStats},
		{"GET", "/members/stats.xlsx", read, wholeTree, "Member statistics of the whole country as XLSX", s.htmlCountryStatsXLSX},
		{"GET", "/api/v1/units/{id}/members", read, pathUnit, "Find the members of a subtree on a day (summaries; full=true for whole records)", s.apiMembers},
		{"GET", "/api/v1/units/{id}/members/stats", read, pathUnit, "Member statistics of a subtree on a day", s.apiMemberStats},
		{"GET", "/api/v1/members/stats", read, wholeTree, "Member statistics of the whole country on a day, with each province's total", s.apiCountryStats},
		{"POST", "/api/v1/units/{id}/members", write, pathUnit, "Add a member record", s.apiMemberCreate},
		{"POST", "/api/v1/units/{id}/members/import", imp, pathUnit, "Import members (CSV or XLSX body)", s.apiMemberImport},
		{"GET", "/api/v1/units/{id}/members/import/{job}", imp, pathUnit, "A members import's progress and result (rows done, inserted, row errors, status)", s.apiMemberImportJob},
		{"GET", "/api/v1/members/{mid}", read, memberScope, "A member's record and steps", s.apiMember},
		{"POST", "/api/v1/members/{mid}/steps", write, memberScope, "Record a lifecycle step", s.apiMemberStep},
		{"POST", "/api/v1/members/{mid}", write, memberScope, "Correct a member's record; send its version (a stale one is refused)", s.apiMemberUpdate},
		{"POST", "/api/v1/members/{mid}/account", write, memberScope, "Link an account to the record for self-service: `{\"username\": …}` (empty unlinks)", s.apiMemberAccount},
		{"POST", "/api/v1/members/{mid}/photo", write, memberScope, "Upload the record's photo: the body is the image (JPEG or PNG, at most 2 MiB)", s.apiMemberPhoto},
	}
}

// taskRoutes: directives and the tasks they create (the directives issue).
func (s *Server) taskRoutes() []*Route {
	read, write, assign := partyworks.ActTaskRead, partyworks.ActTaskWrite, partyworks.ActTaskAssign
	return []*Route{
		{"GET", "/units/{id}/tasks", read, pathUnit, "A unit's tasks (received and given), notifications and directives", s.htmlTasks},
		{"GET", "/units/{id}/directives/new", assign, pathUnit, "Form to register a directive", s.htmlDirectiveForm},
		{"POST", "/units/{id}/directives", assign, pathUnit, "Register a directive", s.htmlDirectiveCreate},
		{"GET", "/units/{id}/directives/{did}", read, pathUnit, "A directive's roll-up over the unit's subtree, late units, history", s.htmlDirective},
		{"GET", "/units/{id}/directives/{did}/export", read, pathUnit, "Export the roll-up to XLSX", s.htmlRollupExport},
		{"POST", "/units/{id}/directives/{did}/campaigns", assign, pathUnit, "Start a study campaign", s.htmlCampaignCreate},
		{"POST", "/units/{id}/directives/{did}/files", assign, pathUnit, "Attach files to a directive (its registering unit)", s.htmlDirectiveAttach},
		{"GET", "/units/{id}/directives/{did}/files/{dfid}", read, pathUnit, "Download a directive's file (as an attachment)", s.directiveFile},
		{"GET", "/units/{id}/campaigns/{cid}", read, pathUnit, "A study campaign's coverage over the subtree", s.htmlCampaign},
		{"POST", "/units/{id}/campaigns/{cid}/sessions", write, pathUnit, "Record the unit's study session", s.htmlSessionCreate},
		{"GET", "/units/{id}/tasks/import", write, pathUnit, "Form to import task progress", s.htmlTaskImportForm},
		{"POST", "/units/{id}/tasks/import", write, pathUnit, "Import task progress (CSV or XLSX)", s.htmlTaskImport},
		{"POST", "/directives/{did}/tasks", assign, directiveOwner, "Give tasks: to units named or cascaded by kind", s.htmlAssign},
		{"GET", "/tasks/{tid}", read, taskScope, "A task, its reports and sub-tasks", s.htmlTask},
		{"POST", "/tasks/{tid}/progress", write, taskUnit, "Report progress (with evidence files)", s.htmlProgress},
		{"POST", "/tasks/{tid}/review", assign, taskAssigner, "Accept or return a completion", s.htmlReview},
		{"POST", "/tasks/{tid}/subtasks", assign, taskUnit, "Give sub-tasks to units below", s.htmlSubtasks},
		{"GET", "/tasks/{tid}/files/{fid}", read, taskScope, "Download an evidence file", s.htmlEvidence},

		{"GET", "/api/v1/units/{id}/tasks", read, pathUnit, "A unit's tasks (?given=true: those it gave)", s.apiTasks},
		{"GET", "/api/v1/units/{id}/directives", read, pathUnit, "The directives on a unit's branch", s.apiDirectives},
		{"POST", "/api/v1/units/{id}/directives", assign, pathUnit, "Register a directive", s.apiDirectiveCreate},
		{"GET", "/api/v1/units/{id}/directives/{did}/rollup", read, pathUnit, "A directive's roll-up over the subtree, with how it was computed", s.apiRollupGet},
		{"POST", "/api/v1/units/{id}/directives/{did}/campaigns", assign, pathUnit, "Start a study campaign", s.apiCampaignCreate},
		{"POST", "/api/v1/units/{id}/directives/{did}/files", assign, pathUnit, "Attach files to a directive (multipart, field files)", s.apiDirectiveAttach},
		{"GET", "/api/v1/units/{id}/directives/{did}/files/{dfid}", read, pathUnit, "Download a directive's file", s.directiveFile},
		{"GET", "/api/v1/units/{id}/campaigns/{cid}", read, pathUnit, "A study campaign's coverage over the subtree", s.apiCampaign},
		{"POST", "/api/v1/units/{id}/campaigns/{cid}/sessions", write, pathUnit, "Record the unit's study session", s.apiSessionCreate},
		{"POST", "/api/v1/units/{id}/tasks/import", write, pathUnit, "Import task progress (CSV or XLSX body)", s.apiTaskImport},
		{"POST", "/api/v1/directives/{did}/tasks", assign, directiveOwner, "Give tasks: to units named or cascaded by kind", s.apiAssign},
		{"GET", "/api/v1/tasks/{tid}", read, taskScope, "A task and its reports", s.apiTask},
		{"POST", "/api/v1/tasks/{tid}/progress", write, taskUnit, "Report progress (JSON, or multipart with files)", s.apiProgress},
		{"POST", "/api/v1/tasks/{tid}/review", assign, taskAssigner, "Accept or return a completion", s.apiReview},
		{"POST", "/api/v1/tasks/{tid}/subtasks", assign, taskUnit, "Give sub-tasks to units below", s.apiSubtasks},
	}
}

// documentRoutes: official documents (the documents issue).
func (s *Server) documentRoutes() []*Route {
	read, write, archive := partyworks.ActDocRead, partyworks.ActDocWrite, partyworks.ActDocArchive
	users, admin := partyworks.ActUserManage, partyworks.ActDocAdmin
	d := s.needDocs
	return []*Route{
		{"GET", "/units/{id}/documents", read, pathUnit, "A unit's outgoing or incoming register, searchable", d(s.htmlDocuments)},
		{"GET", "/units/{id}/documents/new", write, pathUnit, "Form to register a document", d(s.htmlDocumentForm)},
		{"GET", "/units/{id}/documents/export", read, pathUnit, "Export a register as CSV or XLSX (?dir=, ?q=, ?year=, ?format=xlsx): only the lines the user may see", d(s.htmlDocumentsExport)},
		{"POST", "/units/{id}/documents", write, pathUnit, "Register a document (an outgoing one takes its number)", d(s.htmlDocumentCreate)},
		{"GET", "/units/{id}/retention", archive, pathUnit, "Documents due for archiving or disposal", d(s.htmlRetention)},
		{"POST", "/units/{id}/retention", archive, pathUnit, "Archive or dispose of documents by a decision", d(s.htmlDispose)},
		{"GET", "/documents/search", read, nil, "Full-text search over the documents the user may see", d(s.htmlSearch)},
		{"GET", "/documents/{doc}", read, pathDocument, "A document, its files and routings", d(s.htmlDocument)},
		{"POST", "/documents/{doc}/files", write, pathDocument, "Attach a file to a document", d(s.htmlAttach)},
		{"GET", "/documents/{doc}/files/{fid}", read, pathDocument, "Download a document's file (as an attachment)", d(s.htmlDocumentFile)},
		{"POST", "/documents/{doc}/routes", write, pathDocument, "Route a document to a department or person with a deadline", d(s.htmlRoute)},
		{"POST", "/documents/{doc}/routes/{rid}/done", write, pathDocument, "Mark a routing handled", d(s.htmlRouteDone)},
		{"GET", "/units/{id}/documents/settings", admin, pathUnit, "A unit's issuer abbreviation and congresses (the terms of its numbering)", d(s.htmlDocSettings)},
		{"POST", "/units/{id}/documents/issuer", admin, pathUnit, "Set the abbreviation a unit signs its symbols with", d(s.htmlDocIssuerSet)},
		{"POST", "/units/{id}/documents/congresses", admin, pathUnit, "Add a congress of a unit (a new term of its numbering)", d(s.htmlDocCongressAdd)},
		{"GET", "/documents/retention-periods", admin, wholeTree, "The retention periods by document type", d(s.htmlPeriods)},
		{"POST", "/documents/retention-periods", admin, wholeTree, "Add or change the retention period of a type", d(s.htmlPeriodSet)},
		{"GET", "/users/{uid}/clearance", users, userScope, "A user's clearance for classified documents", d(s.htmlClearance)},
		{"POST", "/users/{uid}/clearance", users, userScope, "Set a user's clearance", d(s.htmlClearanceSet)},

		{"GET", "/api/v1/units/{id}/documents", read, pathUnit, "A unit's register (?dir=out|in, ?q=, keyset pages)", d(s.apiDocuments)},
		{"POST", "/api/v1/units/{id}/documents", write, pathUnit, "Register a document", d(s.apiDocumentCreate)},
		{"GET", "/api/v1/documents/search", read, nil, "Full-text search, highlighted, over the documents the caller may see", d(s.apiSearch)},
		{"GET", "/api/v1/documents/{doc}", read, pathDocument, "A document with its files and routings", d(s.apiDocument)},
		{"POST", "/api/v1/documents/{doc}/files", write, pathDocument, "Attach a file (the body; ?name= gives its name)", d(s.apiAttach)},
		{"GET", "/api/v1/documents/{doc}/files/{fid}", read, pathDocument, "Download a document's file", d(s.htmlDocumentFile)},
		{"POST", "/api/v1/documents/{doc}/routes", write, pathDocument, "Route a document for handling", d(s.apiRoute)},
		{"POST", "/api/v1/users/{uid}/clearance", users, userScope, "Set a user's clearance", d(s.apiClearance)},
		{"GET", "/api/v1/units/{id}/documents/settings", admin, pathUnit, "A unit's issuer abbreviation and congresses", d(s.apiDocSettings)},
		{"POST", "/api/v1/units/{id}/documents/issuer", admin, pathUnit, "Set a unit's issuer abbreviation", d(s.apiDocIssuerSet)},
		{"POST", "/api/v1/units/{id}/documents/congresses", admin, pathUnit, "Add a congress of a unit", d(s.apiDocCongressAdd)},
		{"GET", "/api/v1/documents/retention-periods", admin, wholeTree, "The retention periods by document type", d(s.apiPeriods)},
		{"POST", "/api/v1/documents/retention-periods", admin, wholeTree, "Add or change the retention period of a type", d(s.apiPeriodSet)},
	}
}
