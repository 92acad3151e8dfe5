package reconcile

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/lambdaharness"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// One cognito-local for the package's tests, started by the first that needs
// it; each test gets its own pool, proxy and shim.
var (
	cognitoOnce  sync.Once
	cognitoLocal *lambdaharness.CognitoLocal
	cognitoErr   error
	cognitoDir   string
	poolCounter  atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if err := lambdaharness.IsolateProcessAWSEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "reconcile tests:", err)
		return 1
	}
	code := m.Run()
	if cognitoLocal != nil {
		cognitoLocal.Stop()
	}
	if cognitoDir != "" {
		os.RemoveAll(cognitoDir)
	}
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
	return code
}

// startedCognitoLocal returns the shared cognito-local. A missing Node.js or
// a failed install fails the test, as in e2e/: the proof must not skip.
func startedCognitoLocal(t *testing.T) *lambdaharness.CognitoLocal {
	t.Helper()
	cognitoOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		// Shared by every test of the package, so not a t.TempDir; TestMain removes it.
		if cognitoDir, cognitoErr = os.MkdirTemp("", "reconcile-cognito-"); cognitoErr != nil { //nolint:usetesting // see above
			return
		}
		cognitoLocal, cognitoErr = lambdaharness.StartCognitoLocal(ctx, cognitoDir)
	})
	if cognitoErr != nil {
		t.Fatalf("start the Cognito stand-in: %v", cognitoErr)
	}
	return cognitoLocal
}

// loopbackClient is a Cognito client on a loopback endpoint with fake
// credentials and the command's own retryer, paced by limiter when one is
// given; nothing it does leaves the host.
func loopbackClient(endpoint string, limiter *Limiter) *cip.Client {
	var httpClient aws.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	if limiter != nil {
		httpClient = limiter.Wrap(httpClient)
	}
	cfg := aws.Config{
		Region:      lambdaharness.Region,
		Credentials: credentials.NewStaticCredentialsProvider(lambdaharness.FakeAccessKeyID, lambdaharness.FakeSecretAccessKey, ""),
		HTTPClient:  httpClient,
		Retryer:     newRetryer,
	}
	return cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// world is one test's pool: command -> shim -> recording proxy -> cognito-local.
type world struct {
	t     *testing.T
	ctx   context.Context
	pool  string
	admin *cip.Client // straight to cognito-local, for seeding and checking
	proxy *lambdaharness.CognitoProxy
	shim  *cognitoShim
	api   *cip.Client // what the command uses
	dir   string
	// groups created so far; cognito-local's GetGroup hangs on a missing group.
	groups map[string]bool
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	local := startedCognitoLocal(t)
	harnessAdmin, err := lambdaharness.NewCognitoAdmin(local.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := harnessAdmin.CreateUserPool(ctx, fmt.Sprintf("reconcile-%d", poolCounter.Add(1)), lambdaharness.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := lambdaharness.StartCognitoProxy(lambdaharness.ProxyOptions{Upstream: local.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	shim := startShim(t, proxy.URL, local.Endpoint, []string{"Descope", "Google"}, 4)
	return &world{t: t, ctx: ctx, pool: pool, admin: loopbackClient(local.Endpoint, nil), proxy: proxy, shim: shim, api: loopbackClient(shim.URL, nil), dir: t.TempDir(), groups: map[string]bool{}}
}

func (w *world) createUser(name string, attrs map[string]string) {
	w.t.Helper()
	in := &cip.AdminCreateUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(k), Value: aws.String(attrs[k])})
	}
	if _, err := w.admin.AdminCreateUser(w.ctx, in); err != nil {
		w.t.Fatalf("create %s: %v", name, err)
	}
}

// native creates a password user.
func (w *world) native(name, email string, verified bool) {
	w.t.Helper()
	w.createUser(name, map[string]string{"email": email, "email_verified": fmt.Sprint(verified)})
}

// federated creates what a Descope sign-in without the trigger left behind.
func (w *world) federated(name string, attrs map[string]string, groups ...string) {
	w.t.Helper()
	w.createUser(name, attrs)
	for _, g := range groups {
		w.addToGroup(name, g)
	}
}

func (w *world) addToGroup(user, group string) {
	w.t.Helper()
	if !w.groups[group] {
		if _, err := w.admin.CreateGroup(w.ctx, &cip.CreateGroupInput{UserPoolId: aws.String(w.pool), GroupName: aws.String(group)}); err != nil {
			w.t.Fatalf("create group %s: %v", group, err)
		}
		w.groups[group] = true
	}
	if _, err := w.admin.AdminAddUserToGroup(w.ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(w.pool), Username: aws.String(user), GroupName: aws.String(group)}); err != nil {
		w.t.Fatalf("add %s to %s: %v", user, group, err)
	}
}

func (w *world) exists(name string) bool {
	w.t.Helper()
	_, err := w.admin.AdminGetUser(w.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name)})
	var gone *types.UserNotFoundException
	if errors.As(err, &gone) {
		return false
	}
	if err != nil {
		w.t.Fatalf("get %s: %v", name, err)
	}
	return true
}

func (w *world) groupsOf(name string) []string {
	w.t.Helper()
	out, err := w.admin.AdminListGroupsForUser(w.ctx, &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name)})
	if err != nil {
		w.t.Fatalf("groups of %s: %v", name, err)
	}
	var groups []string
	for _, g := range out.Groups {
		groups = append(groups, aws.ToString(g.GroupName))
	}
	sort.Strings(groups)
	return groups
}

func (w *world) subOf(name string) string {
	w.t.Helper()
	out, err := w.admin.AdminGetUser(w.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(w.pool), Username: aws.String(name)})
	if err != nil {
		w.t.Fatalf("get %s: %v", name, err)
	}
	for _, a := range out.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	w.t.Fatalf("%s has no sub", name)
	return ""
}

func (w *world) opts(apply bool) Options {
	o := Options{UserPoolID: w.pool, Provider: "Descope", Region: lambdaharness.Region, Apply: apply}
	if apply {
		o.BackupPath = filepath.Join(w.dir, "backup.jsonl")
	}
	return o
}

// links are the AdminLinkProviderForUser calls the proxy accepted, without
// the permission probe's.
func (w *world) links() []lambdaharness.LinkRequest {
	w.t.Helper()
	all, err := w.proxy.LinkRequests()
	if err != nil {
		w.t.Fatal(err)
	}
	var links []lambdaharness.LinkRequest
	for _, l := range all {
		if !strings.HasPrefix(l.DestinationUser.ProviderAttributeValue, ProbePrefix) {
			links = append(links, l)
		}
	}
	return links
}

// mutations are the recorded calls that could change the pool, apart from
// the permission probes (which name a user that does not exist).
func (w *world) mutations() []string {
	var ops []string
	for _, c := range w.proxy.Calls() {
		switch c.Operation {
		case "ListUsers", "DescribeUserPool", "AdminListGroupsForUser", "AdminGetUser":
			continue
		}
		if strings.Contains(string(c.Input), ProbePrefix) {
			continue
		}
		ops = append(ops, c.Operation)
	}
	return ops
}

func linkOf(pool, native, subject string) lambdaharness.LinkRequest {
	return lambdaharness.LinkRequest{
		UserPoolID:      pool,
		DestinationUser: lambdaharness.ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: native},
		SourceUser:      lambdaharness.ProviderUser{ProviderName: "Descope", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: subject},
	}
}

func descopeAttrs(subject, email, verified string) map[string]string {
	attrs := map[string]string{"email": email, "email_verified": verified}
	if subject != "" {
		attrs["custom:descope_sub"] = subject
	}
	return attrs
}

// seedEveryCase builds a pool with one federated Descope user per decision
// the rules can make, and users the command must not list at all.
func (w *world) seedEveryCase() {
	w.t.Helper()
	w.native("jane", "jane@example.com", true)
	w.federated("Descope_JaneSub1", descopeAttrs("JaneSub1", "jane@example.com", "true"), "admins", "beta")
	w.native("bob", "bob@example.com", true)
	w.federated("Descope_BobSub2", descopeAttrs("BobSub2", "bob@example.com", "true"))
	w.federated("Descope_NewSub3", descopeAttrs("NewSub3", "new.person@example.com", "true"))
	w.native("amb-1", "shared@example.com", true)
	w.native("amb-2", "shared@example.com", true)
	w.federated("Descope_AmbSub4", descopeAttrs("AmbSub4", "shared@example.com", "true"))
	w.native("dis", "dis@example.com", true)
	if _, err := w.admin.AdminDisableUser(w.ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(w.pool), Username: aws.String("dis")}); err != nil {
		w.t.Fatal(err)
	}
	w.federated("Descope_DisSub5", descopeAttrs("DisSub5", "dis@example.com", "true"))
	w.native("unv", "unv@example.com", true)
	w.federated("Descope_UnvSub6", descopeAttrs("UnvSub6", "unv@example.com", "false"))
	w.native("nosub", "nosub@example.com", true)
	// Neither custom:descope_sub nor identities hold its subject.
	w.federated("Descope_NoSub7", descopeAttrs("", "nosub@example.com", "true"))
	w.shim.listBare("Descope_NoSub7")
	w.native("mism", "mism@example.com", true)
	w.federated("Descope_MismSub8", descopeAttrs("SomeoneElse", "mism@example.com", "true"))
	w.native("full", "full@example.com", true)
	for i := 0; i < 5; i++ {
		w.shim.seedIdentity("full", "Google", fmt.Sprintf("g-%d", i))
	}
	w.federated("Descope_FullSub9", descopeAttrs("FullSub9", "full@example.com", "true"))
	w.native("linked", "linked@example.com", true)
	w.shim.seedIdentity("linked", "Descope", "LinkedSub10")
	w.federated("Descope_LinkedSub10", descopeAttrs("LinkedSub10", "linked@example.com", "true"), "beta")
	w.federated("Descope_NoEmail11", map[string]string{"custom:descope_sub": "NoEmail11"})
	w.native("unverified-native", "unvnative@example.com", false)
	w.federated("Descope_UnvNativeSub12", descopeAttrs("UnvNativeSub12", "unvnative@example.com", "true"))
	// Not the provider's: never listed.
	w.federated("Google_12345", map[string]string{"email": "jane@example.com", "email_verified": "true"})
}

// wantEveryCase is the decision and reason for every seeded federated user.
var wantEveryCase = map[string][2]string{
	"Descope_JaneSub1":       {DecisionMerge, "eligible"},
	"Descope_BobSub2":        {DecisionMerge, "eligible"},
	"Descope_NewSub3":        {DecisionNoMatch, "no_existing_user"},
	"Descope_AmbSub4":        {DecisionRefuse, "multiple_candidates"},
	"Descope_DisSub5":        {DecisionRefuse, "candidate_disabled"},
	"Descope_UnvSub6":        {DecisionRefuse, "email_not_verified"},
	"Descope_NoSub7":         {DecisionRefuse, "missing_subject"},
	"Descope_MismSub8":       {DecisionRefuse, "subject_mismatch"},
	"Descope_FullSub9":       {DecisionRefuse, "identity_limit"},
	"Descope_LinkedSub10":    {DecisionAlreadyLinked, "identity_already_linked"},
	"Descope_NoEmail11":      {DecisionRefuse, "missing_email"},
	"Descope_UnvNativeSub12": {DecisionNoMatch, "no_existing_user"},
}

func decisionsOf(rep report) map[string][2]string {
	got := map[string][2]string{}
	for _, row := range rep.Users {
		got[row.FederatedUser] = [2]string{row.Decision, row.Reason}
	}
	return got
}

func TestDryRunShowsEveryDecisionAndChangesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedEveryCase()
	w.proxy.Reset()

	rep, err := runJSON(w.ctx, t, w.api, w.opts(false))
	if err != nil {
		t.Fatal(err)
	}
	if got := decisionsOf(rep); !reflect.DeepEqual(got, wantEveryCase) {
		t.Errorf("decisions:\n got %v\nwant %v", got, wantEveryCase)
	}
	if m := w.mutations(); len(m) != 0 {
		t.Errorf("dry run made mutating calls %v", m)
	}
	if links := w.links(); len(links) != 0 {
		t.Errorf("dry run linked %v", links)
	}
	jane := rep.rowsByUser()["Descope_JaneSub1"]
	if jane.KeptUser != "jane" || jane.KeptSub != w.subOf("jane") || jane.FederatedSub != w.subOf("Descope_JaneSub1") || jane.Email != "j***@e***.com" {
		t.Errorf("jane's row = %+v", jane)
	}
	s := rep.Summary
	if s.UsersListed != 24 || s.Passes != 1 || s.Federated != len(wantEveryCase) || s.Eligible != 3 || s.Merged != 0 || s.Applied {
		t.Errorf("summary = %+v", s)
	}
	if s.Refusals["multiple_candidates"] != 1 || s.Decisions[DecisionRefuse] != 7 {
		t.Errorf("summary totals = %+v", s)
	}
	// The listing was paged (the shim pages by 4) and nothing else was read.
	if n := w.proxy.Counts()["ListUsers"]; n < 24/4 {
		t.Errorf("%d ListUsers calls; the pool was not paged", n)
	}
	if _, err := os.Stat(filepath.Join(w.dir, "backup.jsonl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dry run wrote a backup file: %v", err)
	}
}

// readBackup reads every line of a backup file.
func readBackup(t *testing.T, path string) []BackupRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []BackupRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec BackupRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("backup line %q: %v", sc.Text(), err)
		}
		recs = append(recs, rec)
	}
	return recs
}

func TestApplyMergesExactlyTheEligiblePairsAndASecondApplyIsANoOp(t *testing.T) {
	w := newWorld(t)
	w.seedEveryCase()
	janeSub, fedJaneSub, bobSub, fedBobSub := w.subOf("jane"), w.subOf("Descope_JaneSub1"), w.subOf("bob"), w.subOf("Descope_BobSub2")
	w.proxy.Reset()

	opts := w.opts(true)
	rep, err := runJSON(w.ctx, t, w.api, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := decisionsOf(rep); !reflect.DeepEqual(got, wantEveryCase) {
		t.Errorf("decisions:\n got %v\nwant %v", got, wantEveryCase)
	}
	rows := rep.rowsByUser()
	for name, want := range map[string][2]string{"Descope_JaneSub1": {fedJaneSub, janeSub}, "Descope_BobSub2": {fedBobSub, bobSub}} {
		if r := rows[name]; r.Result != ResultMerged || r.FederatedSub != want[0] || r.KeptSub != want[1] {
			t.Errorf("%s: row %+v, want merged %s -> %s", name, r, want[0], want[1])
		}
	}
	// The shim's page tokens are offsets, which the deletes shift: the
	// second pass finds what the first skipped.
	if rep.Summary.Merged != 3 || rep.Summary.Failed != 0 || rep.Summary.Passes != 2 || rep.Summary.UsersListed < 24 {
		t.Errorf("summary = %+v", rep.Summary)
	}

	// Exactly the eligible pairs were linked; the already-linked one needed no link.
	wantLinks := []lambdaharness.LinkRequest{linkOf(w.pool, "jane", "JaneSub1"), linkOf(w.pool, "bob", "BobSub2")}
	if got := w.links(); !reflect.DeepEqual(got, wantLinks) {
		t.Errorf("links:\n got %+v\nwant %+v", got, wantLinks)
	}
	for _, gone := range []string{"Descope_JaneSub1", "Descope_BobSub2", "Descope_LinkedSub10"} {
		if w.exists(gone) {
			t.Errorf("%s was not deleted", gone)
		}
	}
	for name := range wantEveryCase {
		if rows[name].Decision != DecisionMerge && rows[name].Decision != DecisionAlreadyLinked && !w.exists(name) {
			t.Errorf("%s was deleted though it was not eligible", name)
		}
	}
	for _, kept := range []string{"jane", "bob", "linked", "Google_12345"} {
		if !w.exists(kept) {
			t.Errorf("%s is gone", kept)
		}
	}
	if got := w.groupsOf("jane"); !reflect.DeepEqual(got, []string{"admins", "beta"}) {
		t.Errorf("jane's groups = %v, want the federated user's admins, beta", got)
	}
	if got := w.groupsOf("linked"); !reflect.DeepEqual(got, []string{"beta"}) {
		t.Errorf("linked's groups = %v, want beta", got)
	}

	// The backup holds each deleted user's full record before its done mark.
	recs := readBackup(t, opts.BackupPath)
	merges := map[string]BackupRecord{}
	for i, rec := range recs {
		switch rec.Kind {
		case KindMerge:
			merges[rec.FederatedUsername] = rec
		case KindDone:
			if _, ok := merges[rec.FederatedUsername]; !ok {
				t.Errorf("line %d: done before the merge record of %s", i+1, rec.FederatedUsername)
			}
		}
	}
	if len(merges) != 3 || len(recs) != 6 {
		t.Fatalf("backup has %d records, %d merges; want 3 merges and 3 done", len(recs), len(merges))
	}
	jr := merges["Descope_JaneSub1"]
	if jr.Federated == nil || jr.Kept == nil {
		t.Fatalf("jane's record lacks users: %+v", jr)
	}
	if jr.Subject != "JaneSub1" || jr.Federated.Sub != fedJaneSub || jr.Kept.Sub != janeSub || jr.Kept.Username != "jane" ||
		jr.Federated.Status != "EXTERNAL_PROVIDER" || jr.Federated.Created == nil ||
		jr.Federated.Attributes["email"] != "jane@example.com" || jr.Federated.Attributes["custom:descope_sub"] != "JaneSub1" ||
		!reflect.DeepEqual(jr.Federated.Groups, []string{"admins", "beta"}) {
		t.Errorf("jane's backup record = %+v / %+v", jr.Federated, jr.Kept)
	}
	if info, err := os.Stat(opts.BackupPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode: %v %v, want 0600", info, err)
	}

	// A second apply finds nothing left to merge and changes nothing.
	w.proxy.Reset()
	again, err := runJSON(w.ctx, t, w.api, opts)
	if err != nil {
		t.Fatal(err)
	}
	if m := w.mutations(); len(m) != 0 {
		t.Errorf("second apply made mutating calls %v", m)
	}
	if again.Summary.Merged != 0 || again.Summary.Eligible != 0 || again.Summary.Federated != len(wantEveryCase)-3 {
		t.Errorf("second apply summary = %+v", again.Summary)
	}
}

// crashOnLink fails the first link call the way a crash between the delete
// and the link would leave things: the delete done, the link never sent.
type crashOnLink struct {
	API
	crashed bool
}

var errInjectedCrash = errors.New("injected crash")

func (c *crashOnLink) AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error) {
	if !c.crashed && !strings.HasPrefix(aws.ToString(in.DestinationUser.ProviderAttributeValue), ProbePrefix) {
		c.crashed = true
		return nil, errInjectedCrash
	}
	return c.API.AdminLinkProviderForUser(ctx, in, optFns...)
}

func TestCrashBetweenDeleteAndLinkIsFinishedByResume(t *testing.T) {
	w := newWorld(t)
	w.native("jane", "jane@example.com", true)
	w.federated("Descope_JaneSub1", descopeAttrs("JaneSub1", "jane@example.com", "true"), "admins")
	w.native("bob", "bob@example.com", true)
	w.federated("Descope_BobSub2", descopeAttrs("BobSub2", "bob@example.com", "true"))
	w.proxy.Reset()

	opts := w.opts(true)
	_, err := runJSON(w.ctx, t, &crashOnLink{API: w.api}, opts)
	var changed *ChangedError
	if !errors.As(err, &changed) || !errors.Is(err, errInjectedCrash) || !strings.Contains(err.Error(), "--resume "+opts.BackupPath) {
		t.Fatalf("error = %v, want a ChangedError naming --resume %s", err, opts.BackupPath)
	}
	if w.exists("Descope_JaneSub1") || !w.exists("jane") {
		t.Fatal("want the federated user deleted and the native user kept after the crash")
	}
	if len(w.links()) != 0 {
		t.Fatalf("links after the crash: %v", w.links())
	}
	j, err := OpenJournal(opts.BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	pending := j.Pending()
	j.Close()
	if len(pending) != 1 || pending[0].FederatedUsername != "Descope_JaneSub1" {
		t.Fatalf("pending = %+v, want jane's merge", pending)
	}

	// Without --resume the same backup file is refused, naming the fix.
	if _, err := runJSON(w.ctx, t, w.api, opts); err == nil || !strings.Contains(err.Error(), "--apply --resume "+opts.BackupPath) {
		t.Fatalf("apply over an unfinished backup: %v", err)
	}

	// A dry run of the resume shows it and changes nothing.
	w.proxy.Reset()
	dry := w.opts(false)
	dry.ResumePath = opts.BackupPath
	rep, err := runJSON(w.ctx, t, w.api, dry)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.rowsByUser()["Descope_JaneSub1"]; r.Decision != DecisionResume || r.KeptUser != "jane" {
		t.Errorf("dry resume row = %+v", r)
	}
	if m := w.mutations(); len(m) != 0 {
		t.Errorf("dry resume made mutating calls %v", m)
	}

	w.proxy.Reset()
	resume := w.opts(true)
	resume.BackupPath, resume.ResumePath = "", opts.BackupPath
	rep, err = runJSON(w.ctx, t, w.api, resume)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.rowsByUser()["Descope_JaneSub1"]; r.Decision != DecisionResume || r.Result != ResultMerged {
		t.Errorf("resumed row = %+v", r)
	}
	want := []lambdaharness.LinkRequest{linkOf(w.pool, "jane", "JaneSub1"), linkOf(w.pool, "bob", "BobSub2")}
	if got := w.links(); !reflect.DeepEqual(got, want) {
		t.Errorf("links:\n got %+v\nwant %+v", got, want)
	}
	if got := w.groupsOf("jane"); !reflect.DeepEqual(got, []string{"admins"}) {
		t.Errorf("jane's groups = %v, want admins from the backup", got)
	}
	j, err = OpenJournal(opts.BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if p := j.Pending(); len(p) != 0 {
		t.Errorf("still pending after resume: %+v", p)
	}
}

// staleListing answers ListUsers for one user name as an eventually
// consistent read may shortly after a delete: with the user still there.
type staleListing struct {
	API
	user types.UserType
}

func (s staleListing) ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error) {
	if aws.ToString(in.Filter) == linking.UsernameFilter(aws.ToString(s.user.Username)) {
		return &cip.ListUsersOutput{Users: []types.UserType{s.user}}, nil
	}
	return s.API.ListUsers(ctx, in, optFns...)
}

func TestResumeDoesNotTrustAStaleListing(t *testing.T) {
	w := newWorld(t)
	w.native("jane", "jane@example.com", true)
	w.federated("Descope_JaneSub1", descopeAttrs("JaneSub1", "jane@example.com", "true"))
	opts := w.opts(true)
	if _, err := runJSON(w.ctx, t, &crashOnLink{API: w.api}, opts); !errors.Is(err, errInjectedCrash) {
		t.Fatalf("error = %v, want the injected crash", err)
	}
	if w.exists("Descope_JaneSub1") {
		t.Fatal("want the federated user deleted before the crash")
	}

	resume := w.opts(true)
	resume.BackupPath, resume.ResumePath = "", opts.BackupPath
	stale := staleListing{API: w.api, user: types.UserType{
		Username:   aws.String("Descope_JaneSub1"),
		UserStatus: types.UserStatusTypeExternalProvider,
		Enabled:    true,
		Attributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("jane@example.com")}},
	}}
	rep, err := runJSON(w.ctx, t, stale, resume)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.rowsByUser()["Descope_JaneSub1"]; r.Result != ResultMerged || rep.Summary.Abandoned != 0 {
		t.Errorf("resumed row = %+v, abandoned %d; want merged", r, rep.Summary.Abandoned)
	}
	if got, want := w.links(), []lambdaharness.LinkRequest{linkOf(w.pool, "jane", "JaneSub1")}; !reflect.DeepEqual(got, want) {
		t.Errorf("links = %+v, want %+v", got, want)
	}
}

func TestBadInputIsRefusedBeforeAnyChange(t *testing.T) {
	w := newWorld(t)
	w.seedEveryCase()
	cases := []struct {
		name   string
		mod    func(*Options)
		deny   string
		wantIn []string
	}{
		{"unknown pool", func(o *Options) { o.UserPoolID = "us-east-1_Nope123" }, "", []string{"user pool us-east-1_Nope123 does not exist in region us-east-1", "--user-pool-id"}},
		{"unknown provider", func(o *Options) { o.Provider = "Descop" }, "", []string{`identity provider "Descop" does not exist`, "--provider", "list-identity-providers"}},
		{"ListUsers denied", nil, "ListUsers", []string{"cognito-idp:ListUsers"}},
		{"AdminDeleteUser denied", nil, "AdminDeleteUser", []string{"cognito-idp:AdminDeleteUser", "nothing was changed"}},
		{"AdminLinkProviderForUser denied", nil, "AdminLinkProviderForUser", []string{"cognito-idp:AdminLinkProviderForUser"}},
		{"AdminAddUserToGroup denied", nil, "AdminAddUserToGroup", []string{"cognito-idp:AdminAddUserToGroup"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.proxy.Reset()
			w.shim.denyOperation(c.deny)
			opts := w.opts(true)
			opts.BackupPath = filepath.Join(t.TempDir(), "backup.jsonl")
			if c.mod != nil {
				c.mod(&opts)
			}
			rep, err := runJSON(w.ctx, t, w.api, opts)
			if err == nil {
				t.Fatal("no error")
			}
			var changed *ChangedError
			if errors.As(err, &changed) {
				t.Errorf("error claims a change: %v", err)
			}
			for _, want := range c.wantIn {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if m := w.mutations(); len(m) != 0 {
				t.Errorf("mutating calls %v", m)
			}
			if len(rep.Users) != 0 {
				t.Errorf("rows written: %+v", rep.Users)
			}
			if _, err := os.Stat(opts.BackupPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("backup file created: %v", err)
			}
		})
	}
	w.shim.denyOperation("")
	if !w.exists("Descope_JaneSub1") {
		t.Error("a refused run deleted a user")
	}
}

func TestThrottledCallsAreRetried(t *testing.T) {
	w := newWorld(t)
	w.native("jane", "jane@example.com", true)
	w.federated("Descope_JaneSub1", descopeAttrs("JaneSub1", "jane@example.com", "true"))
	w.proxy.Reset()
	w.proxy.Throttle("ListUsers", 1)

	rep, err := runJSON(w.ctx, t, w.api, w.opts(false))
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.rowsByUser()["Descope_JaneSub1"]; r.Decision != DecisionMerge {
		t.Errorf("row = %+v", r)
	}
	throttled := 0
	for _, c := range w.proxy.Calls() {
		if c.Operation == "ListUsers" && c.Status == http.StatusBadRequest {
			throttled++
		}
	}
	if throttled != 1 {
		t.Errorf("%d throttled ListUsers answers, want the injected 1 (then a retry)", throttled)
	}
}
