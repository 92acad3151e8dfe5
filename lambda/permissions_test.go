package main

import (
	"reflect"
	"slices"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/permissions"
)

// The function calls exactly the actions permissions.MergeFunction lists
// (and passkeys.LinkActions grants its role).
func TestCognitoAPICallsTheMergeFunctionsActions(t *testing.T) {
	actions, unmapped := permissions.ActionsOf(reflect.TypeFor[cognitoAPI]())
	for _, m := range unmapped {
		t.Errorf("%s has no IAM action: add it to permissions.Operations", m)
	}
	if !slices.Equal(actions, permissions.MergeFunction.Actions) {
		t.Errorf("cognitoAPI calls %v, permissions.MergeFunction lists %v", actions, permissions.MergeFunction.Actions)
	}
}
