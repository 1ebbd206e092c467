package main

const usageMain = `partyworks: the work platform of the party-building sector.

Usage:
  partyworks COMMAND [ARGUMENTS] [FLAGS]

Commands:
  serve        serve the web interface and the API (--demo: with the demo data)
  migrate      bring the database schema up to date and exit
  demo         seed the demo scenario into an empty database
  units        import a tree, apply a restructuring plan, show a unit
  user         add or disable an account
  grant        give an account a role over a unit's subtree
  token        create an API token
  audit        verify the audit trail's hash chain
  backup       write a consistent copy of the SQLite database while it serves
  restore      put a backup in place of a SQLite database (service stopped)
  copy         move an installation from SQLite to PostgreSQL, verified table by table
  checksums    every table's rows and checksum; --against compares two databases
  members      import members, print statistics
  tasks        run the task reminders once; print a directive's roll-up
  documents    issuer abbreviations, congresses, retention periods, clearances
  keys         the keys of classified files: init, rotate, status
  loadtest     load a running server (loopback only) and report req/s, latency, errors
  version      print the version
  help         print this help, or a command's: partyworks help units

Environment:
  PARTYWORKS_DB    the database: a SQLite file (default partyworks.db in the
                   working directory) or a postgres:// URL; --db overrides it
  PARTYWORKS_ADDR  where serve listens (default 127.0.0.1:8080); --addr overrides it

Dates are written dd/mm/yyyy or yyyy-mm-dd. Document symbols are written
"60-NQ/TW" (party form) or "1679/NQ-UBTVQH15" (state form). Changes made
from the command line are recorded in the audit trail under the name of the
operating-system user, from the address "cli".

Quick start:
  partyworks serve --demo
`

const usageServe = `Usage: partyworks serve [--addr HOST:PORT] [--db FILE|postgres://…] [--db-replica postgres://…] [--demo [--scale S]] [--insecure-cookies] [--require-totp=false]

Serves the web interface and the JSON API until SIGINT or SIGTERM, then
shuts down gracefully. Logs go to stderr.

  --addr HOST:PORT     where to listen (default $PARTYWORKS_ADDR or 127.0.0.1:8080;
                       port 0 picks a free port, and the URL printed says which)
  --db DSN             the database (default $PARTYWORKS_DB or partyworks.db)
  --db-replica URL     a streaming replica of a PostgreSQL database (default
                       $PARTYWORKS_DB_REPLICA): signed-in users' page and API
                       reads go there once it holds their own writes; the
                       primary when it is down or behind --replica-max-lag
                       (default 30s). Set it on every app node or on none.
  --demo               seed the demo scenario first if the database is empty, and
                       print the demo logins; a database with data is served as it is
  --scale S            the demo's size (see partyworks demo --help): story,
                       province (default) or national
  --insecure-cookies   session cookies without Secure, for a plain-HTTP proxy
                       in front (browsers accept Secure cookies from 127.0.0.1)
  --require-totp       administrators and staff must enrol a second factor (TOTP)
                       before anything else (default true; false with --demo
                       unless given)
`

const usageMigrate = `Usage: partyworks migrate [--db DSN]

Applies the database migrations not yet applied and exits. serve applies
them too, at start.
`

const usageDemo = `Usage: partyworks demo [--scale story|province|national] [--db DSN]

Seeds the demo scenario into an empty database without serving it: the
national tree of March 2025, Tỉnh ủy Quảng Ninh with its advisory bodies
and some grassroots organizations, the July 2025 reorganization, and one
account per role. Prints the accounts and their passwords, once.

  --scale story      the story only: a few hundred members in Hạ Long with
                     their lifecycles (seconds)
  --scale province   and about 104,000 members in new cells of every commune
                     of Quảng Ninh, from 01/07/2025 (the default; seconds more)
  --scale national   and about 5.6 million members over 60,000 new cells and
                     organizations of the whole country (minutes; some GB)
`

const usageUnits = `Usage:
  partyworks units import FILE [--effective DATE] [--decision SYMBOL] [--under CODE] [--db DSN]
  partyworks units restructure FILE --effective DATE --decision SYMBOL [--dry-run]
                               [--assign CHILD_CODE=NEW_PARENT_CODE ...] [--limit N] [--db DSN]
  partyworks units show [CODE] [--at DATE] [--history] [--db DSN]

import       adds the units of a CSV or XLSX file (columns code, name, type,
             parent_code), all or nothing. An administrative type (Tỉnh, Huyện,
             Phường, …) makes the row its party committee ("Tỉnh ủy Quảng Ninh");
             a kind (grassroots, cell, …) keeps the name. Rows already present are
             skipped, so importing a file twice changes nothing.
  --effective DATE    the day the units stand from (default: today)
  --decision SYMBOL   the decision that established them (optional)
  --under CODE        put the file's top rows under this unit

restructure  applies a plan (columns new_level, new_code, new_name,
             new_parent_code, old_code, part and optionally decision) in one
             transaction, and prints what it did: units created, merged, renamed,
             moved, dissolved, split, and the children whose new parent a person
             should confirm (the review list).
  --effective DATE    the day the new tree stands from (required)
  --decision SYMBOL   the decision that ordered it (required)
  --dry-run           only preview: nothing is written
  --assign C=P        send the child unit C of a split or emptied unit to the new
                      parent P instead of the default (repeatable)
  --limit N           entries shown per list (default 20; 0 shows all)

show         prints a unit as it stood on a day and its children (without CODE:
             the units at the top of the tree).
  --at DATE           the day (default: today)
  --history           also list the events that made the unit what it is

Examples:
  partyworks units import units-2025-03.csv --effective 01/10/2020
  partyworks units restructure reorg-2025-07.csv --effective 01/07/2025 --decision 60-NQ/TW --dry-run
  partyworks units show 22 --at 30/06/2025
`

const usageUser = `Usage:
  partyworks user add NAME [--display "FULL NAME"] [--role admin|staff|leader|member]
                           [--unit CODE] [--password-stdin] [--db DSN]
  partyworks user disable NAME [--db DSN]

add       creates an account. Its password is read from the first line of stdin
          with --password-stdin; otherwise one is generated and printed once.
          With --role, grants the role over the subtree of --unit (without
          --unit: the whole tree).
disable   disables an account and ends its sessions and API tokens.
`

const usageGrant = `Usage: partyworks grant NAME --role admin|staff|leader|member [--unit CODE] [--db DSN]

Gives the account NAME the role over the subtree of the unit CODE (as it
stands today); without --unit, over the whole tree.
`

const usageToken = `Usage: partyworks token create --user NAME [--name LABEL] [--db DSN]

Creates an API token for the account and prints it on stdout, once. Send it
as "Authorization: Bearer TOKEN" to /api/v1.
`

const usageAudit = `Usage: partyworks audit verify [--db DSN]

Walks the audit trail's hash chain and prints the number of entries checked
and every problem found (an altered, inserted or deleted entry). Exits with
status 1 if the chain is broken.
`

const usageVersion = `Usage: partyworks version

Prints the version of the program.
`

const usageLoadtest = `Usage: partyworks loadtest [--url http://127.0.0.1:8080 ...] --db DSN | --token TOKEN [--writer-token TOKEN]
                           [--duration 30s] [--conns 50] [--mix reads|lists|writes|mixed]
                           [--skip KIND ...] [--pid PID ...] [--json] [--seed N] [--wrk FILE]
       partyworks loadtest --baseline [--duration 30s] [--conns 50]

Loads a running server with real API traffic and reports requests per
second, latency (mean, p50, p90, p99, max) per kind of request and overall,
answers by status (5xx counted apart), and the server's CPU and memory.
Only servers on this machine are accepted (127.0.0.1, ::1, localhost). It
first finds real units, members and tasks through the API, so that the
requests spread over the whole tree. Exits with status 1 if any request
got a 5xx or no answer.

Writes change the database: --mix writes and mixed record progress on
tasks and register incoming documents. Run them on a demo or a copy.

  --url URL        a server (default http://$PARTYWORKS_ADDR); repeat it, or
                   separate with commas, to load several nodes in turn
  --db DSN         the server's database: the command creates (or reuses) the
                   accounts "loadtest" (admin over the whole tree) and
                   "loadtest.writer" (staff on each unit with open tasks: only
                   a unit reports on its own tasks) and a fresh token for each
  --token TOKEN    instead of --db: an API token of an account that sees the
                   tree (default $PARTYWORKS_TOKEN): partyworks token create --user admin
  --writer-token T the token for progress reports (default $PARTYWORKS_WRITER_TOKEN):
                   an account with a grant on each task's unit; without it
                   (and without --db) progress reports are left out
  --duration D     how long to load (default 30s, at most 10m)
  --conns N        concurrent connections, each a client that sends its next
                   request when the last is answered (default 50)
  --mix M          reads: unit pages, children, member statistics, member
                          lists (50 a page), name searches, member pages,
                          task lists
                   lists: member lists and task lists
                   writes: progress reports on tasks and document
                           registrations (each connection a writer)
                   mixed: reads with one write in twenty (default)
  --skip KIND      leave a kind of the mix out (repeatable), to see what the
                   rest does: unit, children, stats, members, search, member,
                   tasks, task.update, doc.register
  --pid PID        the server's process, for its CPU and memory (repeatable)
  --baseline       instead, load a bare net/http handler that reads one row
                   of a SQLite table by id, served in this process: the
                   machine's ceiling, to compare the figures with
  --json           print the report as JSON
  --seed N         the seed of the random choices (default 1)
  --wrk FILE       send the mix through wrk (Debian's package wrk) instead of
                   this program's own clients: write it as a wrk script of
                   100,000 requests to FILE and run wrk with it against the
                   first server. wrk takes less of the machine's CPU; it
                   reports latency for all requests, not per kind. Reads
                   only (--mix reads, lists or pages); fails on an answer
                   that is not 2xx or 3xx and on a socket error

Example:
  partyworks demo --db demo.db
  partyworks serve --db demo.db &
  partyworks loadtest --db demo.db --mix mixed --pid $!
`
