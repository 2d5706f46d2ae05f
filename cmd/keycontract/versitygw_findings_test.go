package main

// versitygw's findings, pinned by TestVersitygw and told by
// docs/compat/versitygw.md.

var versitygwFindings = []finding{{
	id: "V1", title: "A request with no Action is redirected to the vendor's web site",
	rule: "Common Errors, `MissingAction` (400); a redirect is no error response of the query protocol.",
	text: "An empty body, signed, and a body with members but no `Action` are answered `302 Found` with `Location: https://www.versity.com/products/versitygw/` and no body. A client that follows redirects, as most HTTP libraries do, sends the signed request to a host it never named; the harness never follows one.",
	shows: []shown{
		show("invalid-input-rejected", `^CreateAccessKey\(body: empty\) = 302 \(no error code\)`, `^signed $`, `^302  Location: https://www\.versity\.com/`),
		show("invalid-input-rejected", `^\(no target\)\(action: missing\) = 302 \(no error code\)`, `^signed UserName=[^&]*&Version=2010-05-08$`, `^302  Location: https://www\.versity\.com/`),
		show("error-envelope", `= 302: status 302 carries no error code`, `^signed $`, `^302  Location: https://www\.versity\.com/`),
	},
}, {
	id: "V2", title: "`Marker` is not checked",
	rule: "IAM API Reference, ListAccessKeys and ListUsers: `Marker` is 1 to 320 characters of `[\\u0020-\\u00FF]`; IAM answers `ValidationError`.",
	text: "A `Marker` of 321 characters, and one of tab, space, tab, are answered `200` with an empty list.",
	shows: []shown{
		show("invalid-input-rejected", `^ListAccessKeys\(Marker: too long \(321 > 320\)\) = 200 success`, `Marker=a{321}&`, `(?s)^200 application/xml.*<ListAccessKeysResponse`),
		show("invalid-input-rejected", `^ListUsers\(Marker: does not match pattern .*\) = 200 success`, `Marker=%09\+%09&`, `(?s)^200 application/xml.*<ListUsersResponse`),
	},
}, {
	id: "V3", title: "`PermissionsBoundary` is not checked",
	rule: "IAM API Reference, CreateUser: `PermissionsBoundary` is a policy ARN of 20 to 2,048 characters.",
	text: "CreateUser with a `PermissionsBoundary` of 19 characters, and one of 2,049, creates the user (`200`). versitygw does not implement permissions boundaries: it ignores the member, valid or not (a valid ARN is not shown by GetUser either).",
	shows: []shown{
		show("invalid-input-rejected", `^CreateUser\(PermissionsBoundary: too short \(19 < 20\)\) = 200 success`, `PermissionsBoundary=a{19}&`, `(?s)^200 application/xml.*<CreateUserResponse`),
	},
}}

var versitygwPage = compatPage{
	slug: "versitygw", column: "versitygw", title: "versitygw v1.8.0", test: "TestVersitygw", target: "versitygw-report",
	about: `
versitygw (` + "`go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`" + `) is a Go S3
gateway whose IAM query API is its own process. ` + "`TestVersitygw`" + ` starts both
on free loopback ports, with a fake root key (` + "`ROOT_ACCESS_KEY`, `ROOT_SECRET_KEY`" + `),
its users and its buckets in a fresh temporary directory:

` + "```" + `
versitygw --health /healthz --port 127.0.0.1:P --quiet iam --dir D/iam --private-ports D/iam.sock
versitygw --health /healthz --port 127.0.0.1:P2 --quiet --iam-standalone-endpoint D/iam.sock posix D/data
` + "```" + `

The run is made against the IAM process, signed with the root key; its
data-plane checks ask the IAM process who each key is (GetCallerIdentity,
signed for ` + "`sts`" + `), and ` + "`TestVersitygw/keys`" + ` uses a key on the S3 gateway
(below). A release other than v1.8.0 fails
in CI (the verdicts are that release's) and skips elsewhere.`,
	keeps: `
versitygw keeps the contract closely: the limit of two keys per user
(` + "`LimitExceeded`" + `, 409, also under concurrent creates), the secret returned once,
the key lifecycle, ` + "`NoSuchEntity`" + ` for unknown users and keys, isolation between
users, ` + "`MissingAuthenticationToken`" + ` for an unsigned request and
` + "`SignatureDoesNotMatch`" + ` for a wrong secret, ` + "`ValidationError`" + ` for user names and
` + "`MaxItems`" + ` out of their lengths, patterns and range (` + "`MaxItems=0`" + ` and ` + "`1001`" + `:
` + "`ValidationError`" + ` each; ` + "`MalformedInput`" + ` for one that is not an integer), pages of
` + "`MaxItems`" + ` with ` + "`IsTruncated`" + ` and ` + "`Marker`" + `, and ` + "`DeleteConflict`" + ` for a user that
still has keys.

Its keys work where they are used, and only while they live (below):
` + "`GetCallerIdentity`" + ` on the IAM port names the key's user with its path and
needs no policy; on the S3 gateway a user's key needs an inline policy
before ListObjectsV2 answers 200 (without one, ` + "`AccessDenied`" + `: authenticated,
not permitted); an Inactive or deleted key is refused at once.`,
	keyTest: "TestVersitygw/keys",
	keyUse: []string{
		"no policy: S3 ListObjectsV2 403 AccessDenied",
		"no policy: STS GetCallerIdentity 200 names user/keycontract/keycontract-key-use",
		"no policy: IAM GetUser 403 AccessDenied",
		"policy: S3 ListObjectsV2 200",
		"policy: STS GetCallerIdentity 200 names user/keycontract/keycontract-key-use",
		"policy: IAM GetUser 200 names keycontract-key-use",
		"wrong secret: S3 ListObjectsV2 403 SignatureDoesNotMatch",
		"unsigned: S3 ListObjectsV2 403 AccessDenied",
		"UpdateAccessKey Inactive 200",
		"inactive: S3 ListObjectsV2 403 InvalidAccessKeyId",
		"inactive: STS GetCallerIdentity 403 InvalidClientTokenId",
		"inactive: IAM GetUser 403 InvalidClientTokenId",
		"deleted: S3 ListObjectsV2 403 InvalidAccessKeyId",
		"deleted: STS GetCallerIdentity 403 InvalidClientTokenId",
		"deleted: IAM GetUser 403 InvalidClientTokenId",
	},
	keyNote: `
Every use is as IAM and S3 document it: a new user's key authenticates and
has no permission (` + "`AccessDenied`" + `, 403) until a policy grants one; STS
GetCallerIdentity needs none; a wrong secret is ` + "`SignatureDoesNotMatch`" + `;
an Inactive key and a deleted one are refused at once
(` + "`InvalidAccessKeyId`" + ` on S3, ` + "`InvalidClientTokenId`" + ` as a caller).`,
	allowed: `
Replies are ` + "`application/xml`" + ` (RFC 7303: the same media type as ` + "`text/xml`" + `; the
harness judges media types by meaning); ` + "`InvalidAction`" + ` comes in the namespace
` + "`http://webservices.amazon.com/AWSFault/2005-15-09`" + ` rather than IAM's;
` + "`MalformedInput`" + ` comes without a ` + "`<Message>`" + ` (the contract requires the code
only).`,
}
