package try

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/try/trytest"
)

func TestLocalCallbackIsTheFirstHTTPLocalhostURL(t *testing.T) {
	tests := []struct {
		urls []string
		want string
	}{
		{[]string{"https://app.example.com/cb", "http://localhost:3000/callback", "http://localhost:8080/other"}, "http://localhost:3000/callback"},
		{[]string{"https://localhost:3000/callback", "http://127.0.0.1:3000/callback", "http://localhost.example.com/cb"}, ""},
		{[]string{"http://localhost/callback"}, "http://localhost/callback"},
		{nil, ""},
	}
	for _, tt := range tests {
		u, ok := AppClient{CallbackURLs: tt.urls}.LocalCallback()
		got := ""
		if ok {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("LocalCallback(%v) = %q, want %q", tt.urls, got, tt.want)
		}
	}
}

// fakePulumi answers like the Pulumi CLI with the given outputs and config.
func fakePulumi(outputs, config map[string]any) func(ctx context.Context, args ...string) ([]byte, error) {
	return func(_ context.Context, args ...string) ([]byte, error) {
		if args[0] == "stack" {
			return json.Marshal(outputs)
		}
		return json.Marshal(config)
	}
}

func TestReadStack(t *testing.T) {
	w := trytest.New(t)
	t.Run("a created client", func(t *testing.T) {
		s, err := ReadStack(t.Context(), "dev", fakePulumi(w.StackOutputs(), w.StackConfig()))
		if err != nil {
			t.Fatal(err)
		}
		want := Stack{Name: "dev", UserPoolID: trytest.UserPoolID, ClientID: trytest.ClientID, AuthorizeURL: w.HostedDomain.URL + "/oauth2/authorize",
			TokenURL: w.HostedDomain.URL + "/oauth2/token", IssuerURL: w.IssuerURL(), ProviderName: "Descope",
			Scopes: []string{"openid", "email", "profile"}, LogGroup: trytest.LogGroup}
		if !reflect.DeepEqual(s, want) || s.Region() != "us-east-1" {
			t.Errorf("ReadStack = %+v\nwant       %+v", s, want)
		}
	})
	t.Run("an adopted client keeps its own callback URLs", func(t *testing.T) {
		config := w.StackConfig()
		config["cognito-descope-passkeys:appClientIds"] = map[string]any{"value": `["` + trytest.ClientID + `"]`, "secret": false}
		s, err := ReadStack(t.Context(), "prod", fakePulumi(w.StackOutputs(), config))
		if err != nil || !s.AdoptedClient {
			t.Fatalf("ReadStack: %v, adopted %v", err, s.AdoptedClient)
		}
		msg := NoLocalCallback(s, AppClient{CallbackURLs: []string{"https://app.example.com/cb"}}).Error()
		for _, want := range []string{
			"aws cognito-idp describe-user-pool-client --user-pool-id " + trytest.UserPoolID + " --client-id " + trytest.ClientID + " --query UserPoolClient --output json",
			`jq 'del(.ClientSecret, .CreationDate, .LastModifiedDate) | .CallbackURLs += ["http://localhost:3000/callback"]' > client-update.json`,
			"aws cognito-idp update-user-pool-client --cli-input-json file://client-update.json",
			"Then run make try STACK=prod again.",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("the fix lacks %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "pulumi config set") {
			t.Errorf("an adopted client's callback URLs are not in callbackUrls, yet the fix sets it:\n%s", msg)
		}
		if !errors.Is(NeedsClientSecret(s), ErrSetup) || !strings.Contains(NeedsClientSecret(s).Error(), "--query UserPoolClient.ClientSecret --output text") {
			t.Errorf("an adopted client exports no secret; the fix must read it from Cognito:\n%v", NeedsClientSecret(s))
		}
	})
	t.Run("a stack deployed before the outputs", func(t *testing.T) {
		outputs := w.StackOutputs()
		delete(outputs, "cognitoIssuerUrl")
		delete(outputs, "userPoolClientId")
		_, err := ReadStack(t.Context(), "dev", fakePulumi(outputs, w.StackConfig()))
		if want := "stack dev has no output userPoolClientId, cognitoIssuerUrl: deploy this version of the program with `make up`"; err == nil || err.Error() != want {
			t.Errorf("err %v, want %q", err, want)
		}
	})
}
