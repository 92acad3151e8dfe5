package main

import (
	"regexp"
	"strings"
	"testing"
)

// documentedPoolID is Cognito's pattern for user pool IDs, as the API
// reference states it; isUserPoolID must agree with it.
var documentedPoolID = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

func matchesDocumentedPoolID(id string) bool {
	return len(id) <= maxUserPoolIDLength && documentedPoolID.MatchString(id)
}

func TestIsUserPoolID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"us-east-1_AbC123", true},
		{"eu-central-1_x", true},
		{"a_b_c9", true}, // underscores are \w, so the last one separates
		{"x-_1", true},
		{"", false},
		{"_abc", false},
		{"us-east-1_", false},
		{"us-east-1", false},
		{"us-east-1_ab-c", false},
		{"us east-1_abc", false},
		{"us-east-1_abc\n", false},
		{"us-east-1_abc/../x", false},
		{"us-east-1_ábc", false},
		{"us-east-1_" + strings.Repeat("a", 45), true},
		{"us-east-1_" + strings.Repeat("a", 46), false},
	}
	for _, tt := range tests {
		if got := isUserPoolID(tt.id); got != tt.want {
			t.Errorf("isUserPoolID(%q) = %v, want %v", tt.id, got, tt.want)
		}
		if doc := matchesDocumentedPoolID(tt.id); doc != tt.want {
			t.Errorf("the documented pattern says %v for %q; the table is wrong", doc, tt.id)
		}
	}
}

func FuzzIsUserPoolIDMatchesTheDocumentedPattern(f *testing.F) {
	for _, seed := range []string{"us-east-1_AbC123", "a_b_c", "_", "x_-", "us-east-1_ab\x00", strings.Repeat("_1", 30)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := isUserPoolID(id), matchesDocumentedPoolID(id); got != want {
			t.Errorf("isUserPoolID(%q) = %v, the documented pattern says %v", id, got, want)
		}
	})
}
