package main

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// chainedTrigger is the function chainPreSignUpTrigger keeps: on the first
// run the pool's live trigger, which the merge function is about to
// replace; afterwards, when the pool's trigger is the merge function, the
// trigger it replaced, from its PreviousPreSignUpTag (the ARN detach and
// teardown put back, so all three agree).
func chainedTrigger(ctx *pulumi.Context, state *livepool.State) (string, error) {
	name := passkeys.MergeFunctionName(ctx.Project(), ctx.Stack(), passkeys.DefaultComponentName)
	if live := livepool.PreviousPreSignUpARN(state, livepool.Owned{MergeFunctionName: name}); live != "" {
		return live, nil
	}
	fn, err := lambda.LookupFunction(ctx, &lambda.LookupFunctionArgs{FunctionName: name})
	if err != nil {
		return "", fmt.Errorf("chainPreSignUpTrigger: the pool has no pre sign-up trigger of its own, and the merge function %s that would know the one it replaced cannot be read: if the pool never had a trigger there is nothing to chain, run `pulumi config rm chainPreSignUpTrigger`: %w", name, err)
	}
	previous, ok := fn.Tags[passkeys.PreviousPreSignUpTag]
	switch {
	case !ok:
		return "", fmt.Errorf("chainPreSignUpTrigger: the merge function %s has no %s tag, so the trigger to chain is unknown: tag the function with it (`aws lambda tag-resource --resource <function ARN> --tags '%s=<trigger ARN>'`) and run again", name, passkeys.PreviousPreSignUpTag, passkeys.PreviousPreSignUpTag)
	case previous == "":
		return "", fmt.Errorf("chainPreSignUpTrigger: the pool had no pre sign-up trigger before the merge function (%s tag of %s is empty), so there is nothing to chain: run `pulumi config rm chainPreSignUpTrigger`", passkeys.PreviousPreSignUpTag, name)
	}
	return previous, nil
}
