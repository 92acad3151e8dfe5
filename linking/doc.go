// Package linking holds the one set of rules that decides whether a federated
// (Descope) identity may be linked to an existing native Cognito user, and why
// not when it may not. The pre sign-up merge function (lambda/) and the
// reconcile command (cmd/reconcile) both import it, so changing a rule changes
// both.
//
// The package does no I/O. It depends on the standard library and the
// Cognito types package only: the merge function has a size and cold-start
// budget.
package linking
