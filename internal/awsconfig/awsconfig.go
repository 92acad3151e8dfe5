// Package awsconfig is the one AWS configuration loader of every command and
// of the program's live reads. It loads the SDK's default chain (environment,
// shared config and credentials files, AWS_PROFILE, SSO, web identity,
// instance roles), so region, credentials and endpoints behave as for the AWS
// CLI, and it always hands back a buildable HTTP client:
//
//   - without AWS_CA_BUNDLE, config.LoadDefaultConfig leaves aws.Config's
//     HTTPClient nil (each service client then builds its own), so a caller
//     that wraps or configures that client would hold a nil;
//   - with AWS_CA_BUNDLE, the loader only accepts an *awshttp.BuildableClient
//     to add the bundle to ("unable to add custom RootCAs HTTPClient, has no
//     WithTransportOptions, *http.Client").
//
// Load passes an *awshttp.BuildableClient in both cases, so both work.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Options are what a caller may set; the zero value loads the default chain.
type Options struct {
	// Region overrides the chain's region (AWS_REGION, the profile's region).
	Region string
	// Profile selects a shared-config profile instead of AWS_PROFILE.
	Profile string
	// Timeout bounds each HTTP attempt; zero leaves the SDK's default (none).
	Timeout time.Duration
	// Retryer replaces the SDK's standard retryer.
	Retryer func() aws.Retryer
	// WrapHTTPClient wraps the loaded client (after AWS_CA_BUNDLE is applied),
	// for instance to rate-limit every attempt. It is never given nil.
	WrapHTTPClient func(aws.HTTPClient) aws.HTTPClient
	// RequireRegion makes a missing region an error, with RegionHint as its fix.
	RequireRegion bool
	RegionHint    string
}

// Load loads the AWS configuration. The returned config's HTTPClient is never nil.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	httpClient := awshttp.NewBuildableClient()
	if o.Timeout > 0 {
		httpClient = httpClient.WithTimeout(o.Timeout)
	}
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Retryer != nil {
		opts = append(opts, config.WithRetryer(o.Retryer))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration%s: %w", describe(o), err)
	}
	if o.WrapHTTPClient != nil {
		cfg.HTTPClient = o.WrapHTTPClient(cfg.HTTPClient)
	}
	if o.RequireRegion && cfg.Region == "" {
		hint := o.RegionHint
		if hint == "" {
			hint = "set AWS_REGION, or a region in your AWS profile"
		}
		return aws.Config{}, errors.New("no AWS region configured: " + hint)
	}
	return cfg, nil
}

// describe names the explicit region and profile for an error message.
func describe(o Options) string {
	switch {
	case o.Region != "" && o.Profile != "":
		return fmt.Sprintf(" (region %s, profile %q)", o.Region, o.Profile)
	case o.Region != "":
		return " (region " + o.Region + ")"
	case o.Profile != "":
		return fmt.Sprintf(" (profile %q)", o.Profile)
	}
	return ""
}
