package passkeys

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// policyDocument is an IAM policy, built from Go values so it cannot be malformed.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string            `json:"Sid,omitempty"`
	Effect    string            `json:"Effect"`
	Principal map[string]string `json:"Principal,omitempty"`
	Action    []string          `json:"Action"`
	Resource  []string          `json:"Resource,omitempty"`
}

func (d policyDocument) json() (string, error) {
	out, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode IAM policy: %w", err)
	}
	return string(out), nil
}

func lambdaTrustPolicy() (string, error) {
	return policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Effect:    "Allow",
			Principal: map[string]string{"Service": "lambda.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
		}},
	}.json()
}

// LinkActions are the only Cognito actions the merge function may call.
var LinkActions = []string{"cognito-idp:AdminLinkProviderForUser", "cognito-idp:DescribeUserPool", "cognito-idp:ListUsers"}

func linkPolicy(poolARN pulumi.StringOutput) pulumi.StringOutput {
	return poolARN.ApplyT(func(arn string) (string, error) {
		return policyDocument{
			Version: "2012-10-17",
			Statement: []policyStatement{{
				Sid:      "LinkDescopeIdentities",
				Effect:   "Allow",
				Action:   LinkActions,
				Resource: []string{arn},
			}},
		}.json()
	}).(pulumi.StringOutput)
}

func logsPolicy(logGroupARN pulumi.StringOutput) pulumi.StringOutput {
	return logGroupARN.ApplyT(func(arn string) (string, error) {
		return policyDocument{
			Version: "2012-10-17",
			Statement: []policyStatement{{
				Sid:      "WriteOwnLogs",
				Effect:   "Allow",
				Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
				Resource: []string{strings.TrimSuffix(arn, ":*") + ":*"},
			}},
		}.json()
	}).(pulumi.StringOutput)
}
