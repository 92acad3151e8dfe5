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

// ownIdentities renders a federated user's identities attribute holding only
// its own identity, as Cognito records it.
func ownIdentities(provider, subject string) string {
	return `[{"userId":"` + subject + `","providerName":"` + provider + `","providerType":"OIDC","issuer":null,"primary":true,"dateCreated":1700000000000}]`
}

func TestIsProviderUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		provider string
		f        Federated
		want     bool
	}{
		{"name of the provider", "Descope", Federated{UserName: "Descope_" + janeSubject}, true},
		{"lowercased name", "Descope", Federated{UserName: "descope_u2xabcdef123"}, true},
		{"name without the separator", "Descope", Federated{UserName: "DescopeStaging_abc"}, false},
		{"another provider", "Descope", Federated{UserName: "Google_123"}, false},
		{"provider name alone", "Descope", Federated{UserName: "Descope"}, false},
		{"provider and separator alone", "Descope", Federated{UserName: "Descope_"}, false},
		{"empty", "Descope", Federated{}, false},
		{"longer provider name, lowercased", "DescopeProd", Federated{UserName: "descopeprod_abc"}, true},
		{"Descope_Staging user, by its identities", "Descope", Federated{UserName: "Descope_Staging_abc", Identities: ownIdentities("Descope_Staging", "abc")}, false},
		{"Descope_Staging user, lowercased, by its identities", "Descope", Federated{UserName: "descope_staging_abc", Identities: ownIdentities("Descope_Staging", "abc")}, false},
		{"Descope user whose subject has an underscore, by its identities", "Descope", Federated{UserName: "Descope_Staging_abc", Identities: ownIdentities("Descope", "Staging_abc")}, true},
		{"Descope_Staging user, by its mapped subject", "Descope", Federated{UserName: "Descope_Staging_abc", Subject: "abc"}, false},
		{"Descope user whose subject has an underscore, by its mapped subject", "Descope", Federated{UserName: "Descope_Staging_abc", Subject: "Staging_abc"}, true},
		{"the Descope_Staging provider itself", "Descope_Staging", Federated{UserName: "Descope_Staging_abc", Identities: ownIdentities("Descope_Staging", "abc")}, true},
		{"provider name differs in case from the identity's", "Descope", Federated{UserName: "Descope_abc", Identities: ownIdentities("descope", "abc")}, false},
		{"unreadable identities are left to CheckIdentity", "Descope", Federated{UserName: "Descope_abc", Identities: "{"}, true},
	}
	for _, c := range cases {
		if got := IsProviderUser(c.provider, c.f); got != c.want {
			t.Errorf("%s: IsProviderUser(%q, %+v) = %v, want %v", c.name, c.provider, c.f, got, c.want)
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
		{"disabled federated user", Federated{Email: janeEmail, EmailVerified: "true", Disabled: true}, ReasonFederatedUserDisabled},
		{"own identity only passes", Federated{Email: janeEmail, EmailVerified: "true", Identities: ownIdentities("Descope", janeSubject)}, ""},
		{"federated user is a link destination", Federated{Email: janeEmail, EmailVerified: "true", Identities: identities(1, janeSubject)}, ReasonFederatedUserHasLinks},
		{"unreadable identities", Federated{Email: janeEmail, EmailVerified: "true", Identities: "not json"}, ReasonFederatedUserHasLinks},
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
	// Only ASCII letters are lowered: the KELVIN SIGN must never become the
	// "k" of someone else's address, nor "É" an "é".
	for _, email := range []string{"\u212Aim@example.com", "\u00c9mile@example.fr"} {
		if got := CandidateFilters(email); len(got) != 1 || got[0] != EmailFilter(email) {
			t.Errorf("CandidateFilters(%q) = %q, want only the exact value", email, got)
		}
	}
	if got := CandidateFilters("\u212AIM@Example.com"); len(got) != 2 || got[1] != EmailFilter("\u212Aim@example.com") {
		t.Errorf("mixed-case email with a KELVIN SIGN: %q", got)
	}
}

func TestEqualEmailFoldsASCIIOnly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want bool
	}{
		{"jane@example.com", "jane@example.com", true},
		{"Jane@Example.COM", "jane@example.com", true},
		{"\u212Aim@example.com", "kim@example.com", false}, // KELVIN SIGN
		{"\u212Aim@example.com", "Kim@example.com", false},
		{"\u017Fam@example.com", "sam@example.com", false}, // LATIN SMALL LETTER LONG S
		{"\u00c9mile@example.fr", "\u00e9mile@example.fr", false},
		{"\u00e9mile@example.fr", "\u00e9mile@EXAMPLE.fr", true},
		{"jane@example.com", "jane@example.co", false},
		{"", "", true},
	}
	for _, c := range cases {
		if got := EqualEmail(c.a, c.b); got != c.want {
			t.Errorf("EqualEmail(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := EqualEmail(c.b, c.a); got != c.want {
			t.Errorf("EqualEmail(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
	if got := LowerASCII("\u212AIM@Ex\u00c9.com"); got != "\u212Aim@ex\u00c9.com" {
		t.Errorf("LowerASCII = %q", got)
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
	kim := user("kim", types.UserStatusTypeConfirmed, true, AttrEmail, "kim@example.com", AttrEmailVerified, "true")
	if IsCandidate(kim, "\u212Aim@example.com") {
		t.Error("kim@example.com is a candidate for \\u212Aim@example.com (KELVIN SIGN)")
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
	// A user a Descope sign-in created before adoption: no mapped subject,
	// its exact subject in identities, its name lowercased.
	preAdoption := Federated{UserName: strings.ToLower("Descope_" + janeSubject), Email: janeEmail, EmailVerified: "true", Identities: ownIdentities("Descope", janeSubject)}
	withTenant := janeNative("custom:tenant", "acme")
	immutable := []string{"custom:tenant"}
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
		wantSubject     string
		wantSource      string
	}{
		{"one candidate: link", descope, []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane", "", ""},
		{"lowercased user name, exact-case subject: link", with(func(f *Federated) { f.UserName = strings.ToLower(f.UserName) }), []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane", "", ""},
		{"no candidate", descope, nil, false, ActionNoMatch, ReasonNoExistingUser, "", "", ""},
		{"no candidate, existing user required", descope, nil, true, ActionRefuse, ReasonNoExistingUser, "", "", ""},
		{"two candidates", descope, []types.UserType{janeNative(), other}, false, ActionRefuse, ReasonMultipleCandidates, "", "", ""},
		{"disabled candidate", descope, []types.UserType{disabled}, false, ActionRefuse, ReasonCandidateDisabled, "", "", ""},
		{"missing subject", with(func(f *Federated) { f.Subject = "" }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonMissingSubject, "", "", ""},
		{"missing subject without candidate still passes", with(func(f *Federated) { f.Subject = "" }), nil, false, ActionNoMatch, ReasonNoExistingUser, "", "", ""},
		{"subject disagrees with user name", with(func(f *Federated) { f.Subject = "U2xSomeoneElse" }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonSubjectMismatch, "", "", ""},
		{"user name of another provider", with(func(f *Federated) { f.UserName = "Google_" + janeSubject }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonSubjectMismatch, "", "", ""},
		{"four identities linked: link", descope, []types.UserType{janeNative(AttrIdentities, identities(4))}, false, ActionLink, ReasonEligible, "jane", "", ""},
		{"five identities linked: limit", descope, []types.UserType{janeNative(AttrIdentities, identities(5))}, false, ActionRefuse, ReasonIdentityLimit, "", "", ""},
		{"unreadable identities: refused as at the limit", descope, []types.UserType{janeNative(AttrIdentities, "not json")}, false, ActionRefuse, ReasonIdentityLimit, "", "", ""},
		{"this identity already linked", descope, []types.UserType{janeNative(AttrIdentities, identities(1, janeSubject))}, false, ActionAlreadyLinked, ReasonAlreadyLinked, "jane", "", ""},
		{"already linked wins over the limit", descope, []types.UserType{janeNative(AttrIdentities, identities(4, janeSubject))}, false, ActionAlreadyLinked, ReasonAlreadyLinked, "jane", "", ""},
		{"another Descope subject linked: link", descope, []types.UserType{janeNative(AttrIdentities, identities(0, "U2xOther"))}, false, ActionLink, ReasonEligible, "jane", janeSubject, SubjectFromAttribute},
		{"pre-adoption user: subject from identities, exact case", preAdoption, []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane", janeSubject, SubjectFromIdentities},
		{"attribute and identities agree", with(func(f *Federated) { f.Identities = ownIdentities("Descope", janeSubject) }), []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane", janeSubject, SubjectFromBoth},
		{"attribute and identities disagree", with(func(f *Federated) { f.Identities = ownIdentities("Descope", strings.ToLower(janeSubject)) }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonSubjectMismatch, "", "", SubjectConflict},
		{"neither attribute nor identities", with(func(f *Federated) { f.Subject = "" }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonMissingSubject, "", "", SubjectNone},
		{"identities of another provider only", with(func(f *Federated) { f.Subject = ""; f.Identities = ownIdentities("Google", janeSubject) }), []types.UserType{janeNative()}, false, ActionRefuse, ReasonMissingSubject, "", "", SubjectNone},
		{"pre-adoption user already linked", preAdoption, []types.UserType{janeNative(AttrIdentities, identities(0, janeSubject))}, false, ActionAlreadyLinked, ReasonAlreadyLinked, "jane", janeSubject, SubjectFromIdentities},
		{"target has an immutable custom attribute", descope, []types.UserType{withTenant}, false, ActionRefuse, ReasonImmutableAttribute, "", janeSubject, SubjectFromAttribute},
		{"target without a value for the immutable attribute: link", descope, []types.UserType{janeNative()}, false, ActionLink, ReasonEligible, "jane", janeSubject, SubjectFromAttribute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			policy := Policy{Provider: "Descope", RequireExistingUser: c.requireExisting, ImmutableAttributes: immutable}
			got := Decide(policy, c.f, c.candidates)
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
			if c.wantSource != "" && (got.Subject != c.wantSubject || got.SubjectSource != c.wantSource) {
				t.Errorf("subject = %q from %q, want %q from %q", got.Subject, got.SubjectSource, c.wantSubject, c.wantSource)
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
