package main

import (
	"errors"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// Cognito shows a pre sign-up error to the user as
// "PreSignUp failed with error <message>." — so every message here is short,
// actionable, and carries no personal data.
const (
	msgMissingEmail    = "Sign-in refused: the identity provider sent no email address"
	msgUnverifiedEmail = "Sign-in refused: the email address is not verified"
	msgInvalidEmail    = "Sign-in refused: the email address is not valid"
	msgMissingSubject  = "Sign-in refused: the identity provider sent no subject identifier"
	msgSubjectMismatch = "Sign-in refused: the identity provider's subject identifier does not match the user name"
	msgAmbiguous       = "Sign-in refused: more than one account uses this email address, contact support"
	msgDisabled        = "Sign-in refused: the account for this email address is disabled"
	msgNoAccount       = "Sign-in refused: no account exists for this email address"
	msgIdentityLimit   = "Sign-in refused: the account has reached its limit of linked sign-in methods, contact support"
	msgImmutable       = "Sign-in refused: the account for this email address cannot be linked to another sign-in method, contact support"
	msgTryAgain        = "Sign-in could not be completed, please try again"
	msgInvalidEvent    = "Sign-in could not be completed: invalid sign-up event"
)

// SignUpRefusedError is a deliberate decision not to let the sign-up go on.
// Error() is the message Cognito shows to the user; Reason is a stable token
// for logs and tests.
type SignUpRefusedError struct {
	Reason  string
	Message string
}

func (e *SignUpRefusedError) Error() string { return e.Message }

// refusalMessages maps every refusal reason of the linking rules to what the
// user is shown.
var refusalMessages = map[string]string{
	linking.ReasonMissingEmail:       msgMissingEmail,
	linking.ReasonEmailNotVerified:   msgUnverifiedEmail,
	linking.ReasonInvalidEmail:       msgInvalidEmail,
	linking.ReasonNoExistingUser:     msgNoAccount,
	linking.ReasonMultipleCandidates: msgAmbiguous,
	linking.ReasonCandidateDisabled:  msgDisabled,
	linking.ReasonMissingSubject:     msgMissingSubject,
	linking.ReasonSubjectMismatch:    msgSubjectMismatch,
	linking.ReasonIdentityLimit:      msgIdentityLimit,
	linking.ReasonImmutableAttribute: msgImmutable,
}

// refuse builds the refusal for reason. A reason without a message (a rule
// added without one) still refuses, with the generic retry message.
func refuse(reason string) error {
	message, ok := refusalMessages[reason]
	if !ok {
		message = msgTryAgain
	}
	return &SignUpRefusedError{Reason: reason, Message: message}
}

// SignUpFailedError means the function could not decide safely (Cognito
// unavailable, budget exhausted, unexpected response, panic). It fails closed:
// the user sees a generic retry message, the cause stays in the chain for logs
// and tests.
type SignUpFailedError struct {
	Err error
}

func (e *SignUpFailedError) Error() string { return msgTryAgain }
func (e *SignUpFailedError) Unwrap() error { return e.Err }

// InvalidEventError is returned for payloads that are not a pre sign-up event.
type InvalidEventError struct {
	Err error
}

func (e *InvalidEventError) Error() string { return msgInvalidEvent }
func (e *InvalidEventError) Unwrap() error { return e.Err }

// errPanic marks a recovered panic inside a SignUpFailedError.
var errPanic = errors.New("recovered panic")

// errBudget is returned when too little of Cognito's time budget is left to
// start another call.
var errBudget = errors.New("time budget exhausted")
