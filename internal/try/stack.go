// Package try signs in once through a deployed stack, as an app would, and
// shows which Cognito account the sign-in landed in: the work behind
// `make try` (cmd/try).
//
// It listens on the app client's http://localhost callback URL, sends the
// browser to the hosted domain with a fresh state and PKCE (S256), exchanges
// the code at the hosted domain's token endpoint, verifies the ID token
// against the pool's issuer, and reads the account with AdminGetUser to tell
// an existing, linked account from a new one.
package try

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/verify"
)

// Stack is what a sign-in needs from the stack's outputs and config.
type Stack struct {
	// Name is the stack as given (empty: the selected stack), for the fixes.
	Name string

	UserPoolID string
	ClientID   string
	// AuthorizeURL is passkeyLoginUrl without its query: the hosted domain's
	// /oauth2/authorize.
	AuthorizeURL string
	// TokenURL is the hosted domain's /oauth2/token.
	TokenURL string
	// IssuerURL is cognitoIssuerUrl, the issuer of the pool's ID tokens.
	IssuerURL string
	// ProviderName and Scopes are passkeyLoginUrl's identity_provider and scope.
	ProviderName string
	Scopes       []string
	// LogGroup is mergeFunctionLogGroup, named when the function refuses.
	LogGroup string
	// AdoptedClient means the stack adopted the client (appClientIds), so the
	// client keeps its own callback URLs rather than callbackUrls.
	AdoptedClient bool
	// ConfidentialOutput means the stack exports userPoolClientSecret.
	ConfidentialOutput bool
}

// Region is the one in the user pool ID's prefix.
func (s Stack) Region() string {
	region, _, _ := strings.Cut(s.UserPoolID, "_")
	return region
}

// makeArgs is the STACK=… that `make` targets need for this stack.
func (s Stack) makeArgs() string {
	if s.Name == "" {
		return ""
	}
	return " STACK=" + s.Name
}

// pulumiArgs is the --stack … that pulumi commands need for this stack.
func (s Stack) pulumiArgs() string {
	if s.Name == "" {
		return ""
	}
	return " --stack " + s.Name
}

// ReadStack reads the stack with the Pulumi CLI, never its secrets.
func ReadStack(ctx context.Context, stack string, run verify.PulumiRunner) (Stack, error) {
	outputs, err := verify.StackOutputs(ctx, stack, run)
	if err != nil {
		return Stack{}, err
	}
	config, err := verify.StackConfig(ctx, stack, run)
	if err != nil {
		return Stack{}, err
	}
	s, err := stackFromOutputs(stack, outputs)
	if err != nil {
		return Stack{}, err
	}
	if raw := config["appClientIds"]; raw != "" {
		var ids []string
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return Stack{}, fmt.Errorf("the stack's config key appClientIds is %q, not a list of app client IDs", raw)
		}
		s.AdoptedClient = slices.Contains(ids, s.ClientID)
	}
	return s, nil
}

func stackFromOutputs(stack string, outputs map[string]any) (Stack, error) {
	stackName := "the selected stack"
	if stack != "" {
		stackName = "stack " + stack
	}
	value := func(name string) string { s, _ := outputs[name].(string); return s }
	var missing []string
	for _, name := range []string{"userPoolId", "userPoolClientId", "hostedUiUrl", "cognitoIssuerUrl", "passkeyLoginUrl"} {
		if value(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return Stack{}, fmt.Errorf("%s has no output %s: deploy this version of the program with `make up`", stackName, strings.Join(missing, ", "))
	}
	login, err := url.Parse(value("passkeyLoginUrl"))
	if err != nil || login.Host == "" {
		return Stack{}, fmt.Errorf("%s: output passkeyLoginUrl %q is not a URL: deploy again with `make up`", stackName, value("passkeyLoginUrl"))
	}
	query := login.Query()
	provider := query.Get("identity_provider")
	if provider == "" {
		return Stack{}, fmt.Errorf("%s: output passkeyLoginUrl names no identity_provider: deploy this version of the program with `make up`", stackName)
	}
	login.RawQuery, login.Fragment = "", ""
	_, confidential := outputs["userPoolClientSecret"]
	return Stack{
		Name:               stack,
		UserPoolID:         value("userPoolId"),
		ClientID:           value("userPoolClientId"),
		AuthorizeURL:       login.String(),
		TokenURL:           strings.TrimSuffix(value("hostedUiUrl"), "/") + "/oauth2/token",
		IssuerURL:          value("cognitoIssuerUrl"),
		ProviderName:       provider,
		Scopes:             strings.Fields(query.Get("scope")),
		LogGroup:           value("mergeFunctionLogGroup"),
		ConfidentialOutput: confidential,
	}, nil
}
