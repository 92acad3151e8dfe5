package restoretrigger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/awsconfig"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool/livepooltest"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/restoretrigger"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck"
	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/triggercheck/triggerchecktest"
)

const (
	poolRecordings   = "../livepool/testdata"
	lambdaRecordings = "../triggercheck/testdata"
	recordedPoolID   = "us-east-1_AdOpT1234"
	function         = "arn:aws:lambda:us-east-1:123456789012:function:"
	blogTrigger      = function + "descope-blog-presignup"
)

// clients are built as the command builds them, from the isolated environment.
func clients(t *testing.T) (*cognitoidentityprovider.Client, *lambda.Client) {
	t.Helper()
	cfg, err := awsconfig.Load(t.Context(), awsconfig.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return cognitoidentityprovider.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
}

// request decodes the planned request.
func request(t *testing.T, r *restoretrigger.Result) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(r.Request, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestPlanOverRecordedAnswers(t *testing.T) {
	livepooltest.ServeRecorded(t, poolRecordings)
	triggerchecktest.ServeRecorded(t, lambdaRecordings)
	cognito, lambdaAPI := clients(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	t.Run("remove", func(t *testing.T) {
		r, err := restoretrigger.Plan(ctx, cognito, lambdaAPI, restoretrigger.Options{UserPoolID: recordedPoolID, Remove: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Current != blogTrigger || r.New != "" || r.Unchanged || r.Checked {
			t.Errorf("result %+v, want the live trigger replaced by none, unchecked", r)
		}
		lambdaConfig := request(t, r)["LambdaConfig"].(map[string]any)
		if _, set := lambdaConfig["PreSignUp"]; set {
			t.Errorf("LambdaConfig = %v, want no PreSignUp", lambdaConfig)
		}
		if !strings.HasSuffix(lambdaConfig["CustomMessage"].(string), ":function:acme-custom-message") {
			t.Errorf("LambdaConfig = %v, want the other triggers kept", lambdaConfig)
		}
		var text bytes.Buffer
		if err := restoretrigger.WriteText(&text, r, restoretrigger.Options{UserPoolID: recordedPoolID, Remove: true}); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"now:   " + blogTrigger, "after: none", `"UserPoolId": "us-east-1_AdOpT1234"`, "Dry run: nothing was changed", "--remove --apply"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("text does not say %q:\n%s", want, text.String())
			}
		}
	})
	t.Run("the trigger it already has", func(t *testing.T) {
		r, err := restoretrigger.Plan(ctx, cognito, lambdaAPI, restoretrigger.Options{UserPoolID: recordedPoolID, PreSignUpARN: blogTrigger})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Unchanged || !r.Checked {
			t.Errorf("result %+v, want unchanged and checked", r)
		}
	})
	t.Run("a function Cognito cannot call", func(t *testing.T) {
		for _, name := range []string{"deleted-presignup", "presignup-no-permission", "presignup-other-pool"} {
			r, err := restoretrigger.Plan(ctx, cognito, lambdaAPI, restoretrigger.Options{UserPoolID: recordedPoolID, PreSignUpARN: function + name})
			var refused *triggercheck.NotInvokableError
			if !errors.As(err, &refused) || r.Checked || len(r.Request) == 0 {
				t.Errorf("%s: %v, checked %v; want a *NotInvokableError with the request shown", name, err, r.Checked)
			}
			var text bytes.Buffer
			if err := restoretrigger.WriteText(&text, r, restoretrigger.Options{UserPoolID: recordedPoolID, PreSignUpARN: function + name}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(text.String(), "To apply") {
				t.Errorf("%s: the text offers to apply a trigger Cognito cannot call:\n%s", name, text.String())
			}
		}
	})
}

// A pool with a setting the request cannot carry is refused, as adoption
// refuses it: sending the request would drop that setting.
func TestPlanRefusesWhatItCannotCarry(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(poolRecordings)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(poolRecordings, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "DescribeUserPool."+recordedPoolID+".json" {
			data = bytes.Replace(data, []byte(`"LambdaConfig": {`), []byte(`"LambdaConfig": {"InboundFederation": {"LambdaArn": "`+function+`inbound", "LambdaVersion": "V1_0"},`), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil { //nolint:gosec // G703: the repository's recording names, written into t.TempDir()
			t.Fatal(err)
		}
	}
	livepooltest.ServeRecorded(t, dir)
	cognito, lambdaAPI := clients(t)
	_, err = restoretrigger.Plan(t.Context(), cognito, lambdaAPI, restoretrigger.Options{UserPoolID: recordedPoolID, Remove: true})
	var refused *livepool.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "LambdaConfig.InboundFederation") {
		t.Errorf("Plan: %v, want the inbound federation trigger refused", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		o    restoretrigger.Options
		want string
	}{
		{"no pool", restoretrigger.Options{Remove: true}, "--user-pool-id is required"},
		{"not a pool ID", restoretrigger.Options{UserPoolID: "acme", Remove: true}, "not a user pool ID"},
		{"neither", restoretrigger.Options{UserPoolID: recordedPoolID}, "exactly one of --pre-sign-up"},
		{"both", restoretrigger.Options{UserPoolID: recordedPoolID, Remove: true, PreSignUpARN: blogTrigger}, "exactly one of --pre-sign-up"},
		{"not a function ARN", restoretrigger.Options{UserPoolID: recordedPoolID, PreSignUpARN: "descope-blog-presignup"}, "not a Lambda function ARN"},
		{"fine", restoretrigger.Options{UserPoolID: recordedPoolID, PreSignUpARN: blogTrigger}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate()
			if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want %q", err, tt.want)
			}
		})
	}
}

// describe is the pool as JSON, without what changes on every update.
func describe(ctx context.Context, t *testing.T, api *cognitoidentityprovider.Client, poolID string) (map[string]any, string) {
	t.Helper()
	out, err := api.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(out.UserPool)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "LastModifiedDate")
	lambdaConfig, _ := doc["LambdaConfig"].(map[string]any)
	trigger, _ := lambdaConfig["PreSignUp"].(string)
	delete(lambdaConfig, "PreSignUp")
	return doc, trigger
}

// motoResets are what moto_server's UpdateUserPool resets but Cognito's
// cannot: attributes fixed when the pool is created, which are no
// UpdateUserPool parameters. Since moto also resets every other setting the
// request leaves out, as Cognito does, the comparison below is a real test.
var motoResets = []string{"UsernameAttributes", "UsernameConfiguration"}

// Against moto_server: the request is accepted, the trigger changes, and
// nothing else in the pool does. moto keeps one change per pool (see
// motoResets): the rich pool gets its trigger put back, a second pool has
// it removed.
func TestApplyAgainstMoto(t *testing.T) {
	endpoint := livepooltest.StartMoto(t)
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
	cognito, lambdaAPI := clients(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	richPool, _ := livepooltest.CreateRichPool(ctx, t, cognito)
	restored := triggerchecktest.CreateFunction(ctx, t, lambdaAPI, endpoint, "restored-presignup")
	plain, err := cognito.CreateUserPool(ctx, &cognitoidentityprovider.CreateUserPoolInput{
		PoolName: aws.String("plain"), UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(restored)},
	})
	if err != nil {
		t.Fatal(err)
	}

	put := restoretrigger.Options{UserPoolID: richPool, PreSignUpARN: restored, Apply: true}
	if _, err := restoretrigger.Plan(ctx, cognito, lambdaAPI, put); !errors.As(err, new(*triggercheck.NotInvokableError)) {
		t.Fatalf("Plan before the grant: %v, want a *NotInvokableError", err)
	}
	triggerchecktest.Grant(ctx, t, lambdaAPI, restored, "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+richPool)

	for _, step := range []struct {
		o          restoretrigger.Options
		was, after string
	}{
		{put, livepooltest.BlogTrigger, restored},
		{restoretrigger.Options{UserPoolID: aws.ToString(plain.UserPool.Id), Remove: true, Apply: true}, restored, ""},
	} {
		before, trigger := describe(ctx, t, cognito, step.o.UserPoolID)
		if trigger != step.was {
			t.Fatalf("moto pool's trigger %q, want %s", trigger, step.was)
		}
		r, err := restoretrigger.Plan(ctx, cognito, lambdaAPI, step.o)
		if err != nil {
			t.Fatal(err)
		}
		if err := restoretrigger.Apply(ctx, cognito, r); err != nil {
			t.Fatal(err)
		}
		if !r.Applied {
			t.Errorf("%+v: not applied", step.o)
		}
		after, trigger := describe(ctx, t, cognito, step.o.UserPoolID)
		if trigger != step.after {
			t.Errorf("trigger after %+v: %q, want %q", step.o, trigger, step.after)
		}
		for _, key := range motoResets {
			delete(before, key)
			delete(after, key)
		}
		// The legacy UnusedAccountValidityDays is never sent beside
		// TemporaryPasswordValidityDays (Cognito refuses the pair), which
		// replaces it and is compared with the rest.
		if before["Policies"].(map[string]any)["PasswordPolicy"].(map[string]any)["TemporaryPasswordValidityDays"].(float64) != 0 {
			delete(before["AdminCreateUserConfig"].(map[string]any), "UnusedAccountValidityDays")
			delete(after["AdminCreateUserConfig"].(map[string]any), "UnusedAccountValidityDays")
		}
		beforeJSON, _ := json.Marshal(before)
		afterJSON, _ := json.Marshal(after)
		if !bytes.Equal(beforeJSON, afterJSON) {
			t.Errorf("the pool changed beyond its trigger:\nbefore %s\n after %s", beforeJSON, afterJSON)
		}
	}
}
