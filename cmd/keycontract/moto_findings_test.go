package main

// moto's verdicts, pinned by TestMoto: the checks moto fails, each with
// the failures that must show it. docs/README.md tells each finding with
// the documented rule it breaks.

// motoShared are the findings of both runs: what moto does with a request
// once it is let in.
func motoShared() map[string][]evidence {
	return map[string][]evidence{
		// MaxItems is ignored: a page holds every key, every user, with
		// no IsTruncated (ListAccessKeys) or IsTruncated false (ListUsers).
		// And replies that break IAM's own shapes: CreateUser without a
		// UserName succeeds, and its User has no UserName.
		"success-envelope": {
			ev(`^ListAccessKeys\(#\d+, MaxItems=1\) = 2 items, want at most 1$`, `^signed Action=ListAccessKeys&MaxItems=1&`, `(?s)^200 text/xml.*</member><member>.*</AccessKeyMetadata></ListAccessKeysResult>`),
			ev(`^ListUsers\(#\d+, MaxItems=1\) = \d+ items, want at most 1$`, `^signed Action=ListUsers&MaxItems=1&`, `(?s)^200 text/xml.*</member><member>.*<IsTruncated>false</IsTruncated>`),
			ev(`CreateUser.* = 200 with .*"/CreateUserResult/User/UserName": property "UserName" is missing`, `^signed Action=CreateUser&Path=%2Fkeycontract%2F&Version=`, `(?s)^200 text/xml.*<CreateUserResponse`),
		},
		// HTML 500 pages for an unknown Action and a MaxItems that is not
		// an integer.
		"no-server-errors": {
			ev(`NoSuchOperation.* = 500 \(no error code\)`, `^signed Action=NoSuchOperation&`, `(?s)^500 text/html.*500 Internal Server Error`),
			ev(`ListAccessKeys.* = 500 \(no error code\)`, `MaxItems=keycontract&`, `^500 text/html`),
		},
		"error-envelope": {
			ev(`= 500: status 500 carries no error code`, `^signed Action=NoSuchOperation&`, `(?s)^500 text/html.*<!doctype html>`),
			ev(`= 400: error code "MalformedCertificate" is not documented`, `^signed UserName=[^&]*&Version=2010-05-08$`, `<Code>MalformedCertificate</Code>`),
		},
		// No length, pattern or range is checked (MaxItems 0 and 1001,
		// outside IAM's 1 to 1000, list everything); an unknown Action
		// gets a 500 and a missing one MalformedCertificate.
		"invalid-input-rejected": {
			ev(`^CreateUser\(UserName: missing required member\) = 200 success`, `^signed Action=CreateUser&Path=%2Fkeycontract%2F&Version=2010-05-08$`, `^200 text/xml`),
			ev(`^CreateUser\(UserName: too long \(65 > 64\)\) = 200 success`, `UserName=a{65}&`, `^200 text/xml`),
			ev(`^CreateUser\(UserName: does not match pattern .*\) = 200 success`, `UserName=Invalid_Name%21&`, `^200 text/xml`),
			ev(`^ListUsers\(PathPrefix: too long \(513 > 512\)\) = 200 success`, `PathPrefix=a{513}&`, `^200 text/xml`),
			ev(`^ListAccessKeys\(Marker: too long \(321 > 320\)\) = 200 success`, `Marker=a{321}&`, `^200 text/xml`),
			ev(`^NoSuchOperation\(action: unknown operation\) = 500`, `Action=NoSuchOperation&`, `^500 text/html`),
			ev(`^\(no target\)\(action: missing\) = 400 MalformedCertificate`, `^signed UserName=`, `^400 text/xml`),
			ev(`^ListUsers\(MaxItems: wrong type string\) = 500`, `MaxItems=keycontract&`, `^500 text/html`),
			ev(`^ListAccessKeys\(MaxItems: below minimum \(0 < 1\)\) = 200 success`, `^signed Action=ListAccessKeys&MaxItems=0&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
			ev(`^ListAccessKeys\(MaxItems: above maximum \(1001 > 1000\)\) = 200 success`, `^signed Action=ListAccessKeys&MaxItems=1001&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
			ev(`^ListUsers\(MaxItems: below minimum \(0 < 1\)\) = 200 success`, `^signed Action=ListUsers&MaxItems=0&`, `(?s)^200 text/xml.*<ListUsersResponse`),
			ev(`^ListUsers\(MaxItems: above maximum \(1001 > 1000\)\) = 200 success`, `^signed Action=ListUsers&MaxItems=1001&`, `(?s)^200 text/xml.*<ListUsersResponse`),
		},
	}
}

// motoFindings: moto as it starts, authentication off (its documented
// default).
var motoFindings = func() map[string][]evidence {
	f := motoShared()
	// A signed request with an empty body is taken for one on a user
	// named "None".
	// A UserName holding an undecodable escape is read as it stands, and
	// a user is created with a "%" in its name.
	f["invalid-input-rejected"] = append(f["invalid-input-rejected"],
		ev(`^CreateAccessKey\(body: empty\) = 404 NoSuchEntity`, `^signed $`, `(?s)^404 text/xml.*The user with name None cannot be found`),
		ev(`^CreateUser\(body: malformed form encoding \(an undecodable escape in UserName\)\) = 200 success`, `UserName=[^&]*%zz&`, `(?s)^200 text/xml.*<UserName>[^<]*%zz</UserName>`))
	// The setting, not a defect: unsigned requests are routed to moto's
	// S3 (ListAllMyBuckets), and a wrong secret is served.
	f["auth-required"] = []evidence{
		ev(`without credentials\) = 200 success`, `^unsigned Action=`, `(?s)^200 .*<ListAllMyBucketsResult`),
		ev(`signed with a wrong secret\) = 200 success`, `^signed Action=ListAccessKeys&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
	}
	return f
}()

// motoAuthFindings: moto with its authentication on, the run signed with
// an admin's key.
var motoAuthFindings = func() map[string][]evidence {
	f := motoShared()
	// A correctly signed request whose body is empty, or holds an
	// undecodable escape, is refused as SignatureDoesNotMatch: moto checks
	// the signature against the form it parsed and encoded again (or, for
	// an empty body, the request's headers), not the bytes sent.
	f["invalid-input-rejected"] = append(f["invalid-input-rejected"],
		ev(`^CreateAccessKey\(body: empty\) = 403 \(no error code\)`, `^signed $`, `(?s)^403 text/html.*<Code>SignatureDoesNotMatch</Code>`),
		ev(`^CreateUser\(body: malformed form encoding \(an undecodable escape in UserName\)\) = 403 \(no error code\)`, `UserName=[^&]*%zz&`, `(?s)^403 text/html.*<Code>SignatureDoesNotMatch</Code>`))
	// Auth errors are not IAM's: text/html, <Errors> around <Error>, no
	// namespace, no RequestId.
	f["error-envelope"] = append(f["error-envelope"],
		ev(`= 403: status 403 carries no error code`, `^signed `, `(?s)^403 text/html; charset=utf-8\n<\?xml version="1.0" encoding="utf-8"\?>\s*<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>`))
	f["auth-required"] = []evidence{
		// An unsigned request: a 500 HTML page (access_control.py reads
		// the Authorization header unguarded).
		ev(`without credentials\) = 500 \(no error code\)`, `^unsigned Action=`, `(?s)^500 text/html.*500 Internal Server Error`),
		// A wrong secret is refused, but not with an error IAM's clients
		// can read.
		ev(`signed with a wrong secret\) = 403 \(no error code\)`, `^signed Action=`, `(?s)^403 text/html.*<Errors><Error><Code>SignatureDoesNotMatch</Code>`),
	}
	return f
}()
