package livepool

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// maxProviderPages bounds the ListIdentityProviders loop: a pool holds at most
// 300 identity providers, 60 per page.
const maxProviderPages = 10

// Request names what to read.
type Request struct {
	// UserPoolID is the pool to adopt (the stack's userPoolId).
	UserPoolID string
	// ClientIDs are existing app clients to enable the provider on.
	ClientIDs []string
	// ProviderName is the Descope identity provider's name in the pool.
	ProviderName string
}

// State is the live configuration of a pool and what hangs off it, as the
// Cognito API returns it.
type State struct {
	Pool types.UserPoolType
	// MFA is GetUserPoolMfaConfig's answer: where MFA, software-token,
	// email-MFA and passkey (WebAuthn) settings live.
	MFA MFAConfig
	// Clients are the requested app clients, in request order.
	Clients []types.UserPoolClientType
	// Provider is the identity provider with the requested name, nil if none.
	Provider *types.IdentityProviderType
	// Domains are the pool's hosted domains: its prefix domain, its custom
	// domain, or both.
	Domains []types.DomainDescriptionType
}

// MFAConfig is the data of GetUserPoolMfaConfigOutput (without its transport
// metadata).
type MFAConfig struct {
	MfaConfiguration              types.UserPoolMfaType
	SoftwareTokenMfaConfiguration *types.SoftwareTokenMfaConfigType
	SmsMfaConfiguration           *types.SmsMfaConfigType
	EmailMfaConfiguration         *types.EmailMfaConfigType
	WebAuthnConfiguration         *types.WebAuthnConfigurationType
}

// Read fetches the pool, its MFA configuration, the requested clients, the
// identity provider with the requested name and the pool's domains.
func Read(ctx context.Context, api API, req Request) (*State, error) {
	if req.UserPoolID == "" {
		return nil, errors.New("livepool: a user pool ID is required: set it with `pulumi config set userPoolId <id>`")
	}
	for i, clientID := range req.ClientIDs {
		if clientID == "" || slices.Contains(req.ClientIDs[:i], clientID) {
			return nil, fmt.Errorf("livepool: appClientIds[%d] is empty or repeated (%q): list each app client ID once", i, clientID)
		}
	}
	poolID := aws.String(req.UserPoolID)

	described, err := api.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: poolID})
	if err != nil {
		return nil, fmt.Errorf("livepool: describe user pool %s (check userPoolId and aws:region): %w", req.UserPoolID, err)
	}
	if described.UserPool == nil {
		return nil, fmt.Errorf("livepool: describe user pool %s: the answer holds no pool", req.UserPoolID)
	}
	state := &State{Pool: *described.UserPool}

	mfa, err := api.GetUserPoolMfaConfig(ctx, &cognitoidentityprovider.GetUserPoolMfaConfigInput{UserPoolId: poolID})
	if err != nil {
		return nil, fmt.Errorf("livepool: read MFA configuration of %s: %w", req.UserPoolID, err)
	}
	state.MFA = MFAConfig{
		MfaConfiguration:              mfa.MfaConfiguration,
		SoftwareTokenMfaConfiguration: mfa.SoftwareTokenMfaConfiguration,
		SmsMfaConfiguration:           mfa.SmsMfaConfiguration,
		EmailMfaConfiguration:         mfa.EmailMfaConfiguration,
		WebAuthnConfiguration:         mfa.WebAuthnConfiguration,
	}

	for _, clientID := range req.ClientIDs {
		client, err := api.DescribeUserPoolClient(ctx, &cognitoidentityprovider.DescribeUserPoolClientInput{
			UserPoolId: poolID,
			ClientId:   aws.String(clientID),
		})
		if err != nil {
			return nil, fmt.Errorf("livepool: describe app client %s of %s (check appClientIds): %w", clientID, req.UserPoolID, err)
		}
		if client.UserPoolClient == nil {
			return nil, fmt.Errorf("livepool: describe app client %s of %s: the answer holds no client", clientID, req.UserPoolID)
		}
		state.Clients = append(state.Clients, *client.UserPoolClient)
	}

	if req.ProviderName != "" {
		state.Provider, err = readProvider(ctx, api, req.UserPoolID, req.ProviderName)
		if err != nil {
			return nil, err
		}
	}

	for _, name := range poolDomainNames(state.Pool) {
		domain, err := api.DescribeUserPoolDomain(ctx, &cognitoidentityprovider.DescribeUserPoolDomainInput{Domain: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("livepool: describe domain %s of %s: %w", name, req.UserPoolID, err)
		}
		if domain.DomainDescription == nil || aws.ToString(domain.DomainDescription.Domain) == "" {
			return nil, fmt.Errorf("livepool: the pool %s names the domain %s, but Cognito does not describe it; retry once the domain exists", req.UserPoolID, name)
		}
		state.Domains = append(state.Domains, *domain.DomainDescription)
	}
	return state, nil
}

// readProvider finds the provider by listing (a missing provider is normal:
// the component creates it) and describes it only when it exists.
func readProvider(ctx context.Context, api API, poolID, name string) (*types.IdentityProviderType, error) {
	var token *string
	for range maxProviderPages {
		page, err := api.ListIdentityProviders(ctx, &cognitoidentityprovider.ListIdentityProvidersInput{
			UserPoolId: aws.String(poolID),
			MaxResults: aws.Int32(60),
			NextToken:  token,
		})
		if err != nil {
			return nil, fmt.Errorf("livepool: list identity providers of %s: %w", poolID, err)
		}
		for _, summary := range page.Providers {
			if aws.ToString(summary.ProviderName) != name {
				continue
			}
			described, err := api.DescribeIdentityProvider(ctx, &cognitoidentityprovider.DescribeIdentityProviderInput{
				UserPoolId:   aws.String(poolID),
				ProviderName: aws.String(name),
			})
			if err != nil {
				return nil, fmt.Errorf("livepool: describe identity provider %s of %s: %w", name, poolID, err)
			}
			if described.IdentityProvider == nil {
				return nil, fmt.Errorf("livepool: describe identity provider %s of %s: the answer holds no provider", name, poolID)
			}
			return described.IdentityProvider, nil
		}
		token = page.NextToken
		if aws.ToString(token) == "" {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("livepool: list identity providers of %s: more than %d pages", poolID, maxProviderPages)
}

// poolDomainNames are the domains DescribeUserPool reports: the prefix domain
// (Domain) and the custom domain (CustomDomain).
func poolDomainNames(pool types.UserPoolType) []string {
	var names []string
	for _, name := range []string{aws.ToString(pool.Domain), aws.ToString(pool.CustomDomain)} {
		if name != "" && (len(names) == 0 || names[0] != name) {
			names = append(names, name)
		}
	}
	return names
}
