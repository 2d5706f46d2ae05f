package testutil

import (
	"bytes"
	"regexp"
)

// marker is every mark redaction leaves where it hid something, in each
// spelling an output writes it: as is, JSON-escaped (\u003c), XML- or
// HTML-escaped (&lt;, &#60;). The marks are the secret placeholders
// (<secret-N>), the credential placeholder (<redacted>) and a withheld
// body (<undecodable body, N bytes, withheld>).
var marker = regexp.MustCompile(`(<|\\u003c|&lt;|&#60;)(secret-[0-9]+|redacted|undecodable body, [0-9]+ bytes, withheld)(>|\\u003e|&gt;|&#62;)`)

// Unredact puts secret back in every output wherever redaction left a
// mark, and says how many marks it replaced. A secret scan that finds
// nothing in the outputs as written proves something only if it finds the
// secret in the outputs Unredact returns: they are what the harness would
// have written without redaction (a withheld body aside, which the secret
// stands for), so the scan reads the outputs and the spellings in which
// secrets would have been written. The harness itself has no switch that
// turns redaction off.
func Unredact(outputs map[string][]byte, secret string) (map[string][]byte, int) {
	out := make(map[string][]byte, len(outputs))
	marks := 0
	for name, b := range outputs {
		marks += len(marker.FindAllIndex(b, -1))
		out[name] = marker.ReplaceAllLiteral(bytes.Clone(b), []byte(secret))
	}
	return out, marks
}
