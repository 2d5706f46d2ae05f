package redact

import (
	"bytes"
	"net/http"
	"regexp"
)

// CredentialHeader reports whether a header carries a credential whatever
// its value (Authorization, X-Amz-Security-Token): reports show it as
// <redacted> and recordings drop it.
func CredentialHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "X-Amz-Security-Token":
		return true
	}
	return false
}

// XMLSafe escapes the placeholders redaction wrote into an XML body
// (<secret-N> and <redacted> would read as elements): a recorded or golden
// body stays well-formed XML, and its text reads "<secret-N>" as a JSON
// string does. raw is the body before redaction; other bodies, and a body
// redaction left alone, are returned as redacted.
func XMLSafe(raw []byte, redacted string) string {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '<' || redacted == string(raw) {
		return redacted
	}
	return placeholderTag.ReplaceAllStringFunc(redacted, func(p string) string {
		return "&lt;" + p[1:len(p)-1] + "&gt;"
	})
}

var placeholderTag = regexp.MustCompile(`<(secret-[0-9]+|redacted)>`)
