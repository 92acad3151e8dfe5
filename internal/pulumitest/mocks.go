// Package pulumitest runs Pulumi programs against recording mocks: every
// registered resource and invoke is kept for assertions, and each resource
// gets the few computed outputs AWS would give it.
package pulumitest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Fake account and region every mocked resource lives in.
const (
	AccountID = "123456789012"
	Region    = "us-east-1"
)

// Resource is one registered resource as the engine saw it.
type Resource struct {
	Type    string
	Name    string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap
	// Options carries what the program asked of the engine.
	Parent              string
	Custom              bool
	Protect             bool
	RetainOnDelete      bool
	DeleteBeforeReplace bool
	IgnoreChanges       []string
	ReplaceOnChanges    []string
	Dependencies        []string
	// ImportID is the ID given with pulumi.Import: the resource is adopted,
	// not created.
	ImportID string
	URN      string
}

// Recorder is a pulumi.MockResourceMonitor that remembers what it saw.
type Recorder struct {
	// Invokes answers invokes beyond caller identity and region, by token.
	Invokes map[string]func(args resource.PropertyMap) (resource.PropertyMap, error)

	mu        sync.Mutex
	resources []Resource
	calls     []string
}

// NewResource records the resource and returns its ID with computed outputs:
// the import ID for an imported resource, as the engine keeps it, else
// "<name>_id".
func (r *Recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	id := args.Name + "_id"
	if args.ID != "" {
		id = importedID(args.TypeToken, args.ID)
	}
	outputs := args.Inputs.Copy()
	for key, value := range computedOutputs(args.TypeToken, args.Name, id, args.Inputs) {
		outputs[resource.PropertyKey(key)] = resource.NewPropertyValue(value)
	}
	rec := Resource{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs, Outputs: outputs}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.Custom = rpc.GetCustom()
		rec.Protect = rpc.GetProtect()
		rec.RetainOnDelete = rpc.GetRetainOnDelete()
		rec.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		rec.IgnoreChanges = rpc.GetIgnoreChanges()
		rec.ReplaceOnChanges = rpc.GetReplaceOnChanges()
		rec.Dependencies = rpc.GetDependencies()
		rec.ImportID = rpc.GetImportId()
	}
	rec.URN = fmt.Sprintf("urn:pulumi:stack::project::%s::%s", args.TypeToken, args.Name)
	r.mu.Lock()
	r.resources = append(r.resources, rec)
	r.mu.Unlock()
	return id, outputs, nil
}

// Call answers the invokes the program makes: caller identity and region.
func (r *Recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	r.mu.Lock()
	r.calls = append(r.calls, args.Token)
	r.mu.Unlock()
	switch args.Token {
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"accountId": AccountID,
			"arn":       "arn:aws:iam::" + AccountID + ":user/test",
			"id":        AccountID,
			"userId":    "AIDATEST",
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name":        Region,
			"id":          Region,
			"endpoint":    "ec2." + Region + ".amazonaws.com",
			"description": "US East (N. Virginia)",
		}), nil
	}
	if answer, ok := r.Invokes[args.Token]; ok {
		return answer(args.Args)
	}
	return nil, fmt.Errorf("pulumitest: no mock for invoke %s", args.Token)
}

// Resources returns every resource of the given type token, in registration order.
func (r *Recorder) Resources(typeToken string) []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Resource
	for _, res := range r.resources {
		if res.Type == typeToken {
			out = append(out, res)
		}
	}
	return out
}

// All returns every registered resource.
func (r *Recorder) All() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Resource(nil), r.resources...)
}

// One returns the only resource of a type, or an error if there is not exactly one.
func (r *Recorder) One(typeToken string) (Resource, error) {
	found := r.Resources(typeToken)
	if len(found) != 1 {
		return Resource{}, fmt.Errorf("want exactly one %s, got %d", typeToken, len(found))
	}
	return found[0], nil
}

// DependsOn reports whether the engine finishes dependency before it creates
// or updates dependent (and, in a destroy, deletes dependent first): whether
// dependent lists it among its dependencies (data edges and DependsOn alike),
// directly or through other resources.
func (r *Recorder) DependsOn(dependent, dependency Resource) bool {
	all := r.All()
	seen := map[string]bool{}
	var reaches func(res Resource) bool
	reaches = func(res Resource) bool {
		for _, urn := range res.Dependencies {
			if names(urn, dependency) {
				return true
			}
			if seen[urn] {
				continue
			}
			seen[urn] = true
			for _, other := range all {
				if names(urn, other) && reaches(other) {
					return true
				}
			}
		}
		return false
	}
	return reaches(dependent)
}

// names reports whether an engine URN names the resource: the URN ends in
// "<type>::<name>", after "::" or, under a parent, after the parent's types
// and "$".
func names(urn string, res Resource) bool {
	key := res.Type + "::" + res.Name
	return strings.HasSuffix(urn, "::"+key) || strings.HasSuffix(urn, "$"+key)
}

// importedID is the ID an imported resource gets: the import ID, except for
// an app client, imported as "<pool ID>/<client ID>" and known by its client ID.
func importedID(typeToken, importID string) string {
	switch typeToken {
	case "aws:cognito/userPoolClient:UserPoolClient":
		return importID[strings.LastIndex(importID, "/")+1:]
	}
	return importID
}

func computedOutputs(typeToken, name, id string, inputs resource.PropertyMap) map[string]any {
	arn := func(service, rest string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, Region, AccountID, rest)
	}
	switch typeToken {
	case "aws:cognito/userPool:UserPool":
		return map[string]any{
			"arn":      arn("cognito-idp", "userpool/"+id),
			"endpoint": "cognito-idp." + Region + ".amazonaws.com/" + id,
		}
	case "aws:cognito/userPoolClient:UserPoolClient":
		secret := ""
		if v, ok := inputs["generateSecret"]; ok && v.IsBool() && v.BoolValue() {
			secret = "client-secret-of-" + name
		}
		return map[string]any{"clientSecret": secret}
	case "aws:cognito/userPoolDomain:UserPoolDomain":
		return map[string]any{"cloudfrontDistribution": "d111111abcdef8.cloudfront.net"}
	case "aws:iam/role:Role":
		return map[string]any{"arn": "arn:aws:iam::" + AccountID + ":role/" + id}
	case "aws:lambda/function:Function":
		return map[string]any{"arn": arn("lambda", "function:"+inputs["name"].StringValue())}
	case "aws:cloudwatch/logGroup:LogGroup":
		return map[string]any{"arn": arn("logs", "log-group:"+inputs["name"].StringValue())}
	case "aws:sns/topic:Topic":
		return map[string]any{"arn": arn("sns", id)}
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		return map[string]any{"name": id}
	}
	return nil
}

// WithConfig sets the stack's configuration the way the engine passes it:
// keys namespaced by project (unless already namespaced, as aws:region is),
// lists and objects as JSON, secrets listed.
func WithConfig(project string, values map[string]any, secretKeys ...string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) {
		info.Config = make(map[string]string, len(values))
		for key, value := range values {
			full := key
			if !strings.Contains(key, ":") {
				full = project + ":" + key
			}
			if s, ok := value.(string); ok {
				info.Config[full] = s
				continue
			}
			encoded, err := json.Marshal(value)
			if err != nil {
				panic(fmt.Sprintf("pulumitest: config %s: %v", key, err))
			}
			info.Config[full] = string(encoded)
		}
		for _, key := range secretKeys {
			info.ConfigSecretKeys = append(info.ConfigSecretKeys, project+":"+key)
		}
	}
}
