package passkeys

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

// signInState is what decides whether a sign-in through an adopted pool
// works: the pool's schema and trigger, the trigger's access, the Descope
// provider's mapping and the app clients' settings, as they are live before
// a run and after each of its steps.
type signInState struct {
	subjectInPool bool
	trigger       string
	accessReady   int // how many of the permission and the link policy exist
	provider      map[string]string
	clients       []clientState
}

type clientState struct {
	id        string
	providers []string
	writes    []string
}

func liveSignInState(s *livepool.State) signInState {
	st := signInState{}
	for _, a := range s.Pool.SchemaAttributes {
		st.subjectInPool = st.subjectInPool || aws.ToString(a.Name) == DescopeSubjectAttribute
	}
	if s.Pool.LambdaConfig != nil {
		st.trigger = aws.ToString(s.Pool.LambdaConfig.PreSignUp)
	}
	if isMerge(st.trigger) {
		// A later run: the stack's permission and link policy exist.
		st.accessReady = 2
	}
	if s.Provider != nil {
		st.provider = maps.Clone(s.Provider.AttributeMapping)
		if st.provider == nil {
			st.provider = map[string]string{}
		}
	}
	for _, c := range s.Clients {
		st.clients = append(st.clients, clientState{id: aws.ToString(c.ClientId), providers: c.SupportedIdentityProviders, writes: c.WriteAttributes})
	}
	return st
}

func stringList(v resource.PropertyValue) []string {
	var out []string
	if v.IsArray() {
		for _, e := range v.ArrayValue() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// apply is the state after the engine ran the resource's step, or an error
// when Cognito would refuse that step.
func (st signInState) apply(r pulumitest.Resource) (signInState, error) {
	next := st
	next.clients = slices.Clone(st.clients)
	switch r.Type {
	case typeUserPool:
		for _, s := range r.Inputs["schemas"].ArrayValue() {
			next.subjectInPool = next.subjectInPool || "custom:"+s.ObjectValue()["name"].StringValue() == DescopeSubjectAttribute
		}
		next.trigger = ""
		if lc, ok := r.Inputs["lambdaConfig"]; ok && lc.IsObject() {
			if p, ok := lc.ObjectValue()["preSignUp"]; ok && p.IsString() {
				next.trigger = p.StringValue()
			}
		}
	case typePermission, typeRolePolicy:
		next.accessReady++
	case typeProvider:
		next.provider = map[string]string{}
		for k, v := range r.Inputs["attributeMapping"].ObjectValue() {
			next.provider[string(k)] = v.StringValue()
		}
		if _, ok := next.provider[DescopeSubjectAttribute]; ok && !st.subjectInPool {
			return st, fmt.Errorf("%s maps %s before the pool has it", r.Name, DescopeSubjectAttribute)
		}
	case typeClient:
		c := clientState{id: r.Name, providers: stringList(r.Inputs["supportedIdentityProviders"]), writes: stringList(r.Inputs["writeAttributes"])}
		if slices.Contains(c.writes, DescopeSubjectAttribute) && !st.subjectInPool {
			return st, fmt.Errorf("%s writes %s before the pool has it", r.Name, DescopeSubjectAttribute)
		}
		if slices.Contains(c.providers, DefaultProviderName) && st.provider == nil {
			return st, fmt.Errorf("%s names the provider before it exists", r.Name)
		}
		i := slices.IndexFunc(next.clients, func(live clientState) bool { return strings.HasSuffix(r.Name, live.id) })
		if i < 0 {
			next.clients = append(next.clients, c)
		} else {
			c.id = next.clients[i].id
			next.clients[i] = c
		}
	}
	return next, nil
}

// failures are the sign-ins that fail in this state.
func (st signInState) failures() []string {
	var out []string
	merge := isMerge(st.trigger)
	if merge && st.accessReady < 2 {
		out = append(out, "every sign-up: the trigger is the merge function before Cognito may invoke it and it may link")
	}
	for _, c := range st.clients {
		if st.provider == nil || !slices.Contains(c.providers, DefaultProviderName) {
			continue
		}
		for attribute := range st.provider {
			if attribute != "username" && len(c.writes) > 0 && !slices.Contains(c.writes, attribute) {
				out = append(out, fmt.Sprintf("every Descope sign-in through %s: it cannot write the mapped %s", c.id, attribute))
			}
		}
		if _, mapped := st.provider[DescopeSubjectAttribute]; merge && !mapped {
			out = append(out, fmt.Sprintf("every linking Descope sign-in through %s: the merge function refuses it without %s", c.id, DescopeSubjectAttribute))
		}
	}
	return out
}

func isMerge(trigger string) bool { return trigger == mergeARN }

// orders are the orders in which the engine may run the steps, given the
// registered dependencies: every permutation that runs a dependency before
// its dependents.
func orders(rec *pulumitest.Recorder, steps []pulumitest.Resource) [][]pulumitest.Resource {
	if len(steps) == 0 {
		return [][]pulumitest.Resource{nil}
	}
	var out [][]pulumitest.Resource
	for i, first := range steps {
		rest := slices.Concat(steps[:i], steps[i+1:])
		if slices.ContainsFunc(rest, func(other pulumitest.Resource) bool { return rec.DependsOn(first, other) }) {
			continue
		}
		for _, tail := range orders(rec, rest) {
			out = append(out, append([]pulumitest.Resource{first}, tail...))
		}
	}
	return out
}

// run deploys the component on the live state and checks every order the
// engine may take: each step is one Cognito accepts, no step makes a sign-in
// fail (a run may stop after any), and none fails once the run is done. It
// returns the state after the run.
func run(t *testing.T, live *livepool.State) (signInState, *pulumitest.Recorder) {
	t.Helper()
	rec, _ := mustDeploy(t, adoptingArgs(&Adoption{State: live, ReplacePreSignUpTrigger: true}))
	var steps []pulumitest.Resource
	for _, r := range rec.All() {
		switch {
		case r.Type == typeUserPool, r.Type == typeProvider, r.Type == typeClient, r.Type == typePermission,
			r.Type == typeRolePolicy && r.Name == "passkeys-merge-cognito":
			steps = append(steps, r)
		}
	}
	all := orders(rec, steps)
	if len(all) == 0 {
		t.Fatal("no order runs every step")
	}
	var end signInState
	for _, order := range all {
		st := liveSignInState(live)
		var names []string
		for _, step := range order {
			before := st.failures()
			var err error
			if st, err = st.apply(step); err != nil {
				t.Fatalf("after %v, Cognito refuses the next step: %v", names, err)
			}
			names = append(names, step.Name)
			for _, failure := range st.failures() {
				if !slices.Contains(before, failure) {
					t.Errorf("after %v, %s", names, failure)
				}
			}
		}
		for _, failure := range st.failures() {
			t.Errorf("after the run %v, %s", names, failure)
		}
		end = st
	}
	return end, rec
}

// afterRun is the live state once a run's steps are done.
func afterRun(live *livepool.State, st signInState) *livepool.State {
	next := *live
	if st.subjectInPool && !liveSignInState(live).subjectInPool {
		next.Pool.SchemaAttributes = append(slices.Clone(live.Pool.SchemaAttributes), types.SchemaAttributeType{
			Name: aws.String(DescopeSubjectAttribute), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
	}
	next.Pool.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String(st.trigger)}
	next.Provider = &types.IdentityProviderType{ProviderName: aws.String(DefaultProviderName), ProviderType: types.IdentityProviderTypeTypeOidc,
		AttributeMapping: st.provider}
	next.Clients = slices.Clone(live.Clients)
	for i := range next.Clients {
		next.Clients[i].SupportedIdentityProviders = st.clients[i].providers
		next.Clients[i].WriteAttributes = st.clients[i].writes
	}
	return &next
}

// On an adopted pool, no step of a run, and no run that stops between two,
// fails a sign-in: the pool gains custom:descope_sub before the clients may
// write it and the provider maps it; the clients can write every mapped
// attribute before an existing provider maps a new one (a created provider
// exists only once it maps them all, and the clients name it after); and the
// trigger moves to the merge function only once it may run and the provider
// maps the subject it links with. With a provider the pool already has and
// no custom:descope_sub, that takes two runs: the first adds the attribute,
// widens the clients and the mapping and keeps the trigger; the second moves
// the trigger. Either way the pool ends on the merge function.
func TestAdoptionRunsInAnOrderThatKeepsSignInWorking(t *testing.T) {
	const postFunction = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	withWriteList := func(preSignUp string, provider map[string]string, subject bool) *livepool.State {
		s := liveState(preSignUp)
		s.Clients[0].SupportedIdentityProviders = []string{"COGNITO"}
		s.Clients[0].WriteAttributes = []string{"email"}
		if provider != nil {
			s.Provider = &types.IdentityProviderType{ProviderName: aws.String(DefaultProviderName), ProviderType: types.IdentityProviderTypeTypeOidc,
				AttributeMapping: provider}
			s.Clients[0].SupportedIdentityProviders = append(s.Clients[0].SupportedIdentityProviders, DefaultProviderName)
			s.Clients[0].WriteAttributes = slices.Sorted(maps.Keys(provider))
		}
		if subject {
			s.Pool.SchemaAttributes = append(s.Pool.SchemaAttributes, types.SchemaAttributeType{Name: aws.String(DescopeSubjectAttribute),
				AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
		}
		return s
	}
	postMapping := map[string]string{"email": "email", "email_verified": "email_verified", "name": "name"}
	tests := []struct {
		name string
		live *livepool.State
		runs int
	}{
		{"set up from Descope's post: an existing provider, no custom:descope_sub", withWriteList(postFunction, postMapping, false), 2},
		{"an existing provider, custom:descope_sub already in the pool", withWriteList(postFunction, postMapping, true), 1},
		{"the merge function already the trigger, the provider not mapping the subject", withWriteList(mergeARN, postMapping, true), 1},
		{"no provider yet, no custom:descope_sub", withWriteList(postFunction, nil, false), 1},
		{"no provider yet, custom:descope_sub already in the pool", withWriteList("", nil, true), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := tt.live
			liveTrigger := liveSignInState(live).trigger
			for n := 1; ; n++ {
				end, _ := run(t, live)
				moved := end.trigger == mergeARN
				if n < tt.runs && moved {
					t.Fatalf("run %d moves the trigger; the provider cannot map %s before the pool has it", n, DescopeSubjectAttribute)
				}
				if n == tt.runs {
					if !moved {
						t.Fatalf("after run %d the trigger is %q, want the merge function", n, end.trigger)
					}
					break
				}
				if end.trigger != liveTrigger {
					t.Fatalf("run %d changes the trigger to %q without moving it to the merge function", n, end.trigger)
				}
				live = afterRun(live, end)
			}
		})
	}
}
