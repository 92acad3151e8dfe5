package main

import (
	"context"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// buildMergeFunction builds ./lambda for Lambda's arm64 runtime, once per
// process however many times run is called.
var buildMergeFunction = sync.OnceValues(func() (lambdabuild.Artifact, error) {
	return lambdabuild.Build(context.Background(), lambdabuild.DeployedMergeFunction(""))
})

// run reads the stack's configuration and declares the stack.
func run(ctx *pulumi.Context) error {
	args, err := loadConfig(ctx)
	if err != nil {
		return err
	}
	artifact, err := buildMergeFunction()
	if err != nil {
		return err
	}

	args.MergeFunction = passkeys.MergeFunctionCode{
		ZipPath:        artifact.ZipPath,
		SourceCodeHash: artifact.SourceCodeHash,
	}
	stack, err := passkeys.NewCognitoPasskeys(ctx, passkeys.DefaultComponentName, &args)
	if err != nil {
		return err
	}

	ctx.Export("userPoolId", stack.UserPoolID)
	ctx.Export("userPoolArn", stack.UserPoolARN)
	ctx.Export("userPoolClientId", stack.UserPoolClientID)
	if args.ConfidentialClient {
		ctx.Export("userPoolClientSecret", stack.UserPoolClientSecret)
	}
	ctx.Export("hostedUiUrl", stack.HostedUIURL)
	ctx.Export("cognitoIssuerUrl", stack.CognitoIssuerURL)
	ctx.Export("passkeyLoginUrl", stack.PasskeyLoginURL)
	ctx.Export("descopeRedirectUri", stack.DescopeRedirectURI)
	if args.CustomDomain != "" {
		ctx.Export("customDomainTarget", stack.CustomDomainTarget)
	}
	ctx.Export("mergeFunctionName", stack.MergeFunctionName)
	ctx.Export("mergeFunctionLogGroup", stack.MergeFunctionLogGroup)
	ctx.Export("mergeFunctionAlarmName", stack.MergeFunctionAlarmName)
	ctx.Export("mergeFunctionMetricNamespace", stack.MergeFunctionMetricNamespace)
	return nil
}
