package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"partyworks"
	"partyworks/sqldb"
	"partyworks/vault"
)

// documentStore opens the file vault and the document service: files in
// PARTYWORKS_FILES (default: "partyworks-files" beside a SQLite database,
// or in the working folder), keys in PARTYWORKS_KEY_FILE (optional: without
// it, classified files are refused).
func (c *cli) documentStore(db *sqldb.DB) (*sqldb.DocumentService, error) {
	dir := c.getenv("PARTYWORKS_FILES")
	if dir == "" {
		dir = "partyworks-files"
		if !db.Postgres() {
			dir = filepath.Join(filepath.Dir(db.DSN), "partyworks-files")
		}
	}
	var keys *vault.KeyRing
	if path := c.getenv("PARTYWORKS_KEY_FILE"); path != "" {
		var err error
		if keys, err = vault.OpenKeyRing(path); err != nil {
			return nil, err
		}
	}
	v, err := vault.New(dir, keys)
	if err != nil {
		return nil, err
	}
	return sqldb.NewDocumentService(db, v), nil
}

const usageDocuments = `Usage: partyworks documents COMMAND [--db DSN] ARGS

Commands:
  issuer UNIT_CODE ABBR            set the abbreviation a unit signs its symbols
                                   with (e.g. TU, BTCTU)
  congress UNIT_CODE LABEL OPENS CLOSES
                                   record a congress: it starts a new term of the
                                   unit's numbering; during it one counter serves
                                   all its documents
  clearance USERNAME LEVEL         give a user a clearance for classified
                                   documents: 0 none, 1 Mật, 2 Tối mật, 3 Tuyệt mật
  retention                        print the retention periods
  retention CLASS ARCHIVE_AFTER KEEP
                                   set a class's periods in years (KEEP 0: for ever)
  list UNIT_CODE [out|in]          print a unit's register, newest first

Files are kept in PARTYWORKS_FILES; PARTYWORKS_KEY_FILE names the key file
that encrypts the files of classified documents.
`

const usageKeys = `Usage: partyworks keys COMMAND [--db DSN]

Commands:
  init      create the key file named by PARTYWORKS_KEY_FILE (mode 0600)
  rotate    add a new key to the key file, re-wrap every file's data key with
            it (the service may keep running: it re-reads the key file when it
            meets a new key), then drop the keys no longer used
  status    print the keys in the file and those in use
`

func (c *cli) documents(ctx context.Context, args []string) error {
	fs := c.flags("documents", usageDocuments)
	dsn := c.dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fmt.Fprint(c.stderr, usageDocuments)
		return errors.New("documents: give a command")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	docs, err := c.documentStore(db)
	if err != nil {
		return err
	}
	units := sqldb.NewUnitService(db)
	ctx = c.actor(ctx)
	today := partyworks.Today(db.Now())
	unit := func(code string) (*partyworks.Unit, error) { return units.FindUnitByCode(ctx, code, today) }
	switch cmd, rest := pos[0], pos[1:]; {
	case cmd == "issuer" && len(rest) == 2:
		u, err := unit(rest[0])
		if err != nil {
			return err
		}
		return docs.SetIssuer(ctx, u.ID, rest[1])
	case cmd == "congress" && len(rest) == 4:
		u, err := unit(rest[0])
		if err != nil {
			return err
		}
		opens, err := partyworks.ParseDate(rest[2])
		if err != nil {
			return err
		}
		closes, err := partyworks.ParseDate(rest[3])
		if err != nil {
			return err
		}
		return docs.AddCongress(ctx, partyworks.Congress{UnitID: u.ID, Label: rest[1], Opens: opens, Closes: closes})
	case cmd == "clearance" && len(rest) == 2:
		usr, err := sqldb.NewUserService(db).FindUserByUsername(ctx, rest[0])
		if err != nil {
			return err
		}
		level, err := strconv.Atoi(rest[1])
		if err != nil {
			return fmt.Errorf("clearance: %q is not a level (0 to 3)", rest[1])
		}
		return docs.SetClearance(ctx, usr.ID, partyworks.Secrecy(level))
	case cmd == "retention" && len(rest) == 0:
		ps, err := docs.RetentionPeriods(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			keep := strconv.Itoa(p.Keep)
			if p.Keep == 0 {
				keep = "permanent"
			}
			fmt.Fprintf(c.stdout, "%-4s %-16s archive after %d, keep %s\n", p.Class, p.Name, p.ArchiveAfter, keep)
		}
		return nil
	case cmd == "retention" && len(rest) == 3:
		a, err1 := strconv.Atoi(rest[1])
		k, err2 := strconv.Atoi(rest[2])
		if err1 != nil || err2 != nil {
			return errors.New("retention: the periods are whole years")
		}
		return docs.SetRetentionPeriod(ctx, partyworks.RetentionPeriod{Class: rest[0], ArchiveAfter: a, Keep: k})
	case cmd == "list" && (len(rest) == 1 || len(rest) == 2):
		u, err := unit(rest[0])
		if err != nil {
			return err
		}
		f := partyworks.DocumentFilter{UnitID: u.ID, Direction: partyworks.Outgoing, Limit: 200}
		if len(rest) == 2 {
			f.Direction = partyworks.Direction(rest[1])
		}
		list, total, err := docs.FindDocuments(ctx, partyworks.Viewer{System: true}, f)
		if err != nil {
			return err
		}
		for _, d := range list {
			mark := d.Secrecy.String()
			fmt.Fprintf(c.stdout, "%5d  %-18s %s  %-9s %s\n", d.RegNo, d.Symbol, partyworks.FormatDateVN(d.Issued), mark, d.Summary)
		}
		fmt.Fprintf(c.stdout, "%d documents\n", total)
		return nil
	}
	fmt.Fprint(c.stderr, usageDocuments)
	return fmt.Errorf("documents: unknown command or wrong arguments: %s", strings.Join(pos, " "))
}

func (c *cli) keys(ctx context.Context, args []string) error {
	fs := c.flags("keys", usageKeys)
	dsn := c.dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	path := c.getenv("PARTYWORKS_KEY_FILE")
	if len(pos) != 1 {
		fmt.Fprint(c.stderr, usageKeys)
		return errors.New("keys: give one command")
	}
	if path == "" {
		return errors.New("keys: set PARTYWORKS_KEY_FILE to the key file's path (outside the database and the web root)")
	}
	if pos[0] == "init" {
		k, err := vault.CreateKeyFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "keys: created %s with key %s\n", path, k.Current())
		return nil
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	docs, err := c.documentStore(db)
	if err != nil {
		return err
	}
	ctx = c.actor(ctx)
	keys, err := vault.OpenKeyRing(path)
	if err != nil {
		return err
	}
	switch pos[0] {
	case "status":
		inUse, err := docs.KeysInUse(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "current key: %s\nkeys in the file: %s\nkeys in use: %s\n", keys.Current(), strings.Join(keys.IDs(), " "), strings.Join(inUse, " "))
		return nil
	case "rotate":
		return c.rotate(ctx, docs, keys)
	}
	fmt.Fprint(c.stderr, usageKeys)
	return fmt.Errorf("keys: unknown command %q", pos[0])
}

// rotate adds a key, re-wraps every data key with it, and drops the old
// keys once nothing uses them. A rotation that stops half-way leaves both
// keys in the file: running it again finishes the job.
func (c *cli) rotate(ctx context.Context, docs *sqldb.DocumentService, keys *vault.KeyRing) error {
	id, err := keys.AddKey()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "keys: new key %s\n", id)
	if err := docs.ReloadKeys(); err != nil {
		return err
	}
	n, err := docs.RotateKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: re-wrapped %d data keys, then: %w (run keys rotate again)", n, err)
	}
	inUse, err := docs.KeysInUse(ctx)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, k := range inUse {
		used[k] = true
	}
	var drop []string
	for _, k := range keys.IDs() {
		if k != id && !used[k] {
			drop = append(drop, k)
		}
	}
	if err := keys.RemoveKeys(drop...); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "keys: re-wrapped %d data keys; removed %d old keys\n", n, len(drop))
	return nil
}

// dueSources lists the capabilities that feed "what needs doing".
func dueSources(ds ...partyworks.DueSource) []partyworks.DueSource { return ds }
