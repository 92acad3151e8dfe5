package main

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFilterLen is the documented maximum length of ListUsers' Filter.
const maxFilterLen = 256

// quoteFilterValue escapes a value for a ListUsers filter string. Cognito's
// filter grammar is `attribute = "value"`, with backslash and double quote
// escaped by a backslash. Backslash goes first so the escapes added for quotes
// are not doubled.
func quoteFilterValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' || c == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// emailFilter is the ListUsers filter for an exact email match.
func emailFilter(email string) string { return "email = " + quoteFilterValue(email) }

// usernameFilter is the ListUsers filter for an exact username match.
func usernameFilter(username string) string { return "username = " + quoteFilterValue(username) }

// searchableEmail reports whether an email can be put into a filter at all:
// valid UTF-8, no control characters, and short enough that the filter stays
// within Cognito's limit. Anything else is refused before any Cognito call.
func searchableEmail(email string) bool {
	if !utf8.ValidString(email) || len(emailFilter(email)) > maxFilterLen {
		return false
	}
	for _, r := range email {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// maskEmail keeps only enough of an address to correlate log lines by eye:
// "jane.doe@example.com" becomes "j***@e***.com". Values without an "@" keep
// one character.
func maskEmail(email string) string {
	if email == "" {
		return ""
	}
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return firstRune(email) + "***"
	}
	local, domain := email[:at], email[at+1:]
	masked := firstRune(local) + "***@" + firstRune(domain) + "***"
	if dot := strings.LastIndexByte(domain, '.'); dot > 0 && dot < len(domain)-1 {
		tld := domain[dot:]
		if len(tld) <= 10 && utf8.ValidString(tld) && !strings.ContainsFunc(tld, unicode.IsControl) {
			masked += tld
		}
	}
	return masked
}

func firstRune(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r == utf8.RuneError || unicode.IsControl(r) {
		return ""
	}
	return string(r)
}

// redact replaces every case-insensitive occurrence of each secret in s by its
// mask. AWS error messages may echo request values, so errors pass through
// this before they are logged.
func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		s = replaceFold(s, secret, maskEmail(secret))
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
