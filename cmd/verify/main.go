// Command verify checks a deployed stack end to end against the live
// endpoints and names the step that is missing. See `go run ./cmd/verify -h`.
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
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
)

const usage = `Usage: go run ./cmd/verify [flags]

Checks a deployed stack end to end: the Descope issuer, the identity provider
in Cognito, the pre sign-up trigger's wiring, one run of the function (with a
%s event, which it ignores), and the hosted UI's redirect to
Descope. Read-only except that one invocation.

Values come from ` + "`pulumi stack output --json`" + ` and ` + "`pulumi config --json`" + `
(never --show-secrets); a flag overrides each, and with every required flag
given the Pulumi CLI is not needed. AWS credentials come from the usual chain
(AWS_PROFILE, environment, SSO, the CI role).

Exit status: 0 every check passed; 1 a check failed; 2 the checks could not
start (flags, stack, Pulumi CLI); 3 nothing failed but an answer was not
recognised (printed, marked ?).

Flags:
`

// clientFactory builds the AWS clients; tests replace it.
type clientFactory func(ctx context.Context, region string, timeout time.Duration) (verify.Clients, error)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, verify.RunPulumi, verify.NewAWSClients)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, pulumi verify.PulumiRunner, clients clientFactory) int {
	var in verify.Inputs
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, usage, verify.SyntheticTrigger)
		fs.PrintDefaults()
	}
	stack := fs.String("stack", "", "Pulumi stack to read (default: the selected stack)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout, for CI")
	timeout := fs.Duration("timeout", verify.DefaultTimeout, "limit for each request to AWS, Cognito or Descope")
	for _, f := range in.Flags() {
		fs.StringVar(f.Value, f.Name, "", f.Usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return verify.ExitPassed
		}
		return verify.ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "verify: unexpected argument %q: every value is a flag (see -h)\n", fs.Arg(0))
		return verify.ExitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "verify: --timeout must be positive, such as 10s")
		return verify.ExitUsage
	}

	progress := progressWriter(stderr)
	if !in.Complete() {
		fmt.Fprintln(progress, "reading the stack with the Pulumi CLI…")
		if err := in.FillFromPulumi(ctx, *stack, pulumi); err != nil {
			fmt.Fprintf(stderr, "verify: %v\n", err)
			return verify.ExitUsage
		}
	}
	if err := in.Resolve(); err != nil {
		fmt.Fprintf(stderr, "verify: %v\n", err)
		return verify.ExitUsage
	}
	aws, err := clients(ctx, in.Region, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "verify: %v\n", err)
		return verify.ExitUsage
	}

	fmt.Fprintln(progress, "checking the deployment…")
	v := &verify.Verifier{In: in, Cognito: aws.Cognito, Lambda: aws.Lambda, IAM: aws.IAM, HTTP: verify.NewHTTPClient(*timeout), Timeout: *timeout}
	report := v.Run(ctx)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = report.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "verify: write the report: %v\n", err)
		return verify.ExitUsage
	}
	return report.ExitCode()
}

// progressWriter is stderr when it is a terminal, and discards otherwise, so
// logs and pipes get only the report.
func progressWriter(stderr io.Writer) io.Writer {
	if f, ok := stderr.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			return f
		}
	}
	return io.Discard
}
