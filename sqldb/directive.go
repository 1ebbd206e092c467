package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partyworks"
)

const directiveColumns = `d.id, d.owner_id, d.symbol, d.kind, d.issuer, d.issued, d.title, d.summary, d.rule, d.created_at, d.version,
	(SELECT COUNT(*) FROM tasks t WHERE t.directive_id = d.id AND t.parent_id IS NULL)`

func scanDirective(s scanner) (*partyworks.Directive, error) {
	var d partyworks.Directive
	var kind, issued, rule, created string
	if err := s.Scan(&d.ID, &d.OwnerID, &d.Symbol, &kind, &d.Issuer, &issued, &d.Title, &d.Summary, &rule, &created, &d.Version, &d.Tasks); err != nil {
		return nil, err
	}
	d.Kind, d.Issued, d.Rule, d.CreatedAt = partyworks.DirectiveKind(kind), parseDate(issued), partyworks.RollupRule(rule), parseTime(created)
	return &d, nil
}

// CreateDirective registers a source of work for its owner unit.
func (s *TaskService) CreateDirective(ctx context.Context, d *partyworks.Directive) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.versionAt(d.OwnerID, fmtDate(partyworks.Today(tx.now))); err != nil {
			return err
		}
		if d.Symbol != "" {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM directives WHERE owner_id = ? AND symbol = ? AND issued = ?`, d.OwnerID, d.Symbol, fmtDate(d.Issued)).Scan(&n); err != nil {
				return err
			} else if n > 0 {
				return &partyworks.Error{Code: partyworks.ECONFLICT, Field: "symbol", Message: fmt.Sprintf("%s of %s is already registered here", d.Symbol, partyworks.FormatDateVN(d.Issued))}
			}
		}
		id, err := tx.InsertID(`INSERT INTO directives (owner_id, symbol, kind, issuer, issued, title, summary, rule, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.OwnerID, d.Symbol, string(d.Kind), d.Issuer, fmtDate(d.Issued), d.Title, d.Summary, string(d.Rule), fmtTime(tx.now))
		if err != nil {
			return fmt.Errorf("create directive: %w", err)
		}
		d.ID, d.CreatedAt, d.Version = id, tx.now, 1
		return tx.audit("directive.create", fmt.Sprintf("directive:%d", id), nil, d)
	})
}

// FindDirectiveByID returns a directive with its owner's name and path
// today, and the number of its top-level tasks.
func (s *TaskService) FindDirectiveByID(ctx context.Context, id int64) (*partyworks.Directive, error) {
	return s.findDirective(ctx, id, directiveColumns)
}

// directiveHead is directiveColumns without the count of tasks, for the
// roll-up, which counts them itself.
const directiveHead = `d.id, d.owner_id, d.symbol, d.kind, d.issuer, d.issued, d.title, d.summary, d.rule, d.created_at, d.version, 0`

func (s *TaskService) findDirective(ctx context.Context, id int64, columns string) (*partyworks.Directive, error) {
	d, err := scanDirective(s.db.queryRow(ctx, `SELECT `+columns+` FROM directives d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, partyworks.Errorf(partyworks.ENOTFOUND, "directive %d does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("directive %d: %w", id, err)
	}
	owner, err := s.units.FindUnitByID(ctx, d.OwnerID, partyworks.Date{})
	if err != nil {
		return nil, err
	}
	d.OwnerName, d.OwnerPath = owner.Name, owner.Path
	if columns == directiveColumns {
		if d.Files, err = s.directiveFiles(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// FindDirectives lists the directives whose tasks may reach a unit: those
// registered by the unit, by a unit above it or by a unit inside its
// subtree, newest first.
func (s *TaskService) FindDirectives(ctx context.Context, unitID int64) ([]*partyworks.Directive, error) {
	u, err := s.units.FindUnitByID(ctx, unitID, partyworks.Date{})
	if err != nil {
		return nil, err
	}
	today := fmtDate(partyworks.Today(s.db.Now()))
	ids := pathIDs(u.Path)
	ph := marks(len(ids))
	args := make([]any, 0, len(ids)+4)
	for _, id := range ids {
		args = append(args, id)
	}
	lo, hi := subtreeRange(u.Path)
	args = append(args, today, today, lo, hi)
	rows, err := s.db.query(ctx, `SELECT `+directiveColumns+` FROM directives d WHERE d.owner_id IN (`+ph+`)
		OR d.owner_id IN (SELECT v.unit_id FROM unit_versions v WHERE v.valid_from <= ? AND v.valid_to > ? AND v.path > ? AND v.path < ?)
		ORDER BY d.issued DESC, d.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("find directives: %w", err)
	}
	defer rows.Close()
	var out []*partyworks.Directive
	for rows.Next() {
		d, err := scanDirective(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.nameOwners(ctx, out)
}

func (s *TaskService) nameOwners(ctx context.Context, ds []*partyworks.Directive) error {
	ids := make([]int64, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.OwnerID)
	}
	names, err := s.unitNames(ctx, ids)
	for _, d := range ds {
		d.OwnerName = names[d.OwnerID].name
		d.OwnerPath = names[d.OwnerID].path
	}
	return err
}

type unitName struct{ name, path string }

// unitNames returns each unit's latest name and path.
func (s *TaskService) unitNames(ctx context.Context, ids []int64) (map[int64]unitName, error) {
	out := map[int64]unitName{}
	seen := map[int64]bool{}
	var args []any
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	err := queryIn(s.db.queryFn(ctx), `SELECT unit_id, name, path FROM unit_versions WHERE unit_id IN ({ids}) ORDER BY unit_id, valid_from`, args, nil,
		func(sc scanner) error {
			var id int64
			var u unitName
			err := sc.Scan(&id, &u.name, &u.path)
			out[id] = u // the latest version comes last
			return err
		})
	if err != nil {
		return out, fmt.Errorf("unit names: %w", err)
	}
	return out, nil
}

// FindDirectivesBySymbol lists the directives registered under a symbol
// (written in any of its accepted forms), oldest registration first: the
// same central directive may be registered by several units.
func (s *TaskService) FindDirectivesBySymbol(ctx context.Context, symbol string) ([]*partyworks.Directive, error) {
	sym, err := partyworks.ParseSymbol(symbol)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id FROM directives WHERE symbol = ? ORDER BY id`, sym.String())
	if err != nil {
		return nil, fmt.Errorf("directives %s: %w", sym, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*partyworks.Directive, 0, len(ids))
	for _, id := range ids {
		d, err := s.findDirective(ctx, id, directiveHead)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
