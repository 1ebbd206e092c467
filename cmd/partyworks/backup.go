package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"partyworks/sqldb"
)

const usageBackup = `Usage: partyworks backup FILE [--db DSN]

Writes a consistent copy of the SQLite database into FILE (which must not
exist) while the service keeps running, and checks it. The copy is written
as FILE.partial and renamed to FILE only once it passes SQLite's integrity
check: a file named FILE is always a good backup. For PostgreSQL use
pg_dump (docs/OPERATIONS.md).
`

const usageRestore = `Usage: partyworks restore FILE [--db PATH] [--force]

Puts the backup FILE in place of the SQLite database PATH. Stop every
partyworks using PATH first. The backup must pass SQLite's integrity check;
a PATH that holds data is refused unless --force is given.
`

func (c *cli) backup(ctx context.Context, args []string) error {
	fs := c.flags("backup", usageBackup)
	dsn := c.dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("backup: name the file to write")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	// Backup checks the copy before giving it its name.
	if err := db.Backup(ctx, pos[0]); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(c.stdout, "backup: %s written and checked in %v\n", pos[0], time.Since(start).Round(time.Millisecond))
	return nil
}

func (c *cli) restore(ctx context.Context, args []string) error {
	fs := c.flags("restore", usageRestore)
	dsn := c.dbFlag(fs)
	force := fs.Bool("force", false, "replace a database that holds data")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("restore: name the backup file")
	}
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		return fmt.Errorf("restore: PostgreSQL is restored with pg_restore (see docs/OPERATIONS.md)")
	}
	if err := sqldb.Restore(ctx, pos[0], *dsn, *force); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := openDB(ctx, *dsn) // applies any migration newer than the backup
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(c.stdout, "restore: %s restored into %s and checked\n", pos[0], *dsn)
	return nil
}
