package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

const fixRedeploy = "run `pulumi up`: the stack declares it (someone changed it outside Pulumi)"

// providerNameVariable is the merge function's setting for the provider it
// links (lambda/config.go); unset, the function uses passkeys.DefaultProviderName.
const providerNameVariable = "DESCOPE_PROVIDER_NAME"

// checkTrigger is check 3: the pool's pre sign-up trigger is the stack's
// function, the function is the one the program deploys, it links the pool's
// provider, its role may call what linking needs, and only this pool may
// invoke it. When the function chains the pool's previous trigger, the
// chained function must exist and the role may invoke it. It returns the
// chained function's ARN, empty when the function chains none or its
// configuration could not be read.
func (v *Verifier) checkTrigger(ctx context.Context) (Check, string) {
	c := Check{ID: "trigger-wiring", Title: "Pre sign-up trigger " + v.In.MergeFunctionName, Status: StatusPass}

	callCtx, cancel := v.callContext(ctx)
	fn, err := v.Lambda.GetFunction(callCtx, &lambda.GetFunctionInput{FunctionName: aws.String(v.In.MergeFunctionName)})
	cancel()
	var functionARN, roleARN, chainedARN string
	switch {
	case isNotFound(err):
		c.fail(fixRedeploy+"; if the name is wrong, pass --merge-function-name", "function %s does not exist in %s", v.In.MergeFunctionName, v.In.Region)
	case err != nil:
		msg, fix := awsFix("lambda:GetFunction", err)
		c.fail(fix, "%s", msg)
	case fn.Configuration == nil:
		c.fail(fixRedeploy, "GetFunction returned no configuration")
	default:
		cfg := fn.Configuration
		functionARN, roleARN = str(cfg.FunctionArn), str(cfg.Role)
		if cfg.State == lambdatypes.StateActive {
			c.pass("function is Active")
		} else {
			c.fail(fmt.Sprintf("wait for the function to become Active, then rerun; if it stays %s, read its StateReason and run `pulumi up`", cfg.State),
				"function state is %s: %s", cfg.State, str(cfg.StateReason))
		}
		if slices.Equal(cfg.Architectures, []lambdatypes.Architecture{lambdatypes.ArchitectureArm64}) {
			c.pass("function runs on arm64")
		} else {
			c.fail(fixRedeploy+"; the bootstrap is built for linux/arm64 only", "function architectures are %v, not [arm64]", cfg.Architectures)
		}
		if cfg.Runtime == lambdatypes.RuntimeProvidedal2023 {
			c.pass("function runtime is provided.al2023")
		} else {
			c.fail(fixRedeploy, "function runtime is %q, not provided.al2023", cfg.Runtime)
		}
		v.judgeProviderName(&c, cfg.Environment)
		if cfg.Environment != nil {
			chainedARN = strings.TrimSpace(cfg.Environment.Variables[passkeys.ChainedPreSignUpVariable])
		}
		if chainedARN != "" {
			c.pass("the function chains %s (%s): it invokes that function first, with the same event, for every pre sign-up event", chainedARN, passkeys.ChainedPreSignUpVariable)
			v.judgeChainedFunction(ctx, &c, chainedARN)
		}
	}

	callCtx, cancel = v.callContext(ctx)
	pool, err := v.Cognito.DescribeUserPool(callCtx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(v.In.UserPoolID)})
	cancel()
	var poolARN string
	switch {
	case isNotFound(err):
		c.fail("check --user-pool-id and --region; run `pulumi up` if the pool was never created", "user pool %s does not exist in %s", v.In.UserPoolID, v.In.Region)
	case err != nil:
		msg, fix := awsFix("cognito-idp:DescribeUserPool", err)
		c.fail(fix, "%s", msg)
	case pool.UserPool == nil:
		c.fail(fixRedeploy, "DescribeUserPool returned no pool")
	default:
		poolARN = str(pool.UserPool.Arn)
		var trigger string
		if pool.UserPool.LambdaConfig != nil {
			trigger = str(pool.UserPool.LambdaConfig.PreSignUp)
		}
		switch {
		case trigger == "":
			c.fail(fixRedeploy+"; without the trigger a Descope sign-in for an existing email creates a second user",
				"user pool %s has no pre sign-up trigger", v.In.UserPoolID)
		case functionARN != "" && trigger != functionARN:
			c.fail(fixRedeploy, "the pool's pre sign-up trigger is %s, not the stack's function %s", trigger, functionARN)
		case functionARN == "" && !strings.HasSuffix(trigger, ":function:"+v.In.MergeFunctionName):
			c.fail(fixRedeploy, "the pool's pre sign-up trigger is %s, not the stack's function %s", trigger, v.In.MergeFunctionName)
		default:
			c.pass("the pool's pre sign-up trigger is %s", trigger)
		}
	}

	if roleARN != "" {
		if poolARN == "" {
			c.fail("fix the user pool finding above first", "cannot ask IAM about the function's role without the pool's ARN")
		} else {
			v.judgeRole(ctx, &c, roleARN, poolARN)
		}
		if chainedARN != "" {
			v.judgeChainRole(ctx, &c, roleARN, chainedARN)
		}
	}

	callCtx, cancel = v.callContext(ctx)
	policy, err := v.Lambda.GetPolicy(callCtx, &lambda.GetPolicyInput{FunctionName: aws.String(v.In.MergeFunctionName)})
	cancel()
	switch {
	case isNotFound(err):
		c.fail(fixRedeploy+"; without it Cognito cannot call the function and every sign-up fails",
			"function %s has no resource policy: Cognito may not invoke it", v.In.MergeFunctionName)
	case err != nil:
		msg, fix := awsFix("lambda:GetPolicy", err)
		c.fail(fix, "%s", msg)
	case poolARN == "":
		c.fail("fix the user pool finding above first", "cannot judge the function's resource policy without the pool's ARN")
	default:
		v.judgePolicy(&c, str(policy.Policy), poolARN)
	}
	return c, chainedARN
}

// fixChainedFunctionGone is the fix when the merge function cannot call the
// function it chains: it then fails every sign-up closed.
const fixChainedFunctionGone = "the merge function fails every sign-up closed while it cannot call that function: restore it (same ARN), or, if its rules are no longer wanted, stop chaining as docs/adoption.md \"Chain or replace the pool's trigger\" says"

// judgeChainedFunction checks that the chained function exists.
func (v *Verifier) judgeChainedFunction(ctx context.Context, c *Check, chainedARN string) {
	callCtx, cancel := v.callContext(ctx)
	fn, err := v.Lambda.GetFunction(callCtx, &lambda.GetFunctionInput{FunctionName: aws.String(chainedARN)})
	cancel()
	switch {
	case isNotFound(err):
		c.fail(fixChainedFunctionGone, "the chained function %s does not exist", chainedARN)
	case err != nil:
		msg, fix := awsFix("lambda:GetFunction", err)
		c.fail(fix, "%s (on the chained function)", msg)
	case fn.Configuration == nil:
		c.unknown("read it with `aws lambda get-function --function-name "+chainedARN+"`", "GetFunction returned no configuration for the chained function %s", chainedARN)
	default:
		c.pass("the chained function %s exists (state %s)", chainedARN, fn.Configuration.State)
	}
}

// judgeChainRole asks IAM whether the function's role may invoke exactly the
// chained function (passkeys.ChainAction): without it every sign-up fails
// closed.
func (v *Verifier) judgeChainRole(ctx context.Context, c *Check, roleARN, chainedARN string) {
	callCtx, cancel := v.callContext(ctx)
	out, err := v.IAM.SimulatePrincipalPolicy(callCtx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN),
		ActionNames:     []string{passkeys.ChainAction},
		ResourceArns:    []string{chainedARN},
	})
	cancel()
	switch {
	case isNotFound(err):
		c.fail(fixRedeploy, "the function's role %s does not exist", roleARN)
		return
	case err != nil:
		msg, fix := awsFix("iam:SimulatePrincipalPolicy", err)
		c.fail(fix, "%s", msg)
		return
	}
	decision := "no answer"
	for _, r := range out.EvaluationResults {
		if str(r.EvalActionName) == passkeys.ChainAction {
			decision = string(r.EvalDecision)
		}
	}
	if decision != string(iamtypes.PolicyEvaluationDecisionTypeAllowed) {
		c.fail(fixRedeploy+"; the stack lets the role invoke exactly that function, and without it the merge function fails every sign-up closed",
			"the function's role %s may not call %s on the chained function %s (%s)", roleARN, passkeys.ChainAction, chainedARN, decision)
		return
	}
	c.pass("the function's role may call %s on the chained function", passkeys.ChainAction)
}

// judgeProviderName checks that the function links the provider the pool
// has: with another name it skips every Descope sign-in as another
// provider's, and Cognito creates a second user for each existing email.
func (v *Verifier) judgeProviderName(c *Check, env *lambdatypes.EnvironmentResponse) {
	set := ""
	if env != nil {
		set = env.Variables[providerNameVariable]
	}
	effective, shown := set, fmt.Sprintf("%s=%q", providerNameVariable, set)
	if set == "" {
		effective, shown = passkeys.DefaultProviderName, providerNameVariable+" unset, so "+passkeys.DefaultProviderName
	}
	if effective == v.In.ProviderName {
		c.pass("the function links provider %q (%s)", v.In.ProviderName, shown)
		return
	}
	c.fail(fixRedeploy+"; until then the function skips every sign-in through the pool's provider, and Cognito creates a second user for each existing email",
		"the function links provider %q (%s), not the pool's provider %q", effective, shown, v.In.ProviderName)
}

// judgeRole asks IAM whether the function's role may call the actions linking
// needs on this pool (passkeys.LinkActions). Without ListUsers the function
// cannot look the email up, and every Descope sign-up fails.
func (v *Verifier) judgeRole(ctx context.Context, c *Check, roleARN, poolARN string) {
	callCtx, cancel := v.callContext(ctx)
	out, err := v.IAM.SimulatePrincipalPolicy(callCtx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN),
		ActionNames:     passkeys.LinkActions,
		ResourceArns:    []string{poolARN},
	})
	cancel()
	switch {
	case isNotFound(err):
		c.fail(fixRedeploy, "the function's role %s does not exist", roleARN)
		return
	case err != nil:
		msg, fix := awsFix("iam:SimulatePrincipalPolicy", err)
		c.fail(fix, "%s", msg)
		return
	}
	decisions := map[string]string{}
	for _, r := range out.EvaluationResults {
		decisions[str(r.EvalActionName)] = string(r.EvalDecision)
	}
	var denied []string
	for _, action := range passkeys.LinkActions {
		decision := decisions[action]
		if decision == "" {
			decision = "no answer"
		}
		if decision != string(iamtypes.PolicyEvaluationDecisionTypeAllowed) {
			denied = append(denied, action+" ("+decision+")")
		}
	}
	if len(denied) > 0 {
		c.fail(fixRedeploy+"; without these the function cannot find or link the existing user, and every Descope sign-up fails",
			"the function's role %s may not call %s on user pool %s", roleARN, strings.Join(denied, ", "), poolARN)
		return
	}
	c.pass("the function's role may call %s on the pool", strings.Join(passkeys.LinkActions, ", "))
}

// policyDocument is a Lambda resource policy as GetPolicy returns it. Values
// that IAM allows as a string or a list are kept raw and read with stringList.
type policyDocument struct {
	Statement []struct {
		Sid       string                                `json:"Sid"`
		Effect    string                                `json:"Effect"`
		Principal json.RawMessage                       `json:"Principal"`
		Action    json.RawMessage                       `json:"Action"`
		Condition map[string]map[string]json.RawMessage `json:"Condition"`
	} `json:"Statement"`
}

// judgePolicy accepts a policy whose every statement that allows invoking the
// function lets Cognito do so for this pool's ARN only; any other grant is
// named with the command that removes it.
func (v *Verifier) judgePolicy(c *Check, raw, poolARN string) {
	var doc policyDocument
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		c.unknown("read the policy with `aws lambda get-policy --function-name "+v.In.MergeFunctionName+"`", "the function's resource policy is not a JSON policy: %s", printable([]byte(raw)))
		return
	}
	forThisPool := 0
	for _, st := range doc.Statement {
		if st.Effect != "Allow" || !allowsInvoke(stringList(st.Action)) {
			continue
		}
		principal := principalOf(st.Principal)
		var sourceARNs []string
		for _, op := range []string{"ArnLike", "ArnEquals", "StringEquals", "StringLike"} {
			sourceARNs = append(sourceARNs, stringList(st.Condition[op]["AWS:SourceArn"])...)
		}
		if principal == "cognito-idp.amazonaws.com" && slices.Equal(sourceARNs, []string{poolARN}) {
			forThisPool++
			continue
		}
		who := principal + " from any source"
		if len(sourceARNs) > 0 {
			who = principal + " from " + strings.Join(sourceARNs, ", ")
		}
		c.fail(fmt.Sprintf("remove it: `aws lambda remove-permission --function-name %s --statement-id %s`, then `pulumi up`", v.In.MergeFunctionName, st.Sid),
			"the function's resource policy also lets %s invoke it (statement %q)", who, st.Sid)
	}
	if forThisPool == 0 {
		c.fail(fixRedeploy+"; without it Cognito cannot call the function and every sign-up fails",
			"the function's resource policy does not let user pool %s invoke it", poolARN)
		return
	}
	c.pass("only user pool %s may invoke the function", poolARN)
}

// allowsInvoke reports whether a statement's actions include lambda:InvokeFunction.
func allowsInvoke(actions []string) bool {
	for _, a := range actions {
		switch strings.ToLower(a) {
		case "lambda:invokefunction", "lambda:invoke*", "lambda:*", "*":
			return true
		}
	}
	return false
}

// stringList reads a policy value that may be a string or a list of strings.
func stringList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	return nil
}

// principalOf reads a policy principal: "*", {"Service": "..."} or {"AWS": "..."}.
func principalOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		for _, key := range []string{"Service", "AWS", "Federated"} {
			if v, ok := m[key]; ok {
				return fmt.Sprint(v)
			}
		}
	}
	return string(raw)
}
