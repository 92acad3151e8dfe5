package reconcile

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// ProbePrefix starts the user and group names of the permission probes.
const ProbePrefix = "reconcile-permission-probe-"

// apiError is what every Cognito error answer implements (smithy.APIError).
type apiError interface {
	error
	ErrorCode() string
}

// explain turns a permission denial into an error that names the IAM action.
func explain(operation string, err error) error {
	var ae apiError
	if errors.As(err, &ae) && isAccessDenied(ae) {
		return fmt.Errorf("permission denied: allow cognito-idp:%s on the user pool for these credentials: %w", operation, err)
	}
	return err
}

func isAccessDenied(ae apiError) bool {
	return ae.ErrorCode() == "AccessDeniedException" || ae.ErrorCode() == "AccessDenied"
}

// preflight checks everything it can before any change: the pool exists, the
// provider exists in it, and the credentials may make every call the run
// will make. It also reads the pool's immutable custom attributes. Mutating calls are probed on a user and group that do not exist:
// IAM is evaluated before Cognito looks the user up, so a denial shows there
// and a "not found" means the call is allowed.
func (r *run) preflight(ctx context.Context) (Plan, error) {
	pool, err := r.api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(r.opts.UserPoolID)})
	if err != nil {
		var notFound *types.ResourceNotFoundException
		if errors.As(err, &notFound) {
			return Plan{}, fmt.Errorf("user pool %s does not exist in region %s: check --user-pool-id (the stack output userPoolId) and the region (AWS_REGION or the profile's region)", r.opts.UserPoolID, r.regionName())
		}
		return Plan{}, fmt.Errorf("describe user pool %s: %w", r.opts.UserPoolID, explain("DescribeUserPool", err))
	}
	if _, err := r.api.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{
		UserPoolId:   aws.String(r.opts.UserPoolID),
		ProviderName: aws.String(r.opts.Provider),
	}); err != nil {
		var notFound *types.ResourceNotFoundException
		if errors.As(err, &notFound) {
			return Plan{}, fmt.Errorf("identity provider %q does not exist in user pool %s: pass --provider with one of the names `aws cognito-idp list-identity-providers --user-pool-id %s` shows", r.opts.Provider, r.opts.UserPoolID, r.opts.UserPoolID)
		}
		return Plan{}, fmt.Errorf("describe identity provider %s: %w", r.opts.Provider, explain("DescribeIdentityProvider", err))
	}
	if _, err := r.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(r.opts.UserPoolID), Limit: aws.Int32(1)}); err != nil {
		return Plan{}, fmt.Errorf("list users of %s: %w", r.opts.UserPoolID, explain("ListUsers", err))
	}
	if r.opts.Apply {
		if err := r.probe(ctx); err != nil {
			return Plan{}, err
		}
	}
	plan := Plan{UserPoolID: r.opts.UserPoolID, Provider: r.opts.Provider, Apply: r.opts.Apply}
	if pool.UserPool != nil {
		plan.UserPoolName = aws.ToString(pool.UserPool.Name)
		plan.EstimatedUsers = int(pool.UserPool.EstimatedNumberOfUsers)
		// Cognito refuses to link to a user with a value for an immutable
		// custom attribute; knowing them now refuses such pairs before
		// their federated user is deleted.
		r.immutable = linking.ImmutableCustomAttributes(pool.UserPool.SchemaAttributes)
	}
	return plan, nil
}

func (r *run) regionName() string {
	if r.opts.Region == "" {
		return "(none configured)"
	}
	return r.opts.Region
}

// probe makes each mutating call once on a user that does not exist.
func (r *run) probe(ctx context.Context) error {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("permission probe: %w", err)
	}
	ghost := aws.String(ProbePrefix + hex.EncodeToString(b[:]))
	pool := aws.String(r.opts.UserPoolID)
	probes := []struct {
		operation string
		call      func() error
	}{
		{"AdminGetUser", func() error {
			_, err := r.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: ghost})
			return err
		}},
		{"AdminListGroupsForUser", func() error {
			_, err := r.api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: ghost})
			return err
		}},
		{"AdminDeleteUser", func() error {
			_, err := r.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: ghost})
			return err
		}},
		{"AdminLinkProviderForUser", func() error {
			_, err := r.api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
				UserPoolId:      pool,
				DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: ghost},
				SourceUser: &types.ProviderUserIdentifierType{
					ProviderName: aws.String(r.opts.Provider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: ghost,
				},
			})
			return err
		}},
		{"AdminAddUserToGroup", func() error {
			_, err := r.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: ghost, GroupName: ghost})
			return err
		}},
	}
	for _, p := range probes {
		err := p.call()
		var ae apiError
		if err == nil || (errors.As(err, &ae) && !isAccessDenied(ae)) {
			// Any answer but a denial (typically UserNotFoundException)
			// means IAM let the call through.
			continue
		}
		return fmt.Errorf("check that --apply may call %s (nothing was changed): %w", p.operation, explain(p.operation, err))
	}
	return nil
}
