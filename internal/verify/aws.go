package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
)

// CognitoAPI is the part of the Cognito client the checks use: reads only.
type CognitoAPI interface {
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	DescribeIdentityProvider(ctx context.Context, in *cip.DescribeIdentityProviderInput, optFns ...func(*cip.Options)) (*cip.DescribeIdentityProviderOutput, error)
}

// LambdaAPI is the part of the Lambda client the checks use: two reads and
// the one invocation.
type LambdaAPI interface {
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, optFns ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// IAMAPI is the part of the IAM client the checks use: one question, whether
// the function's role may call what linking needs. It changes nothing.
type IAMAPI interface {
	SimulatePrincipalPolicy(ctx context.Context, in *iam.SimulatePrincipalPolicyInput, optFns ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
}

// Clients are the AWS clients the checks use.
type Clients struct {
	Cognito CognitoAPI
	Lambda  LambdaAPI
	IAM     IAMAPI
}

// NewAWSClients builds Cognito, Lambda and IAM clients from the default credential
// chain (environment, shared config, SSO, the CI role, AWS_CA_BUNDLE), in
// region, with the one loader every command uses. Every request is bounded by
// timeout.
func NewAWSClients(ctx context.Context, region string, timeout time.Duration) (Clients, error) {
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: region, Timeout: timeout})
	if err != nil {
		return Clients{}, fmt.Errorf("%w (set AWS_PROFILE, or run `aws configure`)", err)
	}
	return Clients{Cognito: cip.NewFromConfig(cfg), Lambda: lambda.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg)}, nil
}

// awsFix turns an AWS error into a finding's message and fix. action is the
// IAM action the call needs, such as "cognito-idp:DescribeUserPool".
func awsFix(action string, err error) (message, fix string) {
	message = fmt.Sprintf("%s failed: %v", action, err)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		message = fmt.Sprintf("%s failed: %s: %s", action, apiErr.ErrorCode(), apiErr.ErrorMessage())
		switch apiErr.ErrorCode() {
		case "AccessDeniedException", "AccessDenied":
			return message, fmt.Sprintf("the credentials lack %s: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)", action)
		case "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken":
			return message, "the AWS credentials are invalid or expired: sign in again (aws sso login, or refresh the keys) and rerun"
		}
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) && netErr.Timeout() {
		return message, "AWS did not answer in time: check the network and the region, then rerun"
	}
	if strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found") {
		return message, "no AWS credentials were found: set AWS_PROFILE or run `aws configure`, then rerun"
	}
	return message, "read the error above; rerun once it is resolved"
}

// isNotFound reports whether err is AWS's answer for a resource that does not exist.
func isNotFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "ResourceNotFoundException" || apiErr.ErrorCode() == "NoSuchEntity")
}

// callContext bounds one AWS or HTTP call by v.Timeout, or DefaultTimeout when unset.
func (v *Verifier) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// str reads an SDK string pointer; nil is "".
func str(p *string) string { return aws.ToString(p) }
