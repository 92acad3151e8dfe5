package verify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

type timeoutError struct{}

func (timeoutError) Error() string { return "i/o timeout" }
func (timeoutError) Timeout() bool { return true }

func TestAWSFixNamesTheCause(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		message string
		fix     string
	}{
		{
			name:    "denied",
			err:     fmt.Errorf("operation error: %w", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}),
			message: "lambda:GetFunction failed: AccessDeniedException: not allowed",
			fix:     "the credentials lack lambda:GetFunction: allow it to the role or user verify runs as (the deploy role's policy in docs/ci-cd.md lists it)",
		},
		{
			name:    "expired",
			err:     &smithy.GenericAPIError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired"},
			message: "lambda:GetFunction failed: ExpiredTokenException: The security token included in the request is expired",
			fix:     "the AWS credentials are invalid or expired: sign in again (aws sso login, or refresh the keys) and rerun",
		},
		{
			name:    "no credentials",
			err:     errors.New("operation error Lambda: GetFunction, failed to sign request: failed to retrieve credentials: no EC2 IMDS role found"),
			message: "lambda:GetFunction failed: operation error Lambda: GetFunction, failed to sign request: failed to retrieve credentials: no EC2 IMDS role found",
			fix:     "no AWS credentials were found: set AWS_PROFILE or run `aws configure`, then rerun",
		},
		{
			name:    "timeout",
			err:     fmt.Errorf("send: %w", timeoutError{}),
			message: "lambda:GetFunction failed: send: i/o timeout",
			fix:     "AWS did not answer in time: check the network and the region, then rerun",
		},
		{
			name:    "anything else is shown as it came",
			err:     context.Canceled,
			message: "lambda:GetFunction failed: context canceled",
			fix:     "read the error above; rerun once it is resolved",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			message, fix := awsFix("lambda:GetFunction", tt.err)
			if message != tt.message || fix != tt.fix {
				t.Errorf("got\n  %q\n  %q\nwant\n  %q\n  %q", message, fix, tt.message, tt.fix)
			}
		})
	}
}
