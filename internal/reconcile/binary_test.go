package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildOut  []byte
)

// reconcileBinary builds cmd/reconcile once for the package's tests.
func reconcileBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Shared by the package's tests, so not a t.TempDir.
		dir, err := os.MkdirTemp("", "reconcile-bin-") //nolint:usetesting // see above
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "reconcile")
		cmd := exec.Command("go", "build", "-o", binary, "github.com/cognito-descope-passkeys/cognito-descope-passkeys/cmd/reconcile")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build cmd/reconcile: %v\n%s", buildErr, buildOut)
	}
	return binary
}

// runBinary runs the built command as a user does: flags, and configuration
// from the environment only (fake credentials, a region, the endpoint of the
// loopback stand-in). The machine's AWS_CA_BUNDLE is passed on as it is.
func runBinary(t *testing.T, endpoint, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(reconcileBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"AWS_ACCESS_KEY_ID=" + lambdaharness.FakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + lambdaharness.FakeSecretAccessKey,
		"AWS_REGION=" + lambdaharness.Region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + endpoint,
	}
	if bundle, ok := os.LookupEnv("AWS_CA_BUNDLE"); ok {
		cmd.Env = append(cmd.Env, "AWS_CA_BUNDLE="+bundle)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run reconcile: %v", err)
	}
	return code, out.String(), errOut.String()
}

// usePoolWithImmutableAttribute moves the world to a new pool whose schema,
// besides custom:descope_sub, has the immutable custom attribute
// custom:tenant, as many hand-made pools do.
func (w *world) usePoolWithImmutableAttribute() {
	w.t.Helper()
	out, err := w.admin.CreateUserPool(w.ctx, &cip.CreateUserPoolInput{
		PoolName: aws.String(w.pool + "-immutable"),
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("descope_sub"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)},
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.pool = aws.ToString(out.UserPool.Id)
}

func (w *world) disable(name string) {
	w.t.Helper()
	if _, err := w.admin.AdminDisableUser(w.ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name)}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) enabled(name string) bool {
	w.t.Helper()
	out, err := w.admin.AdminGetUser(w.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name)})
	if err != nil {
		w.t.Fatalf("get %s: %v", name, err)
	}
	return out.Enabled
}

// TestBinaryMergesOnlyWhatCanBeLinked is issue 18's "done": on a pool with an
// immutable custom attribute, holding a duplicate from before adoption
// (subject only in identities), a disabled duplicate, a duplicate of a user
// with an immutable attribute, a duplicate that is itself a link destination
// and a user of a provider named Descope_Staging, the built command's dry run
// names each decision, and --apply merges exactly the first, linking the
// subject in its exact case.
func TestBinaryMergesOnlyWhatCanBeLinked(t *testing.T) {
	w := newWorld(t)
	w.shim.providers = append(w.shim.providers, "Descope_Staging")
	w.usePoolWithImmutableAttribute()

	w.native("pre", "pre@example.com", true)
	// Cognito lowercased the name; only identities keeps the subject's case.
	w.federated("descope_presub1", map[string]string{"email": "pre@example.com", "email_verified": "true"}, "beta")
	w.shim.seedIdentity("descope_presub1", "Descope", "PreSub1")
	w.native("dis", "dis@example.com", true)
	w.federated("Descope_DisSub2", descopeAttrs("DisSub2", "dis@example.com", "true"))
	w.disable("Descope_DisSub2")
	w.createUser("tenant", map[string]string{"email": "tenant@example.com", "email_verified": "true", "custom:tenant": "acme"})
	w.federated("Descope_TenSub3", descopeAttrs("TenSub3", "tenant@example.com", "true"))
	w.native("hub", "hub@example.com", true)
	w.federated("Descope_HubSub4", descopeAttrs("HubSub4", "hub@example.com", "true"))
	w.shim.seedIdentity("Descope_HubSub4", "Descope", "HubSub4")
	w.shim.seedIdentity("Descope_HubSub4", "Google", "g-1")
	w.native("stg", "stg@example.com", true)
	w.federated("Descope_Staging_stg5", descopeAttrs("stg5", "stg@example.com", "true"))
	w.proxy.Reset()

	want := map[string][3]string{
		"descope_presub1": {DecisionMerge, "eligible", "identities"},
		"Descope_DisSub2": {DecisionRefuse, "federated_user_disabled", ""},
		"Descope_TenSub3": {DecisionRefuse, "immutable_attribute", "attribute+identities"},
		"Descope_HubSub4": {DecisionRefuse, "federated_user_has_links", ""},
	}
	rowsOf := func(stdout string) map[string][3]string {
		t.Helper()
		var rep report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, stdout)
		}
		got := map[string][3]string{}
		for _, r := range rep.Users {
			got[r.FederatedUser] = [3]string{r.Decision, r.Reason, r.SubjectSource}
		}
		return got
	}

	dir := t.TempDir()
	code, stdout, stderr := runBinary(t, w.shim.URL, dir, "--user-pool-id", w.pool, "--json")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	if got := rowsOf(stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("dry run decisions:\n got %v\nwant %v", got, want)
	}
	code, stdout, stderr = runBinary(t, w.shim.URL, dir, "--user-pool-id", w.pool)
	if code != 0 {
		t.Fatalf("dry run table: exit %d\n%s", code, stderr)
	}
	for _, line := range []string{"descope_presub1", "Descope_DisSub2", "Descope_TenSub3", "Descope_HubSub4"} {
		fields := strings.Fields(lineOf(stdout, line))
		if len(fields) < 5 || fields[2] != want[line][0] || fields[3] != want[line][1] {
			t.Errorf("table line of %s = %q, want decision %s, reason %s", line, fields, want[line][0], want[line][1])
		}
	}
	if m := w.mutations(); len(m) != 0 {
		t.Errorf("dry runs made mutating calls %v", m)
	}

	code, stdout, stderr = runBinary(t, w.shim.URL, dir, "--user-pool-id", w.pool, "--apply", "--backup", filepath.Join(dir, "backup.jsonl"), "--json")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if got := rowsOf(stdout); !reflect.DeepEqual(got, want) {
		t.Errorf("apply decisions:\n got %v\nwant %v", got, want)
	}
	if got, wantLinks := w.links(), []lambdaharness.LinkRequest{linkOf(w.pool, "pre", "PreSub1")}; !reflect.DeepEqual(got, wantLinks) {
		t.Errorf("links:\n got %+v\nwant %+v", got, wantLinks)
	}
	if w.exists("descope_presub1") {
		t.Error("the pre-adoption duplicate was not deleted")
	}
	if got := w.groupsOf("pre"); !reflect.DeepEqual(got, []string{"beta"}) {
		t.Errorf("pre's groups = %v, want the duplicate's beta", got)
	}
	for _, kept := range []string{"Descope_DisSub2", "Descope_TenSub3", "Descope_HubSub4", "Descope_Staging_stg5", "pre", "dis", "tenant", "hub", "stg"} {
		if !w.exists(kept) {
			t.Errorf("%s was deleted", kept)
		}
	}
	if w.enabled("Descope_DisSub2") {
		t.Error("the disabled federated user was enabled")
	}
}

// lineOf returns the first line of s that starts with prefix and a space.
func lineOf(s, prefix string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, prefix+" ") {
			return line
		}
	}
	return ""
}
