package main

// moto's findings, pinned by TestMoto and told by docs/compat/moto.md and
// moto-auth.md: the ids are shared, M1 and M7 are the first run's alone,
// M8 to M10 the second's.

const motoAbout = `
moto's ` + "`moto_server`" + ` (moto 5.2.1, this machine's Python 3.11; ` + "`pip install 'moto[server]>=5,<6'`" + `)
implements IAM's user access keys. ` + "`TestMoto`" + ` starts it on a free loopback
port (` + "`moto_server -H 127.0.0.1 -p P`" + `), runs every check through a proxy that
keeps every secret it issues, and stops it whatever happens.`

// motoRun matches the names the run gives its users (keycontract-<run>-a).
const motoRun = `keycontract-[0-9a-f]{8}-`

// motoShared are the findings of both runs: what moto does with a request
// once it is let in.
func motoShared() []finding {
	return []finding{{
		id: "M2", title: "`MaxItems` is ignored",
		rule: "IAM API Reference, ListAccessKeys and ListUsers: `MaxItems` is the most items the response holds, and `IsTruncated` says whether more follow.",
		text: "A page holds every key, every user, with no `IsTruncated` (ListAccessKeys) or `IsTruncated` false (ListUsers). `MaxItems` outside its range is accepted too: M5.",
		shows: []shown{
			show("success-envelope", `^ListAccessKeys\(#\d+, MaxItems=1\) = 2 items, want at most 1$`, `^signed Action=ListAccessKeys&MaxItems=1&`, `(?s)^200 text/xml.*</member><member>.*</AccessKeyMetadata></ListAccessKeysResult>`),
			show("success-envelope", `^ListUsers\(#\d+, MaxItems=1\) = \d+ items, want at most 1$`, `^signed Action=ListUsers&MaxItems=1&`, `(?s)^200 text/xml.*</member><member>.*<IsTruncated>false</IsTruncated>`),
		},
	}, {
		id: "M3", title: "HTML 500 pages for an unknown Action and a `MaxItems` that is not an integer",
		rule: "Common Errors, `InvalidAction` (400); IAM API Reference, `MaxItems` is an integer (`ValidationError`, 400).",
		text: "`500 Internal Server Error`, `text/html`, with no `<ErrorResponse>`; moto's log shows a `KeyError` looking the operation up, a `ValueError` parsing the integer.",
		shows: []shown{
			show("no-server-errors", `NoSuchOperation.* = 500 \(no error code\)`, `^signed Action=NoSuchOperation&`, `(?s)^500 text/html.*500 Internal Server Error`),
			show("no-server-errors", `ListAccessKeys.* = 500 \(no error code\)`, `MaxItems=keycontract&`, `^500 text/html`),
			show("error-envelope", `= 500: status 500 carries no error code`, `^signed Action=NoSuchOperation&`, `(?s)^500 text/html.*<!doctype html>`),
			show("invalid-input-rejected", `^NoSuchOperation\(action: unknown operation\) = 500`, `Action=NoSuchOperation&`, `^500 text/html`),
			show("invalid-input-rejected", `^ListUsers\(MaxItems: wrong type string\) = 500`, `MaxItems=keycontract&`, `^500 text/html`),
		},
	}, {
		id: "M4", title: "A request with no Action gets an error of another operation",
		rule: "Common Errors, `MissingAction` (400).",
		text: "`400 MalformedCertificate` (\"Certificate None is malformed\"), an error of UploadSigningCertificate.",
		shows: []shown{
			show("error-envelope", `= 400: error code "MalformedCertificate" is not documented`, `^signed UserName=[^&]*&Version=2010-05-08$`, `<Code>MalformedCertificate</Code>`),
			show("invalid-input-rejected", `^\(no target\)\(action: missing\) = 400 MalformedCertificate`, `^signed UserName=`, `^400 text/xml`),
		},
	}, {
		id: "M5", title: "No input validation",
		rule: "IAM API Reference, CreateUser, DeleteUser, ListUsers and ListAccessKeys request parameters (`UserName` 1 to 64 characters of `[\\w+=,.@-]`; `MaxItems` 1 to 1,000; `Path`, `PathPrefix`, `Marker`, `PermissionsBoundary` lengths and patterns); IAM answers `ValidationError` (400).",
		text: "None of the model's lengths, patterns and ranges is checked: CreateUser succeeds with no `UserName` (it creates a user named `None`), an empty one, one of 65 characters and `Invalid_Name!`; DeleteUser succeeds with no, an empty or an invalid `UserName`; `Path`, `PathPrefix`, `Marker` and `PermissionsBoundary` outside their rules are accepted; `MaxItems` of 0 and 1001 (the integers just outside the range; `-1`, checked by hand, alike) list every key and every user.",
		shows: []shown{
			show("invalid-input-rejected", `^CreateUser\(UserName: missing required member\) = 200 success`, `^signed Action=CreateUser&Path=%2Fkeycontract%2F&Version=2010-05-08$`, `^200 text/xml`),
			show("invalid-input-rejected", `^CreateUser\(UserName: too long \(65 > 64\)\) = 200 success`, `UserName=a{65}&`, `^200 text/xml`),
			show("invalid-input-rejected", `^CreateUser\(UserName: does not match pattern .*\) = 200 success`, `UserName=Invalid_Name%21&`, `^200 text/xml`),
			show("invalid-input-rejected", `^ListUsers\(PathPrefix: too long \(513 > 512\)\) = 200 success`, `PathPrefix=a{513}&`, `^200 text/xml`),
			show("invalid-input-rejected", `^ListAccessKeys\(Marker: too long \(321 > 320\)\) = 200 success`, `Marker=a{321}&`, `^200 text/xml`),
			show("invalid-input-rejected", `^ListAccessKeys\(MaxItems: below minimum \(0 < 1\)\) = 200 success`, `^signed Action=ListAccessKeys&MaxItems=0&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
			show("invalid-input-rejected", `^ListAccessKeys\(MaxItems: above maximum \(1001 > 1000\)\) = 200 success`, `^signed Action=ListAccessKeys&MaxItems=1001&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
			show("invalid-input-rejected", `^ListUsers\(MaxItems: below minimum \(0 < 1\)\) = 200 success`, `^signed Action=ListUsers&MaxItems=0&`, `(?s)^200 text/xml.*<ListUsersResponse`),
			show("invalid-input-rejected", `^ListUsers\(MaxItems: above maximum \(1001 > 1000\)\) = 200 success`, `^signed Action=ListUsers&MaxItems=1001&`, `(?s)^200 text/xml.*<ListUsersResponse`),
		},
	}, {
		id: "M6", title: "Replies that break IAM's own shapes",
		rule: "IAM API Reference, the `User` data type (`UserName` required, 1 to 64 characters of `[\\w+=,.@-]`; `Path`'s pattern).",
		text: "A consequence of M5: CreateUser without `UserName` answers a `<User>` with no `<UserName>`; an empty or too long name, and a `Path` outside its pattern, come back as IAM would never return them.",
		shows: []shown{
			show("success-envelope", `CreateUser.* = 200 with .*"/CreateUserResult/User/UserName": property "UserName" is missing`, `^signed Action=CreateUser&Path=%2Fkeycontract%2F&Version=`, `(?s)^200 text/xml.*<CreateUserResponse`),
		},
	}}
}

// motoFindings: moto as it starts, authentication off (its documented
// default).
var motoFindings = append([]finding{{
	id: "M1", title: "As it starts, moto authenticates nothing", setting: true,
	rule: "none broken: moto's documentation says its authentication is off until it is turned on. The check fails because the run was told credentials are configured; the second run ([moto-auth.md](moto-auth.md)) judges moto's authentication.",
	text: "An unsigned request is routed, by its missing signature, to moto's S3 and answered with `<ListAllMyBucketsResult>`; a request signed with a wrong secret is served. The data plane alike: GetCallerIdentity (moto's STS, on the same port) names a key's user whatever the secret, and answers a deleted key's request as moto's default identity, `arn:aws:sts::123456789012:user/moto`, so key-scoped and key-revoked fail by the same setting ([moto-auth.md](moto-auth.md) judges the data plane with authentication on).",
	shows: []shown{
		show("auth-required", `without credentials\) = 200 success`, `^unsigned Action=`, `(?s)^200 .*<ListAllMyBucketsResult`),
		show("auth-required", `signed with a wrong secret\) = 200 success`, `^signed Action=ListAccessKeys&`, `(?s)^200 text/xml.*<ListAccessKeysResponse`),
		show("key-scoped", `^GetCallerIdentity\(without credentials, on `+motoRun+`a\) = 200`, `^unsigned Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^200 .*<ListAllMyBucketsResult`),
		show("key-scoped", `^GetCallerIdentity\(key \w+ signed with a wrong secret, on `+motoRun+`a\) = 200 naming "`+motoRun+`a"`, `^signed Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^200 text/xml.*<GetCallerIdentityResponse`),
		show("key-revoked", `^GetCallerIdentity\(deleted key \w+ of `+motoRun+`a\) = 200 naming "moto"`, `^signed Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^200 text/xml.*:user/moto</Arn>`),
	},
}}, append(motoShared(), finding{
	id: "M7", title: "A request without an Action, or with an undecodable escape, is served as something else",
	rule: "Common Errors, `MissingAction` (400); CreateUser's `UserName` pattern, which no reading of `%zz` meets (undecodable, or a `%` the pattern forbids), so IAM answers `ValidationError` or `MalformedQueryString`.",
	text: "An empty body, signed, is answered `404 NoSuchEntity` (\"The user with name None cannot be found\") or `400 MalformedCertificate`, whichever key or user operation the harness meant; a `UserName` ending in `%zz` creates a user whose name holds `%zz`.",
	shows: []shown{
		show("invalid-input-rejected", `^CreateAccessKey\(body: empty\) = 404 NoSuchEntity`, `^signed $`, `(?s)^404 text/xml.*The user with name None cannot be found`),
		show("invalid-input-rejected", `^CreateUser\(body: malformed form encoding \(an undecodable escape in UserName\)\) = 200 success`, `UserName=[^&]*%zz&`, `(?s)^200 text/xml.*<UserName>[^<]*%zz</UserName>`),
	},
})...)

// motoAuthFindings: moto with its authentication on, the run signed with
// an admin's key.
var motoAuthFindings = append(motoShared(), finding{
	id: "M8", title: "With authentication on, an unsigned request gets a 500 HTML page",
	rule: "Common Errors, `MissingAuthenticationToken` (403).",
	text: "moto routes the unsigned request to its S3, whose authorizer (`moto/iam/access_control.py`, `IAMRequestBase.__init__`) reads the `Authorization` header unguarded (`KeyError: 'HTTP_AUTHORIZATION'` in its log).",
	shows: []shown{
		show("auth-required", `without credentials\) = 500 \(no error code\)`, `^unsigned Action=`, `(?s)^500 text/html.*500 Internal Server Error`),
		show("key-scoped", `^GetCallerIdentity\(without credentials, on `+motoRun+`a\) = 500 \(no error code\)`, `^unsigned Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^500 text/html.*500 Internal Server Error`),
	},
}, finding{
	id: "M9", title: "With authentication on, auth errors are not the query protocol's",
	rule: "the AWS query protocol's error serialization (`/ErrorResponse/Error/Code`, in the service's namespace, with a `RequestId`); `text/html` names another media type than the XML sent (RFC 9110, 8.3).",
	text: "A request signed with a wrong secret is refused `403`, but as `text/html` with `<ErrorResponse><Errors><Error>...` (no namespace, `<Errors>` around `<Error>`, no `<RequestId>`): the code is not where the protocol puts it. moto's other errors have the right shape. botocore and aws-sdk-go-v2 tolerate the wrapper (aws-sdk-go-v2's IAM client, checked by hand, reads `SignatureDoesNotMatch`); a reader of the documented shape does not. The data plane alike: GetCallerIdentity refuses a wrong secret and a deleted key at once (`TestMoto/keys`: `InvalidClientTokenId`, which aws-sdk-go-v2's IAM client also reads from GetUser), but in this shape, so key-scoped and key-revoked cannot read a refusal: the key does not go on working, its refusal is unreadable.",
	shows: []shown{
		show("error-envelope", `= 403: status 403 carries no error code`, `^signed `, `(?s)^403 text/html; charset=utf-8\n<\?xml version="1.0" encoding="utf-8"\?>\s*<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>`),
		show("auth-required", `signed with a wrong secret\) = 403 \(no error code\)`, `^signed Action=`, `(?s)^403 text/html.*<Errors><Error><Code>SignatureDoesNotMatch</Code>`),
		show("key-scoped", `^GetCallerIdentity\(key \w+ signed with a wrong secret, on `+motoRun+`a\) = 403 \(no error code\)`, `^signed Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^403 text/html.*<Errors><Error><Code>SignatureDoesNotMatch</Code>`),
		show("key-revoked", `^GetCallerIdentity\(deleted key \w+ of `+motoRun+`a\) = 403 \(no error code\)`, `^signed Action=GetCallerIdentity&Version=2011-06-15$`, `(?s)^403 text/html.*<Errors><Error><Code>InvalidClientTokenId</Code>`),
	},
}, finding{
	id: "M10", title: "With authentication on, correctly signed requests are refused as `SignatureDoesNotMatch`",
	rule: "Signature Version 4 (the payload hash is of the body as sent); Common Errors, `MissingAction`, and CreateUser's `UserName` pattern: these requests are invalid, and IAM says so.",
	text: "An empty body, and a `UserName` ending in `%zz`, signed as every other request (and, checked by hand, by botocore's own signer), are answered `403 SignatureDoesNotMatch`: moto computes the signature over the form it parsed and encoded again (for an empty body, over its request headers, which it takes for the parameters), not over the bytes sent.",
	shows: []shown{
		show("invalid-input-rejected", `^CreateAccessKey\(body: empty\) = 403 \(no error code\)`, `^signed $`, `(?s)^403 text/html.*<Code>SignatureDoesNotMatch</Code>`),
		show("invalid-input-rejected", `^CreateUser\(body: malformed form encoding \(an undecodable escape in UserName\)\) = 403 \(no error code\)`, `UserName=[^&]*%zz&`, `(?s)^403 text/html.*<Code>SignatureDoesNotMatch</Code>`),
	},
})

const motoKeeps = `
What moto gets right is the heart of the contract, both ways: the limit of
two keys per user (` + "`LimitExceeded`" + `, 409, also under concurrent creates), the
secret returned once (never in ListAccessKeys, never again anywhere), the
key lifecycle, ` + "`NoSuchEntity`" + ` for unknown users and keys, and isolation
between users.`

const motoObserved = `
moto deletes a user that still has access keys, where IAM answers
` + "`DeleteConflict`" + ` (409; versitygw does too); the user named ` + "`None`" + ` that M5 creates
is left behind in moto (the run cannot know its name). moto adds a lowercase
` + "`<message>`" + ` beside ` + "`<Message>`" + ` in errors, and microsecond timestamps: both are
allowed, and pass.

Not a finding, though an earlier version of these pages listed it: a body
with a stray pair that does not decode (` + "`...&%zz=%`" + `) read leniently. A lenient
form reader is legal (WHATWG's form parser skips such a pair, and every
member is valid), and the harness no longer sends that break (DESIGN.md,
"What a check may demand, and what it may not").`

var motoPage = compatPage{
	slug: "moto", column: "moto", title: "moto 5.2.1, as it starts", test: "TestMoto/default", target: "moto-report",
	about: motoAbout + `

This run takes moto as it starts, with its authentication off, as its
documentation says it is by default; the run signs with a dummy key.`,
	keeps: motoKeeps, observed: motoObserved,
}

// motoKeyUse is what a user's key does on moto with its authentication on
// (TestMoto/keys): moto serves every service on its one port, by the
// service of the request's credential scope.
var motoKeyUse = []string{
	"no policy: S3 ListObjectsV2 403 AccessDenied",
	"no policy: STS GetCallerIdentity 200 names user/keycontract/keycontract-key-use",
	"no policy: IAM GetUser 403 AccessDenied",
	"policy: S3 ListObjectsV2 200",
	"policy: STS GetCallerIdentity 200 names user/keycontract/keycontract-key-use",
	"policy: IAM GetUser 200 names keycontract-key-use",
	"wrong secret: S3 ListObjectsV2 403 SignatureDoesNotMatch",
	"unsigned: S3 ListObjectsV2 500 text/html; charset=utf-8",
	"UpdateAccessKey Inactive 200",
	"inactive: S3 ListObjectsV2 200",
	"inactive: STS GetCallerIdentity 200 names user/keycontract/keycontract-key-use",
	"inactive: IAM GetUser 200 names keycontract-key-use",
	"deleted: S3 ListObjectsV2 403 InvalidAccessKeyId",
	"deleted: STS GetCallerIdentity 403 InvalidClientTokenId",
	"deleted: IAM GetUser 403 InvalidClientTokenId",
}

const motoKeyNote = `
A new user's key authenticates and has no permission (` + "`AccessDenied`" + `) until
a policy grants one, STS GetCallerIdentity needs none, a wrong secret is
` + "`SignatureDoesNotMatch`" + `, and a deleted key is refused at once: as IAM and S3
document. Two departures:

- **An Inactive key goes on working**, on S3, on STS and on IAM. Rule: IAM
  API Reference, the ` + "`AccessKey`" + ` data type, ` + "`Status`" + `: "Active means that the
  key is valid for API calls, while Inactive means it is not"
  (UpdateAccessKey is how a key is disabled in a rotation). Shown by the
  lines ` + "`inactive: ...`" + `: after UpdateAccessKey ` + "`Status=Inactive`" + ` (200),
  ListObjectsV2, GetCallerIdentity and GetUser signed with the key answer
  200. No check of this contract makes a key Inactive, so the run cannot
  show it; this test does.
- **An unsigned S3 request gets a 500 HTML page**, as an unsigned IAM
  request does (M8, the same unguarded read of the ` + "`Authorization`" + `
  header). Rule: Amazon S3 API Reference, error codes: an anonymous
  request to a bucket that does not allow it is ` + "`AccessDenied`" + ` (403).`

var motoAuthPage = compatPage{
	slug: "moto-auth", column: "moto, auth on", title: "moto 5.2.1, with its authentication on", test: "TestMoto/auth", target: "moto-report",
	about: motoAbout + `

This run turns moto's authentication on: while it is still off, an IAM
client (aws-sdk-go-v2) creates the user ` + "`keycontract-admin`" + `, a policy allowing
every action on every resource attached to it, and its access key; then
` + "`POST /moto-api/reset-auth`" + ` with body ` + "`0`" + ` makes moto authenticate and authorize
every later request, and the run signs with the admin's key.`,
	keeps: motoKeeps, observed: motoObserved,
	keyTest: "TestMoto/keys", keyUse: motoKeyUse, keyNote: motoKeyNote,
}
