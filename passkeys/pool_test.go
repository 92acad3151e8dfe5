package passkeys

import (
	"testing"
)

func TestUserPoolSignsInByVerifiedEmailAndCannotBeLost(t *testing.T) {
	rec, _ := mustDeploy(t, validArgs())
	pool := one(t, rec, typeUserPool)
	fn := one(t, rec, typeFunction)

	assertEqual(t, "usernameAttributes", get(t, pool.Inputs, "usernameAttributes"), []string{"email"})
	assertEqual(t, "usernameConfiguration.caseSensitive", get(t, pool.Inputs, "usernameConfiguration.caseSensitive"), false)
	assertEqual(t, "autoVerifiedAttributes", get(t, pool.Inputs, "autoVerifiedAttributes"), []string{"email"})
	assertEqual(t, "accountRecoverySetting", get(t, pool.Inputs, "accountRecoverySetting.recoveryMechanisms"),
		[]map[string]any{{"name": "verified_email", "priority": 1}})
	assertEqual(t, "passwordPolicy.minimumLength", get(t, pool.Inputs, "passwordPolicy.minimumLength"), 12)
	assertEqual(t, "deletionProtection", get(t, pool.Inputs, "deletionProtection"), "ACTIVE")
	if !pool.Protect || !pool.RetainOnDelete {
		t.Errorf("user pool protect=%v retainOnDelete=%v, want both true", pool.Protect, pool.RetainOnDelete)
	}
	for _, r := range rec.All() {
		if r.Custom && r.Type != typeUserPool && r.Protect {
			t.Errorf("%s %s is protected: `pulumi up` could not replace it; the destroy guard keeps it instead", r.Type, r.Name)
		}
	}

	schemas := get(t, pool.Inputs, "schemas").([]any)
	byName := map[string]map[string]any{}
	for _, s := range schemas {
		m := s.(map[string]any)
		byName[m["name"].(string)] = m
	}
	if email := byName["email"]; email == nil || email["required"] != true || email["mutable"] != true {
		t.Errorf("schema email = %v, want required and mutable", email)
	}
	if sub := byName["descope_sub"]; sub == nil || sub["mutable"] != true || sub["attributeDataType"] != "String" {
		t.Errorf("schema descope_sub = %v, want a mutable String attribute", sub)
	}

	fnARN := get(t, fn.Outputs, "arn")
	assertEqual(t, "lambdaConfig.preSignUp", get(t, pool.Inputs, "lambdaConfig.preSignUp"), fnARN)
}

// With DescopeOnly the pool the program creates takes no public sign-ups:
// users come from Descope (the pre sign-up trigger still runs for them) or
// from an administrator.
func TestSelfSignUpClosesWithDescopeOnly(t *testing.T) {
	for _, descopeOnly := range []bool{false, true} {
		args := validArgs()
		args.DescopeOnly = descopeOnly
		rec, _ := mustDeploy(t, args)
		pool := one(t, rec, typeUserPool)
		assertEqual(t, "adminCreateUserConfig.allowAdminCreateUserOnly",
			get(t, pool.Inputs, "adminCreateUserConfig.allowAdminCreateUserOnly"), descopeOnly)
	}
}
