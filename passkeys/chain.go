package passkeys

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ChainedPreSignUpVariable is the merge function's environment variable that
// names the previous pre sign-up trigger it calls first (lambda/chain.go).
const ChainedPreSignUpVariable = "CHAINED_PRE_SIGN_UP_ARN"

// ChainAction is the one action the merge function's role may call on the
// chained function, and on nothing else.
const ChainAction = "lambda:InvokeFunction"

// chainedPreSignUp is the function the merge function calls first, empty
// when it chains none.
func (a CognitoPasskeysArgs) chainedPreSignUp() string {
	if a.Adoption == nil {
		return ""
	}
	return a.Adoption.ChainPreSignUpARN
}

// newChainPolicy lets the merge function invoke exactly the chained
// function, nothing wider. The function depends on it, and the pool's
// trigger on the function, so the pool never calls a merge function that
// may not yet call the previous trigger. Nil when not chaining.
func newChainPolicy(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, role *iam.Role, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	arn := a.chainedPreSignUp()
	if arn == "" {
		return nil, nil
	}
	policy, err := policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Sid:      "InvokePreviousPreSignUpTrigger",
			Effect:   "Allow",
			Action:   []string{ChainAction},
			Resource: []string{arn},
		}},
	}.json()
	if err != nil {
		return nil, err
	}
	return iam.NewRolePolicy(ctx, name+"-merge-chain", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: pulumi.String(policy),
	}, opts...)
}
