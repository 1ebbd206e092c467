package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"partyworks"
	"partyworks/demo"
	"partyworks/sqldb"
)

// user dispatches "user add|disable".
func (c *cli) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, usageUser)
		return fmt.Errorf("user: give a subcommand: add or disable")
	}
	switch args[0] {
	case "add":
		return c.userAdd(ctx, args[1:])
	case "disable":
		return c.userDisable(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, usageUser)
		return nil
	}
	fmt.Fprint(c.stderr, usageUser)
	return fmt.Errorf("user: unknown subcommand %q", args[0])
}

func (c *cli) userAdd(ctx context.Context, args []string) error {
	fs := c.flags("user add", usageUser)
	dsn := c.dbFlag(fs)
	display := fs.String("display", "", "the full name shown in the interface")
	role := fs.String("role", "", "grant this role: admin, staff, leader or member")
	unit := fs.String("unit", "", "the code of the unit the role is granted over (default: the whole tree)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return fmt.Errorf("user add: give one username")
	case *unit != "" && *role == "":
		return fmt.Errorf("user add: --unit needs --role")
	case *role != "" && !partyworks.Role(*role).Valid():
		return fmt.Errorf("user add: unknown role %q: use admin, staff, leader or member", *role)
	}
	password, generated := demo.NewPassword(), true
	if *fromStdin {
		if password, err = c.readPassword(); err != nil {
			return err
		}
		generated = false
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = c.actor(ctx)
	u := &partyworks.User{Username: pos[0], DisplayName: *display}
	if err := sqldb.NewUserService(db).CreateUser(ctx, u, password); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(c.stdout, "user %s created (id %d)\n", u.Username, u.ID)
	if generated {
		fmt.Fprintf(c.stdout, "password: %s\n(shown only now: hand it over and let the user change it)\n", password)
	}
	if *role == "" {
		return nil
	}
	return c.addGrant(ctx, db, u, partyworks.Role(*role), *unit)
}

// readPassword reads the first line of stdin.
func (c *cli) readPassword() (string, error) {
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("user add: --password-stdin: no password on stdin (%v)", err)
	}
	return line, nil
}

// addGrant gives u the role over the unit with the code as it stands
// today ("" for the whole tree) and says so.
func (c *cli) addGrant(ctx context.Context, db *sqldb.DB, u *partyworks.User, role partyworks.Role, code string) error {
	g := &partyworks.Grant{UserID: u.ID, Role: role}
	scope := "the whole tree"
	if code != "" {
		unit, err := sqldb.NewUnitService(db).FindUnitByCode(ctx, code, partyworks.Today(db.Now()))
		if err != nil {
			return fmt.Errorf("--unit: %w", err)
		}
		g.UnitID, scope = unit.ID, unit.Code+" "+unit.Name
	}
	if err := sqldb.NewUserService(db).AddGrant(ctx, g); err != nil {
		return fmt.Errorf("grant: %w", err)
	}
	fmt.Fprintf(c.stdout, "%s is %s over %s\n", u.Username, role, scope)
	return nil
}

func (c *cli) userDisable(ctx context.Context, args []string) error {
	fs := c.flags("user disable", usageUser)
	dsn := c.dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	} else if len(pos) != 1 {
		return fmt.Errorf("user disable: give one username")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users := sqldb.NewUserService(db)
	u, err := users.FindUserByUsername(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("user disable %s: %w", pos[0], err)
	}
	if err := users.SetDisabled(c.actor(ctx), u.ID, true, 0); err != nil {
		return fmt.Errorf("user disable %s: %w", pos[0], err)
	}
	fmt.Fprintf(c.stdout, "user %s disabled; their sessions and API tokens are ended\n", u.Username)
	return nil
}

func (c *cli) grant(ctx context.Context, args []string) error {
	fs := c.flags("grant", usageGrant)
	dsn := c.dbFlag(fs)
	role := fs.String("role", "", "admin, staff, leader or member")
	unit := fs.String("unit", "", "the code of the unit (default: the whole tree)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return fmt.Errorf("grant: give one username")
	case !partyworks.Role(*role).Valid():
		return fmt.Errorf("grant: --role must be admin, staff, leader or member")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := sqldb.NewUserService(db).FindUserByUsername(ctx, pos[0])
	if err != nil {
		return fmt.Errorf("grant %s: %w", pos[0], err)
	}
	return c.addGrant(c.actor(ctx), db, u, partyworks.Role(*role), *unit)
}

// token dispatches "token create".
func (c *cli) token(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(c.stdout, usageToken)
		return nil
	} else if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(c.stderr, usageToken)
		return fmt.Errorf("token: the subcommand is create")
	}
	fs := c.flags("token create", usageToken)
	dsn := c.dbFlag(fs)
	name := fs.String("user", "", "the account the token acts as")
	label := fs.String("name", "cli", "a label to recognize the token by")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	} else if *name == "" {
		return fmt.Errorf("token create: --user NAME is required")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users := sqldb.NewUserService(db)
	u, err := users.FindUserByUsername(ctx, *name)
	if err != nil {
		return fmt.Errorf("token create: %s: %w", *name, err)
	}
	tok, err := users.CreateToken(c.actor(ctx), u.ID, *label)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintf(c.stderr, "API token %q for %s (shown only now; send it as \"Authorization: Bearer TOKEN\"):\n", *label, u.Username)
	fmt.Fprintln(c.stdout, tok)
	return nil
}
