// Command partyworks is the work platform of the party-building sector: one
// binary that serves the web interface and the API, and runs the operators'
// commands (imports, restructuring, accounts, audit). Run "partyworks help".
package main

import (
	"context"
	"fmt"
	"os"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "partyworks:", describe(err))
		os.Exit(1)
	}
}
