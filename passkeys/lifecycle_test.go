package passkeys

import (
	"slices"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

// signInNeeds are the resources whose deletion breaks sign-in: the users, the
// Descope provider, the app client, the hosted domain, and the trigger with
// everything it needs to run and link (Cognito fails a sign-up whose trigger
// is missing or cannot be invoked).
var signInNeeds = []string{typeUserPool, typeProvider, typeClient, typeDomain, typeFunction, typePermission, typeRole, typeRolePolicy}

// simulateDestroy plays `pulumi destroy --skip-preview` as the engine runs it:
// a resource is deleted only once every resource that depends on it (or is its
// child) is gone, and a protected one is never deleted. It goes as far as the
// engine could and returns what it deleted.
func simulateDestroy(resources []pulumitest.Resource) []pulumitest.Resource {
	// A URN ends in "<type>::<name>" (the type after any parent types and "$").
	key := func(r pulumitest.Resource) string { return r.Type + "::" + r.Name }
	blockers := map[string][]string{} // resource -> resources that must go first
	for _, r := range resources {
		for _, dep := range append(slices.Clone(r.Dependencies), r.Parent) {
			for _, other := range resources {
				if dep != "" && strings.HasSuffix(dep, key(other)) {
					blockers[key(other)] = append(blockers[key(other)], key(r))
				}
			}
		}
	}
	deleted := map[string]bool{}
	var order []pulumitest.Resource
	for progress := true; progress; {
		progress = false
		for _, r := range resources {
			if deleted[key(r)] || r.Protect || r.Type == "pulumi:pulumi:Stack" {
				continue
			}
			if slices.ContainsFunc(blockers[key(r)], func(b string) bool { return !deleted[b] }) {
				continue
			}
			deleted[key(r)] = true
			order = append(order, r)
			progress = true
		}
	}
	return order
}

func TestDestroyDeletesNothingSignInNeeds(t *testing.T) {
	withEverything := validArgs()
	withEverything.AlarmEmail = "ops@example.com"
	withEverything.CustomDomain = "auth.example.com"
	withEverything.CustomDomainCertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
	for name, args := range map[string]CognitoPasskeysArgs{"defaults": validArgs(), "every option": withEverything} {
		t.Run(name, func(t *testing.T) {
			rec, _ := mustDeploy(t, args)
			for _, typ := range signInNeeds {
				if len(rec.Resources(typ)) == 0 {
					t.Fatalf("no %s declared; the list of what sign-in needs is out of date", typ)
				}
			}
			// Stronger than sign-in needs: a destroy stops before deleting anything.
			for _, r := range simulateDestroy(rec.All()) {
				what := "a resource"
				if slices.Contains(signInNeeds, r.Type) {
					what = "a resource sign-in needs"
				}
				t.Errorf("destroy deletes %s %s (%s) before it stops", what, r.Name, r.Type)
			}
			guard := one(t, rec, DestroyGuardType)
			if !guard.Protect {
				t.Error("the destroy guard is not protected")
			}
		})
	}
}

// In teardown the same destroy deletes everything, and the pool goes before
// the function it calls: no pool is left with a trigger that points nowhere.
func TestTeardownLetsDestroyDeleteEverything(t *testing.T) {
	args := validArgs()
	args.Teardown = true
	rec, _ := mustDeploy(t, args)
	pool := one(t, rec, typeUserPool)
	assertEqual(t, "deletionProtection", get(t, pool.Inputs, "deletionProtection"), "INACTIVE")
	if pool.RetainOnDelete {
		t.Error("the pool is retained on delete in teardown; destroy would leave it behind")
	}
	deleted := simulateDestroy(rec.All())
	want := len(slices.DeleteFunc(rec.All(), func(r pulumitest.Resource) bool { return r.Type == "pulumi:pulumi:Stack" }))
	if len(deleted) != want {
		var names []string
		for _, r := range deleted {
			names = append(names, r.Name)
		}
		t.Errorf("teardown destroy deletes %d of %d resources: %v", len(deleted), want, names)
	}
	at := func(typ string) int {
		return slices.IndexFunc(deleted, func(r pulumitest.Resource) bool { return r.Type == typ })
	}
	if at(typeUserPool) < 0 || at(typeFunction) < 0 || at(typeUserPool) > at(typeFunction) {
		t.Errorf("destroy order pool %d, function %d: the pool must go first", at(typeUserPool), at(typeFunction))
	}
}
