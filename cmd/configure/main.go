// Command configure sets the Descope values a stack lacks: from
// DESCOPE_PROJECT_ID and DESCOPE_ACCESS_KEY when set, otherwise by asking on
// the terminal after printing what each value is (`make configure`).
//
// It asks only where `pulumi config set` can prompt (configure.CanPrompt:
// terminals on standard input and error, TERM not dumb, no CI system);
// anywhere else a missing value stops it before anything is changed, and so
// does a stack passphrase pulumi would have to ask for where it cannot
// (PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE unset).
//
// Exit codes: 0 the stack has every value; 1 the Pulumi CLI failed; 2 a value
// is missing and there is no terminal to ask on (nothing was changed), or bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/configure"
)

func main() {
	stack := flag.String("stack", "", "stack to configure (required)")
	project := flag.String("project", "Pulumi.yaml", "project file whose descriptions the prompts show")
	flag.Parse()
	if *stack == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: configure -stack <name> [-project Pulumi.yaml]")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// The prompting `pulumi config set` runs with our standard input, and
	// our standard error as its output.
	terminal := configure.CanPrompt(os.Stdin, os.Stderr)
	outcomes, err := configure.Run(ctx, configure.Options{
		Stack:       *stack,
		ProjectFile: *project,
		Keys:        configure.DescopeKeys,
		LookupEnv:   os.LookupEnv,
		Terminal:    terminal,
		Stdin:       os.Stdin,
		Stderr:      os.Stderr,
	})
	for _, o := range outcomes {
		fmt.Fprintf(os.Stderr, "%s: %s\n", o.Key, o.Action)
	}
	switch {
	case errors.Is(err, configure.ErrNeedsInput):
		fmt.Fprintln(os.Stderr, "configure:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "configure:", err)
		os.Exit(1)
	}
}
