package passkeys

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DestroyGuardType is the Pulumi type token of the destroy guard.
const DestroyGuardType = "cognito-descope-passkeys:index:DestroyGuard"

// destroyGuard keeps `pulumi destroy` from deleting anything sign-in needs.
//
// The engine deletes a resource only after everything that depends on it, and
// refuses to delete a protected one (preview or not). The guard depends on
// every resource of the component and is protected, so it comes first in any
// destroy and stops it before a single resource is deleted, with or without
// --skip-preview. Being a component, it has nothing in AWS, and since the
// resources themselves are not protected, `pulumi up` can still replace them
// (a new domain, a renamed function) as a change needs.
type destroyGuard struct {
	pulumi.ResourceState
}

// lifecycle says how the component's resources survive a destroy.
type lifecycle struct {
	// teardown prepares a throwaway stack for `pulumi destroy`: nothing
	// protected or retained and the pool's deletion protection off. The pool
	// keeps its trigger: depending on the function, it is deleted first.
	teardown bool
}

// poolOptions keep the pool, and with it every user, through any destroy;
// teardown lets it go.
func (l lifecycle) poolOptions() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Protect(!l.teardown), pulumi.RetainOnDelete(!l.teardown)}
}

// adoptedPoolOptions keep an adopted pool protected like a created one, and
// never deleted, not even by teardown: the pool, its users, clients and
// domain were there before the stack and stay after it.
func (l lifecycle) adoptedPoolOptions() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Protect(!l.teardown), pulumi.RetainOnDelete(true)}
}

// poolDeletionProtection is Cognito's own guard on the pool.
func (l lifecycle) poolDeletionProtection() string {
	if l.teardown {
		return "INACTIVE"
	}
	return "ACTIVE"
}

// newDestroyGuard declares the guard over resources, last.
func (l lifecycle) newDestroyGuard(ctx *pulumi.Context, name string, resources []pulumi.Resource, opts ...pulumi.ResourceOption) error {
	guard := &destroyGuard{}
	opts = withOptions(opts, pulumi.DependsOn(resources), pulumi.Protect(!l.teardown))
	if err := ctx.RegisterComponentResource(DestroyGuardType, name+"-destroy-guard", guard, opts...); err != nil {
		return err
	}
	return ctx.RegisterResourceOutputs(guard, pulumi.Map{})
}
