// Package demo builds the demo scenario, the first story a new user sees:
// the real national tree of March 2025, the Quảng Ninh Provincial Party
// Committee with its advisory bodies and some fictional grassroots
// organizations, the real July 2025 reorganization, and one account per
// role. Everything goes through the public services, so the audit trail
// records the scenario as the work of the actor "demo".
package demo

import (
	"context"
	"embed"
	"fmt"
	"io"
	"time"

	"partyworks"
	"partyworks/sqldb"
)

//go:embed data/*.csv
var data embed.FS

// The files under data/ (see /work/shared/data/admin-units/README.md).
const (
	unitsFile = "data/units-2025-03.csv"
	planFile  = "data/reorg-2025-07.csv"
)

// ErrNotEmpty is returned by Seed when the database already holds units or
// the demo's accounts: the demo is only ever built into an empty database.
var ErrNotEmpty = &partyworks.Error{Code: partyworks.ECONFLICT,
	Message: "the database already has data: the demo is only seeded into an empty database"}

// Login is a demo account and the password generated for it.
type Login struct {
	Username string
	Password string
	Role     string
	Scope    string // the unit the role is granted over, "" for the whole tree
}

// Logins are the demo accounts created by Seed. The passwords exist only
// here: the database keeps their argon2id hashes.
type Logins struct {
	Accounts []Login
}

// Fprint writes the logins as an aligned table.
func (l *Logins) Fprint(w io.Writer) {
	for _, a := range l.Accounts {
		scope := a.Scope
		if scope == "" {
			scope = "toàn hệ thống (the whole tree)"
		}
		fmt.Fprintf(w, "  %-13s %-21s %-7s %s\n", a.Username, a.Password, a.Role, scope)
	}
}

// seeder carries the scenario's services and where it reports.
type seeder struct {
	units partyworks.UnitService
	users partyworks.UserService
	out   io.Writer
	story *memberStory // the members' stories, recorded in two halves (members.go)
}

// Seed builds the demo scenario into an empty database and returns the
// accounts it created with their passwords. It refuses (ErrNotEmpty) a
// database that already has units or users of its own.
func Seed(ctx context.Context, db *sqldb.DB, out io.Writer) (*Logins, error) {
	return SeedWith(ctx, db, out, Options{Scale: ScaleStory})
}

// SeedWith is Seed at a scale: the story, then the scale's bulk members
// (bulk.go).
func SeedWith(ctx context.Context, db *sqldb.DB, out io.Writer, o Options) (*Logins, error) {
	ctx = partyworks.WithActor(ctx, partyworks.Actor{Username: "demo", Addr: "demo"})
	s := &seeder{units: sqldb.NewUnitService(db), users: sqldb.NewUserService(db), out: out}
	if err := s.checkEmpty(ctx); err != nil {
		return nil, err
	}
	start := time.Now()
	steps := []struct {
		what string
		run  func(context.Context) (string, error)
	}{
		{"national tree of 1 March 2025", s.importTree},
		{"advisory bodies of Tỉnh ủy Quảng Ninh", s.departments},
		{"grassroots organizations and cells in Hạ Long", s.grassroots},
		{"members of the cells, their lifecycle to 30/06/2025", func(ctx context.Context) (string, error) { return s.members(ctx, db) }},
		{"directives and the 2025 tasks, to 30/06/2025", func(ctx context.Context) (string, error) { return s.tasksBefore(ctx, db) }},
		{"reorganization of 1 July 2025 (60-NQ/TW)", s.reorganize},
	}
	for _, st := range steps {
		if err := s.step(ctx, st.what, st.run); err != nil {
			return nil, err
		}
	}
	var logins *Logins
	err := s.step(ctx, "demo accounts", func(ctx context.Context) (string, error) {
		var err error
		logins, err = s.accounts(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d accounts", len(logins.Accounts)), nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.step(ctx, "members' lifecycle since the reorganization", s.membersSince); err != nil {
		return nil, err
	}
	if err := s.step(ctx, "official documents of the story", func(ctx context.Context) (string, error) { return s.documents(ctx, db) }); err != nil {
		return nil, err
	}
	if err := s.step(ctx, "tasks through 2025 and 2026", func(ctx context.Context) (string, error) { return s.tasksAfter(ctx, db) }); err != nil {
		return nil, err
	}
	if o.bulkMembers() > 0 {
		if err := s.step(ctx, fmt.Sprintf("%s scale: organizations and members since 01/07/2025", o.Scale), func(ctx context.Context) (string, error) { return s.bulk(ctx, db, o) }); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(out, "demo: ready in %v\n", time.Since(start).Round(time.Millisecond))
	return logins, nil
}

// step runs one part of the scenario and reports what it did and how long
// it took.
func (s *seeder) step(ctx context.Context, what string, run func(context.Context) (string, error)) error {
	fmt.Fprintf(s.out, "demo: %s…\n", what)
	start := time.Now()
	done, err := run(ctx)
	if err != nil {
		return fmt.Errorf("demo: %s: %w", what, err)
	}
	fmt.Fprintf(s.out, "demo:   %s (%v)\n", done, time.Since(start).Round(time.Millisecond))
	return nil
}

// checkEmpty refuses a database that already has a tree (on the day the
// demo starts or today) or an account the demo would create.
func (s *seeder) checkEmpty(ctx context.Context) error {
	for _, at := range []partyworks.Date{termStart, partyworks.Today(time.Now())} {
		_, n, err := s.units.FindUnits(ctx, partyworks.UnitFilter{At: at, Limit: 1})
		if err != nil {
			return fmt.Errorf("demo: check the database: %w", err)
		}
		if n > 0 {
			return ErrNotEmpty
		}
	}
	_, err := s.users.FindUserByUsername(ctx, "admin")
	switch partyworks.ErrorCode(err) {
	case "":
		return ErrNotEmpty
	case partyworks.ENOTFOUND:
		return nil
	}
	return fmt.Errorf("demo: check the database: %w", err)
}

// date parses a literal date of the scenario.
func date(s string) partyworks.Date {
	d, err := time.Parse(partyworks.DateLayout, s)
	if err != nil {
		panic(err) // a typo in the scenario, caught by its tests
	}
	return d
}
