package main

// maxUserPoolIDLength is the longest user pool ID Cognito accepts.
const maxUserPoolIDLength = 55

// isUserPoolID reports whether id has the shape Cognito documents for user
// pool IDs: [\w-]+_[0-9a-zA-Z]+, at most 55 characters. It is written out
// rather than matched with regexp, whose compiled program and first match
// would be start-up work on every cold start.
func isUserPoolID(id string) bool {
	if len(id) > maxUserPoolIDLength {
		return false
	}
	// The part after the separator has no underscore, so the separator is
	// the last underscore.
	sep := -1
	for i := range len(id) {
		if id[i] == '_' {
			sep = i
		}
	}
	if sep < 1 || sep == len(id)-1 {
		return false
	}
	for i := range sep {
		if c := id[i]; !isASCIIAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	for i := sep + 1; i < len(id); i++ {
		if !isASCIIAlnum(id[i]) {
			return false
		}
	}
	return true
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
