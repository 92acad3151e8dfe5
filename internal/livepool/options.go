package livepool

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// The options below put an adopted resource under Pulumi without ever
// deleting it: `pulumi destroy` forgets it (RetainOnDelete) instead of
// deleting the pool, its users, its clients or its domain. The pool is also
// protected, as a pool the program creates is, so a destroy stops at it
// until the operator detaches on purpose (docs/runbook.md).

// Options are the resource options of the adopted pool.
func (p PoolPlan) Options() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(p.ImportID)), pulumi.Protect(true), pulumi.RetainOnDelete(true)}
}

// Options are the resource options of an adopted app client.
func (c ClientPlan) Options() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(c.ImportID)), pulumi.RetainOnDelete(true)}
}

// Options are the resource options of an adopted hosted domain.
func (d DomainPlan) Options() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(d.ImportID)), pulumi.RetainOnDelete(true)}
}

// Options are the resource options of an adopted identity provider: it
// existed before adoption, so a destroy leaves it, and the clients that name
// it, working.
func (p ProviderPlan) Options() []pulumi.ResourceOption {
	return []pulumi.ResourceOption{pulumi.Import(pulumi.ID(p.ImportID)), pulumi.RetainOnDelete(true)}
}
