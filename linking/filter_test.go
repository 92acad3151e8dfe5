package linking

import (
	"strings"
	"testing"
)

func TestQuoteFilterValue(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`jane@example.com`:       `"jane@example.com"`,
		`"quoted"@example.com`:   `"\"quoted\"@example.com"`,
		`back\slash@example.com`: `"back\\slash@example.com"`,
		`\"`:                     `"\\\""`,
		``:                       `""`,
	}
	for in, want := range cases {
		if got := QuoteFilterValue(in); got != want {
			t.Errorf("QuoteFilterValue(%q) = %s, want %s", in, got, want)
		}
	}
	if got := EmailFilter(`a"b`); got != `email = "a\"b"` {
		t.Errorf("EmailFilter = %s", got)
	}
	if got := UsernameFilter(`u\1`); got != `username = "u\\1"` {
		t.Errorf("UsernameFilter = %s", got)
	}
}

func TestSearchableEmail(t *testing.T) {
	t.Parallel()
	ok := []string{"jane@example.com", `"odd\"one"@example.com`, "émile@exemple.fr", strings.Repeat("a", 200) + "@x.io"}
	bad := []string{"a\nb@example.com", "a\x00@example.com", "\xff@example.com", strings.Repeat("a", 250) + "@example.com"}
	for _, e := range ok {
		if !SearchableEmail(e) {
			t.Errorf("SearchableEmail(%q) = false", e)
		}
	}
	for _, e := range bad {
		if SearchableEmail(e) {
			t.Errorf("SearchableEmail(%q) = true", e)
		}
	}
}

func TestMaskEmail(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"jane.doe@example.com":   "j***@e***.com",
		"Jane.Doe@Example.co.uk": "J***@E***.uk",
		"x@localhost":            "x***@l***",
		"not-an-email":           "n***",
		"@example.com":           "***@e***.com",
		"":                       "",
		"\n@\x00.com":            "***@***.com",
		"émile@exemple.fr":       "é***@e***.fr",
	}
	for in, want := range cases {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
