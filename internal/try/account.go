package try

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
)

// Account is the Cognito account a verified sign-in landed in.
type Account struct {
	Username      string
	Email         string
	EmailVerified bool
	Groups        []string
	Provider      string
	// Identity is the identities entry for Provider; nil when there is none.
	Identity *Identity
	// Created is the account's own creation, zero when it could not be read
	// (LookupError says why).
	Created     time.Time
	LookupError string
	// New means the account is the federated user Cognito created for this
	// identity, not an existing account it was linked to.
	New bool
}

// Identity is one entry of the ID token's identities claim.
type Identity struct {
	UserID  string
	Created time.Time
}

// idClaims are the ID token claims try shows.
type idClaims struct {
	Username      string          `json:"cognito:username"`
	Email         string          `json:"email"`
	EmailVerified any             `json:"email_verified"`
	Groups        []string        `json:"cognito:groups"`
	Identities    []identityClaim `json:"identities"`
}

type identityClaim struct {
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
	// DateCreated is milliseconds since 1970, as a string or a number.
	DateCreated json.RawMessage `json:"dateCreated"`
}

// describeAccount reads the claims, and the account's creation and status
// with AdminGetUser: a federated user of its own (EXTERNAL_PROVIDER) is a new
// account; any other status is an existing account the identity is linked to.
func describeAccount(ctx context.Context, api CognitoAPI, s Stack, token *oidc.IDToken) (*Account, error) {
	var claims idClaims
	if err := token.Claims(&claims); err != nil {
		return nil, err
	}
	a := &Account{
		Username:      claims.Username,
		Email:         claims.Email,
		EmailVerified: claims.EmailVerified == true || claims.EmailVerified == "true",
		Groups:        claims.Groups,
		Provider:      s.ProviderName,
	}
	for _, id := range claims.Identities {
		if id.ProviderName == s.ProviderName {
			a.Identity = &Identity{UserID: id.UserID, Created: millis(id.DateCreated)}
			break
		}
	}
	if a.Username == "" {
		return nil, fmt.Errorf("the ID token has no cognito:username claim")
	}
	user, err := api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.UserPoolID), Username: aws.String(a.Username)})
	if err != nil {
		a.LookupError = fmt.Sprintf("AdminGetUser (cognito-idp:AdminGetUser) failed: %v", err)
		// Without the status, Cognito's name for a federated user of its own
		// ("<provider>_<userId>") tells a new account apart.
		a.New = a.Identity != nil && strings.EqualFold(a.Username, s.ProviderName+"_"+a.Identity.UserID)
		return a, nil
	}
	a.Created = aws.ToTime(user.UserCreateDate)
	a.New = user.UserStatus == types.UserStatusTypeExternalProvider
	return a, nil
}

// millis reads a dateCreated value; zero when it is not a number.
func millis(raw json.RawMessage) time.Time {
	text := strings.Trim(string(raw), `"`)
	ms, err := strconv.ParseInt(text, 10, 64)
	if err != nil || ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// when formats a time for people; "unknown" for the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// Summary is the plain sentence: which account the sign-in landed in.
func (a *Account) Summary() string {
	switch {
	case a.Identity == nil:
		return fmt.Sprintf("You signed in as %s, but its identities list no %s entry: this sign-in did not come through %s.", a.Username, a.Provider, a.Provider)
	case a.New:
		return fmt.Sprintf("A new account was created for this %s identity (%s): no existing account was linked to it.", a.Provider, when(a.Created))
	default:
		return fmt.Sprintf("You signed in to the existing account created %s; %s is linked (since %s).", when(a.Created), a.Provider, when(a.Identity.Created))
	}
}

// Row is one labelled value of the result, for the page and the terminal.
type Row struct {
	Label string
	Value string
}

// Rows are what the page and the terminal show of the account.
func (a *Account) Rows() []Row {
	email := a.Email
	switch {
	case email == "":
		email = "none"
	case a.EmailVerified:
		email += " (verified)"
	default:
		email += " (not verified)"
	}
	groups := "none"
	if len(a.Groups) > 0 {
		groups = strings.Join(a.Groups, ", ")
	}
	created := when(a.Created)
	if a.LookupError != "" {
		created += " (" + a.LookupError + ")"
	}
	identity := "none"
	if a.Identity != nil {
		verb := "linked"
		if a.New {
			verb = "created"
		}
		identity = fmt.Sprintf("userId %s, %s %s", a.Identity.UserID, verb, when(a.Identity.Created))
	}
	return []Row{
		{"Cognito user name", a.Username},
		{"email", email},
		{"cognito:groups", groups},
		{"account created", created},
		{a.Provider + " identity", identity},
	}
}
