package livepool

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// chainRefusals checks chaining (Owned.ChainPreSignUpARN): the function must
// be the pool's previous trigger, in the pool's own account and region (the
// merge function's role may invoke nothing else, and Cognito triggers live
// there), and chaining and replacing are two answers to one question.
func chainRefusals(state *State, owned Owned) []Refusal {
	arn := owned.ChainPreSignUpARN
	if arn == "" {
		return nil
	}
	const setting = "LambdaConfig.PreSignUp (chainPreSignUpTrigger)"
	var refusals []Refusal
	if owned.ReplacePreSignUpTrigger {
		refusals = append(refusals, Refusal{
			Setting: setting,
			Reason:  "chainPreSignUpTrigger and replacePreSignUpTrigger are both set, but the previous trigger is either called first or stopped",
			Fix:     "keep one: `pulumi config rm replacePreSignUpTrigger` to keep its rules, or `pulumi config rm chainPreSignUpTrigger` to stop it",
		})
	}
	poolID := aws.ToString(state.Pool.Id)
	region, account, ok := functionLocation(arn)
	switch {
	case !ok:
		refusals = append(refusals, Refusal{
			Setting: setting,
			Reason:  fmt.Sprintf("%s is not a Lambda function ARN", arn),
			Fix:     "chain only a Lambda function, or set replacePreSignUpTrigger instead",
		})
	case isFunction(arn, owned.MergeFunctionName):
		refusals = append(refusals, Refusal{
			Setting: setting,
			Reason:  fmt.Sprintf("%s is the merge function itself, which would call itself for every sign-up", arn),
			Fix:     "chain the pool's previous trigger, or `pulumi config rm chainPreSignUpTrigger`",
		})
	case region != regionOf(poolID) || (poolAccount(state) != "" && account != poolAccount(state)):
		refusals = append(refusals, Refusal{
			Setting: setting,
			Reason:  fmt.Sprintf("the function %s is in account %s, region %s, not in the pool's account %s and region %s", arn, account, region, poolAccount(state), regionOf(poolID)),
			Fix:     "chain only a function in the pool's own account and region (move its rules there), or set replacePreSignUpTrigger instead",
		})
	}
	if live := livePreSignUp(state); live != "" && !isFunction(live, owned.MergeFunctionName) && live != arn {
		refusals = append(refusals, Refusal{
			Setting: setting,
			Reason:  fmt.Sprintf("the pool's pre sign-up trigger is %s, not the function to chain %s", live, arn),
			Fix:     "chain the pool's own trigger, or remove the trigger first",
		})
	}
	return refusals
}

// functionLocation is the region and account of a Lambda function ARN
// (arn:partition:lambda:region:account:function:name[:qualifier]).
func functionLocation(arn string) (region, account string, ok bool) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return "", "", false
	}
	return parts[3], parts[4], true
}

// poolAccount is the account in the pool's ARN; empty if the read had none.
func poolAccount(state *State) string {
	parts := strings.Split(aws.ToString(state.Pool.Arn), ":")
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// livePreSignUp is the pool's pre sign-up trigger as read.
func livePreSignUp(state *State) string {
	if state.Pool.LambdaConfig == nil {
		return ""
	}
	return aws.ToString(state.Pool.LambdaConfig.PreSignUp)
}
