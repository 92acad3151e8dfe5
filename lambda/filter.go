package main

import (
	"strings"

	"github.com/cognito-descope-passkeys/cognito-descope-passkeys/linking"
)

// redact replaces every case-insensitive occurrence of each secret in s by its
// mask. AWS error messages may echo request values, so errors pass through
// this before they are logged.
func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = replaceFold(s, secret, linking.MaskEmail(secret))
	}
	return s
}

func replaceFold(s, old, repl string) string {
	if len(old) == 0 || len(s) < len(old) {
		return s
	}
	var b strings.Builder
	i := 0
	for i <= len(s)-len(old) {
		if strings.EqualFold(s[i:i+len(old)], old) {
			b.WriteString(repl)
			i += len(old)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	b.WriteString(s[i:])
	return b.String()
}
