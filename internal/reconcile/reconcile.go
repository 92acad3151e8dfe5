// Package reconcile finds the duplicate users that Descope sign-ins created
// before the pre sign-up trigger was in place, and merges each into the
// native user with the same verified email: the federated user is backed up
// and deleted, its Descope identity linked to the native user, and the native
// user added to the federated user's groups. Who may be merged into whom is
// decided by the linking package, the merge function's own rules.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

const (
	// pageSize is ListUsers' maximum page size.
	pageSize = 60
	// groupPageSize is AdminListGroupsForUser's maximum page size.
	groupPageSize = 60
	// maxCandidatePages bounds the pages read for one email. More means
	// something is wrong with the pool or the filter.
	maxCandidatePages = 20
	// maxPasses bounds the listings of one apply run. Deleting users while
	// paging may shift later pages, so an apply that merged anything lists
	// the pool again for users the earlier pass did not see.
	maxPasses = 3
	// DefaultRate is the default request rate (requests per second).
	// Cognito's quotas are per account and Region and shared with the live
	// application's sign-ins.
	DefaultRate = 10
)

// Decisions shown per federated user.
const (
	DecisionMerge         = "merge"
	DecisionAlreadyLinked = string(linking.ActionAlreadyLinked)
	DecisionNoMatch       = string(linking.ActionNoMatch)
	DecisionRefuse        = string(linking.ActionRefuse)
	// DecisionResume is an unfinished merge read from the --resume file.
	DecisionResume = "resume"
)

// Results of apply, per row.
const (
	ResultMerged    = "merged"
	ResultAbandoned = "abandoned"
	ResultFailed    = "failed"
)

// Reasons of the reconcile command that are not the linking rules'.
const (
	ReasonUnfinishedMerge         = "unfinished_merge"
	ReasonFederatedUserNotDeleted = "federated_user_not_deleted"
)

var userPoolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// Options says what one run does.
type Options struct {
	UserPoolID string
	Provider   string
	// Region is shown in errors only; the client carries the real one.
	Region string
	// Apply makes changes; without it the run only reads.
	Apply bool
	// BackupPath receives a merge record before every delete. Required
	// with Apply unless ResumePath is set, which is then used for both.
	BackupPath string
	// ResumePath is a backup file whose unfinished merges are finished
	// first (shown only, without Apply).
	ResumePath string
	// Clock dates backup records and times the progress report.
	Clock Clock
	// Output receives the plan, one row per federated user, and the summary.
	Output Sink
	// Progress, when set, is called after every page of users.
	Progress func(Progress)
}

// Row is one federated user (or unfinished merge) and what happens to it.
type Row struct {
	FederatedUser string `json:"federatedUser"`
	FederatedSub  string `json:"federatedSub,omitempty"`
	// Email is masked: the output may end up in tickets and chat.
	Email    string `json:"email,omitempty"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// SubjectSource says where the subject of the link came from (the
	// custom:descope_sub attribute, identities, or both), or why there is
	// none (none, or conflict when the two disagree); empty when the rules
	// stopped before reading it.
	SubjectSource string `json:"subjectSource,omitempty"`
	KeptUser      string `json:"keptUser,omitempty"`
	KeptSub       string `json:"keptSub,omitempty"`
	// Result is set by apply: merged (FederatedSub now lives on as
	// KeptSub), abandoned, or failed.
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Plan is what a run is about to do, shown before any row.
type Plan struct {
	UserPoolID     string `json:"userPoolId"`
	UserPoolName   string `json:"userPoolName,omitempty"`
	Provider       string `json:"provider"`
	Apply          bool   `json:"apply"`
	BackupFile     string `json:"backupFile,omitempty"`
	ResumeFile     string `json:"resumeFile,omitempty"`
	EstimatedUsers int    `json:"estimatedUsers"`
}

// Summary is the totals of a run.
type Summary struct {
	// UsersListed counts every user listed, in every pass: an apply that
	// merged anything lists the pool again (see maxPasses).
	UsersListed int `json:"usersListed"`
	Passes      int `json:"passes"`
	Federated   int `json:"federatedUsers"`
	// Decisions counts rows per decision; Refusals counts refusals per reason.
	Decisions map[string]int `json:"decisions"`
	Refusals  map[string]int `json:"refusals"`
	Merged    int            `json:"merged"`
	Abandoned int            `json:"abandoned"`
	Failed    int            `json:"failed"`
	// Eligible is how many rows an apply would merge (merge, already_linked
	// and resume).
	Eligible int  `json:"eligible"`
	Applied  bool `json:"applied"`
}

// Sink receives a run's output as it happens, so a pool of any size streams.
type Sink interface {
	Begin(Plan) error
	Row(Row) error
	End(Summary) error
}

// ChangedError means the run failed after it had begun to change the pool.
// The backup file holds what is needed to finish: run again with --resume.
type ChangedError struct {
	BackupFile string
	Err        error
}

func (e *ChangedError) Error() string {
	if errors.Is(e.Err, ErrInterrupted) {
		return fmt.Sprintf("%v after the pool was changed: run again with --apply --resume %s to go on", e.Err, e.BackupFile)
	}
	return fmt.Sprintf("%v; the pool was changed before this failure: fix the cause, then run again with --apply --resume %s", e.Err, e.BackupFile)
}

func (e *ChangedError) Unwrap() error { return e.Err }

// ErrPassLimit is returned when an apply stops after maxPasses listings that
// all found merges: the pool may hold more.
var ErrPassLimit = errors.New("pass limit reached")

// ErrInterrupted is returned when the run's context ends (Ctrl-C, SIGTERM):
// the run stops before the next user, once the merge in progress is finished.
var ErrInterrupted = errors.New("interrupted")

// interrupted reports whether ctx has ended, as an ErrInterrupted.
func interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%w (%w)", ErrInterrupted, context.Cause(ctx))
}

type run struct {
	opts Options
	api  API
	// immutable are the pool's immutable custom attributes, read in the
	// pre-flight: a kept user with a value for one cannot be linked to.
	immutable []string
	journal   *Journal
	started   time.Time
	progress  Progress
	summary   Summary
	changed   bool
}

// Run reconciles one pool. Errors before any change are plain errors; once
// the pool has been changed, a failure is a *ChangedError.
func Run(ctx context.Context, api API, opts Options) error {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	r := &run{
		opts:    opts,
		api:     api,
		started: opts.Clock.Now(),
		summary: Summary{Decisions: map[string]int{}, Refusals: map[string]int{}, Applied: opts.Apply},
	}

	plan, err := r.preflight(ctx)
	if err != nil {
		return err
	}
	pending, err := r.openJournals(&plan)
	if err != nil {
		return err
	}
	if r.journal != nil {
		defer r.journal.Close()
	}
	// Unfinished merges are changes already made: any failure from here on
	// leaves the pool to be finished with --resume.
	r.changed = opts.Apply && len(pending) > 0
	r.progress.EstimatedUsers = plan.EstimatedUsers
	if err := opts.Output.Begin(plan); err != nil {
		return err
	}
	err = r.work(ctx, pending)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// A call the interrupt cut short: say so, not which call it was.
		err = interrupted(ctx)
	}
	r.report()
	// The totals are written even after a failure: they say what was done.
	endErr := opts.Output.End(r.summary)
	if err == nil {
		err = endErr
	}
	if err != nil && r.changed && !errors.Is(err, ErrPassLimit) {
		return &ChangedError{BackupFile: r.journal.Path(), Err: err}
	}
	return err
}

// Validate checks the options that need no call to Cognito.
func (opts Options) Validate() error {
	switch {
	case opts.UserPoolID == "":
		return errors.New("no user pool: pass --user-pool-id (the stack output userPoolId)")
	case !userPoolIDPattern.MatchString(opts.UserPoolID) || len(opts.UserPoolID) > 55:
		return fmt.Errorf("--user-pool-id %q is not a user pool ID: pass one like us-east-1_AbCdEf123 (the stack output userPoolId)", opts.UserPoolID)
	case opts.Provider == "":
		return errors.New("no identity provider: pass --provider with the name of Descope's identity provider in the pool (default Descope)")
	case opts.Output == nil:
		return errors.New("reconcile: no output")
	case opts.Apply && opts.BackupPath == "" && opts.ResumePath == "":
		return errors.New("--apply needs a backup file: pass --backup FILE")
	case opts.Apply && opts.ResumePath != "" && opts.BackupPath != "" && opts.BackupPath != opts.ResumePath:
		return fmt.Errorf("--backup %s and --resume %s name different files: a resumed run records everything in the resume file, so drop --backup", opts.BackupPath, opts.ResumePath)
	}
	return nil
}

// openJournals opens the backup and resume files and reads the unfinished
// merges, refusing to start when a backup file holds unfinished merges that
// this run was not asked to finish.
func (r *run) openJournals(plan *Plan) ([]BackupRecord, error) {
	var pending []BackupRecord
	if r.opts.ResumePath != "" {
		if !r.opts.Apply {
			// A dry run only reads the file: no create, no repair.
			j, err := readJournal(r.opts.ResumePath)
			if err != nil {
				return nil, err
			}
			pending = j
		} else {
			j, err := OpenJournal(r.opts.ResumePath)
			if err != nil {
				return nil, err
			}
			r.journal = j
			pending = j.Pending()
		}
		plan.ResumeFile = r.opts.ResumePath
		for _, rec := range pending {
			if rec.UserPoolID != r.opts.UserPoolID {
				r.closeJournal()
				return nil, fmt.Errorf("resume file %s holds merges of pool %s, not %s: pass --user-pool-id %s, or the backup file of this pool", r.opts.ResumePath, rec.UserPoolID, r.opts.UserPoolID, rec.UserPoolID)
			}
		}
	}
	if r.opts.Apply && r.opts.ResumePath == "" {
		j, err := OpenJournal(r.opts.BackupPath)
		if err != nil {
			return nil, err
		}
		if n := len(j.Pending()); n > 0 {
			j.Close()
			return nil, fmt.Errorf("backup file %s holds %d unfinished merge(s) from an earlier run: finish them first with --apply --resume %s", r.opts.BackupPath, n, r.opts.BackupPath)
		}
		r.journal = j
	}
	if r.journal != nil {
		plan.BackupFile = r.journal.Path()
	}
	return pending, nil
}

func (r *run) closeJournal() {
	if r.journal != nil {
		r.journal.Close()
		r.journal = nil
	}
}

// work finishes the unfinished merges, then lists the pool.
func (r *run) work(ctx context.Context, pending []BackupRecord) error {
	for _, rec := range pending {
		if err := interrupted(ctx); err != nil {
			return err
		}
		if err := r.resume(ctx, rec); err != nil {
			return err
		}
	}
	seen := map[string]struct{}{}
	for pass := 0; pass < maxPasses; pass++ {
		merged := r.summary.Merged
		if err := interrupted(ctx); err != nil {
			return err
		}
		r.summary.Passes++
		if err := r.scan(ctx, seen); err != nil {
			return err
		}
		if !r.opts.Apply || r.summary.Merged == merged {
			return nil
		}
	}
	// The last pass still merged: users it could not see may remain.
	return fmt.Errorf("%w: the pool was listed %d times and the last listing still found merges; every merge made is finished: run the same command again to merge the rest", ErrPassLimit, maxPasses)
}

// scan lists every user of the pool, page by page, and handles each
// federated user of the provider not seen yet. Nothing but the current page
// is held: seen grows with the provider's federated users only.
func (r *run) scan(ctx context.Context, seen map[string]struct{}) error {
	var token *string
	for {
		out, err := r.api.ListUsers(ctx, &cip.ListUsersInput{
			UserPoolId:      aws.String(r.opts.UserPoolID),
			Limit:           aws.Int32(pageSize),
			PaginationToken: token,
		})
		if err != nil {
			return fmt.Errorf("list users of %s: %w", r.opts.UserPoolID, explain("ListUsers", err))
		}
		for _, u := range out.Users {
			r.summary.UsersListed++
			r.progress.Listed++
			name := aws.ToString(u.Username)
			if u.UserStatus != types.UserStatusTypeExternalProvider || !linking.IsProviderUser(r.opts.Provider, linking.FederatedFromUser(u)) {
				continue
			}
			if _, ok := seen[name]; ok {
				continue
			}
			if err := interrupted(ctx); err != nil {
				return err
			}
			seen[name] = struct{}{}
			if err := r.handle(ctx, u); err != nil {
				return err
			}
		}
		r.report()
		if aws.ToString(out.PaginationToken) == "" {
			return nil
		}
		token = out.PaginationToken
	}
}

func (r *run) report() {
	if r.opts.Progress == nil {
		return
	}
	r.progress.Elapsed = r.opts.Clock.Now().Sub(r.started)
	r.opts.Progress(r.progress)
}

// handle decides on one federated user and, with Apply, merges it.
func (r *run) handle(ctx context.Context, u types.UserType) error {
	r.summary.Federated++
	r.progress.Federated++
	fed := linking.FederatedFromUser(u)
	sub, _ := linking.Attribute(u, linking.AttrSub)
	row := Row{FederatedUser: fed.UserName, FederatedSub: sub, Email: linking.MaskEmail(fed.Email)}

	verdict, err := r.decide(ctx, fed)
	if err != nil {
		return err
	}
	row.Reason, row.SubjectSource = verdict.Reason, verdict.SubjectSource
	switch verdict.Action {
	case linking.ActionLink:
		row.Decision = DecisionMerge
	default:
		row.Decision = string(verdict.Action)
	}
	if verdict.Target != nil {
		row.KeptUser = aws.ToString(verdict.Target.Username)
		row.KeptSub, _ = linking.Attribute(*verdict.Target, linking.AttrSub)
	}
	r.count(row)

	if r.opts.Apply && verdict.Target != nil {
		err = r.merge(ctx, u, verdict.Subject, *verdict.Target, verdict.Action == linking.ActionAlreadyLinked)
		r.record(&row, err)
	}
	if outErr := r.opts.Output.Row(row); outErr != nil {
		return outErr
	}
	return err
}

func (r *run) count(row Row) {
	r.summary.Decisions[row.Decision]++
	switch row.Decision {
	case DecisionRefuse:
		r.summary.Refusals[row.Reason]++
		r.progress.Refusals++
	case DecisionMerge, DecisionAlreadyLinked, DecisionResume:
		r.summary.Eligible++
	}
}

func (r *run) record(row *Row, err error) {
	switch {
	case err != nil:
		row.Result, row.Error = ResultFailed, err.Error()
		r.summary.Failed++
	case row.Result == ResultAbandoned:
		r.summary.Abandoned++
	default:
		row.Result = ResultMerged
		r.summary.Merged++
		r.progress.Merges++
	}
}

// decide runs the linking rules on one federated identity.
func (r *run) decide(ctx context.Context, fed linking.Federated) (linking.Decision, error) {
	if reason := linking.CheckIdentity(fed); reason != "" {
		return linking.Decision{Action: linking.ActionRefuse, Reason: reason}, nil
	}
	candidates, err := r.candidates(ctx, fed.Email)
	if err != nil {
		return linking.Decision{}, err
	}
	// The command never refuses for want of an existing user: a federated
	// user without a match simply stays as it is.
	return linking.Decide(linking.Policy{Provider: r.opts.Provider, ImmutableAttributes: r.immutable}, fed, candidates), nil
}

// candidates returns the distinct users linking.IsCandidate accepts among the
// results of linking.CandidateFilters, stopping at two. Every attribute is
// read, identities included, so the identity-limit and already-linked rules
// apply.
func (r *run) candidates(ctx context.Context, email string) ([]types.UserType, error) {
	candidates := linking.NewCandidates(email)
	for _, filter := range linking.CandidateFilters(email) {
		var token *string
		for page := 0; ; page++ {
			if page == maxCandidatePages {
				return nil, fmt.Errorf("list users of %s by email: more than %d pages match one email; check the pool's users", r.opts.UserPoolID, maxCandidatePages)
			}
			out, err := r.api.ListUsers(ctx, &cip.ListUsersInput{
				UserPoolId:      aws.String(r.opts.UserPoolID),
				Filter:          aws.String(filter),
				Limit:           aws.Int32(pageSize),
				PaginationToken: token,
			})
			if err != nil {
				return nil, fmt.Errorf("list users of %s by email: %w", r.opts.UserPoolID, explain("ListUsers", err))
			}
			if candidates.Add(out.Users) {
				return candidates.Users(), nil
			}
			if aws.ToString(out.PaginationToken) == "" {
				break
			}
			token = out.PaginationToken
		}
	}
	return candidates.Users(), nil
}

// attributes turns a user's attribute list into a map.
func attributes(u types.UserType) map[string]string {
	m := make(map[string]string, len(u.Attributes))
	for _, a := range u.Attributes {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func userRecord(u types.UserType, groups []string) *UserRecord {
	attrs := attributes(u)
	return &UserRecord{
		Username:     aws.ToString(u.Username),
		Sub:          attrs[linking.AttrSub],
		Status:       string(u.UserStatus),
		Enabled:      u.Enabled,
		Created:      u.UserCreateDate,
		LastModified: u.UserLastModifiedDate,
		Attributes:   attrs,
		Groups:       groups,
	}
}
