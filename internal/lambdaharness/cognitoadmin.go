package lambdaharness

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// CognitoAdmin sets up user pools and users on a Cognito stand-in.
type CognitoAdmin struct {
	client *cip.Client
}

// NewCognitoAdmin returns a client for endpoint, which must be on loopback.
// Its configuration is built from explicit values, never from the
// environment or shared config files, so it can only talk to endpoint.
func NewCognitoAdmin(endpoint string) (*CognitoAdmin, error) {
	if err := requireLoopback(endpoint); err != nil {
		return nil, fmt.Errorf("cognito admin: %w", err)
	}
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(FakeAccessKeyID, FakeSecretAccessKey, ""),
		HTTPClient:  &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
	client := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return &CognitoAdmin{client: client}, nil
}

// PoolOptions shapes a user pool.
type PoolOptions struct {
	// EmailUsernames makes email the sign-in name (UsernameAttributes [email]):
	// usernames become generated subs and an email can belong to one user only.
	EmailUsernames bool
}

// CreateUserPool creates a pool with a custom:descope_sub attribute, as the
// Pulumi program does, and returns its ID.
func (a *CognitoAdmin) CreateUserPool(ctx context.Context, name string, opts PoolOptions) (string, error) {
	in := &cip.CreateUserPoolInput{
		PoolName: aws.String(name),
		Schema: []types.SchemaAttributeType{{
			Name:              aws.String("descope_sub"),
			AttributeDataType: types.AttributeDataTypeString,
			Mutable:           aws.Bool(true),
		}},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
	}
	if opts.EmailUsernames {
		in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
	}
	out, err := a.client.CreateUserPool(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create user pool %s: %w", name, err)
	}
	return aws.ToString(out.UserPool.Id), nil
}

// NewUser describes a native (password) user.
type NewUser struct {
	Username      string
	Email         string
	EmailVerified bool
	// Confirmed sets a permanent password, moving the user from
	// FORCE_CHANGE_PASSWORD to CONFIRMED as a user who has signed in would be.
	Confirmed bool
}

// CreateUser creates a user with AdminCreateUser (welcome message
// suppressed) and returns the username Cognito assigned, which differs from
// u.Username in pools with email usernames.
func (a *CognitoAdmin) CreateUser(ctx context.Context, poolID string, u NewUser) (string, error) {
	out, err := a.client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:    aws.String(poolID),
		Username:      aws.String(u.Username),
		MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(u.Email)},
			{Name: aws.String("email_verified"), Value: aws.String(fmt.Sprint(u.EmailVerified))},
		},
	})
	if err != nil {
		return "", fmt.Errorf("create user %s: %w", u.Username, err)
	}
	username := aws.ToString(out.User.Username)
	if u.Confirmed {
		if _, err := a.client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID),
			Username:   aws.String(username),
			Password:   aws.String("Harness-Passw0rd!"),
			Permanent:  true,
		}); err != nil {
			return "", fmt.Errorf("confirm user %s: %w", u.Username, err)
		}
	}
	return username, nil
}

// DisableUser disables a user, as an administrator locking an account would.
func (a *CognitoAdmin) DisableUser(ctx context.Context, poolID, username string) error {
	if _, err := a.client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{
		UserPoolId: aws.String(poolID),
		Username:   aws.String(username),
	}); err != nil {
		return fmt.Errorf("disable user %s: %w", username, err)
	}
	return nil
}

// ListUsersByEmail runs the same ListUsers query the trigger runs.
func (a *CognitoAdmin) ListUsersByEmail(ctx context.Context, poolID, email string) ([]types.UserType, error) {
	out, err := a.client.ListUsers(ctx, &cip.ListUsersInput{
		UserPoolId: aws.String(poolID),
		Filter:     aws.String(fmt.Sprintf("email = %q", email)),
	})
	if err != nil {
		return nil, fmt.Errorf("list users by email: %w", err)
	}
	return out.Users, nil
}
