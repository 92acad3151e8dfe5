package try

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
)

// CognitoAPI is the two reads try makes: the app client (its callback URLs,
// whether it has a secret) and the signed-in account.
type CognitoAPI interface {
	DescribeUserPoolClient(ctx context.Context, in *cip.DescribeUserPoolClientInput, opts ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// NewCognito builds the Cognito client from the usual AWS chain.
func NewCognito(ctx context.Context, region string, timeout time.Duration) (CognitoAPI, error) {
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{Region: region, Timeout: timeout})
	if err != nil {
		return nil, err
	}
	return cip.NewFromConfig(cfg), nil
}

// SuggestedCallbackURL is the callback URL the fixes suggest adding.
const SuggestedCallbackURL = "http://localhost:3000/callback"

// AppClient is the live app client, as far as a sign-in cares.
type AppClient struct {
	CallbackURLs []string
	HasSecret    bool
}

// ReadAppClient reads the stack's app client from Cognito.
func ReadAppClient(ctx context.Context, api CognitoAPI, s Stack) (AppClient, error) {
	out, err := api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(s.UserPoolID), ClientId: aws.String(s.ClientID)})
	if err != nil {
		return AppClient{}, fmt.Errorf("read app client %s of user pool %s (cognito-idp:DescribeUserPoolClient): %w", s.ClientID, s.UserPoolID, err)
	}
	if out.UserPoolClient == nil {
		return AppClient{}, fmt.Errorf("read app client %s of user pool %s: Cognito answered without the client", s.ClientID, s.UserPoolID)
	}
	return AppClient{
		CallbackURLs: out.UserPoolClient.CallbackURLs,
		HasSecret:    aws.ToString(out.UserPoolClient.ClientSecret) != "",
	}, nil
}

// LocalCallback is the client's first http://localhost callback URL.
func (c AppClient) LocalCallback() (*url.URL, bool) {
	for _, raw := range c.CallbackURLs {
		u, err := url.Parse(raw)
		if err == nil && u.Scheme == "http" && u.Hostname() == "localhost" {
			return u, true
		}
	}
	return nil, false
}

// ErrSetup marks the errors found before the sign-in starts, each with its fix.
var ErrSetup = errors.New("try cannot start")

// NoLocalCallback explains, with the exact commands, how to give the client
// an http://localhost callback URL.
func NoLocalCallback(s Stack, c AppClient) error {
	has := "none"
	if len(c.CallbackURLs) > 0 {
		has = strings.Join(c.CallbackURLs, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "app client %s has no http://localhost callback URL (it has: %s).\n", s.ClientID, has)
	b.WriteString("Why: Cognito sends a sign-in back only to a callback URL the client allows, and this command can only\n" +
		"receive it on this machine, at http://localhost (the one http:// address Cognito accepts).\n")
	if !s.AdoptedClient {
		fmt.Fprintf(&b, "Add one (it is added to the client's list; the first URL, the one passkeyLoginUrl uses, stays first):\n"+
			"  pulumi config set --path 'callbackUrls[%d]' %s%s\n  make up%s\nthen run make try%s again.",
			len(c.CallbackURLs), SuggestedCallbackURL, s.pulumiArgs(), s.makeArgs(), s.makeArgs())
		return fmt.Errorf("%w: %s", ErrSetup, b.String())
	}
	fmt.Fprintf(&b, "The stack adopted this client, which keeps its own callback URLs. Add %s to its Allowed callback URLs\n"+
		"in the Cognito console (user pool %s, App clients, %s, Login pages), or with the AWS CLI, giving back every\n"+
		"setting (update-user-pool-client resets each one it is not given):\n"+
		"  aws cognito-idp describe-user-pool-client --user-pool-id %s --client-id %s --query UserPoolClient --output json \\\n"+
		"    | jq 'del(.ClientSecret, .CreationDate, .LastModifiedDate) | .CallbackURLs += [\"%s\"]' > client-update.json\n"+
		"  aws cognito-idp update-user-pool-client --cli-input-json file://client-update.json\n"+
		"The next make up keeps it (the stack reads an adopted client as it is). Then run make try%s again.",
		SuggestedCallbackURL, s.UserPoolID, s.ClientID, s.UserPoolID, s.ClientID, SuggestedCallbackURL, s.makeArgs())
	return fmt.Errorf("%w: %s", ErrSetup, b.String())
}

// ClientSecretEnv is where a confidential client's secret is passed.
const ClientSecretEnv = "COGNITO_CLIENT_SECRET" //nolint:gosec // the variable's name, not a secret

// NeedsClientSecret explains how to pass a confidential client's secret.
func NeedsClientSecret(s Stack) error {
	read := "pulumi stack output userPoolClientSecret --show-secrets" + s.pulumiArgs()
	if !s.ConfidentialOutput {
		read = fmt.Sprintf("aws cognito-idp describe-user-pool-client --user-pool-id %s --client-id %s --query UserPoolClient.ClientSecret --output text", s.UserPoolID, s.ClientID)
	}
	return fmt.Errorf("%w: app client %s is confidential (it has a client secret), and Cognito's token endpoint accepts its codes only with that secret.\n"+
		"Pass it in %s (never on the command line, where other users see it), for example:\n"+
		"  %s=\"$(%s)\" make try%s",
		ErrSetup, s.ClientID, ClientSecretEnv, ClientSecretEnv, read, s.makeArgs())
}
