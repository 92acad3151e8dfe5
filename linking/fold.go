package linking

// Email addresses are compared with ASCII-only case folding. Unicode folding
// (strings.EqualFold, strings.ToLower) maps characters such as U+212A KELVIN
// SIGN to ASCII "k", so a verified "\u212Aim@example.com" would match the
// account "kim@example.com": the class of GitHub's 2019 account takeover
// through Unicode case mapping. Bytes outside ASCII are compared exactly, so
// an address with any non-ASCII character never equals an ASCII one.

// EqualEmail reports whether two email addresses are the same for linking.
func EqualEmail(a, b string) bool { return EqualFoldASCII(a, b) }

// EqualFoldASCII reports whether a and b are equal when ASCII letters are
// folded to lower case; every other byte must match exactly.
func EqualFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// LowerASCII lowercases the ASCII letters of s and leaves every other byte
// as it is.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

func hasSuffixFoldASCII(s, suffix string) bool {
	return len(s) >= len(suffix) && EqualFoldASCII(s[len(s)-len(suffix):], suffix)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
