package permissions_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/permissions"
)

// docPolicy reads the first ```json block after the line that starts with
// lead in docs/ci-cd.md.
func docPolicy(t *testing.T, doc, lead string) any {
	t.Helper()
	_, after, ok := strings.Cut(doc, "\n"+lead)
	if !ok {
		t.Fatalf("docs/ci-cd.md has no line starting %q", lead)
	}
	_, block, ok := strings.Cut(after, "```json\n")
	if !ok {
		t.Fatalf("docs/ci-cd.md has no JSON block after %q", lead)
	}
	block, _, _ = strings.Cut(block, "```")
	var v any
	if err := json.Unmarshal([]byte(block), &v); err != nil {
		t.Fatalf("the policy after %q is not JSON: %v", lead, err)
	}
	return normalize(v)
}

// normalize turns IAM's one-string-or-a-list values into lists, so that
// "Action": "x" and "Action": ["x"] compare equal.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && (k == "Action" || k == "Resource") {
				v[k] = []any{s}
			} else {
				v[k] = normalize(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	}
	return v
}

// differingStatements names the statements (by Sid) that are not the same in both policies.
func differingStatements(got, want any) []string {
	bySid := func(p any) map[string]any {
		m := map[string]any{}
		doc, _ := p.(map[string]any)
		statements, _ := doc["Statement"].([]any)
		for _, st := range statements {
			if st, ok := st.(map[string]any); ok {
				sid, _ := st["Sid"].(string)
				m[sid] = st
			}
		}
		return m
	}
	g, w := bySid(got), bySid(want)
	var sids []string
	for sid := range w {
		if !reflect.DeepEqual(g[sid], w[sid]) {
			sids = append(sids, sid)
		}
	}
	for sid := range g {
		if _, ok := w[sid]; !ok {
			sids = append(sids, sid+" (not in internal/permissions)")
		}
	}
	slices.Sort(sids)
	return sids
}

// The role policies in docs/ci-cd.md are exactly DeployRole and PreviewRole.
func TestCICDDocShowsTheRoles(t *testing.T) {
	raw, err := os.ReadFile("../../docs/ci-cd.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lead string
		role permissions.Policy
	}{
		{"Deploy role permissions policy", permissions.DeployRole},
		{"Preview role permissions policy", permissions.PreviewRole},
	} {
		want, err := json.MarshalIndent(tt.role, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var wantValue any
		if err := json.Unmarshal(want, &wantValue); err != nil {
			t.Fatal(err)
		}
		got := docPolicy(t, string(raw), tt.lead)
		if reflect.DeepEqual(got, normalize(wantValue)) {
			continue
		}
		for _, sid := range differingStatements(got, normalize(wantValue)) {
			t.Errorf("docs/ci-cd.md's %q: statement %s differs from internal/permissions", tt.lead, sid)
		}
		t.Errorf("docs/ci-cd.md's %q differs from internal/permissions; it should be:\n%s", tt.lead, want)
	}
}

// docs/verify.md's sentence on verify's credentials names exactly permissions.Verify.
func TestVerifyGuideNamesVerifysActions(t *testing.T) {
	raw, err := os.ReadFile("../../docs/verify.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sentence, ok := strings.Cut(string(raw), "The AWS credentials need ")
	if !ok {
		t.Fatal(`docs/verify.md has no "The AWS credentials need …" sentence for verify`)
	}
	sentence, _, _ = strings.Cut(sentence, ";")
	var named []string
	for i, part := range strings.Split(sentence, "`") {
		if i%2 == 1 {
			named = append(named, part)
		}
	}
	slices.Sort(named)
	if want := slices.Sorted(slices.Values(permissions.Verify.Actions)); !slices.Equal(named, want) {
		t.Errorf("docs/verify.md names %v for verify, internal/permissions lists %v", named, want)
	}
}
