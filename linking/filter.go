package linking

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilterLen is the documented maximum length of ListUsers' Filter.
const MaxFilterLen = 256

// QuoteFilterValue escapes a value for a ListUsers filter string. Cognito's
// filter grammar is `attribute = "value"`, with backslash and double quote
// escaped by a backslash. Backslash goes first so the escapes added for quotes
// are not doubled.
func QuoteFilterValue(v string) string {
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

// EmailFilter is the ListUsers filter for an exact email match.
func EmailFilter(email string) string { return "email = " + QuoteFilterValue(email) }

// UsernameFilter is the ListUsers filter for an exact username match.
func UsernameFilter(username string) string { return "username = " + QuoteFilterValue(username) }

// SearchableEmail reports whether an email can be put into a filter at all:
// valid UTF-8, no control characters, and short enough that the filter stays
// within Cognito's limit. Anything else is refused before any Cognito call.
func SearchableEmail(email string) bool {
	if !utf8.ValidString(email) || len(EmailFilter(email)) > MaxFilterLen {
		return false
	}
	for _, r := range email {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// MaskEmail keeps only enough of an address to correlate log lines by eye:
// "jane.doe@example.com" becomes "j***@e***.com". Values without an "@" keep
// one character.
func MaskEmail(email string) string {
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
