package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

const (
	triggerExternalProvider = "PreSignUp_ExternalProvider"

	// listLimit is ListUsers' maximum page size; maxListPages bounds the
	// pages read per query. More matches than that means something is
	// wrong with the pool, and the function fails closed.
	listLimit    = 60
	maxListPages = 3
)

// cognitoAPI is the part of the Cognito client the function uses.
// DescribeUserPool is called only after a refused link (see link).
type cognitoAPI interface {
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
}

// Handler is the pre sign-up merge function.
type Handler struct {
	cfg Config
	api cognitoAPI
	log *slog.Logger
	now func() time.Time
	// chain is the previous pre sign-up function to call first (chain.go);
	// nil when none is configured.
	chain *chainedTrigger

	// immutable caches each pool's immutable custom attributes, read once
	// per process: a pool's schema only ever gains custom attributes.
	mu        sync.Mutex
	immutable map[string][]string
}

// NewHandler returns a Handler; logger gets one JSON line per invocation.
func NewHandler(cfg Config, api cognitoAPI, logger *slog.Logger) *Handler {
	return &Handler{cfg: cfg, api: api, log: logger, now: time.Now, immutable: map[string][]string{}}
}

// decision is what one invocation did, for the log line.
type decision struct {
	action     string // skip, link, already_linked, no_match, refuse, error
	reason     string
	email      string // raw: only ever logged masked
	poolID     string
	trigger    string
	candidates int
	calls      int
	stats      callStats // attempts, filled in by retryingCognito
	stack      string    // set when a panic was recovered
	start      time.Time // when the invocation began: the budget runs from here
	chain      chainResult
}

// Invoke makes Handler a lambda.Handler: the runtime hands it the event's
// bytes and posts the bytes it returns, with no reflection and no JSON pass
// of its own around HandleRaw.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h.HandleRaw(ctx, payload)
}

// HandleRaw decodes the payload strictly, runs the decision, and returns the
// input payload unchanged so Cognito continues with the event it sent. Any
// panic becomes an error, so the process keeps serving.
func (h *Handler) HandleRaw(ctx context.Context, payload json.RawMessage) (out json.RawMessage, err error) {
	start := h.now()
	d := &decision{start: start}
	ctx = withCallStats(ctx, &d.stats)
	defer func() {
		if r := recover(); r != nil {
			out = nil
			err = &SignUpFailedError{Err: fmt.Errorf("%w: %v", errPanic, r)}
			d.action, d.reason = "error", "panic"
			d.stack = string(debug.Stack())
		}
		h.logDecision(ctx, d, start, err)
	}()

	ev, err := decodeEvent(payload)
	if err != nil {
		d.action, d.reason = "error", "invalid_event"
		return nil, err
	}
	out = payload
	if h.chain != nil {
		if out, err = h.callChained(ctx, ev, payload, d); err != nil {
			return nil, err
		}
	}
	if err := h.decide(ctx, ev, d); err != nil {
		return nil, err
	}
	// Cognito continues with the returned event. The merge function changes
	// nothing: in particular autoConfirmUser/autoVerifyEmail stay as sent
	// (or as a chained function set them), since Cognito confirms federated
	// users itself and email_verified comes from the provider's attribute
	// mapping.
	return out, nil
}

// Handle is the typed form of HandleRaw, for callers that already hold the
// event. It returns the same event on success.
func (h *Handler) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	raw, err := json.Marshal(ev)
	if err != nil {
		return ev, &InvalidEventError{Err: err}
	}
	if _, err := h.HandleRaw(ctx, raw); err != nil {
		return ev, err
	}
	return ev, nil
}

// decodeEvent accepts only a JSON object shaped like a pre sign-up event.
func decodeEvent(payload []byte) (*events.CognitoEventUserPoolsPreSignup, error) {
	trimmed := bytes.TrimLeft(payload, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, &InvalidEventError{Err: errors.New("payload is not a JSON object")}
	}
	var ev events.CognitoEventUserPoolsPreSignup
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, &InvalidEventError{Err: fmt.Errorf("decode pre sign-up event: %w", err)}
	}
	if ev.TriggerSource == "" {
		return nil, &InvalidEventError{Err: errors.New("event has no triggerSource")}
	}
	return &ev, nil
}

// decide applies the merge rules to one event. A nil error means "let Cognito
// continue"; a *SignUpRefusedError or *SignUpFailedError stops the sign-up.
func (h *Handler) decide(ctx context.Context, ev *events.CognitoEventUserPoolsPreSignup, d *decision) error {
	d.trigger, d.poolID = ev.TriggerSource, ev.UserPoolID

	if ev.TriggerSource != triggerExternalProvider {
		d.action, d.reason = "skip", "other_trigger"
		return nil
	}
	fed := linking.FederatedFromAttributes(ev.UserName, ev.Request.UserAttributes)
	if !linking.IsProviderUser(h.cfg.ProviderName, fed) {
		d.action, d.reason = "skip", "other_provider"
		return nil
	}
	if !isUserPoolID(ev.UserPoolID) {
		d.action, d.reason = "error", "invalid_event"
		return &InvalidEventError{Err: errors.New("event has no valid userPoolId")}
	}
	d.email = fed.Email
	if reason := linking.CheckIdentity(fed); reason != "" {
		return h.refuse(d, reason)
	}

	ctx, cancel := context.WithDeadline(ctx, invocationDeadline(ctx, d.start))
	defer cancel()

	candidates, err := h.findCandidates(ctx, ev.UserPoolID, fed.Email, d)
	if err != nil {
		return h.fail(d, "cognito_error", err)
	}
	d.candidates = len(candidates)
	// The candidates carry no identities or custom attributes, and the
	// function does not read the pool's schema, so Decide never answers
	// already_linked, identity_limit or immutable_attribute here: the link
	// call's own answer does.
	verdict := linking.Decide(linking.Policy{Provider: h.cfg.ProviderName, RequireExistingUser: h.cfg.RequireExistingUser}, fed, candidates)
	switch verdict.Action {
	case linking.ActionNoMatch:
		d.action, d.reason = "no_match", verdict.Reason
		return nil
	case linking.ActionLink, linking.ActionAlreadyLinked:
	default:
		return h.refuse(d, verdict.Reason)
	}
	linked, err := h.link(ctx, ev.UserPoolID, aws.ToString(verdict.Target.Username), verdict.Subject, d)
	var refused *SignUpRefusedError
	if errors.As(err, &refused) {
		return h.refuse(d, refused.Reason)
	}
	if err != nil {
		return h.fail(d, "link_failed", err)
	}
	if linked {
		d.action, d.reason = "link", "linked_existing_user"
	} else {
		d.action, d.reason = "already_linked", "retry_after_link"
	}
	return nil
}

func (h *Handler) refuse(d *decision, reason string) error {
	d.action, d.reason = "refuse", reason
	return refuse(reason)
}

func (h *Handler) fail(d *decision, reason string, err error) error {
	d.action, d.reason = "error", reason
	return &SignUpFailedError{Err: err}
}

// findCandidates returns the existing accounts the Descope identity may be
// linked to: the users linking.IsCandidate accepts among the results of
// linking.CandidateFilters, de-duplicated by Username. It stops early once two
// are found, since two already means "refuse".
//
// One query cannot serve both spellings: a filter names one attribute with
// one value, exact (=) or prefix (^=) under the same case rule, and has no
// OR. An already-lowercase email (the common case) needs only one.
func (h *Handler) findCandidates(ctx context.Context, poolID, email string, d *decision) ([]types.UserType, error) {
	candidates := linking.NewCandidates(email)
	for _, filter := range linking.CandidateFilters(email) {
		var token *string
		for page := 0; ; page++ {
			if page == maxListPages {
				return nil, fmt.Errorf("list users for %s: more than %d pages match one email", poolID, maxListPages)
			}
			if err := h.startCall(ctx, d); err != nil {
				return nil, fmt.Errorf("list users for %s: %w", poolID, err)
			}
			out, err := h.api.ListUsers(ctx, &cip.ListUsersInput{
				UserPoolId:      aws.String(poolID),
				Filter:          aws.String(filter),
				AttributesToGet: []string{linking.AttrEmail, linking.AttrEmailVerified},
				Limit:           aws.Int32(listLimit),
				PaginationToken: token,
			})
			if err != nil {
				return nil, fmt.Errorf("list users for %s: %w", poolID, err)
			}
			if out == nil {
				return nil, fmt.Errorf("list users for %s: empty response", poolID)
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

// link links the Descope identity to the destination user. It reports false
// with a nil error when Cognito refused because this exact identity is
// already linked to this exact user: a retry after an earlier success.
//
// AWS does not document a dedicated error for that case. Observed behaviour
// (aws/aws-sdk-js-v3#5281, boto/boto3#4163, aws/aws-sdk#766) is an
// InvalidParameterException whose message has changed over time and has also
// been used for unrelated problems. The message is therefore not trusted: on
// InvalidParameterException the destination user is read back, and only if
// its "identities" attribute already holds this provider and subject is it a
// success.
//
// Two refusals no retry can cure get the linking rules' reasons, as
// reconcile gives them: LimitExceededException (the five-identity limit) is
// identity_limit, and an InvalidParameterException for a destination that
// has a value for one of the pool's immutable custom attributes (read from
// DescribeUserPool, only on this path) is immutable_attribute. Everything
// else fails closed.
func (h *Handler) link(ctx context.Context, poolID, username, subject string, d *decision) (bool, error) {
	if err := h.startCall(ctx, d); err != nil {
		return false, fmt.Errorf("link provider user for %s: %w", poolID, err)
	}
	_, err := h.api.AdminLinkProviderForUser(ctx, linkInput(poolID, username, h.cfg.ProviderName, subject))
	if err == nil {
		return true, nil
	}
	linkErr := fmt.Errorf("link provider user for %s: %w", poolID, err)
	var limit *types.LimitExceededException
	if errors.As(err, &limit) {
		return false, refuse(linking.ReasonIdentityLimit)
	}
	var invalid *types.InvalidParameterException
	if !errors.As(err, &invalid) {
		return false, linkErr
	}
	dest, found, verr := h.readUser(ctx, poolID, username, d)
	if verr != nil {
		return false, errors.Join(linkErr, verr)
	}
	if !found {
		return false, linkErr
	}
	if ids, _ := linking.Attribute(dest, linking.AttrIdentities); linking.IdentitiesContain(ids, h.cfg.ProviderName, subject) {
		return false, nil
	}
	if hasCustomAttribute(dest) {
		immutable, ierr := h.immutableAttributes(ctx, poolID, d)
		if ierr != nil {
			return false, errors.Join(linkErr, ierr)
		}
		if linking.HasImmutableAttribute(dest, immutable) {
			return false, refuse(linking.ReasonImmutableAttribute)
		}
	}
	return false, linkErr
}

func hasCustomAttribute(u types.UserType) bool {
	for _, a := range u.Attributes {
		if strings.HasPrefix(aws.ToString(a.Name), "custom:") {
			return true
		}
	}
	return false
}

// immutableAttributes returns the pool's immutable custom attributes, from
// the cache or DescribeUserPool.
func (h *Handler) immutableAttributes(ctx context.Context, poolID string, d *decision) ([]string, error) {
	h.mu.Lock()
	names, ok := h.immutable[poolID]
	h.mu.Unlock()
	if ok {
		return names, nil
	}
	if err := h.startCall(ctx, d); err != nil {
		return nil, fmt.Errorf("describe user pool %s: %w", poolID, err)
	}
	out, err := h.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return nil, fmt.Errorf("describe user pool %s: %w", poolID, err)
	}
	if out == nil || out.UserPool == nil {
		return nil, fmt.Errorf("describe user pool %s: empty response", poolID)
	}
	names = linking.ImmutableCustomAttributes(out.UserPool.SchemaAttributes)
	h.mu.Lock()
	h.immutable[poolID] = names
	h.mu.Unlock()
	return names, nil
}

func linkInput(poolID, username, provider, subject string) *cip.AdminLinkProviderForUserInput {
	return &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(poolID),
		DestinationUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String("Cognito"),
			ProviderAttributeValue: aws.String(username),
		},
		SourceUser: &types.ProviderUserIdentifierType{
			ProviderName:           aws.String(provider),
			ProviderAttributeName:  aws.String(linking.SourceAttributeName),
			ProviderAttributeValue: aws.String(subject),
		},
	}
}

// readUser reads the destination user back, every attribute included. No
// AttributesToGet: Cognito rejects it for attributes not set on every result,
// and an unlinked user has no identities attribute.
func (h *Handler) readUser(ctx context.Context, poolID, username string, d *decision) (types.UserType, bool, error) {
	if err := h.startCall(ctx, d); err != nil {
		return types.UserType{}, false, fmt.Errorf("read back linked user for %s: %w", poolID, err)
	}
	out, err := h.api.ListUsers(ctx, &cip.ListUsersInput{
		UserPoolId: aws.String(poolID),
		Filter:     aws.String(linking.UsernameFilter(username)),
		Limit:      aws.Int32(1),
	})
	if err != nil {
		return types.UserType{}, false, fmt.Errorf("read back linked user for %s: %w", poolID, err)
	}
	if out == nil {
		return types.UserType{}, false, nil
	}
	for _, u := range out.Users {
		if aws.ToString(u.Username) == username {
			return u, true, nil
		}
	}
	return types.UserType{}, false, nil
}

// startCall counts a Cognito call, and refuses to start one that could not
// finish before the invocation deadline. Retries of a call are the client's
// (retryingCognito), under the same deadline.
func (h *Handler) startCall(ctx context.Context, d *decision) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = h.now().Add(cognitoBudget - safetyMargin)
	}
	if remaining := deadline.Sub(h.now()); remaining < minCallBudget {
		return fmt.Errorf("%w: %s left", errBudget, remaining.Round(time.Millisecond))
	}
	d.calls++
	return nil
}

// logDecision writes the one log line of an invocation. It never logs the
// event, a raw email, the subject, or user names.
func (h *Handler) logDecision(ctx context.Context, d *decision, start time.Time, err error) {
	attrs := []slog.Attr{
		slog.String("decision", d.action),
		slog.String("reason", d.reason),
		slog.String("trigger_source", d.trigger),
		slog.String("user_pool_id", d.poolID),
		slog.String("provider", h.cfg.ProviderName),
		slog.Bool("require_existing_user", h.cfg.RequireExistingUser),
		slog.String("email", linking.MaskEmail(d.email)),
		slog.Int("candidates", d.candidates),
		slog.Int("cognito_calls", d.calls),
		// Cognito's TooManyRequestsException answers: a log metric filter
		// on throttled_attempts > 0 shows a sign-in wave nearing the quota.
		slog.Int("throttled_attempts", d.stats.throttled),
		slog.Int64("duration_ms", h.now().Sub(start).Milliseconds()),
	}
	attrs = h.chainAttrs(attrs, d)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
		var failed *SignUpFailedError
		var invalid *InvalidEventError
		if errors.As(err, &failed) || errors.As(err, &invalid) {
			level = slog.LevelError
			attrs = append(attrs, slog.String("error", redact(errorChain(err), d.email)))
		}
	}
	if d.stack != "" {
		attrs = append(attrs, slog.String("stack", d.stack))
	}
	h.log.LogAttrs(ctx, level, "pre sign-up decision", attrs...)
}

// errorChain is the detailed text of an error, below its user-facing message.
func errorChain(err error) string {
	if inner := errors.Unwrap(err); inner != nil {
		return inner.Error()
	}
	return err.Error()
}
