package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// buildMergeFunction builds ./lambda for Lambda's arm64 runtime, once per
// process however many times run is called.
var buildMergeFunction = sync.OnceValues(func() (lambdabuild.Artifact, error) {
	return lambdabuild.Build(context.Background(), lambdabuild.DeployedMergeFunction(""))
})

// discoverEndpoints reads the issuer's discovery document over HTTPS, as
// Cognito would, so the provider states the endpoints that go with the issuer.
func discoverEndpoints(ctx context.Context, issuer string) (passkeys.OIDCEndpoints, error) {
	return passkeys.DiscoverOIDCEndpoints(ctx, &http.Client{Timeout: 15 * time.Second}, issuer)
}

// program is the Pulumi program. Its two dealings with the world outside
// Pulumi, building the function and reading the issuer's discovery
// document, are fields so tests can stand in for the network.
type program struct {
	build    func() (lambdabuild.Artifact, error)
	discover func(ctx context.Context, issuer string) (passkeys.OIDCEndpoints, error)
}

// run reads the stack's configuration and declares the stack.
func run(ctx *pulumi.Context) error {
	return program{build: buildMergeFunction, discover: discoverEndpoints}.run(ctx)
}

func (p program) run(ctx *pulumi.Context) error {
	args, err := loadConfig(ctx)
	if err != nil {
		return err
	}
	args.DescopeEndpoints, err = p.discover(ctx.Context(), args.DescopeIssuerURL)
	if err != nil {
		return fmt.Errorf("descopeIssuerUrl: %w", err)
	}
	artifact, err := p.build()
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
