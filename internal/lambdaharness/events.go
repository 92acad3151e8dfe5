package lambdaharness

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

// Pre sign-up trigger sources the harness sends.
const (
	TriggerExternalProvider = "PreSignUp_ExternalProvider"
	TriggerSignUp           = "PreSignUp_SignUp"
)

// ExternalSignUp is a first sign-in through the Descope identity provider.
type ExternalSignUp struct {
	PoolID string
	// UserName is what Cognito sends, "Descope_<subject>", lowercased as a
	// whole in case-insensitive pools.
	UserName      string
	Subject       string // custom:descope_sub, exact case
	Email         string
	EmailVerified string // "true", "false", or "" to leave it out
	// Name, if set, is the name attribute; the blog's function reads the
	// provider subject from it.
	Name string
}

// Event renders the pre sign-up event Cognito sends for s.
func (s ExternalSignUp) Event() []byte {
	attrs := map[string]string{"email": s.Email, "custom:descope_sub": s.Subject}
	if s.EmailVerified != "" {
		attrs["email_verified"] = s.EmailVerified
	}
	if s.Name != "" {
		attrs["name"] = s.Name
	}
	return preSignUpEvent(TriggerExternalProvider, s.PoolID, s.UserName, attrs)
}

// NativeSignUpEvent renders a self-service sign-up, a trigger the merge
// function must pass through without calling Cognito.
func NativeSignUpEvent(poolID, userName, email string) []byte {
	return preSignUpEvent(TriggerSignUp, poolID, userName, map[string]string{"email": email})
}

func preSignUpEvent(trigger, poolID, userName string, attrs map[string]string) []byte {
	ev := events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: events.CognitoEventUserPoolsHeader{
			Version:       "1",
			TriggerSource: trigger,
			Region:        Region,
			UserPoolID:    poolID,
			UserName:      userName,
			CallerContext: events.CognitoEventUserPoolsCallerContext{
				AWSSDKVersion: "aws-sdk-unknown-unknown",
				ClientID:      "1example23456789",
			},
		},
		Request: events.CognitoEventUserPoolsPreSignupRequest{UserAttributes: attrs},
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		panic(err) // a struct of strings and string maps always marshals
	}
	return raw
}
