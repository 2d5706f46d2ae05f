package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// The redaction family: faults that send the secret of a new key in a
// response the harness must still redact (docs/DESIGN.md, "Secrets"). Each one
// changes only the CreateBucketAccessKey success response, except
// secret-in-header, and all but secret-duplicated make a check fail.
const (
	// FaultCreateIDNumber breaks success-envelope: the created key's id
	// (aws accessKey.accessKeyId, envelope data.id) is a JSON number (iam:
	// <AccessKeyId>1234567890</AccessKeyId>, below the 16-character
	// minimum; the other create-id faults in iam: an element with
	// children, an empty element, no element; see redaction_faults_xml.go).
	FaultCreateIDNumber Fault = "create-id-number"
	// FaultCreateIDObject breaks success-envelope: the created key's id is a
	// JSON object ({"value": ID}).
	FaultCreateIDObject Fault = "create-id-object"
	// FaultCreateIDNull breaks success-envelope: the created key's id is null.
	FaultCreateIDNull Fault = "create-id-null"
	// FaultCreateIDMissing breaks success-envelope: the created key has no id.
	FaultCreateIDMissing Fault = "create-id-missing"
	// FaultSecretRenamed breaks success-envelope: the secret is under the
	// undeclared member secretKey instead of the declared one (aws
	// accessKey.secretAccessKey, envelope data.secret_access_key; iam:
	// <SecretKey> for <SecretAccessKey>), so a required member is missing.
	FaultSecretRenamed Fault = "secret-renamed"
	// FaultSecretDuplicated is a legal variation, not a violation: the
	// secret is under the declared member and also under the undeclared
	// member secretKey. The bundled documents allow extra members, and the
	// secret is in one response only, so no check may fail; the harness
	// must still redact both copies.
	FaultSecretDuplicated Fault = "secret-duplicated"
	// FaultCreateWrongContentType breaks success-envelope: the create
	// success is sent with Content-Type text/html (body unchanged).
	FaultCreateWrongContentType Fault = "create-wrong-content-type"
	// FaultCreateTruncated breaks success-envelope: the create success body
	// loses its last 5 bytes, after the secret.
	FaultCreateTruncated Fault = "create-truncated"
	// FaultCreateNotJSON breaks success-envelope: the create success body is
	// form-like text, ID=...&SECRET=...&status=Active with the dialect's
	// member names, unescaped so the secret appears as issued.
	FaultCreateNotJSON Fault = "create-not-json"
	// FaultSecretInHeader breaks secret-only-once: every create, list and
	// delete response naming an existing bucket carries the secret of that
	// bucket's newest key in the header X-Debug-Secret.
	FaultSecretInHeader Fault = "secret-in-header"
)

var redactionFaults = []faultInfo{
	{FaultCreateIDNumber, "the created key's id is a JSON number", "success-envelope"},
	{FaultCreateIDObject, "the created key's id is a JSON object", "success-envelope"},
	{FaultCreateIDNull, "the created key's id is null", "success-envelope"},
	{FaultCreateIDMissing, "the created key has no id", "success-envelope"},
	{FaultSecretRenamed, "the create response has the secret under the undeclared member secretKey, not the declared one", "success-envelope"},
	{FaultSecretDuplicated, "legal variation: the create response has the secret under the declared member and also under secretKey", ""},
	{FaultCreateWrongContentType, "the create success is sent with Content-Type text/html", "success-envelope"},
	{FaultCreateTruncated, "the create success body loses its last 5 bytes, after the secret", "success-envelope"},
	{FaultCreateNotJSON, "the create success body is form-like text holding the id and secret, not JSON", "success-envelope"},
	{FaultSecretInHeader, "create, list and delete responses carry the bucket's newest secret in X-Debug-Secret", "secret-only-once"},
}

const (
	ctHTML = "text/html; charset=utf-8"
	// debugSecretHeader carries the secret under fault secret-in-header.
	debugSecretHeader = "X-Debug-Secret"
)

// keyForm is where a dialect's create success holds the new key, so that
// the redaction faults can corrupt it in the dialect's own form (JSON
// members or XML elements).
type keyForm interface {
	// names are the key's id and secret members, as the wire names them.
	names() (id, secret string)
	// edit applies ed to body, a rendered create success of key.
	edit(ed keyEdit, key *KeyInfo, body []byte) ([]byte, error)
}

// keyEdit is what the id and secret faults change in a created key.
type keyEdit struct {
	id     Fault // one of the create-id faults, or ""
	secret Fault // secret-renamed or secret-duplicated, or ""
}

// keyEditOf is the edit the server's faults ask for; the zero keyEdit
// when none does.
func (s *Server) keyEditOf() keyEdit {
	var ed keyEdit
	for _, f := range []Fault{FaultCreateIDNumber, FaultCreateIDObject, FaultCreateIDNull, FaultCreateIDMissing} {
		if s.has(f) {
			ed.id = f
			break
		}
	}
	for _, f := range []Fault{FaultSecretRenamed, FaultSecretDuplicated} {
		if s.has(f) {
			ed.secret = f
			break
		}
	}
	return ed
}

// corruptCreate applies the redaction family to a rendered create success:
// first the member edits, then the whole-body faults.
func (s *Server) corruptCreate(r *result, ct string, body []byte) (string, []byte, error) {
	if s.has(FaultCreateWrongContentType) {
		ct = ctHTML
	}
	if ed := s.keyEditOf(); ed != (keyEdit{}) {
		var err error
		if body, err = s.d.createdKey.edit(ed, r.key, body); err != nil {
			return ct, nil, err
		}
	}
	idName, secretName := s.d.createdKey.names()
	if s.has(FaultCreateNotJSON) {
		// Deliberately unescaped: the secret must appear exactly as issued.
		body = []byte(idName + "=" + r.key.ID + "&" + secretName + "=" + r.key.Secret + "&status=" + r.key.Status)
	}
	if s.has(FaultCreateTruncated) && len(body) > 5 {
		body = body[:len(body)-5]
	}
	return ct, body, nil
}

// jsonKey is a created key that is a JSON object, member object of the
// body, with members id and secret.
type jsonKey struct{ object, id, secret string }

// undeclaredSecretMember is where secret-renamed and secret-duplicated
// put the secret in a JSON key.
const undeclaredSecretMember = "secretKey"

func (k jsonKey) names() (string, string) { return k.id, k.secret }

func (k jsonKey) edit(ed keyEdit, created *KeyInfo, body []byte) ([]byte, error) {
	var top map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keeps the epoch timestamps as written
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	key, _ := top[k.object].(map[string]any)
	if key == nil {
		return body, nil
	}
	switch ed.id {
	case FaultCreateIDNumber:
		key[k.id] = json.Number("1234567890")
	case FaultCreateIDObject:
		key[k.id] = map[string]any{"value": created.ID}
	case FaultCreateIDNull:
		key[k.id] = nil
	case FaultCreateIDMissing:
		delete(key, k.id)
	}
	if ed.secret != "" {
		key[undeclaredSecretMember] = created.Secret
	}
	if ed.secret == FaultSecretRenamed {
		delete(key, k.secret)
	}
	return json.Marshal(top)
}

// debugSecret sets X-Debug-Secret under fault secret-in-header: on the
// create, list and delete responses (success or error) of an existing
// bucket that holds a key, the secret of its newest key after the
// operation.
func (s *Server) debugSecret(rep *reply) {
	if !s.has(FaultSecretInHeader) || rep.bucket == "-" {
		return
	}
	switch rep.op {
	case opCreateBucketAccessKey, opGetBucketAccessKeys, opDeleteBucketAccessKey:
	default:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.buckets[rep.bucket]
	if b == nil || len(b.keys) == 0 {
		return
	}
	if rep.header == nil {
		rep.header = http.Header{}
	}
	rep.header.Set(debugSecretHeader, b.keys[len(b.keys)-1].Secret)
}
