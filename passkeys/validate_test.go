package passkeys

import (
	"strings"
	"testing"
)

func TestDescopeIssuerURL(t *testing.T) {
	tests := []struct{ projectID, want string }{
		{"P2abcdefghijklmnopqrstuvwxyz", "https://api.descope.com/P2abcdefghijklmnopqrstuvwxyz"},
		{"Peuc1abcdefghijklmnopqrstuvwxyz1", "https://api.euc1.descope.com/Peuc1abcdefghijklmnopqrstuvwxyz1"},
	}
	for _, tt := range tests {
		if got := DescopeIssuerURL(tt.projectID); got != tt.want {
			t.Errorf("DescopeIssuerURL(%s) = %s, want %s", tt.projectID, got, tt.want)
		}
	}
}

func TestValidateRedirectURL(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"https://app.example.com/callback", ""},
		{"https://app.example.com:8443/cb?x=1", ""},
		{"http://localhost:3000/callback", ""},
		{"http://localhost/", ""},
		{"http://app.example.com/callback", "only https"},
		{"http://127.0.0.1:3000/callback", "only https"},
		{"http://localhost.example.com/", "only https"},
		{"myapp://callback", "https"},
		{"/callback", "absolute"},
		{"https://app.example.com/cb#frag", "fragment"},
		{"https://user:pw@app.example.com/cb", "credentials"},
		{"https://app example.com", "not a URL"},
	}
	for _, tt := range tests {
		err := ValidateRedirectURL(tt.url)
		if tt.wantErr == "" && err != nil {
			t.Errorf("ValidateRedirectURL(%q) = %v, want nil", tt.url, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ValidateRedirectURL(%q) = %v, want error containing %q", tt.url, err, tt.wantErr)
		}
	}
}

func TestValidateRedirectURLsRejectsDuplicates(t *testing.T) {
	err := ValidateRedirectURLs([]string{"https://a.example.com/", "https://a.example.com/"}, true)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("err = %v, want a duplicate error", err)
	}
}

func TestDefaultDomainPrefix(t *testing.T) {
	tests := []struct{ stack, account string }{
		{"dev", "123456789012"},
		{"Prod.EU_west", "123456789012"},
		{"cognito-aws-amazon", "123456789012"},
		{"---", "123456789012"},
		{strings.Repeat("long-stack-name-", 8), "123456789012"},
	}
	for _, component := range []string{DefaultComponentName, "Partner.Cognito--Login"} {
		prefix := func(stack, account string) string {
			return DefaultDomainPrefix(defaultProjectName, stack, component, account)
		}
		for _, tt := range tests {
			got := prefix(tt.stack, tt.account)
			if err := ValidateDomainPrefix(got); err != nil {
				t.Errorf("%s: DefaultDomainPrefix(%q) = %q, which Cognito refuses: %v", component, tt.stack, got, err)
			}
			if again := prefix(tt.stack, tt.account); again != got {
				t.Errorf("%s: DefaultDomainPrefix(%q) is not stable: %q then %q", component, tt.stack, got, again)
			}
		}
		if prefix("dev", "111111111111") == prefix("dev", "222222222222") {
			t.Errorf("%s: two accounts' dev stacks get the same global domain prefix", component)
		}
		if strings.Contains(prefix("dev", "123456789012"), "123456789012") {
			t.Errorf("%s: the domain prefix publishes the account ID", component)
		}
	}
}

func TestFunctionNameFitsLambdaLimits(t *testing.T) {
	for _, component := range []string{DefaultComponentName, "partners"} {
		name := func(stack string) string { return MergeFunctionName(defaultProjectName, stack, component) }
		for _, stack := range []string{"dev", "org/team.prod", strings.Repeat("x", 100)} {
			if n := name(stack); len(n) > 64 || functionSafe(n) != n {
				t.Errorf("MergeFunctionName(%q, %q) = %q: Lambda allows 64 letters, digits, - and _", stack, component, n)
			}
		}
		if name(strings.Repeat("x", 100)+"a") == name(strings.Repeat("x", 100)+"b") {
			t.Errorf("%s: truncated function names collide", component)
		}
	}
}

func TestValidateProviderNameAndPrefix(t *testing.T) {
	for _, ok := range []string{"Descope", "descope-prod", "D2"} {
		if err := ValidateProviderName(ok); err != nil {
			t.Errorf("ValidateProviderName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "D", "My_Descope", "has space", "Cognito", strings.Repeat("a", 33)} {
		if err := ValidateProviderName(bad); err == nil {
			t.Errorf("ValidateProviderName(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"Upper", "-lead", "trail-", "my-aws-login", "amazonia", "x_y"} {
		if err := ValidateDomainPrefix(bad); err == nil {
			t.Errorf("ValidateDomainPrefix(%q) accepted", bad)
		}
	}
}
