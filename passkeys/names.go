package passkeys

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Names of physical resources must not collide across projects, stacks and
// components sharing an account (function and log group) or a region (the
// domain prefix). The program's own component, "passkeys" in project
// "cognito-descope-passkeys", keeps the names its stacks already have; any
// other project or component name adds a hash of project, stack and component.
const (
	// DefaultComponentName is the name the program gives its component.
	DefaultComponentName = "passkeys"
	// defaultProjectName is the program's project in Pulumi.yaml.
	defaultProjectName = "cognito-descope-passkeys"
)

// keepsFirstNames says whether a component keeps the names used before
// project and component were part of them.
func keepsFirstNames(project, component string) bool {
	return project == defaultProjectName && component == DefaultComponentName
}

// shortHash is 8 hex digits of SHA-256 over the parts.
func shortHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:8]
}

// MergeFunctionName names the merge function (and so its log group,
// /aws/lambda/<name>): Lambda allows 64 letters, digits, hyphens and underscores.
func MergeFunctionName(project, stack, component string) string {
	const maxLen = 64
	if keepsFirstNames(project, component) {
		n := functionSafe(component + "-" + stack + "-merge")
		if len(n) > maxLen {
			n = n[:maxLen-9] + "-" + shortHash(n)
		}
		return n
	}
	tail := "-" + shortHash(project, stack, component) + "-merge"
	head := functionSafe(component + "-" + stack)
	if len(head) > maxLen-len(tail) {
		head = head[:maxLen-len(tail)]
	}
	return head + tail
}

func functionSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// DefaultDomainPrefix derives a hosted-domain prefix. Prefixes are global per
// region, so a hash of the account (and of project, stack and component,
// beyond the program's own) keeps stacks apart without publishing the account ID.
func DefaultDomainPrefix(project, stack, component, accountID string) string {
	if keepsFirstNames(project, component) {
		return firstDomainPrefix(stack, accountID)
	}
	const maxComponent = 20
	head := dnsSafe(component)
	if len(head) > maxComponent {
		head = strings.Trim(head[:maxComponent], "-")
	}
	if head == "" {
		head = "passkeys"
	}
	suffix := shortHash(accountID, project, stack, component)
	stackPart := dnsSafe(stack)
	if maxStack := 63 - len(head) - len(suffix) - 2; len(stackPart) > maxStack {
		stackPart = strings.Trim(stackPart[:maxStack], "-")
	}
	if stackPart == "" {
		return head + "-" + suffix
	}
	return head + "-" + stackPart + "-" + suffix
}

// firstDomainPrefix is the prefix the program's stacks were created with:
// passkeys-<stack>-<8 hex of a hash of the account>.
func firstDomainPrefix(stack, accountID string) string {
	suffix := shortHash(accountID)
	const maxStackPart = 63 - len("passkeys--") - 8
	stackPart := strings.Trim(dnsChars(stack), "-")
	if len(stackPart) > maxStackPart {
		stackPart = strings.Trim(stackPart[:maxStackPart], "-")
	}
	stackPart = maskReserved(stackPart)
	if stackPart == "" {
		return "passkeys-" + suffix
	}
	return "passkeys-" + stackPart + "-" + suffix
}

// dnsSafe is dnsChars with Cognito's reserved words masked and no hyphen at
// either end.
func dnsSafe(s string) string {
	return strings.Trim(maskReserved(dnsChars(s)), "-")
}

// dnsChars keeps lowercase letters and digits and turns the rest into hyphens.
func dnsChars(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	return b.String()
}

// maskReserved replaces the words Cognito refuses in a prefix.
func maskReserved(s string) string {
	for _, reserved := range []string{"aws", "amazon", "cognito"} {
		s = strings.ReplaceAll(s, reserved, strings.Repeat("x", len(reserved)))
	}
	return s
}
