package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/passkeys"
)

// configReader collects every problem so one run reports them all.
type configReader struct {
	cfg      *config.Config
	problems []error
}

func (r *configReader) fail(key, format string, args ...any) {
	r.problems = append(r.problems, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

func (r *configReader) check(key string, err error) {
	if err != nil {
		r.fail(key, "%v", err)
	}
}

func (r *configReader) required(key, example string) string {
	v, err := r.cfg.Try(key)
	if err != nil || v == "" {
		r.fail(key, "is required: run `pulumi config set %s %s`", key, example)
		return ""
	}
	return v
}

func (r *configReader) optional(key, fallback string) string {
	if v, err := r.cfg.Try(key); err == nil {
		return v
	}
	return fallback
}

func (r *configReader) boolean(key string) bool {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return false
	}
	v, err := r.cfg.TryBool(key)
	if err != nil {
		r.fail(key, "%q is not true or false: run `pulumi config set --type bool %s true`", raw, key)
	}
	return v
}

func (r *configReader) integer(key string, fallback int) int {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return fallback
	}
	v, err := r.cfg.TryInt(key)
	if err != nil {
		r.fail(key, "%q is not a whole number: run `pulumi config set --type int %s %d`", raw, key, fallback)
		return fallback
	}
	return v
}

// urls reads a list of redirect URLs. Pulumi.yaml declares an empty default
// for every list, so an unset required list arrives as [].
func (r *configReader) urls(key string, required bool) []string {
	raw, err := r.cfg.Try(key)
	var urls []string
	if err == nil {
		if err := r.cfg.TryObject(key, &urls); err != nil {
			r.fail(key, "%q is not a list of URLs: set it with `pulumi config set --path '%s[0]' https://app.example.com/callback`", raw, key)
			return nil
		}
	}
	if required && len(urls) == 0 {
		r.fail(key, "is required (at least one URL): run `pulumi config set --path '%s[0]' https://app.example.com/callback`", key)
		return nil
	}
	r.check(key, passkeys.ValidateRedirectURLs(urls, required))
	return urls
}

// stringList reads a list of strings; nil when the key is unset.
func (r *configReader) stringList(key, example string) []string {
	raw, err := r.cfg.Try(key)
	if err != nil {
		return nil
	}
	var values []string
	if err := r.cfg.TryObject(key, &values); err != nil {
		r.fail(key, "%q is not a list: set it with `pulumi config set --path '%s[0]' %s`", raw, key, example)
		return nil
	}
	return values
}

// userPoolIDPattern is Cognito's user pool ID: <region>_<letters and digits>.
var userPoolIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d_[0-9A-Za-z]+$`)

// appClientIDPattern is Cognito's app client ID: letters and digits.
var appClientIDPattern = regexp.MustCompile(`^[0-9a-z]{1,128}$`)

// adoption names an existing user pool for the stack to adopt instead of
// creating its own; the zero value means a new pool.
type adoption struct {
	// UserPoolID is the pool to adopt (userPoolId).
	UserPoolID string
	// AppClientIDs are existing app clients to enable Descope on
	// (appClientIds); none means the program creates its app client.
	AppClientIDs []string
	// ReplacePreSignUpTrigger allows replacing another pre sign-up trigger.
	ReplacePreSignUpTrigger bool
	// ChainPreSignUpTrigger keeps the pool's previous pre sign-up trigger,
	// called first by the merge function (chainPreSignUpTrigger).
	ChainPreSignUpTrigger bool
	// Detach puts the pool's previous pre sign-up trigger back (detach).
	Detach bool
	// RemovePreSignUpTrigger makes detach and teardown remove the pre sign-up
	// trigger instead of putting the previous one back, for when that one
	// is gone (detachRemovesPreSignUpTrigger).
	RemovePreSignUpTrigger bool
}

// readAdoption reads the adoption keys; appClientIds, replacePreSignUpTrigger,
// chainPreSignUpTrigger and detach mean something only with userPoolId.
func (r *configReader) readAdoption() adoption {
	a := adoption{
		UserPoolID:              r.optional("userPoolId", ""),
		AppClientIDs:            r.stringList("appClientIds", "<app client ID>"),
		ReplacePreSignUpTrigger: r.boolean("replacePreSignUpTrigger"),
		ChainPreSignUpTrigger:   r.boolean("chainPreSignUpTrigger"),
		Detach:                  r.boolean("detach"),
		RemovePreSignUpTrigger:  r.boolean("detachRemovesPreSignUpTrigger"),
	}
	if a.UserPoolID != "" && !userPoolIDPattern.MatchString(a.UserPoolID) {
		r.fail("userPoolId", "%q is not a user pool ID such as us-east-1_AbCdEf123: copy it from the Cognito console's user pool overview", a.UserPoolID)
	}
	for i, id := range a.AppClientIDs {
		if !appClientIDPattern.MatchString(id) || slices.Contains(a.AppClientIDs[:i], id) {
			r.fail("appClientIds", "item %d (%q) is not an app client ID or is listed twice: copy each ID once from the pool's App clients page", i, id)
		}
	}
	if a.ChainPreSignUpTrigger && a.ReplacePreSignUpTrigger {
		r.fail("chainPreSignUpTrigger", "and replacePreSignUpTrigger are both set, but the pool's previous trigger is either called first or stopped: keep its rules with `pulumi config rm replacePreSignUpTrigger`, or stop it with `pulumi config rm chainPreSignUpTrigger`")
	}
	if a.UserPoolID == "" {
		for _, key := range []struct {
			name string
			set  bool
		}{{"appClientIds", len(a.AppClientIDs) > 0}, {"replacePreSignUpTrigger", a.ReplacePreSignUpTrigger}, {"chainPreSignUpTrigger", a.ChainPreSignUpTrigger},
			{"detach", a.Detach}, {"detachRemovesPreSignUpTrigger", a.RemovePreSignUpTrigger}} {
			if key.set {
				r.fail(key.name, "applies only to an adopted pool: set userPoolId too, or run `pulumi config rm %s`", key.name)
			}
		}
	}
	return a
}

// TeardownVariable names the stack that `make destroy` is tearing down; see
// passkeys.CognitoPasskeysArgs.Teardown.
const TeardownVariable = "PASSKEYS_TEARDOWN_STACK"

// loadConfig reads the stack's configuration once into the component's
// arguments (all but the built function and the adopted pool's live state)
// and the pool to adopt, and validates it. Keys and defaults match
// Pulumi.yaml's config block, and a test keeps them in step. The error names
// each bad key and how to fix it.
func loadConfig(ctx *pulumi.Context) (passkeys.CognitoPasskeysArgs, adoption, error) {
	r := &configReader{cfg: config.New(ctx, "")}
	var c passkeys.CognitoPasskeysArgs
	adopt := r.readAdoption()

	c.DescopeProjectID = r.required("descopeProjectId", "P2abc…")
	if c.DescopeProjectID != "" {
		r.check("descopeProjectId", passkeys.ValidateDescopeProjectID(c.DescopeProjectID))
	}

	// The key is read as a secret output, so it stays encrypted in state; a key
	// stored in plain text in the stack file is refused, not silently used.
	switch key, err := r.cfg.Try("descopeAccessKey"); {
	case err != nil || key == "":
		r.fail("descopeAccessKey", "is required: run `pulumi config set --secret descopeAccessKey` and paste a Descope access key")
	case !ctx.IsConfigSecret(ctx.Project() + ":descopeAccessKey"):
		r.fail("descopeAccessKey", "is stored in plain text: run `pulumi config set --secret descopeAccessKey` to encrypt it, then revoke the exposed key in the Descope console")
	default:
		c.DescopeAccessKey = pulumi.ToSecret(pulumi.String(key)).(pulumi.StringOutput)
	}

	c.DescopeIssuerURL = r.optional("descopeIssuerUrl", "")
	if c.DescopeIssuerURL != "" {
		r.check("descopeIssuerUrl", passkeys.ValidateIssuerURL(c.DescopeIssuerURL))
	} else if c.DescopeProjectID != "" {
		c.DescopeIssuerURL = passkeys.DescopeIssuerURL(c.DescopeProjectID)
	}

	c.DescopeFlowID = r.optional("descopeFlowId", passkeys.DefaultDescopeFlowID)
	r.check("descopeFlowId", passkeys.ValidateDescopeFlowID(c.DescopeFlowID))

	// Adopted app clients keep their own redirect URLs; the program's own
	// client needs them.
	if len(adopt.AppClientIDs) == 0 {
		c.CallbackURLs = r.urls("callbackUrls", true)
		c.LogoutURLs = r.urls("logoutUrls", false)
	} else {
		for _, key := range []string{"callbackUrls", "logoutUrls"} {
			if len(r.stringList(key, "https://app.example.com/callback")) > 0 {
				r.fail(key, "is not used with appClientIds: adopted app clients keep their own URLs; run `pulumi config rm %s`", key)
			}
		}
	}

	c.ProviderName = r.optional("providerName", passkeys.DefaultProviderName)
	r.check("providerName", passkeys.ValidateProviderName(c.ProviderName))

	c.DomainPrefix = r.optional("domainPrefix", "")
	if c.DomainPrefix != "" {
		r.check("domainPrefix", passkeys.ValidateDomainPrefix(c.DomainPrefix))
	}
	c.CustomDomain = r.optional("customDomain", "")
	c.CustomDomainCertificateARN = r.optional("customDomainCertificateArn", "")
	switch {
	case c.CustomDomain != "" && c.CustomDomainCertificateARN == "":
		r.fail("customDomainCertificateArn", "is required with customDomain: request an ACM certificate for %s in us-east-1 and set its ARN", c.CustomDomain)
	case c.CustomDomain == "" && c.CustomDomainCertificateARN != "":
		r.fail("customDomain", "is required with customDomainCertificateArn: set the domain the certificate covers, or remove the certificate")
	case c.CustomDomain != "":
		r.check("customDomain", passkeys.ValidateCustomDomain(c.CustomDomain))
		r.check("customDomainCertificateArn", passkeys.ValidateCertificateARN(c.CustomDomainCertificateARN))
	}

	c.DescopeOnly = r.boolean("descopeOnly")
	c.ConfidentialClient = r.boolean("confidentialClient")
	c.RequireExistingUser = r.boolean("requireExistingUser")

	c.LogRetentionDays = r.integer("logRetentionDays", passkeys.DefaultLogRetentionDays)
	r.check("logRetentionDays", passkeys.ValidateLogRetentionDays(c.LogRetentionDays))

	c.AlarmEmail = r.optional("alarmEmail", "")
	if c.AlarmEmail != "" {
		r.check("alarmEmail", passkeys.ValidateEmail(c.AlarmEmail))
	}
	c.AlarmTopicARN = r.optional("alarmTopicArn", "")
	if c.AlarmTopicARN != "" {
		r.check("alarmTopicArn", passkeys.ValidateTopicARN(c.AlarmTopicARN))
	}

	// Not a config key: a key would be saved in the stack file and outlive the
	// teardown. `make destroy CONFIRM=<stack>` sets it for the one `up` that
	// prepares the destroy, and it must name this very stack.
	c.Teardown = os.Getenv(TeardownVariable) != "" && os.Getenv(TeardownVariable) == ctx.Stack()
	if adopt.RemovePreSignUpTrigger && adopt.UserPoolID != "" && !adopt.Detach && !c.Teardown {
		r.fail("detachRemovesPreSignUpTrigger", "applies only when detaching: run `pulumi config set --type bool detach true` (or `make destroy`) to detach, or `pulumi config rm detachRemovesPreSignUpTrigger`")
	}

	if len(r.problems) > 0 {
		return passkeys.CognitoPasskeysArgs{}, adoption{}, fmt.Errorf("invalid configuration for stack %s:\n%w", ctx.Stack(), errors.Join(r.problems...))
	}
	return c, adopt, nil
}
