// Package restoretrigger changes one setting of a user pool, its pre sign-up
// trigger, without the Pulumi engine: in an emergency (the merge function
// blocks sign-ups, the stack is gone) it puts the previous trigger back or
// removes it. UpdateUserPool resets every setting it is not given, so the
// request is built from the live pool with the translation adoption uses
// (livepool.Adopt with Detach, then PoolPlan.UpdateInput): what a detach
// `pulumi up` would send. Before a trigger is set, triggercheck confirms that
// Cognito can call it.
package restoretrigger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
)

// CognitoAPI is what the command calls on Cognito: livepool's reads and
// UpdateUserPool. *cognitoidentityprovider.Client satisfies it.
type CognitoAPI interface {
	livepool.API
	UpdateUserPool(ctx context.Context, in *cognitoidentityprovider.UpdateUserPoolInput, opts ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.UpdateUserPoolOutput, error)
}

// Options are the command's choices.
type Options struct {
	UserPoolID string
	// PreSignUpARN is the trigger to set; empty with Remove.
	PreSignUpARN string
	// Remove removes the pre sign-up trigger.
	Remove bool
	// Apply sends the request; without it nothing changes.
	Apply bool
}

// Validate checks the options before any call.
func (o Options) Validate() error {
	switch {
	case o.UserPoolID == "":
		return errors.New("--user-pool-id is required (the pool's ID, such as us-east-1_AbCdEf123: the stack output userPoolId)")
	case !strings.Contains(o.UserPoolID, "_"):
		return fmt.Errorf("--user-pool-id %q is not a user pool ID such as us-east-1_AbCdEf123", o.UserPoolID)
	case o.Remove == (o.PreSignUpARN != ""):
		return errors.New("give exactly one of --pre-sign-up ARN (the trigger to put back: the stack output previousPreSignUpTrigger) and --remove (no pre sign-up trigger)")
	case o.PreSignUpARN != "" && functionName(o.PreSignUpARN) == "":
		return fmt.Errorf("--pre-sign-up %q is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)", o.PreSignUpARN)
	}
	return nil
}

// Region is the pool's region, from its ID.
func (o Options) Region() string {
	region, _, _ := strings.Cut(o.UserPoolID, "_")
	return region
}

// Result is what the command found and did, for people and for --json.
type Result struct {
	UserPoolID string `json:"userPoolId"`
	// Current is the live pre sign-up trigger, New the one after the
	// change; empty for none.
	Current string `json:"currentPreSignUp"`
	New     string `json:"newPreSignUp"`
	// Unchanged is true when the pool already has New.
	Unchanged bool `json:"unchanged"`
	// Checked is true when New was found callable by Cognito.
	Checked bool `json:"checked"`
	// Applied is true once UpdateUserPool succeeded and the read-back shows New.
	Applied bool `json:"applied"`
	// Request is the UpdateUserPool request, as the AWS CLI's
	// --cli-input-json takes it.
	Request json.RawMessage `json:"request,omitempty"`
	// Error is why the command stopped, if it did.
	Error string `json:"error,omitempty"`

	request *cognitoidentityprovider.UpdateUserPoolInput
}

// placeholderProvider stands in for the identity provider's name, which
// livepool.Adopt needs but this plan never uses: no client and no provider
// are read.
const placeholderProvider = "Descope"

// Plan reads the pool and builds the request; with a trigger to set, it
// checks that Cognito can call it (a *triggercheck.NotInvokableError when
// not). A pool whose settings the request cannot carry is a
// *livepool.RefusedError. The returned Result is filled as far as it got.
func Plan(ctx context.Context, cognito CognitoAPI, lambdaAPI triggercheck.API, o Options) (*Result, error) {
	result := &Result{UserPoolID: o.UserPoolID, New: o.PreSignUpARN}
	state, err := livepool.Read(ctx, cognito, livepool.Request{UserPoolID: o.UserPoolID})
	if err != nil {
		return result, err
	}
	if lc := state.Pool.LambdaConfig; lc != nil {
		result.Current = aws.ToString(lc.PreSignUp)
	}
	plan, err := livepool.Adopt(state, livepool.Owned{
		ProviderName: placeholderProvider,
		// The live trigger counts as the one detach replaces: replacing it
		// is the point.
		MergeFunctionName:   cmp.Or(functionName(result.Current, o.PreSignUpARN), "none"),
		Detach:              true,
		RestorePreSignUpARN: o.PreSignUpARN,
	})
	if err != nil {
		return result, err
	}
	if result.request, err = plan.Pool.UpdateInput(); err != nil {
		return result, err
	}
	if result.Request, err = cliJSON(result.request); err != nil {
		return result, err
	}
	result.Unchanged = result.Current == result.New
	if o.PreSignUpARN != "" {
		if err := triggercheck.Check(ctx, lambdaAPI, o.PreSignUpARN, aws.ToString(state.Pool.Arn)); err != nil {
			return result, err
		}
		result.Checked = true
	}
	return result, nil
}

// Apply sends the planned request and reads the trigger back.
func Apply(ctx context.Context, cognito CognitoAPI, result *Result) error {
	if result.request == nil {
		return errors.New("restoretrigger: nothing planned")
	}
	if result.Unchanged {
		return nil
	}
	if _, err := cognito.UpdateUserPool(ctx, result.request); err != nil {
		return fmt.Errorf("UpdateUserPool %s (nothing was changed): %w", result.UserPoolID, err)
	}
	after, err := cognito.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(result.UserPoolID)})
	if err != nil {
		return fmt.Errorf("the update of %s was sent, but reading it back failed (check the pool's pre sign-up trigger): %w", result.UserPoolID, err)
	}
	got := ""
	if after.UserPool != nil && after.UserPool.LambdaConfig != nil {
		got = aws.ToString(after.UserPool.LambdaConfig.PreSignUp)
	}
	if got != result.New {
		return fmt.Errorf("the update of %s was sent, but its pre sign-up trigger reads back as %q, not %q", result.UserPoolID, got, result.New)
	}
	result.Applied = true
	return nil
}

// functionName is the name in the first Lambda ARN given
// (arn:partition:lambda:region:account:function:name[:qualifier]).
func functionName(arns ...string) string {
	for _, arn := range arns {
		if parts := strings.Split(arn, ":"); len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" && parts[6] != "" {
			return parts[6]
		}
	}
	return ""
}

// cliJSON renders the request as --cli-input-json takes it: the fields the
// SDK sends, without the empty ones it leaves out.
func cliJSON(in *cognitoidentityprovider.UpdateUserPoolInput) (json.RawMessage, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return json.MarshalIndent(prune(doc), "", "  ")
}

// prune drops nulls and empty strings (unset pointers and enums), keeping
// false and 0, which are values.
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for key, value := range v {
			if value == nil || value == "" {
				delete(v, key)
				continue
			}
			v[key] = prune(value)
		}
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
	}
	return v
}

// WriteText writes the result for a person: the change, the check, the
// request, and what happened.
func WriteText(w io.Writer, r *Result, o Options) error {
	if len(r.Request) == 0 {
		return nil // the pool was not read: nothing to show
	}
	none := func(arn string) string { return cmp.Or(arn, "none") }
	var b strings.Builder
	fmt.Fprintf(&b, "User pool %s, pre sign-up trigger:\n  now:   %s\n  after: %s\n", r.UserPoolID, none(r.Current), none(r.New))
	if r.Checked {
		fmt.Fprintf(&b, "Checked: %s exists and Cognito may invoke it for %s.\n", r.New, r.UserPoolID)
	}
	fmt.Fprintf(&b, "UpdateUserPool request (every other setting as it is now; aws cognito-idp update-user-pool --cli-input-json takes it too):\n%s\n", r.Request)
	switch {
	case r.Unchanged:
		b.WriteString("Nothing to change: the pool already has this trigger.\n")
	case r.Applied:
		b.WriteString("Applied: the pool's pre sign-up trigger now reads back as " + none(r.New) + ".\n")
	case !o.Apply && (r.Checked || o.Remove):
		change := "--pre-sign-up " + o.PreSignUpARN
		if o.Remove {
			change = "--remove"
		}
		fmt.Fprintf(&b, "Dry run: nothing was changed. To apply: restore-trigger --user-pool-id %s %s --apply\n", r.UserPoolID, change)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
