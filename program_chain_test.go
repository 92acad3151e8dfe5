package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

const typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"

// chainConfig adopts the recorded pool chaining its trigger instead of
// replacing it.
func chainConfig() map[string]any {
	cfg := adoptionConfig(recordedPoolID, recordedClientID)
	delete(cfg, "replacePreSignUpTrigger")
	cfg["chainPreSignUpTrigger"] = true
	return cfg
}

// assertChains checks what chaining arn declares: the merge function's
// environment names it, its role may invoke exactly it, the function waits
// for that right and the pool's trigger waits for the function.
func assertChains(t *testing.T, rec *pulumitest.Recorder, arn string) {
	t.Helper()
	fn, err := rec.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	env := fn.Inputs["environment"].ObjectValue()["variables"].ObjectValue()
	if got := env[passkeys.ChainedPreSignUpVariable]; !got.IsString() || got.StringValue() != arn {
		t.Errorf("%s = %v, want %s", passkeys.ChainedPreSignUpVariable, got, arn)
	}
	var chain *pulumitest.Resource
	for _, p := range rec.Resources(typeRolePolicy) {
		if p.Name == "passkeys-merge-chain" {
			chain = &p
		}
	}
	if chain == nil {
		t.Fatal("no passkeys-merge-chain role policy")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(chain.Inputs["policy"].StringValue()), &doc); err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"Sid": "InvokePreviousPreSignUpTrigger", "Effect": "Allow", "Action": []any{"lambda:InvokeFunction"}, "Resource": []any{arn}}}
	if !reflect.DeepEqual(doc["Statement"], want) {
		t.Errorf("chain policy statements = %v, want exactly %v", doc["Statement"], want)
	}
	if !slices.ContainsFunc(fn.Dependencies, func(urn string) bool { return strings.HasSuffix(urn, typeRolePolicy+"::passkeys-merge-chain") }) {
		t.Errorf("the merge function does not wait for its right to invoke %s: dependencies %v", arn, fn.Dependencies)
	}
	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(pool.Dependencies, dependsOnFunction) {
		t.Errorf("the pool's trigger does not wait for the merge function: dependencies %v", pool.Dependencies)
	}
}

// The run that moves the trigger: the post's pool after the first run,
// which only added custom:descope_sub, chained or not.
func TestChainingKeepsThePoolsTrigger(t *testing.T) {
	livepooltest.ServeRecorded(t, recordingsAfterUp(t, blogTrigger))
	rec := mustRunAdoption(t, chainConfig())
	assertChains(t, rec, blogTrigger)

	fn, err := rec.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	// The same ARN is kept for detach and teardown.
	if got := fn.Inputs["tags"].ObjectValue()[passkeys.PreviousPreSignUpTag].StringValue(); got != blogTrigger {
		t.Errorf("%s tag = %q, want %s", passkeys.PreviousPreSignUpTag, got, blogTrigger)
	}
	pool, err := rec.One(typePool)
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Inputs["lambdaConfig"].ObjectValue()["preSignUp"]; !got.IsComputed() && (!got.IsString() || got.StringValue() == blogTrigger) {
		t.Errorf("preSignUp = %v, want the merge function", got)
	}
}

// On later runs the pool's trigger is the merge function: the chained ARN
// comes from the tag the first run wrote.
func TestChainingOnALaterRunReadsTheKeptTrigger(t *testing.T) {
	livepooltest.ServeRecorded(t, adoptedRecordings(t))
	rec := functionTags(map[string]string{passkeys.PreviousPreSignUpTag: blogTrigger})
	if err := runAdoption(t, rec, chainConfig()); err != nil {
		t.Fatal(err)
	}
	assertChains(t, rec, blogTrigger)
}

func TestWithoutChainingNothingMayBeInvoked(t *testing.T) {
	livepooltest.ServeRecorded(t, recordings)
	rec := mustRunAdoption(t, adoptionConfig(recordedPoolID, recordedClientID))
	fn, err := rec.One(typeFunction)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fn.Inputs["environment"].ObjectValue()["variables"].ObjectValue()[passkeys.ChainedPreSignUpVariable]; ok {
		t.Errorf("replacing declares %s", passkeys.ChainedPreSignUpVariable)
	}
	for _, p := range rec.Resources(typeRolePolicy) {
		if strings.Contains(p.Inputs["policy"].StringValue(), "lambda:InvokeFunction") {
			t.Errorf("role policy %s grants lambda:InvokeFunction without chaining", p.Name)
		}
	}
}

func TestChainingRefusals(t *testing.T) {
	otherAccount := strings.Replace(blogTrigger, ":123456789012:", ":210987654321:", 1)
	for _, c := range []struct {
		name       string
		recordings func(t *testing.T) string
		tags       map[string]string // the merge function's, nil: it does not exist
		config     func(map[string]any)
		want       []string
	}{
		{
			name: "with replacePreSignUpTrigger", recordings: func(*testing.T) string { return recordings },
			config: func(c map[string]any) { c["replacePreSignUpTrigger"] = true },
			want:   []string{"chainPreSignUpTrigger", "replacePreSignUpTrigger are both set", "pulumi config rm"},
		},
		{
			name: "without userPoolId", recordings: func(*testing.T) string { return recordings },
			config: func(c map[string]any) {
				delete(c, "userPoolId")
				delete(c, "appClientIds")
				c["callbackUrls"] = validConfig()["callbackUrls"]
			},
			want: []string{"chainPreSignUpTrigger", "applies only to an adopted pool"},
		},
		{
			name: "a function in another account",
			recordings: func(t *testing.T) string {
				return patchedRecordings(t, map[string]func(map[string]any){
					"DescribeUserPool." + recordedPoolID + ".json": func(doc map[string]any) {
						doc["UserPool"].(map[string]any)["LambdaConfig"].(map[string]any)["PreSignUp"] = otherAccount
					},
				}, nil)
			},
			want: []string{"chainPreSignUpTrigger", "account 210987654321", "pool's own account and region"},
		},
		{
			name: "a pool that never had a trigger",
			recordings: func(t *testing.T) string {
				return patchedRecordings(t, map[string]func(map[string]any){
					"DescribeUserPool." + recordedPoolID + ".json": func(doc map[string]any) {
						delete(doc["UserPool"].(map[string]any)["LambdaConfig"].(map[string]any), "PreSignUp")
					},
				}, nil)
			},
			want: []string{"chainPreSignUpTrigger", "nothing to chain", "pulumi config rm chainPreSignUpTrigger"},
		},
		{
			name: "a merge function that replaced no trigger", recordings: adoptedRecordings,
			tags: map[string]string{passkeys.PreviousPreSignUpTag: ""},
			want: []string{"chainPreSignUpTrigger", "had no pre sign-up trigger", "pulumi config rm chainPreSignUpTrigger"},
		},
		{
			name: "a merge function without the tag", recordings: adoptedRecordings,
			tags: map[string]string{},
			want: []string{"chainPreSignUpTrigger", "has no " + passkeys.PreviousPreSignUpTag + " tag", "aws lambda tag-resource"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			livepooltest.ServeRecorded(t, c.recordings(t))
			cfg := chainConfig()
			if c.config != nil {
				c.config(cfg)
			}
			rec := &pulumitest.Recorder{}
			if c.tags != nil {
				rec = functionTags(c.tags)
			}
			err := runAdoption(t, rec, cfg)
			if err == nil {
				t.Fatal("run succeeded, want a refusal")
			}
			for _, want := range c.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			if n := len(rec.Resources(typeFunction)); n != 0 {
				t.Errorf("%d functions declared despite the refusal", n)
			}
		})
	}
}
