package lambdaharness

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// These tests pin down what cognito-local does with the calls the trigger
// and the e2e tests rely on, so a version bump that changes it fails here
// with a clear name rather than as a confusing e2e failure.
func TestCognitoLocalSupportsWhatTheTriggerNeeds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	server, err := StartCognitoLocal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Stop)
	admin, err := NewCognitoAdmin(server.Endpoint)
	if err != nil {
		t.Fatal(err)
	}

	pool, err := admin.CreateUserPool(ctx, "plain", PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []NewUser{
		{Username: "alice", Email: "shared@example.com", EmailVerified: true, Confirmed: true},
		{Username: "alice-again", Email: "shared@example.com", EmailVerified: true},
		{Username: "bob", Email: "bob@example.com", EmailVerified: false},
	} {
		if _, err := admin.CreateUser(ctx, pool, u); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("email filter matches exactly, case-sensitively", func(t *testing.T) {
		users, err := admin.ListUsersByEmail(ctx, pool, "shared@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 2 {
			t.Fatalf("got %d users, want both users sharing the email", len(users))
		}
		upper, err := admin.ListUsersByEmail(ctx, pool, "SHARED@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(upper) != 0 {
			t.Errorf("upper-case filter matched %d users; cognito-local's email filter was case-sensitive", len(upper))
		}
	})

	t.Run("attributes, status and enabled are reported", func(t *testing.T) {
		users, err := admin.ListUsersByEmail(ctx, pool, "bob@example.com")
		if err != nil || len(users) != 1 {
			t.Fatalf("bob: %v, %v", users, err)
		}
		if got := attribute(users[0].Attributes, "email_verified"); got != "false" {
			t.Errorf("email_verified = %q", got)
		}
		if users[0].UserStatus != types.UserStatusTypeForceChangePassword || !users[0].Enabled {
			t.Errorf("status %s enabled %v", users[0].UserStatus, users[0].Enabled)
		}
		if err := admin.DisableUser(ctx, pool, "bob"); err != nil {
			t.Fatal(err)
		}
		users, err = admin.ListUsersByEmail(ctx, pool, "bob@example.com")
		if err != nil || len(users) != 1 || users[0].Enabled {
			t.Errorf("after disable: %+v, %v", users, err)
		}
	})

	t.Run("confirmed users are CONFIRMED", func(t *testing.T) {
		users, err := admin.ListUsersByEmail(ctx, pool, "shared@example.com")
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]types.UserStatusType{}
		for _, u := range users {
			statuses[aws.ToString(u.Username)] = u.UserStatus
		}
		if statuses["alice"] != types.UserStatusTypeConfirmed {
			t.Errorf("statuses = %v", statuses)
		}
	})

	t.Run("email usernames: generated username, one user per email", func(t *testing.T) {
		emailPool, err := admin.CreateUserPool(ctx, "email-usernames", PoolOptions{EmailUsernames: true})
		if err != nil {
			t.Fatal(err)
		}
		username, err := admin.CreateUser(ctx, emailPool, NewUser{Username: "carol@example.com", Email: "carol@example.com", EmailVerified: true})
		if err != nil {
			t.Fatal(err)
		}
		if username == "carol@example.com" || username == "" {
			t.Errorf("username = %q, want a generated sub", username)
		}
		_, err = admin.CreateUser(ctx, emailPool, NewUser{Username: "carol@example.com", Email: "carol@example.com"})
		var exists *types.UsernameExistsException
		if !errors.As(err, &exists) {
			t.Errorf("second user with the same email: %v, want UsernameExistsException", err)
		}
	})
}

func attribute(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
