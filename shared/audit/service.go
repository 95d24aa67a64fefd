package audit

import "strings"

// serviceOf maps an eventSource ("kms.amazonaws.com") to its short name ("kms").
func serviceOf(source string) string {
	if i := strings.IndexByte(source, '.'); i > 0 {
		return source[:i]
	}
	return source
}
