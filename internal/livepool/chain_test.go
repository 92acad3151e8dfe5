package livepool

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// chainingOwned chains the recorded pool's own trigger, the post's function.
func chainingOwned() Owned {
	owned := ownedForTest()
	owned.ReplacePreSignUpTrigger = false
	owned.ChainPreSignUpARN = recordedBlogTrigger
	return owned
}

// The run that moves the trigger: the first run of the post's pool only
// added custom:descope_sub (TestOwnedChangesAndImportIDs), chained or not.
func TestChainingThePoolsTriggerIsAdopted(t *testing.T) {
	state := afterFirstRun(readRecorded(t, recordedPoolID, recordedClientID))
	plan, err := Adopt(state, chainingOwned())
	if err != nil {
		t.Fatalf("Adopt: %v", err)
	}
	// The merge function still takes the trigger's place; it calls the
	// previous one itself.
	if plan.PreviousPreSignUpARN != recordedBlogTrigger {
		t.Errorf("PreviousPreSignUpARN = %q, want %q kept for detaching", plan.PreviousPreSignUpARN, recordedBlogTrigger)
	}
	if got := register(t, plan).pool["lambdaConfig"].(map[string]any)["preSignUp"]; got != mergeFunctionARN {
		t.Errorf("preSignUp = %v, want the merge function", got)
	}
	if !slices.ContainsFunc(plan.Changes, func(c string) bool {
		return strings.Contains(c, "calls the previous trigger "+recordedBlogTrigger+" first")
	}) {
		t.Errorf("changes do not say the trigger is chained: %v", plan.Changes)
	}
}

func TestChainingRefusals(t *testing.T) {
	otherAccount := strings.Replace(recordedBlogTrigger, ":123456789012:", ":210987654321:", 1)
	otherRegion := strings.Replace(recordedBlogTrigger, ":us-east-1:", ":eu-west-1:", 1)
	for _, c := range []struct {
		name        string
		change      func(s *State, o *Owned)
		reason, fix string
	}{
		{"both chain and replace", func(_ *State, o *Owned) { o.ReplacePreSignUpTrigger = true },
			"chainPreSignUpTrigger and replacePreSignUpTrigger are both set", "keep one"},
		{"function in another account", func(s *State, o *Owned) {
			o.ChainPreSignUpARN = otherAccount
			s.Pool.LambdaConfig.PreSignUp = aws.String(otherAccount)
		}, "in account 210987654321, region us-east-1, not in the pool's account 123456789012", "pool's own account and region"},
		{"function in another region", func(s *State, o *Owned) {
			o.ChainPreSignUpARN = otherRegion
			s.Pool.LambdaConfig.PreSignUp = aws.String(otherRegion)
		}, "region eu-west-1, not in the pool's account 123456789012 and region us-east-1", "pool's own account and region"},
		{"not the pool's trigger", func(_ *State, o *Owned) {
			o.ChainPreSignUpARN = strings.Replace(recordedBlogTrigger, "descope-blog-presignup", "company-rules", 1)
		}, "the pool's pre sign-up trigger is " + recordedBlogTrigger, "chain the pool's own trigger"},
		{"the merge function itself", func(s *State, o *Owned) {
			o.ChainPreSignUpARN = mergeFunctionARN
			s.Pool.LambdaConfig.PreSignUp = aws.String(mergeFunctionARN)
		}, "the merge function itself", "chain the pool's previous trigger"},
		{"not a function ARN", func(s *State, o *Owned) {
			o.ChainPreSignUpARN = "descope-blog-presignup"
			s.Pool.LambdaConfig.PreSignUp = nil
		}, "not a Lambda function ARN", "chain only a Lambda function"},
	} {
		t.Run(c.name, func(t *testing.T) {
			state := readRecorded(t, recordedPoolID, recordedClientID)
			owned := chainingOwned()
			c.change(state, &owned)
			plan, err := Adopt(state, owned)
			var refused *RefusedError
			if plan != nil || !errors.As(err, &refused) {
				t.Fatalf("plan = %v, err = %v; want a *RefusedError", plan, err)
			}
			if len(refused.Refusals) != 1 {
				t.Fatalf("refusals = %v, want exactly one", refused.Refusals)
			}
			r := refused.Refusals[0]
			if !strings.Contains(r.Setting, "chainPreSignUpTrigger") || !strings.Contains(r.Reason, c.reason) || !strings.Contains(r.Fix, c.fix) {
				t.Errorf("refusal %+v, want reason with %q and fix with %q", r, c.reason, c.fix)
			}
		})
	}
}

// Refusing a working trigger points to chaining, which keeps its rules.
func TestReplacingRefusalPointsToChaining(t *testing.T) {
	state := readRecorded(t, recordedPoolID, recordedClientID)
	owned := ownedForTest()
	owned.ReplacePreSignUpTrigger = false
	_, err := Adopt(state, owned)
	if err == nil || !strings.Contains(err.Error(), "pulumi config set chainPreSignUpTrigger true") {
		t.Fatalf("err = %v, want the fix to name chainPreSignUpTrigger", err)
	}
}
