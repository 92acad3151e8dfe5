package passkeys

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cognito"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/internal/livepool"
)

// PreviousPreSignUpTag is the merge function's tag that keeps the pre sign-up
// trigger adoption replaced. livepool knows that trigger only on the first
// run (afterwards the pool's trigger is the merge function), so the tag is
// written once, at the function's creation, and ignored by later runs; the
// program reads it back to detach. Empty means the pool had no trigger.
const PreviousPreSignUpTag = "passkeys:previous-pre-sign-up"

// Adoption is an existing user pool the component adopts instead of creating
// one. The program reads the live state; the component makes no AWS call.
type Adoption struct {
	// State is the pool as livepool.Read returned it, with the app clients to
	// enable Descope on (none: the component creates its app client).
	State *livepool.State
	// ReplacePreSignUpTrigger allows replacing another pre sign-up trigger.
	ReplacePreSignUpTrigger bool
	// ChainPreSignUpARN is the pool's previous pre sign-up trigger, which
	// the merge function calls first for every event (chain.go): the live
	// trigger on the first run, the PreviousPreSignUpTag afterwards. Empty:
	// no chaining.
	ChainPreSignUpARN string
	// Detach puts RestorePreSignUpARN back as the pool's trigger (removes the
	// trigger when it is empty), so the merge function can be deleted
	// without failing every sign-up. Teardown detaches too.
	Detach bool
	// RestorePreSignUpARN is the trigger to put back: the merge function's
	// PreviousPreSignUpTag. Read it whenever Detach or Teardown is set.
	RestorePreSignUpARN string
}

// adoptingClients reports whether the stack adopts app clients rather than
// creating its own.
func (a CognitoPasskeysArgs) adoptingClients() bool {
	return a.Adoption != nil && a.Adoption.State != nil && len(a.Adoption.State.Clients) > 0
}

// adoptedPoolARN is the adopted pool's ARN from the live read, empty for a
// created pool.
func (a CognitoPasskeysArgs) adoptedPoolARN() string {
	if a.Adoption == nil || a.Adoption.State == nil {
		return ""
	}
	return aws.ToString(a.Adoption.State.Pool.Arn)
}

// detaching reports whether the adopted pool's trigger goes back.
func (a CognitoPasskeysArgs) detaching() bool {
	return a.Adoption != nil && (a.Adoption.Detach || a.Teardown)
}

// owned is what the component changes on the adopted pool; preSignUpARN is
// the merge function's ARN, nil before the function is declared.
func (a CognitoPasskeysArgs) owned(ctx *pulumi.Context, name string, preSignUpARN pulumi.StringInput) livepool.Owned {
	return livepool.Owned{
		ProviderName:            a.ProviderName,
		PreSignUpARN:            preSignUpARN,
		MergeFunctionName:       MergeFunctionName(ctx.Project(), ctx.Stack(), name),
		ReplacePreSignUpTrigger: a.Adoption.ReplacePreSignUpTrigger,
		ChainPreSignUpARN:       a.Adoption.ChainPreSignUpARN,
		Detach:                  a.detaching(),
		RestorePreSignUpARN:     a.Adoption.RestorePreSignUpARN,
	}
}

// checkAdoption refuses, before anything is declared, a pool that cannot be
// adopted safely, and configuration that contradicts the live pool.
func checkAdoption(ctx *pulumi.Context, name string, a CognitoPasskeysArgs) error {
	if a.Adoption.State == nil {
		return errors.New("Adoption.State is required: read the pool with livepool.Read")
	}
	pool := a.Adoption.State.Pool
	if arn, id := aws.ToString(pool.Arn), aws.ToString(pool.Id); !strings.HasSuffix(arn, ":userpool/"+id) {
		return fmt.Errorf("Adoption.State has the ARN %q, not the ARN of pool %s: read the pool with livepool.Read (DescribeUserPool returns it)", arn, id)
	}
	if err := livepool.Check(a.Adoption.State, a.owned(ctx, name, nil)); err != nil {
		return err
	}
	live := make([]string, 0, len(a.Adoption.State.Domains))
	for _, d := range a.Adoption.State.Domains {
		if d.Domain != nil {
			live = append(live, *d.Domain)
		}
	}
	var problems []error
	for _, key := range []struct{ field, value string }{{"DomainPrefix", a.DomainPrefix}, {"CustomDomain", a.CustomDomain}} {
		if len(live) > 0 && key.value != "" && !slices.Contains(live, key.value) {
			problems = append(problems, fmt.Errorf("%s: %q is not the adopted pool's domain %v, which the stack uses as it is: unset it (a pool has one domain of each kind)", key.field, key.value, live))
		}
	}
	return errors.Join(problems...)
}

// adoptedPool declares the live pool with only the owned changes, under the
// same logical name as a created pool, imported and never deleted.
func adoptedPool(ctx *pulumi.Context, name string, plan *livepool.Plan, life lifecycle, opts ...pulumi.ResourceOption) (*cognito.UserPool, error) {
	opts = withOptions(opts, plan.Pool.Options()...)
	return cognito.NewUserPool(ctx, name+"-user-pool", plan.Pool.Args, withOptions(opts, life.adoptedPoolOptions()...)...)
}

// adoptedOptions keep what the component creates in an adopted pool (the
// domain, the provider, the app client) through a destroy, as the adopted
// resources are: a destroy of an adopted stack deletes nothing in the pool.
// The next run finds the domain and the provider in the pool and adopts
// them, the pool's own clients may name the provider, and the app may use
// the client; listed in appClientIds, the client is imported, and the
// resource it was is only forgotten.
func (a CognitoPasskeysArgs) adoptedOptions() []pulumi.ResourceOption {
	if a.Adoption == nil {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.RetainOnDelete(true)}
}

// adoptedClients declares the given app clients, imported and never deleted;
// opts carry their place in the order (declareAdoptedSignIn).
func adoptedClients(ctx *pulumi.Context, name string, plan *livepool.Plan, opts ...pulumi.ResourceOption) ([]*cognito.UserPoolClient, error) {
	clients := make([]*cognito.UserPoolClient, 0, len(plan.Clients))
	for _, c := range plan.Clients {
		clientID := c.ImportID[strings.LastIndex(c.ImportID, "/")+1:]
		client, err := cognito.NewUserPoolClient(ctx, name+"-client-"+clientID, c.Args, withOptions(opts, c.Options()...)...)
		if err != nil {
			return nil, fmt.Errorf("app client %s: %w", clientID, err)
		}
		clients = append(clients, client)
	}
	return clients, nil
}

// adoptedDomains declares the pool's domains, imported and never deleted; the
// hosted UI is served from plan.HostedDomain. The first (the prefix domain
// if there is one) keeps the name of a domain the component creates, so that
// a domain created on an adopted pool is the same resource when the next run
// finds it in the pool, not a second one that would replace it.
func adoptedDomains(ctx *pulumi.Context, name string, plan *livepool.Plan, opts ...pulumi.ResourceOption) (*hostedDomain, []pulumi.Resource, error) {
	var hosted *hostedDomain
	var resources []pulumi.Resource
	for i, d := range plan.Domains {
		resourceName := name + "-domain"
		if i > 0 {
			resourceName += "-" + d.ImportID
		}
		domain, err := cognito.NewUserPoolDomain(ctx, resourceName, d.Args, withOptions(opts, d.Options()...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("domain %s: %w", d.ImportID, err)
		}
		resources = append(resources, domain)
		if hosted == nil || d.Custom {
			hosted = &hostedDomain{domain: domain, host: pulumi.String(plan.HostedDomain).ToStringOutput()}
		}
	}
	return hosted, resources, nil
}

// logChanges says in the preview, in words, what adoption changes, and warns
// that a replaced trigger stops for every sign-up (in this run or, when it
// waits, the next), with whatever else it did. A chained one keeps running.
func logChanges(ctx *pulumi.Context, component pulumi.Resource, plan *livepool.Plan, chaining bool) error {
	for _, change := range plan.Changes {
		if err := ctx.Log.Info("adoption: "+change, &pulumi.LogArgs{Resource: component}); err != nil {
			return err
		}
	}
	if previous := plan.PreviousPreSignUpARN; previous != "" && !chaining {
		when := ""
		if plan.PreSignUpWaits {
			when = "at the next `pulumi up`, "
		}
		return ctx.Log.Warn(fmt.Sprintf("adoption: %sthe pre sign-up trigger %s stops running for every sign-up, not only Descope's: "+
			"whatever else it does (auto-confirming users, allowing only some email domains) stops with it. "+
			"To keep its own rules, chain it instead with chainPreSignUpTrigger (see docs/adoption.md)", when, previous), &pulumi.LogArgs{Resource: component})
	}
	return nil
}
