package passkeys

import "testing"

func TestDescopeFlowHostingURL(t *testing.T) {
	const project = "P2abcdefghijklmnopqrstuvwxyz"
	const regional = "P2euc1abcdefghijklmnopqrstuvwxyz"
	tests := []struct {
		name, projectID, issuer, flow, want string
	}{
		{"Descope's issuer", project, "https://api.descope.com/" + project, "oidc-flow", "https://auth.descope.io/" + project + "?flow=oidc-flow"},
		{"Descope's default flow", project, "https://api.descope.com/" + project, DefaultDescopeFlowID, "https://auth.descope.io/" + project + "?flow=sign-up-or-in"},
		{"a regional issuer is still Descope's", regional, "https://api.euc1.descope.com/" + regional, "oidc-flow", "https://auth.descope.io/" + regional + "?flow=oidc-flow"},
		{"a custom domain serves it under /login", project, "https://auth.example.com/" + project, "oidc-flow", "https://auth.example.com/login/" + project + "?flow=oidc-flow"},
		{"a host that only ends like Descope's is custom", project, "https://notdescope.com/" + project, "oidc-flow", "https://notdescope.com/login/" + project + "?flow=oidc-flow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescopeFlowHostingURL(tt.projectID, tt.issuer, tt.flow); got != tt.want {
				t.Errorf("DescopeFlowHostingURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateDescopeFlowID(t *testing.T) {
	for _, ok := range []string{"sign-up-or-in", "oidc-flow", "passkeys_2"} {
		if err := ValidateDescopeFlowID(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-leading", "has space", "a&flow=b", "ünicode"} {
		if err := ValidateDescopeFlowID(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
