package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
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
	args, adopt, err := loadConfig(ctx)
	if err != nil {
		return err
	}
	if adopt.UserPoolID != "" {
		if args.Adoption, err = readAdoption(ctx, args, adopt); err != nil {
			return err
		}
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
		Environment:    artifact.Environment,
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
	ctx.Export("descopeFlowHostingUrl", stack.DescopeFlowHostingURL)
	if args.CustomDomain != "" || (args.Adoption != nil && aws.ToString(args.Adoption.State.Pool.CustomDomain) != "") {
		ctx.Export("customDomainTarget", stack.CustomDomainTarget)
	}
	ctx.Export("mergeFunctionName", stack.MergeFunctionName)
	ctx.Export("mergeFunctionLogGroup", stack.MergeFunctionLogGroup)
	ctx.Export("mergeFunctionAlarmName", stack.MergeFunctionAlarmName)
	ctx.Export("mergeFunctionMetricNamespace", stack.MergeFunctionMetricNamespace)
	if args.Adoption != nil {
		ctx.Export("previousPreSignUpTrigger", stack.PreviousPreSignUpTrigger)
	}
	return nil
}

// liveReadTimeout bounds reading the adopted pool.
const liveReadTimeout = 2 * time.Minute

// readAdoption reads the pool to adopt once, with the stack's aws:region and
// aws:profile, so the component declares it without calling AWS itself. To
// detach (or tear down), it also reads the trigger to put back from the merge
// function's tag, and checks that Cognito can still call it.
func readAdoption(ctx *pulumi.Context, args passkeys.CognitoPasskeysArgs, adopt adoption) (*passkeys.Adoption, error) {
	awsConfig := config.New(ctx, "aws")
	region, profile := awsConfig.Get("region"), awsConfig.Get("profile")
	if poolRegion, _, _ := strings.Cut(adopt.UserPoolID, "_"); region != "" && poolRegion != region {
		return nil, fmt.Errorf("userPoolId: %s is a pool in %s, but the stack's aws:region is %s: run `pulumi config set aws:region %s`, or adopt a pool in %s",
			adopt.UserPoolID, poolRegion, region, poolRegion, region)
	}
	readCtx, cancel := context.WithTimeout(ctx.Context(), liveReadTimeout)
	defer cancel()
	cfg, err := awsconfig.Load(readCtx, awsconfig.Options{Region: region, Profile: profile,
		RequireRegion: true, RegionHint: "set it with `pulumi config set aws:region <region>`"})
	if err != nil {
		return nil, fmt.Errorf("userPoolId: %w", err)
	}
	state, err := livepool.Read(readCtx, cognitoidentityprovider.NewFromConfig(cfg), livepool.Request{UserPoolID: adopt.UserPoolID, ClientIDs: adopt.AppClientIDs, ProviderName: args.ProviderName})
	if err != nil {
		return nil, fmt.Errorf("userPoolId: read the pool to adopt: %w", err)
	}
	adoption := &passkeys.Adoption{State: state, ReplacePreSignUpTrigger: adopt.ReplacePreSignUpTrigger, Detach: adopt.Detach}
	if adopt.ChainPreSignUpTrigger {
		if adoption.ChainPreSignUpARN, err = chainedTrigger(ctx, state); err != nil {
			return nil, err
		}
	}
	if (!adopt.Detach && !args.Teardown) || adopt.RemovePreSignUpTrigger {
		return adoption, nil
	}
	previous, err := previousTrigger(ctx)
	if err != nil {
		return nil, err
	}
	if previous != "" {
		if err := checkPreviousTrigger(readCtx, cfg, previous, aws.ToString(state.Pool.Arn)); err != nil {
			return nil, err
		}
	}
	adoption.RestorePreSignUpARN = previous
	return adoption, nil
}

// checkPreviousTrigger stops a detach that would put back a function Cognito
// cannot call (deleted since adoption, or without its invoke permission):
// every sign-up would fail. The error offers both ways out.
func checkPreviousTrigger(ctx context.Context, cfg aws.Config, functionARN, poolARN string) error {
	err := triggercheck.Check(ctx, triggercheck.NewClient(cfg, functionARN), functionARN, poolARN)
	var refused *triggercheck.NotInvokableError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("detach: %w. Choose one, then run again:\n"+
			"  - put it back: %s\n"+
			"  - or remove the pre sign-up trigger instead (whatever that function did for sign-ups stops): `pulumi config set --type bool detachRemovesPreSignUpTrigger true`",
			err, refused.Restore())
	case err != nil:
		return fmt.Errorf("detach: check that Cognito can call the previous pre sign-up trigger %s: %w", functionARN, err)
	}
	return nil
}

// previousTrigger reads the pre sign-up trigger to restore from the deployed
// merge function's tag (see passkeys.PreviousPreSignUpTag).
func previousTrigger(ctx *pulumi.Context) (string, error) {
	name := passkeys.MergeFunctionName(ctx.Project(), ctx.Stack(), passkeys.DefaultComponentName)
	fn, err := lambda.LookupFunction(ctx, &lambda.LookupFunctionArgs{FunctionName: name})
	if err != nil {
		return "", fmt.Errorf("detach: read the merge function %s to learn which trigger to put back (was the pool ever adopted by this stack? if not, there is nothing to detach: run `pulumi config rm detach`): %w", name, err)
	}
	previous, ok := fn.Tags[passkeys.PreviousPreSignUpTag]
	if !ok {
		return "", fmt.Errorf("detach: the merge function %s has no %s tag, so the trigger to put back is unknown: tag the function with it (`aws lambda tag-resource --resource <function ARN> --tags '%s=<trigger ARN, or empty for none>'`) and run again; see docs/runbook.md, \"Detach and remove an adopted pool\"", name, passkeys.PreviousPreSignUpTag, passkeys.PreviousPreSignUpTag)
	}
	return previous, nil
}
