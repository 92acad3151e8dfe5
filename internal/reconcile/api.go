package reconcile

import (
	"context"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// API is the part of the Cognito client the command uses.
type API interface {
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	DescribeIdentityProvider(ctx context.Context, in *cip.DescribeIdentityProviderInput, optFns ...func(*cip.Options)) (*cip.DescribeIdentityProviderOutput, error)
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, optFns ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
	AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, optFns ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
	AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
}

// limitedAPI passes every call through the limiter first.
type limitedAPI struct {
	api     API
	limiter *Limiter
}

func (l limitedAPI) DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.DescribeUserPool(ctx, in, optFns...)
}

func (l limitedAPI) DescribeIdentityProvider(ctx context.Context, in *cip.DescribeIdentityProviderInput, optFns ...func(*cip.Options)) (*cip.DescribeIdentityProviderOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.DescribeIdentityProvider(ctx, in, optFns...)
}

func (l limitedAPI) ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.ListUsers(ctx, in, optFns...)
}

func (l limitedAPI) AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, optFns ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.AdminListGroupsForUser(ctx, in, optFns...)
}

func (l limitedAPI) AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, optFns ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.AdminDeleteUser(ctx, in, optFns...)
}

func (l limitedAPI) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.AdminLinkProviderForUser(ctx, in, optFns...)
}

func (l limitedAPI) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	if err := l.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	return l.api.AdminAddUserToGroup(ctx, in, optFns...)
}
