package permissions

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Policy. Resource and Condition are kept as
// docs/ci-cd.md shows them, placeholders included.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Placeholders of docs/ci-cd.md.
const (
	account    = "123456789012"
	region     = "us-east-1"
	stateStore = "acme-pulumi-state"
)

func arn(service, resource string) string {
	scope := region + ":" + account
	if service == "iam" {
		scope = ":" + account
	}
	return "arn:aws:" + service + ":" + scope + ":" + resource
}

// DeployRole is the policy of the role that runs `pulumi up` and then
// `make verify` (docs/ci-cd.md, "Deploy role permissions policy"). Most of
// it is what pulumi-aws calls for the resources the program declares, which
// no code of this module names; AdoptedPoolRead and Verify it must cover.
var DeployRole = Policy{Version: "2012-10-17", Statement: []Statement{
	{Sid: "UserPool", Effect: "Allow", Action: []string{
		"cognito-idp:DescribeUserPool",
		"cognito-idp:UpdateUserPool",
		"cognito-idp:GetUserPoolMfaConfig",
		"cognito-idp:SetUserPoolMfaConfig",
		"cognito-idp:CreateUserPoolClient",
		"cognito-idp:DescribeUserPoolClient",
		"cognito-idp:UpdateUserPoolClient",
		"cognito-idp:DeleteUserPoolClient",
		"cognito-idp:CreateUserPoolDomain",
		"cognito-idp:UpdateUserPoolDomain",
		"cognito-idp:DeleteUserPoolDomain",
		"cognito-idp:CreateIdentityProvider",
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:ListIdentityProviders",
		"cognito-idp:UpdateIdentityProvider",
		"cognito-idp:DeleteIdentityProvider",
		"cognito-idp:ListTagsForResource",
		"cognito-idp:TagResource",
		"cognito-idp:UntagResource",
	}, Resource: []string{arn("cognito-idp", "userpool/*")}},
	{Sid: "MergeFunction", Effect: "Allow", Action: []string{
		"lambda:CreateFunction",
		"lambda:UpdateFunctionCode",
		"lambda:UpdateFunctionConfiguration",
		"lambda:DeleteFunction",
		"lambda:AddPermission",
		"lambda:RemovePermission",
		"lambda:TagResource",
		"lambda:UntagResource",
		"lambda:Get*",
		"lambda:ListVersionsByFunction",
		"lambda:ListTags",
	}, Resource: []string{arn("lambda", "function:passkeys-*")}},
	// A detach or teardown of an adopted pool first checks that Cognito may
	// still invoke the trigger it puts back, which is the pool's own function
	// (the post's, say), not one of passkeys-*. Verify reads the same
	// function when the merge function chains it.
	{Sid: "DetachChecksThePreviousTrigger", Effect: "Allow", Action: []string{"lambda:GetFunction", "lambda:GetPolicy"},
		Resource: []string{arn("lambda", "function:*")}},
	{Sid: "VerifyRunsTheMergeFunctionOnce", Effect: "Allow", Action: []string{"lambda:InvokeFunction"},
		Resource: []string{arn("lambda", "function:passkeys-*")}},
	{Sid: "MergeFunctionRole", Effect: "Allow", Action: []string{
		"iam:CreateRole",
		"iam:GetRole",
		"iam:UpdateRole",
		"iam:UpdateRoleDescription",
		"iam:UpdateAssumeRolePolicy",
		"iam:DeleteRole",
		"iam:TagRole",
		"iam:UntagRole",
		"iam:ListRolePolicies",
		"iam:ListAttachedRolePolicies",
		"iam:ListInstanceProfilesForRole",
		"iam:PutRolePolicy",
		"iam:GetRolePolicy",
		"iam:DeleteRolePolicy",
	}, Resource: []string{arn("iam", "role/passkeys-merge-role-*")}},
	{Sid: "VerifyAsksIAMWhatTheMergeFunctionRoleMayDo", Effect: "Allow", Action: []string{"iam:SimulatePrincipalPolicy"},
		Resource: []string{arn("iam", "role/passkeys-merge-role-*")}},
	{Sid: "PassMergeFunctionRoleToLambdaOnly", Effect: "Allow", Action: []string{"iam:PassRole"},
		Resource:  []string{arn("iam", "role/passkeys-merge-role-*")},
		Condition: map[string]map[string]string{"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
	{Sid: "MergeFunctionLogs", Effect: "Allow", Action: []string{
		"logs:CreateLogGroup",
		"logs:DeleteLogGroup",
		"logs:PutMetricFilter",
		"logs:DeleteMetricFilter",
		"logs:PutRetentionPolicy",
		"logs:DeleteRetentionPolicy",
		"logs:TagResource",
		"logs:UntagResource",
		"logs:ListTagsForResource",
		"logs:TagLogGroup",
		"logs:UntagLogGroup",
		"logs:ListTagsLogGroup",
	}, Resource: []string{arn("logs", "log-group:/aws/lambda/passkeys-*")}},
	{Sid: "FailureAlarm", Effect: "Allow", Action: []string{
		"cloudwatch:PutMetricAlarm",
		"cloudwatch:DeleteAlarms",
		"cloudwatch:TagResource",
		"cloudwatch:UntagResource",
		"cloudwatch:ListTagsForResource",
	}, Resource: []string{arn("cloudwatch", "alarm:passkeys-*")}},
	{Sid: "AlarmTopic", Effect: "Allow", Action: []string{
		"sns:CreateTopic",
		"sns:DeleteTopic",
		"sns:GetTopicAttributes",
		"sns:SetTopicAttributes",
		"sns:Subscribe",
		"sns:ListSubscriptionsByTopic",
		"sns:TagResource",
		"sns:UntagResource",
		"sns:ListTagsForResource",
	}, Resource: []string{arn("sns", "passkeys-*")}},
	{Sid: "AlarmTopicSubscription", Effect: "Allow", Action: []string{
		"sns:GetSubscriptionAttributes",
		"sns:SetSubscriptionAttributes",
		"sns:Unsubscribe",
	}, Resource: []string{"*"}},
	{Sid: "CustomDomain", Effect: "Allow", Action: []string{"acm:DescribeCertificate", "cloudfront:UpdateDistribution"}, Resource: []string{"*"}},
	{Sid: "ActionsWithoutResourceScope", Effect: "Allow", Action: []string{
		"cognito-idp:CreateUserPool",
		"cognito-idp:DescribeUserPoolDomain",
		"logs:DescribeLogGroups",
		"logs:DescribeMetricFilters",
		"cloudwatch:DescribeAlarms",
	}, Resource: []string{"*"}},
	{Sid: "PulumiState", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{"arn:aws:s3:::" + stateStore}},
	{Sid: "PulumiStateObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
		Resource: []string{"arn:aws:s3:::" + stateStore + "/*"}},
}}

// PreviewRole is the read-only policy of the role every `pulumi preview`
// runs with (docs/ci-cd.md, "Preview role permissions policy"): what
// `pulumi preview --refresh` reads, and AdoptedPoolRead, which every preview
// of an adopted stack calls.
var PreviewRole = Policy{Version: "2012-10-17", Statement: []Statement{
	{Sid: "ReadOnly", Effect: "Allow", Action: []string{
		"cognito-idp:DescribeUserPool",
		"cognito-idp:GetUserPoolMfaConfig",
		"cognito-idp:DescribeUserPoolClient",
		"cognito-idp:DescribeUserPoolDomain",
		"cognito-idp:DescribeIdentityProvider",
		"cognito-idp:ListIdentityProviders",
		"cognito-idp:ListTagsForResource",
		"lambda:GetFunction",
		"lambda:GetFunctionConfiguration",
		"lambda:GetFunctionCodeSigningConfig",
		"lambda:GetPolicy",
		"lambda:ListVersionsByFunction",
		"lambda:ListTags",
		"iam:GetRole",
		"iam:GetRolePolicy",
		"iam:ListRolePolicies",
		"iam:ListAttachedRolePolicies",
		"logs:DescribeLogGroups",
		"logs:DescribeMetricFilters",
		"logs:ListTagsForResource",
		"cloudwatch:DescribeAlarms",
		"cloudwatch:ListTagsForResource",
		"sns:GetTopicAttributes",
		"sns:GetSubscriptionAttributes",
		"sns:ListTagsForResource",
		"acm:DescribeCertificate",
	}, Resource: []string{"*"}},
	{Sid: "PulumiState", Effect: "Allow", Action: []string{"s3:ListBucket", "s3:GetObject"},
		Resource: []string{"arn:aws:s3:::" + stateStore, "arn:aws:s3:::" + stateStore + "/*"}},
	{Sid: "PulumiStateLocks", Effect: "Allow", Action: []string{"s3:PutObject", "s3:DeleteObject"},
		Resource: []string{"arn:aws:s3:::" + stateStore + "/.pulumi/locks/*"}},
}}
