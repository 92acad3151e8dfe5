// Command try signs in once through the deployed stack with a passkey, as an
// app would, and shows the Cognito account the sign-in landed in. See
// `go run ./cmd/try -h`; the work is in internal/try.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
)

const usage = `Usage: go run ./cmd/try [flags]

Signs in once through the deployed stack, as your app would: it listens on the
app client's first http://localhost callback URL, prints the sign-in URL (and
opens it in a browser where there is one), and after the passkey ceremony shows
the Cognito account the sign-in landed in, here and in the browser: user name,
email, groups, the Descope identity, and whether it is an existing account
with Descope linked or a new one. The ID token is verified against the
stack's cognitoIssuerUrl. No token is printed unless --show-tokens.

The stack is read with ` + "`pulumi stack output --json`" + ` and ` + "`pulumi config --json`" + `
(never --show-secrets); the app client and the account with the AWS credentials
of the usual chain (cognito-idp:DescribeUserPoolClient, cognito-idp:AdminGetUser).
A confidential client's secret comes from ` + try.ClientSecretEnv + `.

Exit status: 0 signed in, the ID token verified; 1 the sign-in came back
refused (Cognito's error, a refused code, an ID token that is not valid); 2 try
could not start (flags, stack, Pulumi CLI, AWS, no localhost callback URL, a
confidential client without its secret, the port in use); 3 no sign-in came
back before --wait ran out, or it was interrupted.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, verify.RunPulumi, try.NewCognito)
	stop()
	os.Exit(code)
}

// cognitoFactory builds the Cognito client for the pool's region.
type cognitoFactory func(ctx context.Context, region string, timeout time.Duration) (try.CognitoAPI, error)

func run(ctx context.Context, args []string, stdout, stderr io.Writer, pulumi verify.PulumiRunner, newCognito cognitoFactory) int {
	fs := flag.NewFlagSet("try", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	stack := fs.String("stack", "", "Pulumi stack to read (default: the selected stack)")
	wait := fs.Duration("wait", try.DefaultWait, "how long to wait for the sign-in to come back")
	timeout := fs.Duration("timeout", 10*time.Second, "limit for each request to AWS, the token endpoint or the issuer")
	showTokens := fs.Bool("show-tokens", false, "print the ID, access and refresh tokens after the account")
	noBrowser := fs.Bool("no-browser", false, "only print the sign-in URL; do not open a browser")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return try.ExitSignedIn
		}
		return try.ExitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "try: %v\n", err)
		return try.ExitUsage
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q: every value is a flag (see -h)", fs.Arg(0)))
	}
	if *wait <= 0 || *timeout <= 0 {
		return fail(errors.New("--wait and --timeout must be positive, such as 5m and 10s"))
	}

	s, err := try.ReadStack(ctx, *stack, pulumi)
	if err != nil {
		return fail(err)
	}
	cognito, err := newCognito(ctx, s.Region(), *timeout)
	if err != nil {
		return fail(err)
	}
	client, err := try.ReadAppClient(ctx, cognito, s)
	if err != nil {
		return fail(err)
	}
	callback, ok := client.LocalCallback()
	if !ok {
		return fail(try.NoLocalCallback(s, client))
	}
	secret := os.Getenv(try.ClientSecretEnv)
	switch {
	case client.HasSecret && secret == "":
		return fail(try.NeedsClientSecret(s))
	case !client.HasSecret && secret != "":
		fmt.Fprintf(stderr, "try: app client %s is public (it has no secret): %s is not used\n", s.ClientID, try.ClientSecretEnv)
		secret = ""
	}

	result, err := try.Run(ctx, try.Options{
		Stack: s, Callback: callback, ClientSecret: secret, Cognito: cognito,
		HTTP: &http.Client{Timeout: *timeout}, Wait: *wait,
		Ready: func(signInURL string) {
			fmt.Fprintf(stdout, "Waiting for the sign-in at %s (for %s; Ctrl-C stops).\nSign in with your passkey at:\n\n  %s\n\n", callback, *wait, signInURL)
			if !*noBrowser && openBrowser(ctx, signInURL) {
				fmt.Fprintln(stdout, "(opened in your browser)")
			}
		},
		Notice: func(r *try.Refusal) {
			fmt.Fprintf(stderr, "try: refused an answer at %s. %s %s\n", callback, r.Detail, r.Fix)
		},
	})
	if err != nil {
		fmt.Fprintf(stderr, "try: %v\n", err)
		if errors.Is(err, try.ErrNoAnswer) {
			return try.ExitNoAnswer
		}
		return try.ExitUsage
	}
	if err := result.WriteText(stdout, *showTokens); err != nil {
		fmt.Fprintf(stderr, "try: write the result: %v\n", err)
	}
	return result.ExitCode()
}

// openBrowser opens url with the desktop's opener, where there is a desktop,
// and reports whether it started one. The opener outlives this command: it
// may have become the browser.
func openBrowser(ctx context.Context, url string) bool {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	// path is the desktop's opener; url is the sign-in URL this command built.
	cmd := exec.CommandContext(context.WithoutCancel(ctx), path, append(args, url)...) //nolint:gosec // see above
	if err := cmd.Start(); err != nil {
		return false
	}
	go func() { _ = cmd.Wait() }()
	return true
}
