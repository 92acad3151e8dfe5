package passkeys

import (
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

const account = pulumitest.AccountID

// The program's own component keeps the names its stacks were created with
// (values recorded from the earlier derivation), so an existing stack sees no
// replacement.
func TestExistingStacksKeepTheirNames(t *testing.T) {
	tests := []struct{ stack, prefix, function string }{
		{"dev", "passkeys-dev-2a33349e", "passkeys-dev-merge"},
		{"Feature/AWS_Login-cognito", "passkeys-feature-xxx-login-xxxxxxx-2a33349e", "passkeys-Feature-AWS_Login-cognito-merge"},
		{"a-very-long-stack-name-that-goes-on-and-on-and-on-forever-and-ever",
			"passkeys-a-very-long-stack-name-that-goes-on-and-on-an-2a33349e",
			"passkeys-a-very-long-stack-name-that-goes-on-and-on-and-d8dee26f"},
	}
	for _, tt := range tests {
		assertEqual(t, tt.stack+" prefix", DefaultDomainPrefix(defaultProjectName, tt.stack, DefaultComponentName, account), tt.prefix)
		assertEqual(t, tt.stack+" function", MergeFunctionName(defaultProjectName, tt.stack, DefaultComponentName), tt.function)
	}
}

var functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestNamesDoNotCollide(t *testing.T) {
	long := "a-very-long-name-with-aws-and-cognito-in-it-that-goes-on-and-on-and-on"
	ids := []struct{ project, stack, component string }{
		{defaultProjectName, "dev", DefaultComponentName},
		{"billing", "dev", DefaultComponentName}, // another project, same stack
		{defaultProjectName, "dev", "partners"},  // another component in the same stack
		{"billing", "dev", "partners"},           // both
		{"billing", "prod", "partners"},          // another stack
		{long, long, long},                       // everything at its longest
		{"billing", long, long + "-2"},           // names that differ past the cut
		{"billing", long, long + "-3"},
		{"Amazon.Cognito", "Team/AWS", "Cognito Login"}, // reserved words and odd characters
	}
	functions, prefixes := map[string]int{}, map[string]int{}
	for i, id := range ids {
		fn := MergeFunctionName(id.project, id.stack, id.component)
		if !functionNamePattern.MatchString(fn) {
			t.Errorf("%+v: function name %q is not a valid Lambda name (64 letters, digits, - or _)", id, fn)
		}
		prefix := DefaultDomainPrefix(id.project, id.stack, id.component, account)
		if err := ValidateDomainPrefix(prefix); err != nil {
			t.Errorf("%+v: domain prefix: %v", id, err)
		}
		if j, seen := functions[fn]; seen {
			t.Errorf("%+v and %+v share the function name %s", ids[j], id, fn)
		}
		if j, seen := prefixes[prefix]; seen {
			t.Errorf("%+v and %+v share the domain prefix %s", ids[j], id, prefix)
		}
		functions[fn], prefixes[prefix] = i, i
	}
}

// Two components in one stack get their own function, log group and domain.
func TestTwoComponentsInOneStack(t *testing.T) {
	rec := &pulumitest.Recorder{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		for _, name := range []string{DefaultComponentName, "partners"} {
			args := validArgs()
			if _, err := NewCognitoPasskeys(ctx, name, &args); err != nil {
				return err
			}
		}
		return nil
	}, pulumi.WithMocks(defaultProjectName, "dev", rec))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{typeFunction, typeLogGroup, typeDomain} {
		seen := map[any]bool{}
		for _, r := range rec.Resources(typ) {
			key := "name"
			if typ == typeDomain {
				key = "domain"
			}
			v := get(t, r.Inputs, key)
			if seen[v] {
				t.Errorf("two %s share %s %v", typ, key, v)
			}
			seen[v] = true
		}
		if len(seen) != 2 {
			t.Errorf("%d distinct %s, want 2", len(seen), typ)
		}
	}
}
