package passkeys

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// mergeFunctionTimeoutSeconds stays within the 5 seconds Cognito waits for a trigger.
const mergeFunctionTimeoutSeconds = 5

type mergeFunction struct {
	role       *iam.Role
	logGroup   *cloudwatch.LogGroup
	logsPolicy *iam.RolePolicy
	// chainPolicy lets the function invoke the chained trigger; nil
	// without chaining.
	chainPolicy *iam.RolePolicy
	function    *lambda.Function
	// previousPreSignUp is the function's PreviousPreSignUpTag: the trigger
	// an adopted pool had before (empty for a created pool).
	previousPreSignUp pulumi.StringOutput
}

func (f *mergeFunction) resources() []pulumi.Resource {
	resources := []pulumi.Resource{f.role, f.logGroup, f.logsPolicy, f.function}
	if f.chainPolicy != nil {
		resources = append(resources, f.chainPolicy)
	}
	return resources
}

// newMergeFunction declares the function, its role, its log group and the
// rights to write there. Its Cognito rights come later, once the pool exists.
func newMergeFunction(ctx *pulumi.Context, name string, a CognitoPasskeysArgs, opts ...pulumi.ResourceOption) (*mergeFunction, error) {
	fnName := MergeFunctionName(ctx.Project(), ctx.Stack(), name)

	trustPolicy, err := lambdaTrustPolicy()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-merge-role", &iam.RoleArgs{
		Description:      pulumi.String("Runs the Cognito pre sign-up function that links Descope sign-ins to existing users."),
		AssumeRolePolicy: pulumi.String(trustPolicy),
	}, opts...)
	if err != nil {
		return nil, err
	}

	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-merge-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/lambda/" + fnName),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
	}, opts...)
	if err != nil {
		return nil, err
	}

	logsPolicy, err := iam.NewRolePolicy(ctx, name+"-merge-logs", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: logsPolicy(logGroup.Arn),
	}, opts...)
	if err != nil {
		return nil, err
	}

	chainPolicy, err := newChainPolicy(ctx, name, a, role, opts...)
	if err != nil {
		return nil, err
	}
	functionOpts := withOptions(opts, pulumi.DependsOn([]pulumi.Resource{logsPolicy}))
	if chainPolicy != nil {
		functionOpts = withOptions(functionOpts, pulumi.DependsOn([]pulumi.Resource{chainPolicy}))
	}
	var tags pulumi.StringMap
	if a.Adoption != nil {
		// Written when the function is created, then kept: later runs no
		// longer see the trigger adoption replaced.
		previous := livepool.PreviousPreSignUpARN(a.Adoption.State, a.owned(ctx, name, nil))
		tags = pulumi.StringMap{PreviousPreSignUpTag: pulumi.String(previous)}
		functionOpts = withOptions(functionOpts, pulumi.IgnoreChanges([]string{fmt.Sprintf("tags[%q]", PreviousPreSignUpTag)}))
	}
	function, err := lambda.NewFunction(ctx, name+"-merge", &lambda.FunctionArgs{
		Name:           pulumi.String(fnName),
		Description:    pulumi.String("Cognito pre sign-up: links a Descope sign-in to the existing user with the same verified email."),
		Role:           role.Arn,
		Runtime:        pulumi.String("provided.al2023"),
		Handler:        pulumi.String("bootstrap"),
		Architectures:  pulumi.StringArray{pulumi.String("arm64")},
		MemorySize:     pulumi.Int(128),
		Timeout:        pulumi.Int(mergeFunctionTimeoutSeconds),
		Code:           pulumi.NewFileArchive(a.MergeFunction.ZipPath),
		SourceCodeHash: pulumi.String(a.MergeFunction.SourceCodeHash),
		// JSON format makes Lambda filter by level; stating the levels keeps
		// AWS's defaults from showing up as a diff.
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat:           pulumi.String("JSON"),
			LogGroup:            logGroup.Name,
			ApplicationLogLevel: pulumi.String("INFO"),
			SystemLogLevel:      pulumi.String("INFO"),
		},
		Environment: &lambda.FunctionEnvironmentArgs{
			Variables: functionEnvironment(a),
		},
		Tags: tags,
	}, functionOpts...)
	if err != nil {
		return nil, err
	}
	previous := function.Tags.ApplyT(func(tags map[string]string) string { return tags[PreviousPreSignUpTag] }).(pulumi.StringOutput)
	return &mergeFunction{role: role, logGroup: logGroup, logsPolicy: logsPolicy, chainPolicy: chainPolicy, function: function, previousPreSignUp: previous}, nil
}

// functionEnvironment is the build's runtime environment plus the function's
// own settings.
func functionEnvironment(a CognitoPasskeysArgs) pulumi.StringMap {
	vars := pulumi.StringMap{}
	for k, v := range a.MergeFunction.Environment {
		vars[k] = pulumi.String(v)
	}
	vars["DESCOPE_PROVIDER_NAME"] = pulumi.String(a.ProviderName)
	vars["REQUIRE_EXISTING_USER"] = pulumi.String(strconv.FormatBool(a.RequireExistingUser))
	if arn := a.chainedPreSignUp(); arn != "" {
		vars[ChainedPreSignUpVariable] = pulumi.String(arn)
	}
	return vars
}

// newTriggerAccess gives the function its rights on the pool and lets Cognito
// invoke it for that pool only (both name the pool's exact ARN, which is
// also what verify accepts).
func newTriggerAccess(ctx *pulumi.Context, name string, fn *mergeFunction, poolARN, accountID pulumi.StringOutput, opts ...pulumi.ResourceOption) ([]pulumi.Resource, error) {
	cognitoPolicy, err := iam.NewRolePolicy(ctx, name+"-merge-cognito", &iam.RolePolicyArgs{
		Role:   fn.role.ID(),
		Policy: linkPolicy(poolARN),
	}, opts...)
	if err != nil {
		return nil, err
	}

	// Cognito may invoke the function only once it can do its job. DependsOn is
	// the one ordering here without a data edge to carry it.
	permission, err := lambda.NewPermission(ctx, name+"-merge-invoke", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.function.Name,
		Principal:     pulumi.String("cognito-idp.amazonaws.com"),
		SourceArn:     poolARN,
		SourceAccount: accountID,
	}, withOptions(opts, pulumi.DependsOn([]pulumi.Resource{cognitoPolicy}))...)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{cognitoPolicy, permission}, nil
}
