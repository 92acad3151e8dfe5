package main

import (
	"errors"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// Every refusal the linking rules can give has its own user-facing message.
func TestEveryRefusalReasonHasAMessage(t *testing.T) {
	t.Parallel()
	for _, reason := range []string{
		linking.ReasonMissingEmail, linking.ReasonEmailNotVerified, linking.ReasonInvalidEmail,
		linking.ReasonNoExistingUser, linking.ReasonMultipleCandidates, linking.ReasonCandidateDisabled,
		linking.ReasonMissingSubject, linking.ReasonSubjectMismatch, linking.ReasonIdentityLimit,
	} {
		var refused *SignUpRefusedError
		if err := refuse(reason); !errors.As(err, &refused) || refused.Reason != reason || refused.Message == msgTryAgain {
			t.Errorf("refuse(%q) = %v, want a refusal with its own message", reason, err)
		}
	}
	if err := refuse("a_reason_without_message"); err.Error() != msgTryAgain {
		t.Errorf("unknown reason message = %q, want the generic %q", err.Error(), msgTryAgain)
	}
}
