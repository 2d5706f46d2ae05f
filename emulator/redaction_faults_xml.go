package emulator

import "bytes"

// xmlKey is a created key whose id and secret are XML elements of the
// create success.
type xmlKey struct{ id, secret string }

// undeclaredSecretElement is where secret-renamed and secret-duplicated put
// the secret in an XML key.
const undeclaredSecretElement = "SecretKey"

func (k xmlKey) names() (string, string) { return k.id, k.secret }

// edit changes the key's elements, which the server rendered itself (an
// id of [A-Z0-9] and a secret of base64 characters, neither needing
// escapes), so each element is found by its exact text. With id element
// AccessKeyId and secret element SecretAccessKey:
//
//	create-id-number   <AccessKeyId>1234567890</AccessKeyId> (below IAM's 16-character minimum)
//	create-id-object   <AccessKeyId><Value>ID</Value></AccessKeyId> (an element with children)
//	create-id-null     <AccessKeyId></AccessKeyId> (empty)
//	create-id-missing  no AccessKeyId element
//	secret-renamed     <SecretKey> instead of <SecretAccessKey>
//	secret-duplicated  <SecretAccessKey> and <SecretKey>
func (k xmlKey) edit(ed keyEdit, created *KeyInfo, body []byte) ([]byte, error) {
	idEl := element(k.id, created.ID)
	secretEl := element(k.secret, created.Secret)
	replace := func(old, new string) { body = bytes.Replace(body, []byte(old), []byte(new), 1) }
	switch ed.id {
	case FaultCreateIDNumber:
		replace(idEl, element(k.id, "1234567890"))
	case FaultCreateIDObject:
		replace(idEl, element(k.id, element("Value", created.ID)))
	case FaultCreateIDNull:
		replace(idEl, element(k.id, ""))
	case FaultCreateIDMissing:
		replace(idEl, "")
	}
	undeclared := element(undeclaredSecretElement, created.Secret)
	switch ed.secret {
	case FaultSecretRenamed:
		replace(secretEl, undeclared)
	case FaultSecretDuplicated:
		replace(secretEl, secretEl+undeclared)
	}
	return body, nil
}

// element is <name>text</name>, text written as it is.
func element(name, text string) string { return "<" + name + ">" + text + "</" + name + ">" }
