package web

import (
	"net/http"

	"partyworks"
)

// replicaReads lets the handler of an authenticated GET read from a read
// replica, when the storage has one (sqldb/replica.go decides, once per
// request, whether the replica already holds the caller's own writes).
// It is applied after guard has authenticated the caller and checked the
// route's rights on the primary: a logout, a disabled account or a removed
// grant counts at once. Other methods read the primary throughout: what a
// form or an API call decides on is never a moment old.
func replicaReads(r *http.Request) *http.Request {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return r
	}
	return r.WithContext(partyworks.WithReplicaReads(r.Context()))
}
