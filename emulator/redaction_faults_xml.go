package emulator

import "bytes"

// undeclaredSecretElement is where secret-renamed and secret-duplicated put
// the secret in iam's XML.
const undeclaredSecretElement = "SecretKey"

// editCreatedKeyXML is editCreatedKey for iam's CreateAccessKeyResult: the
// id and secret faults edit the AccessKey's elements, which the server
// rendered itself (an id of [A-Z0-9] and a secret of base64 characters,
// neither needing escapes), so each element is found by its exact text.
//
//	create-id-number   <AccessKeyId>1234567890</AccessKeyId> (below the 16-character minimum)
//	create-id-object   <AccessKeyId><Value>ID</Value></AccessKeyId> (an element with children)
//	create-id-null     <AccessKeyId></AccessKeyId> (empty)
//	create-id-missing  no AccessKeyId element
//	secret-renamed     <SecretKey> instead of <SecretAccessKey>
//	secret-duplicated  <SecretAccessKey> and <SecretKey>
func (s *Server) editCreatedKeyXML(r *result, body []byte) []byte {
	idEl := "<AccessKeyId>" + r.key.ID + "</AccessKeyId>"
	secretEl := "<SecretAccessKey>" + r.key.Secret + "</SecretAccessKey>"
	replace := func(old, new string) { body = bytes.Replace(body, []byte(old), []byte(new), 1) }
	switch {
	case s.has(FaultCreateIDNumber):
		replace(idEl, "<AccessKeyId>1234567890</AccessKeyId>")
	case s.has(FaultCreateIDObject):
		replace(idEl, "<AccessKeyId><Value>"+r.key.ID+"</Value></AccessKeyId>")
	case s.has(FaultCreateIDNull):
		replace(idEl, "<AccessKeyId></AccessKeyId>")
	case s.has(FaultCreateIDMissing):
		replace(idEl, "")
	}
	undeclared := "<" + undeclaredSecretElement + ">" + r.key.Secret + "</" + undeclaredSecretElement + ">"
	switch {
	case s.has(FaultSecretRenamed):
		replace(secretEl, undeclared)
	case s.has(FaultSecretDuplicated):
		replace(secretEl, secretEl+undeclared)
	}
	return body
}
