package linking

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const (
	janeEmail   = "jane.doe@example.com"
	janeSubject = "U2xAbCdEf123"
)

func user(name string, status types.UserStatusType, enabled bool, attrs ...string) types.UserType {
	u := types.UserType{Username: aws.String(name), UserStatus: status, Enabled: enabled}
	for i := 0; i+1 < len(attrs); i += 2 {
		u.Attributes = append(u.Attributes, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	return u
}

func janeNative(extra ...string) types.UserType {
	return user("jane", types.UserStatusTypeConfirmed, true, append([]string{AttrEmail, janeEmail, AttrEmailVerified, "true"}, extra...)...)
}

// identities renders n linked identities of provider "Other", plus the given
// Descope subjects, the way Cognito's identities attribute does.
func identities(n int, descopeSubjects ...string) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf(`{"userId":"other-%d","providerName":"Other","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":1700000000000}`, i))
	}
	for _, s := range descopeSubjects {
		parts = append(parts, `{"userId":"`+s+`","providerName":"Descope","providerType":"OIDC","issuer":null,"primary":false,"dateCreated":1700000000000}`)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestIsProviderUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		provider, userName string
		want               bool
	}{
		{"Descope", "Descope_" + janeSubject, true},
		{"Descope", "descope_u2xabcdef123", true},
		{"Descope", "DescopeStaging_abc", false},
		{"Descope", "Google_123", false},
		{"Descope", "Descope", false},
		{"Descope", "", false},
		{"DescopeProd", "descopeprod_abc", true},
	}
	for _, c := range cases {
		if got := IsProviderUser(c.provider, c.userName); got != c.want {
			t.Errorf("IsProviderUser(%q, %q) = %v, want %v", c.provider, c.userName, got, c.want)
		}
	}
}

func TestCheckIdentity(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    Federated
		want string
	}{
		{"verified email passes", Federated{Email: janeEmail, EmailVerified: "true"}, ""},
		{"verified in other case passes", Federated{Email: janeEmail, EmailVerified: "TRUE"}, ""},
		{"no email", Federated{EmailVerified: "true"}, ReasonMissingEmail},
		{"unverified", Federated{Email: janeEmail, EmailVerified: "false"}, ReasonEmailNotVerified},
		{"verified absent", Federated{Email: janeEmail}, ReasonEmailNotVerified},
		{"verified not a boolean", Federated{Email: janeEmail, EmailVerified: "yes"}, ReasonEmailNotVerified},
		{"control character", Federated{Email: "jane\n@example.com", EmailVerified: "true"}, ReasonInvalidEmail},
		{"too long for a filter", Federated{Email: strings.Repeat("a", 250) + "@example.com", EmailVerified: "true"}, ReasonInvalidEmail},
		{"missing email wins over unverified", Federated{}, ReasonMissingEmail},
	}
	for _, c := range cases {
		if got := CheckIdentity(c.f); got != c.want {
			t.Errorf("%s: CheckIdentity = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCandidateFilters(t *testing.T) {
	t.Parallel()
	if got := CandidateFilters(janeEmail); len(got) != 1 || got[0] != `email = "jane.doe@example.com"` {
		t.Errorf("lowercase email: %q", got)
	}
	got := CandidateFilters("Jane.Doe@Example.com")
	want := []string{`email = "Jane.Doe@Example.com"`, `email = "jane.doe@example.com"`}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("mixed-case email: %q, want %q", got, want)
	}
}

func TestIsCandidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		u    types.UserType
		want bool
	}{
		{"verified native user", janeNative(), true},
		{"email in other case", user("jane", types.UserStatusTypeConfirmed, true, AttrEmail, strings.ToUpper(janeEmail), AttrEmailVerified, "true"), true},
		{"unconfirmed native user still counts", user("jane", types.UserStatusTypeForceChangePassword, true, AttrEmail, janeEmail, AttrEmailVerified, "true"), true},
		{"federated user", user("Google_1", types.UserStatusTypeExternalProvider, true, AttrEmail, janeEmail, AttrEmailVerified, "true"), false},
		{"unverified", user("jane", types.UserStatusTypeConfirmed, true, AttrEmail, janeEmail, AttrEmailVerified, "false"), false},
		{"verification absent", user("jane", types.UserStatusTypeConfirmed, true, AttrEmail, janeEmail), false},
		{"other email", user("mallory", types.UserStatusTypeConfirmed, true, AttrEmail, "mallory@example.com", AttrEmailVerified, "true"), false},
		{"no email", user("jane", types.UserStatusTypeConfirmed, true, AttrEmailVerified, "true"), false},
	}
	for _, c := range cases {
		if got := IsCandidate(c.u, janeEmail); got != c.want {
			t.Errorf("%s: IsCandidate = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCandidatesGatherDistinctCandidatesUpToTwo(t *testing.T) {
	t.Parallel()
	verified := func(name string) types.UserType {
		return user(name, types.UserStatusTypeConfirmed, true, AttrEmail, janeEmail, AttrEmailVerified, "true")
	}
	federated := user("Descope_"+janeSubject, types.UserStatusTypeExternalProvider, true, AttrEmail, janeEmail, AttrEmailVerified, "true")
	cases := []struct {
		name       string
		pages      [][]types.UserType
		wantUsers  []string
		wantEnough bool // Add said "enough" on the last page
	}{
		{"no pages", nil, nil, false},
		{"one candidate", [][]types.UserType{{verified("jane")}}, []string{"jane"}, false},
		{"non-candidates are skipped", [][]types.UserType{{federated, verified("jane"), user("x", types.UserStatusTypeConfirmed, true, AttrEmail, janeEmail)}}, []string{"jane"}, false},
		{"a user seen by both queries counts once", [][]types.UserType{{verified("jane")}, {verified("jane")}}, []string{"jane"}, false},
		{"an empty user name is skipped", [][]types.UserType{{verified(""), verified("jane")}}, []string{"jane"}, false},
		{"two across pages are enough", [][]types.UserType{{verified("jane")}, {verified("jane2")}}, []string{"jane", "jane2"}, true},
		{"a third is never taken", [][]types.UserType{{verified("a"), verified("b"), verified("c")}}, []string{"a", "b"}, true},
	}
	for _, c := range cases {
		gathered := NewCandidates(janeEmail)
		enough := false
		for _, page := range c.pages {
			enough = gathered.Add(page)
		}
		var names []string
		for _, u := range gathered.Users() {
			names = append(names, aws.ToString(u.Username))
		}
		if fmt.Sprint(names) != fmt.Sprint(c.wantUsers) || enough != c.wantEnough {
			t.Errorf("%s: users %v, enough %v; want %v, %v", c.name, names, enough, c.wantUsers, c.wantEnough)
		}
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	descope := Federated{UserName: "Descope_" + janeSubject, Email: janeEmail, EmailVerified: "true", Subject: janeSubject}
	with := func(mod func(*Federated)) Federated { f := descope; mod(&f); return f }
	other := janeNative()
	other.Username = aws.String("jane-work")
	disabled := janeNative()
	disabled.Enabled = false

	cases := []struct {
		name            string
		f               Federated
		candidates      []types.UserType
		requireExisting bool
		wantAction      Action
		wantReason      string
		wantTarget      string
	}{
		{"one candidate: link", descope, []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane"},
		{"lowercased user name, exact-case subject: link", with(func(f *Federated) { f.UserName = strings.ToLower(f.UserName) }), []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane"},
		{"no candidate", descope, nil, false, ActionNoMatch, ReasonNoExistingUser, ""},
		{"no candidate, existing user required", descope, nil, true, ActionRefuse, ReasonNoExistingUser, ""},
		{"two candidates", descope, []types.UserType{janeNative(), other}, false, ActionRefuse, ReasonMultipleCandidates, ""},
		{"disabled candidate", descope, []types.UserType{disabled}, false, ActionRefuse, ReasonCandidateDisabled, ""},
		{"missing subject", with(func(f *Federated) { f.Subject = "" }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonMissingSubject, ""},
		{"missing subject without candidate still passes", with(func(f *Federated) { f.Subject = "" }), nil, false, ActionNoMatch, ReasonNoExistingUser, ""},
		{"subject disagrees with user name", with(func(f *Federated) { f.Subject = "U2xSomeoneElse" }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonSubjectMismatch, ""},
		{"user name of another provider", with(func(f *Federated) { f.UserName = "Google_" + janeSubject }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonSubjectMismatch, ""},
		{"four identities linked: link", descope, []types.UserType{janeNative(AttrIdentities, identities(4))}, false, ActionLink, ReasonEligible, "jane"},
		{"five identities linked: limit", descope, []types.UserType{janeNative(AttrIdentities, identities(5))}, false, ActionRefuse, ReasonIdentityLimit, ""},
		{"unreadable identities: refused as at the limit", descope, []types.UserType{janeNative(AttrIdentities, "not json")}, false, ActionRefuse, ReasonIdentityLimit, ""},
		{"this identity already linked", descope, []types.UserType{janeNative(AttrIdentities, identities(1, janeSubject))}, false, ActionAlreadyLinked, ReasonAlreadyLinked, "jane"},
		{"already linked wins over the limit", descope, []types.UserType{janeNative(AttrIdentities, identities(4, janeSubject))}, false, ActionAlreadyLinked, ReasonAlreadyLinked, "jane"},
		{"another Descope subject linked: link", descope, []types.UserType{janeNative(AttrIdentities, identities(0, "U2xOther"))}, false, ActionLink, ReasonEligible, "jane"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Decide("Descope", c.f, c.candidates, c.requireExisting)
			if got.Action != c.wantAction || got.Reason != c.wantReason {
				t.Fatalf("Decide = %s/%s, want %s/%s", got.Action, got.Reason, c.wantAction, c.wantReason)
			}
			gotTarget := ""
			if got.Target != nil {
				gotTarget = aws.ToString(got.Target.Username)
			}
			if gotTarget != c.wantTarget {
				t.Errorf("target = %q, want %q", gotTarget, c.wantTarget)
			}
		})
	}
}

func TestIdentitiesContainAndCount(t *testing.T) {
	t.Parallel()
	raw := identities(2, janeSubject)
	if !IdentitiesContain(raw, "Descope", janeSubject) {
		t.Error("linked subject not found")
	}
	for _, c := range []struct{ provider, subject string }{{"Descope", strings.ToLower(janeSubject)}, {"Other", janeSubject}, {"Descope", "other-0"}} {
		if IdentitiesContain(raw, c.provider, c.subject) {
			t.Errorf("IdentitiesContain(%s, %s) = true", c.provider, c.subject)
		}
	}
	if IdentitiesContain("garbage", "Descope", janeSubject) || IdentitiesContain("", "Descope", janeSubject) {
		t.Error("unparsable or empty identities contain a subject")
	}
	for raw, want := range map[string]int{"": 0, "[]": 0, identities(3): 3, identities(4, "a"): 5, "{": MaxLinkedIdentities} {
		if got := IdentityCount(raw); got != want {
			t.Errorf("IdentityCount(%.30q) = %d, want %d", raw, got, want)
		}
	}
}
