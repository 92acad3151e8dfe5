package livepool

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
)

// Recorded fixtures (testdata/<Operation>.<key>.json) are Cognito's JSON
// answers, as the API returns them.
const (
	recordedPoolID      = "us-east-1_AdOpT1234"
	recordedAliasPoolID = "us-east-1_AliasPool1"
	recordedClientID    = "4h3kacmewebclient000000001"
	// recordedMobileClientID has no write list, non-default token units and
	// analytics configured by project ID.
	recordedMobileClientID = "4h3kacmemobileclient000002"
	recordedBlogTrigger    = "arn:aws:lambda:us-east-1:123456789012:function:descope-blog-presignup"
	mergeFunctionName      = "passkeys-dev-merge"
	mergeFunctionARN       = "arn:aws:lambda:us-east-1:123456789012:function:" + mergeFunctionName
)

// recordedCognito serves the recorded answers on loopback and returns a
// client built as the program builds it, so the SDK's own decoder reads them.
func recordedCognito(t *testing.T) *cognitoidentityprovider.Client {
	t.Helper()
	livepooltest.ServeRecorded(t, "testdata")
	return livepooltest.Cognito(t.Context(), t)
}

func readRecorded(t *testing.T, poolID string, clientIDs ...string) *State {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	state, err := Read(ctx, recordedCognito(t), Request{UserPoolID: poolID, ClientIDs: clientIDs, ProviderName: "Descope"})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func ownedForTest() Owned {
	return Owned{
		ProviderName:            "Descope",
		PreSignUpARN:            pulumi.String(mergeFunctionARN),
		MergeFunctionName:       mergeFunctionName,
		ReplacePreSignUpTrigger: true,
	}
}

// registered is what the engine receives for each planned resource, as plain
// values (strings, float64 numbers, bools, []any, map[string]any).
type registered struct {
	pool    map[string]any
	clients []map[string]any
	domains []map[string]any
}

// importRecorder also keeps the import ID each resource was registered with.
type importRecorder struct {
	*pulumitest.Recorder
	mu        sync.Mutex
	importIDs map[string]string
}

func (r *importRecorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	r.importIDs[args.Name] = args.ID
	r.mu.Unlock()
	return r.Recorder.NewResource(args)
}

// declare registers the plan with its Options, as the component will.
func declare(t *testing.T, plan *Plan) *importRecorder {
	t.Helper()
	recorder := &importRecorder{Recorder: &pulumitest.Recorder{}, importIDs: map[string]string{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if _, err := cognito.NewUserPool(ctx, "pool", plan.Pool.Args, plan.Pool.Options()...); err != nil {
			return err
		}
		for i, c := range plan.Clients {
			if _, err := cognito.NewUserPoolClient(ctx, fmt.Sprintf("client-%d", i), c.Args, c.Options()...); err != nil {
				return err
			}
		}
		for i, d := range plan.Domains {
			if _, err := cognito.NewUserPoolDomain(ctx, fmt.Sprintf("domain-%d", i), d.Args, d.Options()...); err != nil {
				return err
			}
		}
		if p := plan.Provider; p != nil {
			if _, err := cognito.NewIdentityProvider(ctx, "provider", &cognito.IdentityProviderArgs{
				UserPoolId: pulumi.String(plan.Pool.ImportID), ProviderName: pulumi.String("Descope"), ProviderType: pulumi.String("OIDC"),
				ProviderDetails: pulumi.StringMap{"client_id": pulumi.String("P2Test")},
			}, p.Options()...); err != nil {
				return err
			}
		}
		return nil
	}, pulumi.WithMocks("project", "stack", recorder))
	if err != nil {
		t.Fatal(err)
	}
	return recorder
}

// register declares the plan under Pulumi mocks, as the component will, and
// returns the inputs the engine saw.
func register(t *testing.T, plan *Plan) registered {
	t.Helper()
	recorder := &pulumitest.Recorder{}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		if _, err := cognito.NewUserPool(ctx, "pool", plan.Pool.Args, pulumi.Import(pulumi.ID(plan.Pool.ImportID))); err != nil {
			return err
		}
		for i, c := range plan.Clients {
			if _, err := cognito.NewUserPoolClient(ctx, fmt.Sprintf("client-%d", i), c.Args, pulumi.Import(pulumi.ID(c.ImportID))); err != nil {
				return err
			}
		}
		for i, d := range plan.Domains {
			if _, err := cognito.NewUserPoolDomain(ctx, fmt.Sprintf("domain-%d", i), d.Args, pulumi.Import(pulumi.ID(d.ImportID))); err != nil {
				return err
			}
		}
		return nil
	}, pulumi.WithMocks("project", "stack", recorder))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := recorder.One("aws:cognito/userPool:UserPool")
	if err != nil {
		t.Fatal(err)
	}
	out := registered{pool: pool.Inputs.Mappable()}
	// Mocks register concurrently: order by the names given above.
	inPlanOrder := func(typeToken string) []map[string]any {
		resources := recorder.Resources(typeToken)
		sort.Slice(resources, func(i, j int) bool { return resources[i].Name < resources[j].Name })
		var inputs []map[string]any
		for _, r := range resources {
			inputs = append(inputs, r.Inputs.Mappable())
		}
		return inputs
	}
	out.clients = inPlanOrder("aws:cognito/userPoolClient:UserPoolClient")
	out.domains = inPlanOrder("aws:cognito/userPoolDomain:UserPoolDomain")
	return out
}

// typeLeaves lists the leaf fields of an SDK type as paths: "A.B" for nested
// structs, "A[]" for list elements, "A{}" for map values.
func typeLeaves(t reflect.Type, prefix string) []string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeLeaves(t.Elem(), prefix)
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return []string{prefix}
		}
		var out []string
		for field := range t.Fields() {
			if !field.IsExported() || field.Name == "ResultMetadata" {
				continue
			}
			name := field.Name
			if prefix != "" {
				name = prefix + "." + name
			}
			out = append(out, typeLeaves(field.Type, name)...)
		}
		return out
	case reflect.Slice:
		return typeLeaves(t.Elem(), prefix+"[]")
	case reflect.Map:
		return []string{prefix + "{}"}
	default:
		return []string{prefix}
	}
}

// valueLeaves lists the set values of an SDK value by concrete path
// ("A.B[0].C", "Tags{team}"). Plain zero values count as unset; a pointer to
// a zero value is set.
func valueLeaves(v reflect.Value, prefix string, viaPointer bool, out map[string]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			valueLeaves(v.Elem(), prefix, true, out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			out[prefix] = v.Interface().(time.Time).UTC().Format(time.RFC3339)
			return
		}
		for i := range v.NumField() {
			field := v.Type().Field(i)
			if !field.IsExported() || field.Name == "ResultMetadata" {
				continue
			}
			name := field.Name
			if prefix != "" {
				name = prefix + "." + name
			}
			valueLeaves(v.Field(i), name, false, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			valueLeaves(v.Index(i), fmt.Sprintf("%s[%d]", prefix, i), true, out)
		}
	case reflect.Map:
		for _, key := range v.MapKeys() {
			valueLeaves(v.MapIndex(key), fmt.Sprintf("%s{%s}", prefix, key.String()), true, out)
		}
	default:
		if v.IsZero() && !viaPointer {
			return
		}
		out[prefix] = fmt.Sprint(v.Interface())
	}
}

var concreteIndex = regexp.MustCompile(`\[(\d+)\]|\{([^}]*)\}`)

// patternOf turns a concrete path into its pattern ("A[0]" -> "A[]").
func patternOf(path string) string {
	return concreteIndex.ReplaceAllStringFunc(path, func(m string) string {
		if strings.HasPrefix(m, "[") {
			return "[]"
		}
		return "{}"
	})
}

// fillPattern puts the concrete indexes and keys of sdkPath, in order, into
// the pulumi path pattern.
func fillPattern(pattern, sdkPath string) string {
	indexes := concreteIndex.FindAllString(sdkPath, -1)
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if (pattern[i] == '[' || pattern[i] == '{') && i+1 < len(pattern) && (pattern[i+1] == ']' || pattern[i+1] == '}') && len(indexes) > 0 {
			b.WriteString(indexes[0])
			indexes = indexes[1:]
			i++
			continue
		}
		b.WriteByte(pattern[i])
	}
	return b.String()
}

var pathToken = regexp.MustCompile(`[A-Za-z0-9_]+|\[\d+\]|\{[^}]*\}`)

// lookup follows a concrete pulumi path ("a.b[0]", "tags{team}") through
// registered inputs.
func lookup(inputs map[string]any, path string) (any, bool) {
	var current any = inputs
	for _, token := range pathToken.FindAllString(path, -1) {
		switch {
		case strings.HasPrefix(token, "["):
			list, ok := current.([]any)
			index, _ := strconv.Atoi(strings.Trim(token, "[]"))
			if !ok || index >= len(list) {
				return nil, false
			}
			current = list[index]
		default:
			object, ok := current.(map[string]any)
			if !ok {
				return nil, false
			}
			if current, ok = object[strings.Trim(token, "{}")]; !ok {
				return nil, false
			}
		}
	}
	return current, true
}

// plain renders a registered input the way valueLeaves renders SDK values.
func plain(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func asStrings(values []any) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
