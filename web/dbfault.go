package web

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"partyworks"
)

// eUnavailable is the code of a request that failed because the database
// could not be reached (restarting, failing over, out of connections):
// 503 with Retry-After, so that clients and load balancers retry instead
// of reporting a bug. The pool reconnects by itself once the server is back.
const eUnavailable = "unavailable"

// unavailable turns a database connection failure into an eUnavailable
// error and leaves every other error as it is. It looks only at standard
// interfaces, so that web needs no driver: a SQLSTATE of class 08
// (connection exception), 57P01–57P03 (shutting down, crashed, starting up)
// or 53300 (too many connections); pgconn's network-level errors, which
// report SafeToRetry; a failed dial; a connection the pool found broken.
func unavailable(err error) error {
	if err == nil || partyworks.ErrorCode(err) != partyworks.EINTERNAL {
		return err
	}
	if !connectionFailure(err) {
		return err
	}
	return &dbUnavailable{err}
}

func connectionFailure(err error) bool {
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		c := state.SQLState()
		return strings.HasPrefix(c, "08") || c == "57P01" || c == "57P02" || c == "57P03" || c == "53300"
	}
	var retry interface{ SafeToRetry() bool }
	var op *net.OpError
	return errors.As(err, &retry) || errors.As(err, &op) || errors.Is(err, driver.ErrBadConn)
}

// dbUnavailable is a connection failure: its code is eUnavailable, its
// message safe to show, and the driver's error stays in the chain for the log.
type dbUnavailable struct{ err error }

func (e *dbUnavailable) Error() string { return "database unavailable: " + e.err.Error() }
func (e *dbUnavailable) Unwrap() []error {
	return []error{partyworks.Errorf(eUnavailable, "the database is unavailable for a moment; please try again shortly"), e.err}
}
