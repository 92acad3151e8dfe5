// Package triggercheck answers, before a pre sign-up trigger is put on a
// pool, whether Cognito can call it: the function exists (GetFunction) and
// its resource policy lets cognito-idp.amazonaws.com invoke it for that pool
// (GetPolicy). A trigger that fails either test fails every sign-up in the
// pool, native ones included, so detaching, teardown and cmd/restore-trigger
// stop instead of setting it.
package triggercheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CognitoPrincipal is the service principal Cognito invokes triggers as.
const CognitoPrincipal = "cognito-idp.amazonaws.com"

// API is the part of the Lambda API that Check uses; *lambda.Client
// satisfies it.
type API interface {
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, opts ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
}

// NewClient is a Lambda client for the function's own region (the one
// Cognito calls it in), else cfg's.
func NewClient(cfg aws.Config, functionARN string) *lambda.Client {
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if parts := strings.Split(functionARN, ":"); len(parts) > 3 && parts[3] != "" {
			o.Region = parts[3]
		}
	})
}

// NotInvokableError says that Cognito cannot call the function for the pool,
// and why.
type NotInvokableError struct {
	FunctionARN string
	PoolARN     string
	// Missing is true when the function does not exist.
	Missing bool
	// Reason says what is wrong, in words.
	Reason string
}

func (e *NotInvokableError) Error() string {
	return fmt.Sprintf("the pre sign-up trigger %s %s, so Cognito could not call it and every sign-up in %s would fail", e.FunctionARN, e.Reason, poolID(e.PoolARN))
}

// Restore says how to make the function callable again: recreate it if it is
// gone, and grant Cognito the invoke permission (the exact command).
func (e *NotInvokableError) Restore() string {
	grant := AddPermissionCommand(e.FunctionARN, e.PoolARN)
	if e.Missing {
		return "recreate the function " + e.FunctionARN + " (same name, account and region) and let Cognito invoke it: " + grant
	}
	return "let Cognito invoke it: " + grant
}

// AddPermissionCommand is the AWS CLI command that lets the pool invoke the function.
func AddPermissionCommand(functionARN, poolARN string) string {
	return fmt.Sprintf("aws lambda add-permission --function-name %s --statement-id cognito-%s --action lambda:InvokeFunction --principal %s --source-arn %s",
		functionARN, poolID(poolARN), CognitoPrincipal, poolARN)
}

// poolID is the last part of a pool ARN (arn:aws:cognito-idp:region:account:userpool/ID).
func poolID(poolARN string) string {
	return poolARN[strings.LastIndex(poolARN, "/")+1:]
}

// Check returns nil when the function exists and Cognito may invoke it for
// the pool, a *NotInvokableError when it may not, and another error when
// Lambda could not be asked (a missing permission, the network).
func Check(ctx context.Context, api API, functionARN, poolARN string) error {
	if !strings.HasPrefix(poolARN, "arn:") || !strings.Contains(poolARN, ":userpool/") {
		return fmt.Errorf("triggercheck: %q is not a user pool ARN", poolARN)
	}
	fn, err := api.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(functionARN)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return &NotInvokableError{FunctionARN: functionARN, PoolARN: poolARN, Missing: true, Reason: "does not exist"}
	case err != nil:
		return fmt.Errorf("read the function %s (needs lambda:GetFunction): %w", functionARN, err)
	}
	if fn.Configuration != nil && fn.Configuration.State == types.StateFailed {
		return &NotInvokableError{FunctionARN: functionARN, PoolARN: poolARN,
			Reason: fmt.Sprintf("is in the Failed state (%s)", aws.ToString(fn.Configuration.StateReason))}
	}

	policy, err := api.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(functionARN)})
	noPermission := &NotInvokableError{FunctionARN: functionARN, PoolARN: poolARN,
		Reason: fmt.Sprintf("has no resource-policy statement that lets %s invoke it for %s", CognitoPrincipal, poolID(poolARN))}
	switch {
	case errors.As(err, &notFound):
		return noPermission
	case err != nil:
		return fmt.Errorf("read the resource policy of %s (needs lambda:GetPolicy): %w", functionARN, err)
	}
	allowed, err := Allows(aws.ToString(policy.Policy), poolARN)
	if err != nil {
		return fmt.Errorf("read the resource policy of %s: %w", functionARN, err)
	}
	if !allowed {
		return noPermission
	}
	return nil
}

// policyDocument is the part of an IAM resource policy Allows reads.
type policyDocument struct {
	Statement oneOrMany[statement]
}

type statement struct {
	Effect    string
	Principal json.RawMessage
	Action    oneOrMany[string]
	Condition map[string]map[string]oneOrMany[string]
}

// oneOrMany reads a policy value that is a single item or a list of them.
type oneOrMany[T any] []T

func (v *oneOrMany[T]) UnmarshalJSON(data []byte) error {
	var one T
	if err := json.Unmarshal(data, &one); err == nil {
		*v = []T{one}
		return nil
	}
	var many []T
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*v = many
	return nil
}

// Allows reports whether the resource policy lets Cognito invoke the
// function for the pool: an Allow statement for the Cognito service principal
// (or "*") and lambda:InvokeFunction whose every condition holds for this
// pool, and no Deny statement for Cognito. A condition this check does not
// understand counts as not holding, so the answer is never a wrong yes.
func Allows(policy, poolARN string) (bool, error) {
	var doc policyDocument
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return false, fmt.Errorf("not a policy document: %w", err)
	}
	allowed := false
	for _, s := range doc.Statement {
		if !namesCognito(s.Principal) || !invokes(s.Action) {
			continue
		}
		switch {
		case strings.EqualFold(s.Effect, "Deny"):
			return false, nil
		case strings.EqualFold(s.Effect, "Allow") && conditionsHold(s.Condition, poolARN):
			allowed = true
		}
	}
	return allowed, nil
}

// namesCognito reports whether a statement's principal includes Cognito.
func namesCognito(principal json.RawMessage) bool {
	var everyone string
	if json.Unmarshal(principal, &everyone) == nil {
		return everyone == "*"
	}
	var byKind map[string]oneOrMany[string]
	if json.Unmarshal(principal, &byKind) != nil {
		return false
	}
	for kind, names := range byKind {
		for _, name := range names {
			if (kind == "Service" && name == CognitoPrincipal) || (kind == "AWS" && name == "*") {
				return true
			}
		}
	}
	return false
}

// invokes reports whether the actions include lambda:InvokeFunction
// (actions are case-insensitive and may hold wildcards).
func invokes(actions []string) bool {
	for _, action := range actions {
		if globMatch(strings.ToLower(action), "lambda:invokefunction") {
			return true
		}
	}
	return false
}

// conditionsHold evaluates the conditions add-permission writes: the source
// ARN (ArnLike, ArnEquals, StringEquals, StringLike) and the source account
// (StringEquals, StringLike).
func conditionsHold(conditions map[string]map[string]oneOrMany[string], poolARN string) bool {
	account := ""
	if parts := strings.Split(poolARN, ":"); len(parts) > 4 {
		account = parts[4]
	}
	for operator, keys := range conditions {
		for key, values := range keys {
			var subject string
			switch strings.ToLower(key) {
			case "aws:sourcearn":
				subject = poolARN
			case "aws:sourceaccount":
				subject = account
			default:
				return false
			}
			if !matchesAny(operator, values, subject) {
				return false
			}
		}
	}
	return true
}

func matchesAny(operator string, values []string, subject string) bool {
	for _, value := range values {
		switch operator {
		case "ArnEquals", "StringEquals":
			if value == subject {
				return true
			}
		case "ArnLike", "StringLike":
			if globMatch(value, subject) {
				return true
			}
		}
	}
	return false
}

// globMatch matches IAM's * and ? wildcards (which, unlike path.Match's,
// also match across "/").
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	default:
		return s != "" && s[0] == pattern[0] && globMatch(pattern[1:], s[1:])
	}
}
