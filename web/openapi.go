package web

import (
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`)

// openAPI builds the OpenAPI 3.1 document from the route table, so that
// every API route is described and none is described that does not exist.
func (s *Server) openAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.routes {
		if !rt.API() {
			continue
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "").Replace(rt.Pattern),
			"x-action":    string(rt.Action),
			"responses": map[string]any{
				"200":     map[string]any{"description": "OK", "content": map[string]any{"application/json": map[string]any{}}},
				"default": map[string]any{"description": "An error", "content": map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}},
			},
		}
		if rt.Action == "public" {
			op["security"] = []any{}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "integer"}})
		}
		if rt.Method == "GET" && (strings.Contains(rt.Pattern, "/units") || strings.HasSuffix(rt.Pattern, "/members/stats")) {
			params = append(params, map[string]any{"name": "at", "in": "query", "description": "the day (yyyy-mm-dd or dd/mm/yyyy); today by default", "schema": map[string]any{"type": "string"}})
		}
		if rt.Pattern == "/api/v1/units" || strings.HasSuffix(rt.Pattern, "/children") {
			for _, q := range []string{"code", "parent", "under", "q", "kind", "after", "limit"} {
				params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
			}
		}
		if rt.Pattern == "/api/v1/units/{id}/members" {
			for _, q := range []string{"q", "status", "sex", "ethnicity", "religion", "education", "professional", "theory", "birth_from", "birth_to", "admitted_from", "admitted_to", "after", "limit"} {
				params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
			}
			params = append(params, map[string]any{"name": "full", "in": "query", "schema": map[string]any{"type": "boolean"},
				"description": "true: each member's whole record; by default a list gives each member's summary (names, sex, birth, ethnicity, card number, unit, status and its days, photo, version)"})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Method == "POST" && (strings.Contains(rt.Pattern, "import") || strings.Contains(rt.Pattern, "restructure")) {
			op["requestBody"] = map[string]any{"description": "the spreadsheet (CSV or XLSX); effective and decision as query parameters", "content": map[string]any{
				"text/csv": map[string]any{}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": map[string]any{}}}
		} else if rt.Method == "POST" {
			op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{}}}
		}
		p := pathParam.ReplaceAllString(rt.Pattern, "{$1}")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi":  "3.1.0",
		"info":     map[string]any{"title": "partyworks API", "version": s.cfg.Version, "description": "The work platform of the party-building sector. Authenticate with Authorization: Bearer <token> (partyworks token create)."},
		"servers":  []any{map[string]any{"url": "/"}},
		"paths":    paths,
		"security": []any{map[string]any{"bearer": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Problem": map[string]any{"type": "object", "properties": map[string]any{
				"type": map[string]any{"type": "string"}, "title": map[string]any{"type": "string"}, "status": map[string]any{"type": "integer"},
				"detail": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"}, "field": map[string]any{"type": "string"},
				"rows": map[string]any{"type": "array", "items": map[string]any{"type": "object"}}}}},
		},
	}
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.openAPI())
}
