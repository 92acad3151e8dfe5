// Command restore-trigger sets a user pool's pre sign-up trigger back to a
// given function, or removes it, and changes nothing else: the emergency way
// to detach the merge function without Pulumi (docs/runbook.md). It reads the
// pool, builds the full UpdateUserPool request (UpdateUserPool resets every
// setting it is not given) with the translation adoption uses, checks that
// Cognito may invoke the function for the pool, and prints the request.
//
// It is a dry run unless --apply is given. Exit codes:
//
//	0  done: the dry run was shown, the change was applied (and read back),
//	   or the pool already had that trigger
//	1  error: the pool could not be read, a call failed or was denied, or the
//	   change did not read back (the message says whether it was sent)
//	2  bad flags (unknown, missing or contradictory)
//	3  refused: the pool has a setting the request cannot carry, so sending
//	   it would change more than the trigger; nothing was changed
//	4  the function to set does not exist or Cognito may not invoke it for
//	   the pool, so every sign-up would fail; nothing was changed
//
// Region and credentials come from the standard AWS configuration
// (AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_CA_BUNDLE, AWS_ENDPOINT_URL_...); the
// region is the pool's own, from its ID.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/restoretrigger"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
)

const (
	exitOK           = 0
	exitError        = 1
	exitUsage        = 2
	exitRefused      = 3
	exitNotInvokable = 4
)

// timeout bounds the whole run: a handful of calls.
const timeout = 2 * time.Minute

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("restore-trigger", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var o restoretrigger.Options
	flags.StringVar(&o.UserPoolID, "user-pool-id", "", "the user pool (the stack output userPoolId); required")
	flags.StringVar(&o.PreSignUpARN, "pre-sign-up", "", "the Lambda function ARN to set as pre sign-up trigger (the stack output previousPreSignUpTrigger)")
	flags.BoolVar(&o.Remove, "remove", false, "remove the pre sign-up trigger instead")
	flags.BoolVar(&o.Apply, "apply", false, "send the request; without it nothing is changed")
	asJSON := flags.Bool("json", false, "write the result as one JSON document")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "Usage: restore-trigger --user-pool-id ID (--pre-sign-up ARN | --remove) [--apply] [--json]\n\n"+
			"Sets the pool's pre sign-up trigger (or removes it) and keeps every other setting as it is.\n"+
			"Exit codes: 0 done, 1 error, 2 bad flags, 3 refused (a setting the request cannot carry), 4 the function cannot be invoked by Cognito.\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "restore-trigger: unexpected argument %q; every option is a flag (see -h)\n", flags.Arg(0))
		return exitUsage
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "restore-trigger:", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: o.Region()})
	if err != nil {
		fmt.Fprintln(stderr, "restore-trigger:", err)
		return exitError
	}
	cognito := cognitoidentityprovider.NewFromConfig(cfg)

	result, err := restoretrigger.Plan(ctx, cognito, triggercheck.NewClient(cfg, o.PreSignUpARN), o)
	if err == nil && o.Apply {
		err = restoretrigger.Apply(ctx, cognito, result)
	}
	if err != nil {
		result.Error = err.Error()
	}
	if *asJSON {
		encoder := json.NewEncoder(stdout)
		encoder.SetIndent("", "  ")
		if encodeErr := encoder.Encode(result); encodeErr != nil && err == nil {
			err = encodeErr
		}
	} else if writeErr := restoretrigger.WriteText(stdout, result, o); writeErr != nil && err == nil {
		err = writeErr
	}

	var refused *livepool.RefusedError
	var notInvokable *triggercheck.NotInvokableError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &refused):
		fmt.Fprintln(stderr, "restore-trigger:", err)
		fmt.Fprintln(stderr, "restore-trigger: nothing was changed; change the pool in the console instead (Extensions > Lambda triggers), which keeps every other setting")
		return exitRefused
	case errors.As(err, &notInvokable):
		fmt.Fprintf(stderr, "restore-trigger: %v. Nothing was changed. Either %s, then run again; or run with --remove instead of --pre-sign-up to leave the pool without a pre sign-up trigger\n",
			err, notInvokable.Restore())
		return exitNotInvokable
	default:
		fmt.Fprintln(stderr, "restore-trigger:", err)
		return exitError
	}
}
