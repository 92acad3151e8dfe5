// Command reconcile merges the duplicate users that Descope sign-ins created
// before the pre sign-up trigger was in place: each federated Descope user
// whose verified email belongs to exactly one native user is backed up,
// deleted, and its identity linked to that native user, by the merge
// function's own rules (package linking).
//
// It is a dry run unless --apply is given. Exit codes:
//
//	0  done: the dry run was shown, or every eligible pair was merged
//	1  error (or interrupt) before anything was changed: bad input, unknown
//	   pool or provider, missing permission, network
//	2  bad flags (unknown, missing or malformed)
//	3  the run failed or was interrupted after it began changing the pool
//	   (or while finishing an earlier run's merges): the totals are written;
//	   fix the cause and run again with --apply --resume BACKUP_FILE
//	4  every merge made is finished, but the last of the run's listings of
//	   the pool still found merges: run the same command again
//
// An interrupt (Ctrl-C, SIGTERM) stops the run before the next user; a merge
// whose user is already deleted is finished first (link, groups).
//
// Region and credentials come from the standard AWS configuration
// (AWS_REGION, AWS_PROFILE, ...).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/reconcile"
)

const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitChanged  = 3
	exitRunAgain = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var (
		poolID   = flags.String("user-pool-id", "", "the user pool (the stack output userPoolId); required")
		provider = flags.String("provider", "Descope", "the name of Descope's identity provider in the pool")
		apply    = flags.Bool("apply", false, "merge the eligible pairs; without it nothing is changed")
		backup   = flags.String("backup", "", "with --apply, the backup file (JSON lines) that receives each federated user before it is deleted (default reconcile-backup-<pool>-<time>.jsonl)")
		resume   = flags.String("resume", "", "finish the unfinished merges of this backup file first (with --apply; shown only without it)")
		asJSON   = flags.Bool("json", false, "write the result as one JSON document instead of a table")
		rate     = flags.Float64("rate", reconcile.DefaultRate, "the most Cognito requests per second (the quotas are shared with your live sign-ins)")
	)
	flags.Usage = func() {
		fmt.Fprintf(stderr, "Usage: reconcile --user-pool-id ID [--provider NAME] [--apply [--backup FILE]] [--resume FILE] [--json] [--rate N]\n\n"+
			"Finds the Descope users that duplicate a native user with the same verified email and, with --apply, merges them.\n"+
			"Exit codes: 0 done, 1 error before any change, 2 bad flags, 3 failed after changing the pool (run again with --apply --resume FILE),\n"+
			"4 listing limit reached while still merging (run again).\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "reconcile: unexpected argument %q; every option is a flag (see -h)\n", flags.Arg(0))
		return exitUsage
	}
	if *backup != "" && !*apply {
		fmt.Fprintln(stderr, "reconcile: --backup is only used with --apply; add --apply to merge, or drop --backup for a dry run")
		return exitUsage
	}

	var progress *reconcile.TerminalProgress
	if isTerminal(stderr) {
		progress = reconcile.NewTerminalProgress(stderr, reconcile.SystemClock{}, 250*time.Millisecond)
		if isTerminal(stdout) {
			stdout = progress.Above(stdout)
		}
	}
	opts := reconcile.Options{
		UserPoolID: *poolID,
		Provider:   *provider,
		Apply:      *apply,
		BackupPath: *backup,
		ResumePath: *resume,
		Output:     reconcile.NewTableSink(stdout),
	}
	if *asJSON {
		opts.Output = reconcile.NewJSONSink(stdout)
	}
	if progress != nil {
		opts.Progress = progress.Update
	}
	if opts.Apply && opts.BackupPath == "" && opts.ResumePath == "" {
		opts.BackupPath = fmt.Sprintf("reconcile-backup-%s-%s.jsonl", *poolID, time.Now().UTC().Format("20060102T150405Z"))
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Deferred after stop, so it runs first: only a signal prints the notice.
	defer context.AfterFunc(ctx, func() {
		fmt.Fprintf(stderr, "reconcile: %v: any merge in progress is finished first (at most %v), then the run stops\n", context.Cause(ctx), reconcile.FinishTimeout)
	})()

	limiter, err := reconcile.NewLimiter(*rate, reconcile.SystemClock{})
	if err != nil {
		fmt.Fprintf(stderr, "reconcile: --rate %v\n", err)
		return exitUsage
	}
	client, region, err := reconcile.NewClient(ctx, limiter)
	if err != nil {
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitError
	}
	opts.Region = region
	err = reconcile.Run(ctx, client, opts)
	if progress != nil {
		progress.Done() // before any message, which would land after the line
	}
	var changed *reconcile.ChangedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, reconcile.ErrPassLimit):
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitRunAgain
	case errors.As(err, &changed):
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitChanged
	default:
		fmt.Fprintln(stderr, "reconcile:", err)
		return exitError
	}
}

// isTerminal reports whether w is a character device, where progress is
// drawn; redirected or piped output gets none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
