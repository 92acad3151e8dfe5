package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/configure"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdabuild"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/pulumitest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

func loadProject(t *testing.T) *workspace.Project {
	t.Helper()
	// LoadProject validates the file against Pulumi's project schema, as the CLI does.
	proj, err := workspace.LoadProject("Pulumi.yaml")
	if err != nil {
		t.Fatalf("Pulumi.yaml: %v", err)
	}
	return proj
}

func TestProjectFile(t *testing.T) {
	proj := loadProject(t)
	if string(proj.Name) != project || proj.Runtime.Name() != "go" {
		t.Errorf("project %s runtime %s, want %s on go", proj.Name, proj.Runtime.Name(), project)
	}
	if proj.Backend == nil || !strings.HasPrefix(proj.Backend.URL, "file://") {
		t.Errorf("backend = %+v, want the local file backend by default", proj.Backend)
	}
	for key, declared := range proj.Config {
		if !declared.IsExplicitlyTyped() || declared.Description == "" {
			t.Errorf("config %s must declare a type and a description", key)
		}
		if declared.Default != nil && !workspace.ValidateConfigValue(declared.TypeName(), declared.Items, declared.Default) {
			t.Errorf("config %s: default %v is not a %s", key, declared.Default, declared.TypeName())
		}
	}
	if !proj.Config["descopeAccessKey"].Secret {
		t.Error("descopeAccessKey is not declared secret")
	}
}

// TestStackFiles checks every Pulumi.<stack>.yaml the way `pulumi preview`
// checks stack config before it runs the program: known keys, declared types,
// secrets encrypted; and that whatever a stack leaves unset, `make up` asks for.
func TestStackFiles(t *testing.T) {
	proj := loadProject(t)
	paths, err := filepath.Glob("Pulumi.*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no stack files found (%v)", err)
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			stack, err := workspace.LoadProjectStack(sink, proj, path)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if _, ok := stack.Config[mustKey(t, "aws:region")]; !ok {
				t.Errorf("%s does not set aws:region", path)
			}
			for key, value := range stack.Config {
				if key.Namespace() != project {
					continue
				}
				declared, ok := proj.Config[key.Name()]
				if !ok {
					t.Errorf("%s sets %s, which Pulumi.yaml does not declare (a typo?)", path, key)
					continue
				}
				if declared.Secret && !value.Secure() {
					t.Errorf("%s stores secret %s in plain text", path, key)
				}
				if value.Secure() {
					continue
				}
				v, err := value.ToObject()
				if err != nil {
					t.Errorf("%s: %s: %v", path, key, err)
					continue
				}
				if !workspace.ValidateConfigValue(declared.TypeName(), declared.Items, v) {
					t.Errorf("%s: %s = %v is not a %s", path, key, v, workspace.InferFullTypeName(declared.TypeName(), declared.Items))
				}
			}
			for name, declared := range proj.Config {
				if declared.Default != nil {
					continue
				}
				if _, set := stack.Config[mustKey(t, project+":"+name)]; set {
					continue
				}
				if !slices.ContainsFunc(configure.DescopeKeys, func(k configure.Key) bool { return k.Name == name }) {
					t.Errorf("%s leaves required %s unset and `make up` does not ask for it", path, name)
				}
			}
		})
	}
}

// TestDefaultsMatchTheProgram runs the config loader twice, once given
// Pulumi.yaml's defaults as the engine passes them and once without: both
// must read the same, so the declared defaults and the program's agree.
func TestDefaultsMatchTheProgram(t *testing.T) {
	proj := loadProject(t)
	required := validConfig()
	withDefaults := validConfig()
	for name, declared := range proj.Config {
		// The engine passes a default only for a key the stack leaves unset.
		if _, set := withDefaults[name]; declared.Default != nil && !set {
			withDefaults[name] = declared.Default
		}
	}
	type loaded struct {
		args  passkeys.CognitoPasskeysArgs
		adopt adoption
	}
	load := func(cfg map[string]any) loaded {
		var got loaded
		err := pulumi.RunErr(func(ctx *pulumi.Context) error {
			args, adopt, err := loadConfig(ctx)
			got = loaded{args, adopt}
			return err
		}, pulumi.WithMocks(project, "dev", &pulumitest.Recorder{}), pulumitest.WithConfig(project, cfg, "descopeAccessKey"))
		if err != nil {
			t.Fatalf("loadConfig: %v", err)
		}
		got.args.DescopeAccessKey = nil
		return got
	}
	fromProgram, fromProjectFile := load(required), load(withDefaults)
	// An empty list and an absent one mean the same to Cognito.
	if len(fromProjectFile.args.LogoutURLs) == 0 && len(fromProgram.args.LogoutURLs) == 0 {
		fromProjectFile.args.LogoutURLs, fromProgram.args.LogoutURLs = nil, nil
	}
	if len(fromProjectFile.adopt.AppClientIDs) == 0 && len(fromProgram.adopt.AppClientIDs) == 0 {
		fromProjectFile.adopt.AppClientIDs, fromProgram.adopt.AppClientIDs = nil, nil
	}
	// %#v rather than reflect.DeepEqual: the struct holds an output, whose
	// zero value is compared as text.
	if fmt.Sprintf("%#v", fromProgram) != fmt.Sprintf("%#v", fromProjectFile) {
		t.Errorf("defaults differ:\nprogram:      %+v\nPulumi.yaml:  %+v", fromProgram, fromProjectFile)
	}
	// Every field comes from a declared key but four: the built function, the
	// endpoints (read from the issuer), the adopted pool's live state (read
	// from AWS) and the teardown switch (an environment variable, never
	// saved); and every field of the adoption keys.
	fields := reflect.TypeFor[passkeys.CognitoPasskeysArgs]().NumField() - 4 + reflect.TypeFor[adoption]().NumField()
	if len(proj.Config) != fields {
		t.Errorf("Pulumi.yaml declares %d keys, the program reads %d", len(proj.Config), fields)
	}
}

func mustKey(t *testing.T, s string) config.Key {
	t.Helper()
	k, err := config.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The Go release is pinned once, in go.mod's toolchain line: the function's
// build (lambdabuild), .ci/run and every setup-go in the workflows read it
// from there, so no Go patch release changes the deployed zip on its own.
func TestGoToolchainIsPinnedInGoModOnly(t *testing.T) {
	toolchain, err := lambdabuild.PinnedToolchain("")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^go1\.\d+\.\d+$`).MatchString(toolchain) {
		t.Fatalf("go.mod toolchain = %q, want an exact release such as go1.26.8", toolchain)
	}
	files, err := filepath.Glob(".github/*/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(".github/actions/*/action.yml")
	setups := 0
	for _, path := range append(files, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.Contains(text, "go-version:") {
			t.Errorf("%s sets go-version itself; use go-version-file: go.mod", path)
		}
		for _, block := range strings.Split(text, "uses: actions/setup-go@")[1:] {
			setups++
			if next := strings.Index(block, "- "); next >= 0 {
				block = block[:next]
			}
			if !strings.Contains(block, "go-version-file: go.mod") {
				t.Errorf("%s: actions/setup-go without go-version-file: go.mod", path)
			}
		}
	}
	if setups == 0 {
		t.Error("no actions/setup-go found in .github; the check looks in the wrong place")
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), `$1 == "toolchain"`) || !strings.Contains(string(ci), "export GOTOOLCHAIN") {
		t.Error(".ci/run does not take GOTOOLCHAIN from go.mod's toolchain line")
	}
}

// The key that decrypts the stack's secrets reaches a job only through a
// GitHub environment (with required reviewers for pull requests): as a
// repository secret, any branch's pull request could print it.
func TestStackSecretsOnlyReachJobsInAnEnvironment(t *testing.T) {
	paths, err := filepath.Glob(".github/workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	jobStart := regexp.MustCompile(`(?m)^  ([A-Za-z0-9_-]+):\s*$`)
	checked := 0
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		jobsAt := strings.Index(text, "\njobs:\n")
		if jobsAt < 0 {
			continue
		}
		jobs := text[jobsAt:]
		starts := jobStart.FindAllStringSubmatchIndex(jobs, -1)
		for i, m := range starts {
			end := len(jobs)
			if i+1 < len(starts) {
				end = starts[i+1][0]
			}
			job := jobs[m[0]:end]
			if !strings.Contains(job, "secrets.PULUMI_CONFIG_PASSPHRASE") && !strings.Contains(job, "secrets.PULUMI_ACCESS_TOKEN") {
				continue
			}
			checked++
			if !regexp.MustCompile(`(?m)^    environment: \S+`).MatchString(job) {
				t.Errorf("%s: job %s gets the stack's decryption key without an environment", path, jobs[m[2]:m[3]])
			}
		}
	}
	if checked == 0 {
		t.Error("no job uses the stack's secrets; the check looks in the wrong place")
	}
}
