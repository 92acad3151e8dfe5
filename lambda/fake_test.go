package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// fakeUser is one user of the fake pool.
type fakeUser struct {
	username string
	email    string
	verified string // value of email_verified; "" means not set
	status   types.UserStatusType
	disabled bool
	custom   map[string]string // custom attributes, "custom:x" -> value
}

type linkKey struct{ provider, subject string }

// fakeCognito is a small in-memory user pool that answers the two calls the
// function makes the way Cognito does, records every call, and can be told to
// fail or panic.
type fakeCognito struct {
	mu sync.Mutex

	poolID string
	users  []fakeUser
	links  map[linkKey]string // source identity -> destination user name

	caseSensitiveEmail bool    // filter `email = "x"` matches exact case only
	ignoreFilter       bool    // return every user, as a broken filter would
	pageSize           int     // 0: everything on one page
	listErrs           []error // one per call, in order; a nil entry answers normally
	linkErrs           []error // returned, one per call, before linking succeeds
	panicOnList        bool
	// immutable are the schema's immutable custom attributes: Cognito
	// refuses to link to a user with a value for one.
	immutable []string

	listCalls     []cip.ListUsersInput
	linkCalls     []cip.AdminLinkProviderForUserInput
	describeCalls int
}

const testPool = "us-east-1_EXAMPLE1"

func newFake(users ...fakeUser) *fakeCognito {
	return &fakeCognito{poolID: testPool, users: users, links: map[linkKey]string{}}
}

func (f *fakeCognito) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.listCalls) + len(f.linkCalls) + f.describeCalls
}

func (f *fakeCognito) DescribeUserPool(_ context.Context, in *cip.DescribeUserPoolInput, _ ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.describeCalls++
	if aws.ToString(in.UserPoolId) != f.poolID {
		return nil, &types.ResourceNotFoundException{Message: aws.String("User pool does not exist.")}
	}
	schema := []types.SchemaAttributeType{
		{Name: aws.String("sub"), Mutable: aws.Bool(false)},
		{Name: aws.String("email"), Mutable: aws.Bool(true)},
		{Name: aws.String("custom:descope_sub"), Mutable: aws.Bool(true)},
	}
	for _, name := range f.immutable {
		schema = append(schema, types.SchemaAttributeType{Name: aws.String(name), Mutable: aws.Bool(false)})
	}
	return &cip.DescribeUserPoolOutput{UserPool: &types.UserPoolType{Id: in.UserPoolId, SchemaAttributes: schema}}, nil
}

func (f *fakeCognito) ListUsers(_ context.Context, in *cip.ListUsersInput, _ ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls = append(f.listCalls, *in)
	if f.panicOnList {
		panic("fake ListUsers exploded")
	}
	if len(f.listErrs) > 0 {
		err := f.listErrs[0]
		f.listErrs = f.listErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	if aws.ToString(in.UserPoolId) != f.poolID {
		return nil, &types.ResourceNotFoundException{Message: aws.String("User pool does not exist.")}
	}
	attr, value, err := parseFilter(aws.ToString(in.Filter))
	if err != nil {
		return nil, &types.InvalidParameterException{Message: aws.String("Invalid filter: " + err.Error())}
	}
	var matched []fakeUser
	for _, u := range f.users {
		if f.ignoreFilter || f.matches(u, attr, value) {
			matched = append(matched, u)
		}
	}
	start := 0
	if tok := aws.ToString(in.PaginationToken); tok != "" {
		if start, err = strconv.Atoi(tok); err != nil || start > len(matched) {
			return nil, &types.InvalidParameterException{Message: aws.String("bad token")}
		}
	}
	size := len(matched) - start
	if f.pageSize > 0 && f.pageSize < size {
		size = f.pageSize
	}
	if limit := int(aws.ToInt32(in.Limit)); limit > 0 && limit < size {
		size = limit
	}
	out := &cip.ListUsersOutput{}
	for _, u := range matched[start : start+size] {
		out.Users = append(out.Users, f.userType(u, in.AttributesToGet))
	}
	if next := start + size; next < len(matched) {
		out.PaginationToken = aws.String(strconv.Itoa(next))
	}
	return out, nil
}

func (f *fakeCognito) matches(u fakeUser, attr, value string) bool {
	switch attr {
	case "email":
		if f.caseSensitiveEmail {
			return u.email == value
		}
		return strings.EqualFold(u.email, value)
	case "username":
		return u.username == value
	}
	return false
}

func (f *fakeCognito) userType(u fakeUser, want []string) types.UserType {
	all := map[string]string{"sub": "sub-" + u.username}
	if u.email != "" {
		all["email"] = u.email
	}
	if u.verified != "" {
		all["email_verified"] = u.verified
	}
	if ids := f.identitiesOf(u.username); ids != "" {
		all["identities"] = ids
	}
	names := want
	if names == nil {
		names = []string{"sub", "email", "email_verified", "identities"}
		for name, v := range u.custom {
			all[name] = v
			names = append(names, name)
		}
	}
	ut := types.UserType{Username: aws.String(u.username), Enabled: !u.disabled, UserStatus: u.status}
	for _, n := range names {
		if v, ok := all[n]; ok {
			ut.Attributes = append(ut.Attributes, types.AttributeType{Name: aws.String(n), Value: aws.String(v)})
		}
	}
	return ut
}

// identitiesOf renders the identities attribute the way Cognito does.
func (f *fakeCognito) identitiesOf(username string) string {
	type identity struct {
		UserID       string  `json:"userId"`
		ProviderName string  `json:"providerName"`
		ProviderType string  `json:"providerType"`
		Issuer       *string `json:"issuer"`
		Primary      bool    `json:"primary"`
		DateCreated  int64   `json:"dateCreated"`
	}
	var ids []identity
	for k, dest := range f.links {
		if dest == username {
			ids = append(ids, identity{UserID: k.subject, ProviderName: k.provider, ProviderType: "OIDC", DateCreated: 1700000000000})
		}
	}
	if len(ids) == 0 {
		return ""
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (f *fakeCognito) AdminLinkProviderForUser(_ context.Context, in *cip.AdminLinkProviderForUserInput, _ ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.linkCalls = append(f.linkCalls, *in)
	if len(f.linkErrs) > 0 {
		err := f.linkErrs[0]
		f.linkErrs = f.linkErrs[1:]
		return nil, err
	}
	if aws.ToString(in.UserPoolId) != f.poolID {
		return nil, &types.ResourceNotFoundException{Message: aws.String("User pool does not exist.")}
	}
	dest, src := in.DestinationUser, in.SourceUser
	if dest == nil || src == nil || aws.ToString(dest.ProviderName) != "Cognito" ||
		aws.ToString(src.ProviderAttributeName) != "Cognito_Subject" || aws.ToString(src.ProviderAttributeValue) == "" {
		return nil, &types.InvalidParameterException{Message: aws.String("malformed link request")}
	}
	name := aws.ToString(dest.ProviderAttributeValue)
	found := false
	for _, u := range f.users {
		if u.username == name && u.status != types.UserStatusTypeExternalProvider {
			found = true
			for _, immutable := range f.immutable {
				if _, ok := u.custom[immutable]; ok {
					return nil, &types.InvalidParameterException{Message: aws.String("DestinationUser has immutable attributes")}
				}
			}
		}
	}
	if !found {
		return nil, &types.UserNotFoundException{Message: aws.String("User does not exist.")}
	}
	key := linkKey{aws.ToString(src.ProviderName), aws.ToString(src.ProviderAttributeValue)}
	if _, ok := f.links[key]; ok {
		// What AWS has been observed to answer for a source that is already
		// linked, whichever user it is linked to.
		return nil, &types.InvalidParameterException{Message: aws.String(
			"Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser")}
	}
	f.links[key] = name
	return &cip.AdminLinkProviderForUserOutput{}, nil
}

// parseFilter parses `attribute = "value"` with Cognito's escaping (backslash
// before backslash or double quote), strictly: the closing quote must end the
// string and no other escape is allowed.
func parseFilter(filter string) (attr, value string, err error) {
	i := strings.Index(filter, ` = "`)
	if i <= 0 {
		return "", "", errors.New("no ` = \"` in filter")
	}
	attr, rest := filter[:i], filter[i+len(` = "`):]
	var b strings.Builder
	for j := 0; j < len(rest); j++ {
		switch c := rest[j]; c {
		case '\\':
			if j+1 >= len(rest) || (rest[j+1] != '\\' && rest[j+1] != '"') {
				return "", "", fmt.Errorf("bad escape at %d", j)
			}
			j++
			b.WriteByte(rest[j])
		case '"':
			if j != len(rest)-1 {
				return "", "", fmt.Errorf("quote closes value at %d, before the end", j)
			}
			return attr, b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated value")
}
