package emulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// The encoders every dialect's replies share.

// accountID is the fixed account the emulator's ARNs name.
const accountID = "123456789012"

// epoch renders t as epoch seconds, a JSON number that always has a
// three-digit fraction (the awsJson timestamp form).
func epoch(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%d.%03d", t.Unix(), t.Nanosecond()/int(time.Millisecond)))
}

// rfc3339 renders t as an RFC 3339 string in UTC, whole seconds (the
// envelope's timestamp form).
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// mustJSON marshals v. The emulator's bodies are maps, slices, strings,
// numbers and booleans, so this cannot fail; if it ever did, the panic is
// recovered by ServeHTTP into the dialect's internal error.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: marshalling a response: %v", err))
	}
	return b
}

// mustXML marshals v; as with mustJSON, a failure is a bug, recovered by
// ServeHTTP into the dialect's internal error.
func mustXML(v any) []byte {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: marshalling a response: %v", err))
	}
	return b
}

// headerWith returns a header holding one Content-Type.
func headerWith(contentType string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return h
}
